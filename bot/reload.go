package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/corpusbot/corpusbot/answer"
)

var (
	// ErrNoCorpusDir is what Reload reports when the bot serves the articles
	// built into it: there is no folder to reload from.
	ErrNoCorpusDir = errors.New("bot: no corpus folder to reload from")
	// ErrReloadRunning is what Reload reports, as a *RunningError, when it is
	// called while a reload runs: it returns at once, having asked for one
	// more reload to run when the running one ends.
	ErrReloadRunning = errors.New("bot: a reload is already running")
	// ErrReloadTimeout is what Reload reports, as a *TimeoutError, when the
	// load passes its time limit: the reload is given up and the old index
	// keeps serving.
	ErrReloadTimeout = errors.New("bot: reload took too long")
)

// A RunningError reports a reload asked for while another runs.
type RunningError struct {
	For time.Duration // how long the running reload has run
}

func (e *RunningError) Error() string {
	return "bot: a reload has been running for " + seconds(e.For) + "; another will run when it ends"
}

func (e *RunningError) Unwrap() error { return ErrReloadRunning }

// A TimeoutError reports a reload given up at its time limit.
type TimeoutError struct {
	Limit time.Duration
}

func (e *TimeoutError) Error() string {
	return "bot: reload took longer than " + seconds(e.Limit) + " and was given up"
}

func (e *TimeoutError) Unwrap() error { return ErrReloadTimeout }

// seconds says d for a moderator: "42 s" up to two minutes, "5 min" past that.
func seconds(d time.Duration) string {
	if d < 2*time.Minute {
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	}
	return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
}

// A Loaded is a corpus a reload has loaded and made ready to answer from,
// not yet served: Serve swaps it in and says what changed. *answer.Prepared
// is one.
type Loaded interface {
	Serve() answer.Change
}

// A ReloadReport says what a reload did.
type ReloadReport struct {
	Articles, Sentences int           // in the new index
	Added, Removed      []string      // article paths
	Changed             []string      // article paths whose text changed
	Skipped             []string      // files skipped, with the reason
	Repaired            []string      // files kept with a repair (invalid bytes replaced), with what was repaired
	Took                time.Duration // how long loading and swapping took
}

// String is the report for a moderator: counts, then what changed.
func (r ReloadReport) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Reloaded %d articles (%d sentences) in %s.", r.Articles, r.Sentences, r.Took.Round(time.Millisecond))
	if len(r.Added)+len(r.Removed)+len(r.Changed) == 0 {
		s.WriteString(" No article changed.")
	}
	for _, part := range []struct {
		what  string
		paths []string
	}{{"Added", r.Added}, {"Removed", r.Removed}, {"Changed", r.Changed}, {"Skipped", r.Skipped}, {"Repaired", r.Repaired}} {
		if len(part.paths) > 0 {
			fmt.Fprintf(&s, "\n%s (%d): %s", part.what, len(part.paths), listSome(part.paths, 5))
		}
	}
	return s.String()
}

// listSome lists the first n items, and how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// A LoadFunc loads the corpus a reload swaps in, and makes it ready to
// answer from (answer.Engine.Prepare). It should return soon after ctx is
// done.
type LoadFunc func(ctx context.Context) (Loaded, error)

// ReloadOptions tune a CorpusReloader. The zero value is usable: no time
// limit, no metrics, no log.
type ReloadOptions struct {
	Recorder Recorder      // told of each reload; nil for none
	Timeout  time.Duration // a reload's time limit; 0 for none
	// Log is told when a reload passes its time limit, and of the outcome of
	// reloads nobody waits for (those asked for while another ran).
	Log *slog.Logger
	Now func() time.Time // the clock; nil means time.Now
}

// A CorpusReloader rebuilds the corpus with a LoadFunc and swaps it in. Reloads run one at a time, in the background: questions keep being
// answered from the old index until the swap. A reload asked for while one
// runs does not wait: Reload returns a *RunningError at once, and one more
// reload runs when the running one ends, so that files changed meanwhile
// are read (however many were asked for, one runs). A reload that fails, or
// passes its time limit, leaves the old index serving.
type CorpusReloader struct {
	load LoadFunc // nil: there is no folder to reload from
	opts ReloadOptions
	log  *slog.Logger
	now  func() time.Time

	mu      sync.Mutex // guards running, since and again
	running bool       // a reload goroutine is at work
	since   time.Time  // when the load at work started
	again   bool       // a reload was asked for while one ran
}

// NewCorpusReloader returns a reloader that loads the corpus with load and
// swaps the result in. A nil load makes every Reload report ErrNoCorpusDir.
func NewCorpusReloader(load LoadFunc, opts ReloadOptions) *CorpusReloader {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &CorpusReloader{load: load, opts: opts, log: logger(opts.Log), now: now}
}

