package bot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/corpusbot/corpusbot/corpus"
)

// ErrNoCorpusDir is what Reload reports when the bot serves the articles
// built into it: there is no folder to reload from.
var ErrNoCorpusDir = errors.New("bot: no corpus folder to reload from")

// A Swapper holds the index being served and replaces it atomically;
// *answer.Engine is one.
type Swapper interface {
	Index() *corpus.Index
	Swap(ix *corpus.Index) *corpus.Index
}

// A ReloadReport says what a reload did.
type ReloadReport struct {
	Articles, Sentences int           // in the new index
	Added, Removed      []string      // article paths
	Changed             []string      // article paths whose text changed
	Skipped             []string      // files skipped, with the reason
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
	}{{"Added", r.Added}, {"Removed", r.Removed}, {"Changed", r.Changed}, {"Skipped", r.Skipped}} {
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

// A CorpusReloader rebuilds the index from a file system and swaps it into
// an engine. Reloads run one at a time, in the background: questions keep
// being answered from the old index until the swap. Concurrent calls
// coalesce: a call made while a reload runs waits for the next reload,
// which starts when the running one ends and serves every call made
// meanwhile. A reload that fails leaves the old index serving.
type CorpusReloader struct {
	fsys fs.FS // nil: there is no folder to reload from
	eng  Swapper
	rec  Recorder // may be nil
	now  func() time.Time

	mu      sync.Mutex // guards running and next
	running bool       // a reload goroutine is at work
	next    *flight    // the reload to run after the current one; nil if none is asked for
}

// A flight is one reload, shared by every call waiting for it.
type flight struct {
	callers int           // calls waiting for this flight; guarded by the reloader's mu
	done    chan struct{} // closed when report and err are set
	report  ReloadReport
	err     error
}

// NewCorpusReloader returns a reloader that loads fsys with corpus.Load and
// swaps the result into eng, telling rec (which may be nil) of each reload.
// A nil fsys makes every Reload report ErrNoCorpusDir.
func NewCorpusReloader(fsys fs.FS, eng Swapper, rec Recorder) *CorpusReloader {
	return &CorpusReloader{fsys: fsys, eng: eng, rec: rec, now: time.Now}
}

// Reload rebuilds the index and swaps it in, and reports what changed. It
// returns early with ctx's error if ctx is done first; the reload itself
// goes on and still swaps its index in.
func (r *CorpusReloader) Reload(ctx context.Context) (ReloadReport, error) {
	if r.fsys == nil {
		return ReloadReport{}, ErrNoCorpusDir
	}
	r.mu.Lock()
	var f *flight
	if !r.running {
		r.running = true
		f = &flight{done: make(chan struct{})}
		go r.run(context.WithoutCancel(ctx), f)
	} else {
		if r.next == nil {
			r.next = &flight{done: make(chan struct{})}
		}
		f = r.next
	}
	f.callers++
	r.mu.Unlock()

	select {
	case <-f.done:
		return f.report, f.err
	case <-ctx.Done():
		return ReloadReport{}, fmt.Errorf("bot: reload still running: %w", ctx.Err())
	}
}

// run performs f, then each reload asked for meanwhile, until none is left.
func (r *CorpusReloader) run(ctx context.Context, f *flight) {
	for f != nil {
		f.report, f.err = r.reload(ctx)
		close(f.done)

		r.mu.Lock()
		f, r.next = r.next, nil
		if f == nil {
			r.running = false
		}
		r.mu.Unlock()
	}
}

// reload loads the corpus and swaps it in.
func (r *CorpusReloader) reload(ctx context.Context) (ReloadReport, error) {
	start := r.now()
	ix, err := corpus.Load(ctx, r.fsys)
	if err != nil {
		if r.rec != nil {
			r.rec.Reloaded(false, r.now().Sub(start))
		}
		return ReloadReport{}, err
	}
	old := r.eng.Swap(ix)
	rep := diff(old, ix)
	rep.Took = r.now().Sub(start)
	if r.rec != nil {
		r.rec.Reloaded(true, rep.Took)
	}
	return rep, nil
}

// diff reports the articles of ix added, removed and changed since old.
func diff(old, ix *corpus.Index) ReloadReport {
	rep := ReloadReport{Articles: len(ix.Articles), Sentences: len(ix.Sentences)}
	for _, w := range ix.Warnings {
		rep.Skipped = append(rep.Skipped, strings.TrimPrefix(w.Error(), corpus.ErrBadFile.Error()+": "))
	}
	before := make(map[string]string)
	if old != nil {
		for _, a := range old.Articles {
			before[a.Path] = a.Text
		}
	}
	for _, a := range ix.Articles {
		text, ok := before[a.Path]
		switch {
		case !ok:
			rep.Added = append(rep.Added, a.Path)
		case text != a.Text:
			rep.Changed = append(rep.Changed, a.Path)
		}
		delete(before, a.Path)
	}
	if old != nil {
		for _, a := range old.Articles { // in path order, unlike the map
			if _, gone := before[a.Path]; gone {
				rep.Removed = append(rep.Removed, a.Path)
			}
		}
	}
	return rep
}
