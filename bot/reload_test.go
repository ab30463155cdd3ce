package bot

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
)

// switchFS serves whichever file system was set last.
type switchFS struct{ cur atomic.Pointer[fstest.MapFS] }

func (s *switchFS) set(m fstest.MapFS)                { s.cur.Store(&m) }
func (s *switchFS) Open(name string) (fs.File, error) { return (*s.cur.Load()).Open(name) }

func TestReloadReport(t *testing.T) {
	eng := testEngine(t, testCorpus())
	next := testCorpus()
	delete(next, "bridge.txt")
	next["festival.txt"] = article("River festival opens", "2024-05-02", "The river festival opened on Friday in Riverton.")
	next["market.txt"] = article("Night market", "2024-06-01", "A night market opened by the river in Riverton.")
	next["broken.txt"] = &fstest.MapFile{Data: []byte{0xff, 0xfe, 'a'}}
	rec := &recorder{}
	r := NewCorpusReloader(next, eng, rec)

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
			r := NewCorpusReloader(tt.fsys, eng, rec)
			b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}}, eng, r, eng.Index, nil)

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
			if res := eng.Ask("who is the mayor of Riverton?", 1); !res.Answered {
				t.Errorf("after a failed reload: %+v; want the old corpus to answer", res)
			}
		})
	}
}

func TestReloadEmbedded(t *testing.T) {
	eng := testEngine(t, testCorpus())
	for _, rel := range []Reloader{nil, NewCorpusReloader(nil, eng, nil)} {
		b := New(Options{}, eng, rel, eng.Index, nil)
		rep := b.Handle(context.Background(), Request{Platform: Console, Command: "reload"})
		if rep.Err != nil || !strings.Contains(rep.Text, "nothing to reload from") {
			t.Errorf("reload with reloader %v = %+v; want nothing to reload from", rel, rep)
		}
	}
}

// gateFS blocks every load until released, counting loads. A load walks
// the tree from ".", and fs.WalkDir reads a directory with ReadDir when the
// file system has it, as MapFS does.
type gateFS struct {
	fstest.MapFS
	gate  chan struct{}
	loads atomic.Int32
}

func (g *gateFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		g.loads.Add(1)
		<-g.gate
	}
	return g.MapFS.ReadDir(name)
}

func TestConcurrentReloadsCoalesce(t *testing.T) {
	eng := testEngine(t, testCorpus())
	g := &gateFS{MapFS: testCorpus(), gate: make(chan struct{})}
	r := NewCorpusReloader(g, eng, nil)

	first := make(chan error)
	go func() { _, err := r.Reload(context.Background()); first <- err }()
	for g.loads.Load() == 0 { // wait for the first load to be under way
		runtimeGosched()
	}
	// Questions are answered from the old index while the reload waits.
	if res := eng.Ask("who is the mayor of Riverton?", 1); !res.Answered {
		t.Fatalf("during a reload: %+v; want an answer", res)
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { _, err := r.Reload(context.Background()); errs <- err })
	}
	// The ten calls all wait for the one reload after the running one.
	waitFor(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.next != nil && r.next.callers == n
	})
	close(g.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := g.loads.Load(); got != 2 {
		t.Errorf("%d loads for 11 reloads; want 2 (the running one, then one for the rest)", got)
	}
}

func TestReloadContextDone(t *testing.T) {
	eng := testEngine(t, testCorpus())
	g := &gateFS{MapFS: testCorpus(), gate: make(chan struct{})}
	r := NewCorpusReloader(g, eng, nil)
	before := eng.Index()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Reload(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Reload(done ctx) = %v; want context.Canceled", err)
	}
	close(g.gate) // the reload goes on in the background and swaps
	waitFor(t, func() bool { return eng.Index() != before })
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
	r := NewCorpusReloader(sw, eng, nil)
	b := New(Options{Moderators: Moderators{TelegramUserIDs: []int64{1}}, Top: 5}, eng, r, eng.Index, nil)

	ctx, cancel := context.WithCancel(context.Background())
	var askers sync.WaitGroup
	var answered atomic.Int64
	failures := make(chan string, 100)
	for g := range 8 {
		askers.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				rep := b.Handle(ctx, Request{Platform: Discord, UserID: fmt.Sprint(g), Text: "when did the river festival edition open?"})
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
		if rep.Err != nil {
			t.Errorf("reload %d: %v", i, rep.Err)
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

var _ Swapper = (*answer.Engine)(nil)
