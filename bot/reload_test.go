package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

// switchFS serves whichever file system was set last.
type switchFS struct{ cur atomic.Pointer[fstest.MapFS] }

func (s *switchFS) set(m fstest.MapFS)                { s.cur.Store(&m) }
func (s *switchFS) Open(name string) (fs.File, error) { return (*s.cur.Load()).Open(name) }

// loadFS loads fsys with corpus.Load.
func loadFS(fsys fs.FS) func(context.Context) (*corpus.Index, error) {
	return func(ctx context.Context) (*corpus.Index, error) { return corpus.Load(ctx, fsys) }
}

// prepared is a LoadFunc that loads with load and prepares what it loaded
// for eng.
func prepared(eng *answer.Engine, load func(context.Context) (*corpus.Index, error)) LoadFunc {
	return func(ctx context.Context) (Loaded, error) {
		ix, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return eng.Prepare(ix), nil
	}
}

// syncClock is a settable clock safe for concurrent use.
type syncClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newSyncClock() *syncClock { return &syncClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hasLine reports whether the JSON log in buf has a line at level whose
// message is msg.
func hasLine(t *testing.T, buf *testkit.Buffer, level, msg string) bool {
	t.Helper()
	for _, l := range logLines(t, bytes.NewBufferString(buf.String())) {
		if l["level"] == level && l["msg"] == msg {
			return true
		}
	}
	return false
}

func TestReloadReport(t *testing.T) {
	eng := testEngine(t, testCorpus())
	next := testCorpus()
	delete(next, "bridge.txt")
	next["festival.txt"] = article("River festival opens", "2024-05-02", "The river festival opened on Friday in Riverton.")
	next["market.txt"] = article("Night market", "2024-06-01", "A night market opened by the river in Riverton.")
	next["broken.txt"] = &fstest.MapFile{Data: []byte{0xff, 0xfe, 'a'}}
	rec := &recorder{}
	r := NewCorpusReloader(prepared(eng, loadFS(next)), ReloadOptions{Recorder: rec})

	rep, err := r.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d %d %v %v %v %d", rep.Articles, rep.Sentences, rep.Added, rep.Removed, rep.Changed, len(rep.Skipped))
	if want := "2 2 [market.txt] [bridge.txt] [festival.txt] 1"; got != want {
		t.Errorf("report = %s; want %s", got, want)
	}
	if len(eng.Index().Articles) != 2 || eng.Index().Articles[1].Path != "market.txt" {
		t.Errorf("engine serves %v; want the new corpus", eng.Index().Articles)
	}
	s := rep.String()
	for _, want := range []string{"Reloaded 2 articles (2 sentences)", "Added (1): market.txt", "Removed (1): bridge.txt", "Changed (1): festival.txt", "Skipped (1): broken.txt"} {
		if !strings.Contains(s, want) {
			t.Errorf("report %q; want it to contain %q", s, want)
		}
	}
	if fmt.Sprint(rec.reloads) != "[true]" {
		t.Errorf("recorded reloads %v; want [true]", rec.reloads)
	}
	if took, ok := r.Running(); ok {
		t.Errorf("Running() once Reload returned = %v, true; want the reloader idle", took)
	}
	rep, err = r.Reload(context.Background())
	if err != nil || !strings.Contains(rep.String(), "No article changed") {
		t.Errorf("second reload = %q, %v; want no change", rep.String(), err)
	}
}

func TestFailedReloadKeepsOldIndex(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want error
	}{
		{"no article", fstest.MapFS{"notes.md": {Data: []byte("not an article")}}, corpus.ErrEmpty},
		{"only unusable files", fstest.MapFS{"a.txt": {Data: []byte{0, 1, 2}}, "b.txt": {Data: []byte("  \n")}}, corpus.ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := testEngine(t, testCorpus())
			before := eng.Index()
			rec := &recorder{}
			r := NewCorpusReloader(prepared(eng, loadFS(tt.fsys)), ReloadOptions{Recorder: rec})
			b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}}, eng, r, eng.Sources, nil)

			rep := b.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "reload"})
			if kindOf(rep) != Internal || !errors.Is(rep.Err, tt.want) {
				t.Fatalf("reload = %+v; want Internal wrapping %v", rep, tt.want)
			}
			if !strings.Contains(rep.Err.Message, "still being served") || !strings.Contains(rep.Err.Message, "no usable article") {
				t.Errorf("message %q; want it to say the old articles are served, and why", rep.Err.Message)
			}
			if eng.Index() != before {
				t.Error("the index changed after a failed reload")
			}
			if fmt.Sprint(rec.reloads) != "[false]" {
				t.Errorf("recorded reloads %v; want [false]", rec.reloads)
			}
			if res, err := eng.Ask(context.Background(), "who is the mayor of Riverton?", answer.AskOptions{Top: 1}); err != nil || !res.Answered {
				t.Errorf("after a failed reload: %+v; want the old corpus to answer", res)
			}
		})
	}
}

