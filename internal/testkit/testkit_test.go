package testkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/seeds"
)

func TestBufferWaitFor(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 50 {
			fmt.Fprintf(&b, "level=INFO msg=step n=%d\n", i)
		}
		fmt.Fprintln(&b, "level=WARN msg=done n=50")
	})
	if got, want := b.WaitFor(t, "msg=done", "level=WARN"), "level=WARN msg=done n=50"; got != want {
		t.Errorf("WaitFor = %q; want %q", got, want)
	}
	wg.Wait()
	// Every part on one line: "n=3" and "msg=done" are on different ones.
	if line, ok := lineWith(b.String(), []string{"n=3", "msg=done"}); ok {
		t.Errorf("lineWith found %q for parts on different lines", line)
	}
	if got, want := b.WaitFor(t, "n=49"), "level=INFO msg=step n=49"; got != want {
		t.Errorf("WaitFor(n=49) = %q; want %q", got, want)
	}
}

func TestWaitFor(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 1000 {
			n.Add(1)
		}
	}()
	WaitFor(t, func() bool { return n.Load() == 1000 })
	if n.Load() != 1000 {
		t.Errorf("WaitFor returned at %d; want 1000", n.Load())
	}
}

func TestReloader(t *testing.T) {
	boom := errors.New("boom")
	r := &Reloader[string]{Report: "done", Err: boom}
	if rep, err := r.Reload(context.Background()); rep != "done" || err != boom {
		t.Errorf("Reload = %q, %v; want done, boom", rep, err)
	}
	gate := make(chan struct{})
	g := &Reloader[string]{Report: "done", Gate: gate}
	got := make(chan string)
	go func() { rep, _ := g.Reload(context.Background()); got <- rep }()
	WaitFor(t, func() bool { return g.Calls() == 1 })
	select {
	case rep := <-got:
		t.Fatalf("Reload returned %q before the gate opened", rep)
	default:
	}
	gate <- struct{}{}
	if rep := <-got; rep != "done" {
		t.Errorf("Reload after the gate = %q; want done", rep)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if rep, err := g.Reload(ctx); rep != "" || !errors.Is(err, context.Canceled) {
		t.Errorf("Reload with its context done = %q, %v; want \"\", context.Canceled", rep, err)
	}
	if n := g.Calls(); n != 2 {
		t.Errorf("Calls() = %d; want 2", n)
	}
}

func TestCopySeeds(t *testing.T) {
	dir := CopySeeds(t)
	var n int
	err := fs.WalkDir(seeds.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, err := fs.ReadFile(seeds.FS(), p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			return err
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the seed", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); n == 0 || len(ents) != n {
		t.Errorf("copied %d files of %d seeds", len(ents), n)
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)
	c := NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("Now() = %v; want %v", got, start)
	}
	c.Add(90 * time.Second)
	if got, want := c.Now(), start.Add(90*time.Second); !got.Equal(want) {
		t.Errorf("after Add(90s), Now() = %v; want %v", got, want)
	}
}

func TestServeHTMLAndFileNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.html", "a.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("<p>"+name+"</p>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := FileNames(t, dir); !slices.Equal(got, []string{"a.txt", "b.html"}) {
		t.Errorf("FileNames = %q; want [a.txt b.html]", got)
	}
	srv := ServeHTML(t, filepath.Join(dir, "b.html"))
	resp, err := http.Get(srv.URL + "/any/path")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); string(body) != "<p>b.html</p>" || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("ServeHTML served %q as %q; want the file as text/html", body, ct)
	}
}