// Reload rebuilds the index and swaps it in, and reports what changed. When
// a reload is already running it returns a *RunningError at once, and
// another reload runs when that one ends. It returns early with ctx's error
// if ctx is done first; the reload itself goes on and may still swap its
// index in.
func (r *CorpusReloader) Reload(ctx context.Context) (ReloadReport, error) {
	if r.load == nil {
		return ReloadReport{}, ErrNoCorpusDir
	}
	r.mu.Lock()
	if r.running {
		r.again = true
		took := r.now().Sub(r.since)
		r.mu.Unlock()
		return ReloadReport{}, &RunningError{For: took}
	}
	r.running = true
	r.since = r.now()
	r.mu.Unlock()

	type outcome struct {
		report ReloadReport
		err    error
	}
	done := make(chan outcome, 1)
	go r.run(context.WithoutCancel(ctx), func(rep ReloadReport, err error) { done <- outcome{rep, err} })
	select {
	case o := <-done:
		return o.report, o.err
	case <-ctx.Done():
		return ReloadReport{}, fmt.Errorf("bot: reload still running: %w", ctx.Err())
	}
}

// Running reports whether a reload is at work, and for how long it has run.
// A reload that passed its time limit is at work until its load returns.
func (r *CorpusReloader) Running() (took time.Duration, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.running {
		return 0, false
	}
	return r.now().Sub(r.since), true
}

// run performs a reload, telling done of its outcome, then each reload
// asked for meanwhile, logging their outcome, until none is left. It marks
// the reloader idle before telling done, so that a caller who reloads again
// once told is not told a reload is running; it logs before, so that once
// idle, all is logged.
func (r *CorpusReloader) run(ctx context.Context, done func(ReloadReport, error)) {
	queued := false
	for {
		told := false
		rep, err := r.reload(ctx, func(err error) { told = true; done(ReloadReport{}, err) })
		if queued && !told {
			done(rep, err)
			told = true
		}

		r.mu.Lock()
		more := r.again
		r.again = false
		if more {
			r.since = r.now()
		} else {
			r.running = false
		}
		r.mu.Unlock()

		if !told {
			done(rep, err)
		}
		if !more {
			return
		}
		done, queued = r.logQueued, true
	}
}

// logQueued logs the outcome of a reload asked for while another ran:
// nobody waits for its report.
func (r *CorpusReloader) logQueued(rep ReloadReport, err error) {
	if err != nil {
		r.log.Error("queued reload failed; the previous corpus is still served", "err", err)
		return
	}
	r.log.Info("queued reload", "articles", rep.Articles, "sentences", rep.Sentences,
		"added", len(rep.Added), "removed", len(rep.Removed), "changed", len(rep.Changed),
		"skipped", len(rep.Skipped), "repaired", len(rep.Repaired), "took_s", rep.Took.Seconds())
}

// reload loads the corpus and swaps it in, and returns what it did. When
// the time limit passes before the load returns, it tells timedOut at once,
// then waits for the load to return and drops what it loaded; what it
// returns then is of no use.
func (r *CorpusReloader) reload(ctx context.Context, timedOut func(error)) (ReloadReport, error) {
	start := r.now()
	if r.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.opts.Timeout)
		defer cancel()
	}
	type loaded struct {
		corpus Loaded
		err    error
	}
	c := make(chan loaded, 1)
	go func() {
		l, err := r.load(ctx)
		c <- loaded{l, err}
	}()
	var res loaded
	select {
	case res = <-c:
	case <-ctx.Done(): // only the time limit ends ctx
		select {
		case res = <-c: // the load returned just now
		default: // the load is late to return, or stuck
			err := &TimeoutError{Limit: r.opts.Timeout}
			r.recorded(false, r.now().Sub(start))
			timedOut(err)
			r.log.Warn(msgTimeout, "limit_s", r.opts.Timeout.Seconds(), "load", "still running; no other reload starts until it returns")
			res = <-c
			r.log.Warn("the reload that passed its time limit has ended; what it loaded is dropped",
				"took_s", r.now().Sub(start).Seconds(), "err", res.err)
			return ReloadReport{}, err
		}
	}
	if res.err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.err = &TimeoutError{Limit: r.opts.Timeout}
			r.log.Warn(msgTimeout, "limit_s", r.opts.Timeout.Seconds(), "load", "returned")
		}
		r.recorded(false, r.now().Sub(start))
		return ReloadReport{}, res.err
	}
	ch := res.corpus.Serve()
	rep := ReloadReport{Articles: ch.Articles, Sentences: ch.Sentences,
		Added: ch.Added, Removed: ch.Removed, Changed: ch.Changed, Skipped: ch.Skipped, Repaired: ch.Repaired,
		Took: r.now().Sub(start)}
	r.recorded(true, rep.Took)
	return rep, nil
}

// msgTimeout is the warning logged when a reload passes its time limit.
const msgTimeout = "reload passed its time limit; the previous corpus is still served"

// recorded tells the Recorder, if any, of a reload.
func (r *CorpusReloader) recorded(ok bool, took time.Duration) {
	if r.opts.Recorder != nil {
		r.opts.Recorder.Reloaded(ok, took)
	}
}