func TestReloadEmbedded(t *testing.T) {
	eng := testEngine(t, testCorpus())
	for _, rel := range []Reloader{nil, NewCorpusReloader(nil, ReloadOptions{})} {
		b := New(Options{}, eng, rel, eng.Sources, nil)
		rep := b.Handle(context.Background(), Request{Platform: Console, Command: "reload"})
		if rep.Err != nil || !strings.Contains(rep.Text, "nothing to reload from") {
			t.Errorf("reload with reloader %v = %+v; want nothing to reload from", rel, rep)
		}
	}
}

// gatedLoad is a LoadFunc that loads whichever file system was set last,
// counting its loads, then blocks until its gate is closed, whatever its
// context says (as a load stuck on a file would).
type gatedLoad struct {
	switchFS
	gate  chan struct{}
	loads atomic.Int32
}

func newGatedLoad(fsys fstest.MapFS) *gatedLoad {
	g := &gatedLoad{gate: make(chan struct{})}
	g.set(fsys)
	return g
}

func (g *gatedLoad) load(ctx context.Context) (*corpus.Index, error) {
	g.loads.Add(1)
	ix, err := corpus.Load(ctx, &g.switchFS)
	<-g.gate
	return ix, err
}

// TestReloadWhileRunningAnswersAtOnce: reloads asked for while one runs are
// told at once how long it has run, without waiting, and coalesce into one
// more reload, which reads the files as they are when the running one ends.
func TestReloadWhileRunningAnswersAtOnce(t *testing.T) {
	eng := testEngine(t, testCorpus())
	clk := newSyncClock()
	g := newGatedLoad(testCorpus())
	var logs testkit.Buffer
	r := NewCorpusReloader(prepared(eng, g.load), ReloadOptions{Now: clk.now, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}}, eng, r, eng.Sources, nil)

	if _, ok := r.Running(); ok {
		t.Error("Running before any reload = true")
	}
	first := make(chan error)
	go func() { _, err := r.Reload(context.Background()); first <- err }()
	testkit.WaitFor(t, func() bool { return g.loads.Load() == 1 }) // the first load is under way, held at the gate
	clk.add(42 * time.Second)
	if took, ok := r.Running(); !ok || took != 42*time.Second {
		t.Errorf("Running() = %v, %v; want 42s, true", took, ok)
	}
	// Questions are answered from the old index while the reload waits.
	if res, err := eng.Ask(context.Background(), "who is the mayor of Riverton?", answer.AskOptions{Top: 1}); err != nil || !res.Answered {
		t.Fatalf("during a reload: %+v; want an answer", res)
	}

	// A moderator's /reload is told at once (the gate is still shut).
	rep := b.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "reload"})
	if rep.Err != nil || !strings.HasPrefix(rep.Text, "A reload has been running for 42 s; yours will run when it ends.") {
		t.Errorf("/reload during a reload = %+v; want to be told at once it has been running for 42 s", rep)
	}
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := r.Reload(context.Background())
			var re *RunningError
			if !errors.As(err, &re) || !errors.Is(err, ErrReloadRunning) || re.For != 42*time.Second {
				t.Errorf("Reload during a reload = %v; want a *RunningError of 42s", err)
			}
		})
	}
	wg.Wait() // all returned with the gate still shut: none waited

	// A file changed meanwhile is read by the one reload run after.
	changed := testCorpus()
	changed["market.txt"] = article("Night market", "2024-06-01", "A night market opened by the river in Riverton.")
	g.set(changed)
	close(g.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, func() bool { _, ok := r.Running(); return !ok })
	if got := g.loads.Load(); got != 2 {
		t.Errorf("%d loads for 12 reloads; want 2 (the running one, then one for the rest)", got)
	}
	if len(eng.Index().Articles) != 3 {
		t.Errorf("after the queued reload, %d articles; want the 3 set while the first ran", len(eng.Index().Articles))
	}
	if !hasLine(t, &logs, "INFO", "queued reload") || !strings.Contains(logs.String(), `"added":1`) {
		t.Errorf("log = %s; want the queued reload's outcome", logs.String())
	}
	if took, ok := r.Running(); ok {
		t.Errorf("Running after the reloads = %v, true; want false", took)
	}
}

func TestReloadContextDone(t *testing.T) {
	eng := testEngine(t, testCorpus())
	g := newGatedLoad(testCorpus())
	r := NewCorpusReloader(prepared(eng, g.load), ReloadOptions{})
	before := eng.Index()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Reload(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Reload(done ctx) = %v; want context.Canceled", err)
	}
	close(g.gate) // the reload goes on in the background and swaps
	testkit.WaitFor(t, func() bool { return eng.Index() != before })
}

// TestReloadTimeLimit: a reload whose load passes the time limit fails with
// a clear message, the old index keeps serving, a warning is logged, and a
// load that ignores its context is shown as running (and blocks later
// reloads) until it returns; what it loads then is dropped. The limit is a
// nanosecond, so it has always passed by the time the load is under way.
func TestReloadTimeLimit(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		t.Run(map[bool]string{false: "load honours ctx", true: "load ignores ctx"}[stuck], func(t *testing.T) {
			eng := testEngine(t, testCorpus())
			before := eng.Index()
			changed := testCorpus()
			changed["market.txt"] = article("Night market", "2024-06-01", "A night market opened by the river in Riverton.")
			g := newGatedLoad(changed)
			var calls atomic.Int32
			load := func(ctx context.Context) (*corpus.Index, error) {
				if stuck && calls.Add(1) == 1 {
					return g.load(context.Background()) // stuck, then succeeds, too late
				}
				<-ctx.Done()
				return nil, fmt.Errorf("corpus: %w", ctx.Err())
			}
			var logs testkit.Buffer
			rec := &recorder{}
			r := NewCorpusReloader(prepared(eng, load), ReloadOptions{Recorder: rec, Timeout: time.Nanosecond,
				Log: slog.New(slog.NewJSONHandler(&logs, nil))})
			b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}}, eng, r, eng.Sources, nil)

			rep := b.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "reload"})
			if kindOf(rep) != Internal || !errors.Is(rep.Err, ErrReloadTimeout) {
				t.Fatalf("reload = %+v; want Internal wrapping ErrReloadTimeout", rep)
			}
			if want := "took longer than 0 s; the previous articles are still being served"; !strings.Contains(rep.Err.Message, want) {
				t.Errorf("message %q; want it to contain %q", rep.Err.Message, want)
			}
			if eng.Index() != before {
				t.Error("the index changed after a reload past its limit")
			}
			if stuck {
				if _, ok := r.Running(); !ok {
					t.Error("a stuck load is not shown as running")
				}
				if _, err := r.Reload(context.Background()); !errors.Is(err, ErrReloadRunning) {
					t.Errorf("Reload while a stuck load runs = %v; want ErrReloadRunning", err)
				}
				close(g.gate) // the stuck load returns; the queued reload then passes its limit too
			}
			testkit.WaitFor(t, func() bool { _, ok := r.Running(); return !ok })
			if eng.Index() != before {
				t.Error("what a load past its limit loaded was swapped in")
			}
			if !hasLine(t, &logs, "WARN", msgTimeout) || !strings.Contains(logs.String(), `"limit_s":1e-9`) {
				t.Errorf("log = %s; want a warning that the reload passed its limit", logs.String())
			}
			want := "[false]"
			if stuck {
				want = "[false false]" // the reload past its limit, then the queued one
			}
			if got := fmt.Sprint(rec.reloadsSeen()); got != want {
				t.Errorf("recorded reloads %s; want %s", got, want)
			}
		})
	}
}

// TestReloadReportListsRepairedFiles: files skipped and files kept with
// repairs (invalid UTF-8 replaced) are listed apart.
func TestReloadReportListsRepairedFiles(t *testing.T) {
	eng := testEngine(t, testCorpus())
	next := testCorpus()
	next["broken.txt"] = &fstest.MapFile{Data: []byte{0, 1, 2}}
	next["festival.txt"] = article("River festival opens", "2024-05-02", "The river festival opened on Thursday in Riverton \xff with boats.")
	rep, err := NewCorpusReloader(prepared(eng, loadFS(next)), ReloadOptions{}).Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 1 || !strings.HasPrefix(rep.Skipped[0], "broken.txt: ") ||
		len(rep.Repaired) != 1 || !strings.HasPrefix(rep.Repaired[0], "festival.txt: ") {
		t.Errorf("skipped %q, repaired %q; want broken.txt skipped, festival.txt repaired", rep.Skipped, rep.Repaired)
	}
	s := rep.String()
	for _, want := range []string{"\nSkipped (1): broken.txt: binary", "\nRepaired (1): festival.txt: 1 byte of invalid UTF-8 replaced"} {
		if !strings.Contains(s, want) {
			t.Errorf("report %q; want it to contain %q", s, want)
		}
	}
}

// TestReloadUnderLoad asks questions from many goroutines while reloads run
// back to back, alternating two versions of the corpus: every answer must
// come wholly from one version.
func TestReloadUnderLoad(t *testing.T) {
	version := func(v string) fstest.MapFS {
		m := fstest.MapFS{}
		for i := range 4 {
			m[fmt.Sprintf("%d.txt", i)] = article(fmt.Sprintf("Festival day %d", i), "2024-05-02", fmt.Sprintf(
				"The river festival of Riverton (edition %s) opened day %d with boats. Edition %s of the river festival drew crowds on day %d.", v, i, v, i))
		}
		if v == "beta" {
			m["extra.txt"] = article("Extra", "2024-05-03", "The river festival of Riverton (edition beta) added a night parade.")
		}
		return m
	}
	alpha, beta := version("alpha"), version("beta")
	sw := &switchFS{}
	sw.set(alpha)
	eng := testEngine(t, alpha)
	r := NewCorpusReloader(prepared(eng, loadFS(sw)), ReloadOptions{})
	b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}, Top: 5}, eng, r, eng.Sources, nil)

	ctx, cancel := context.WithCancel(context.Background())
	var askers sync.WaitGroup
	var answered atomic.Int64
	failures := make(chan string, 100)
	for g := range 8 {
		askers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				rep := b.Handle(ctx, Request{Platform: Discord, UserID: fmt.Sprint(g), Text: "when did the river festival edition open?"})
				if ctx.Err() != nil {
					return // cancelled while asking: the engine fails the question
				}
				if rep.Answer == nil || !rep.Answer.Answered || len(rep.Answer.Citations) < 2 {
					failures <- fmt.Sprintf("no answer: %+v", rep)
					return
				}
				answered.Add(1)
				seen := map[bool]bool{}
				for _, c := range rep.Answer.Citations {
					seen[strings.Contains(c.Sentence, "alpha")] = true
				}
				if len(seen) != 1 {
					failures <- fmt.Sprintf("mixed versions: %+v", rep.Answer.Citations)
					return
				}
				if i%50 == 0 {
					b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Command: "sources"})
				}
			}
		})
	}
	const reloads = 60
	for i := range reloads {
		if i%2 == 0 {
			sw.set(beta)
		} else {
			sw.set(alpha)
		}
		rep := b.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "reload"})
		if rep.Err != nil || !strings.HasPrefix(rep.Text, "Reloaded") {
			// One reload after another never finds the last one running.
			t.Errorf("reload %d = %+v; want a report", i, rep)
		}
	}
	cancel()
	askers.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if answered.Load() == 0 {
		t.Error("no question was answered")
	}
	if len(eng.Index().Articles) != 4 {
		t.Errorf("after an even number of reloads, %d articles; want alpha's 4", len(eng.Index().Articles))
	}
}

var _ Loaded = (*answer.Prepared)(nil)
