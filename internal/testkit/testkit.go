// Package testkit holds what the tests of bot, its adapters and
// cmd/corpusbot share: a buffer for logs that is safe for concurrent use
// and can be waited on, a wait for a condition, a fake reloader, a
// settable clock, a copy of the seed articles in a folder, a page served on
// 127.0.0.1 and a folder's file names.
package testkit

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/corpusbot/corpusbot/seeds"
)

// A Buffer is a bytes.Buffer safe for concurrent writes and reads, such as
// a logger's; WaitFor waits for a line. The zero value is ready to use.
type Buffer struct {
	mu      sync.Mutex // guards b and changed
	b       bytes.Buffer
	changed chan struct{} // closed and replaced at each write; nil before the first wait
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitTimeout is how long Buffer.WaitFor waits before it fails the test.
const WaitTimeout = 60 * time.Second

// WaitFor waits until a line written holds every one of parts, and returns
// the first that does; it fails t when none does within WaitTimeout.
func (b *Buffer) WaitFor(t testing.TB, parts ...string) string {
	t.Helper()
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		if line, ok := lineWith(b.b.String(), parts); ok {
			b.mu.Unlock()
			return line
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("no log line with %q; the log:\n%s", parts, b.String())
		}
	}
}

// lineWith returns the first line of s that holds every one of parts.
func lineWith(s string, parts []string) (string, bool) {
	for line := range strings.SplitSeq(s, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok && line != "" {
			return line, true
		}
	}
	return "", false
}

// WaitFor waits until cond holds, yielding to other goroutines between
// tries; the test's own deadline bounds it.
func WaitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for !cond() {
		runtime.Gosched()
	}
}

// A Reloader is a fake reloader of a bot, bot.Reloader for R =
// bot.ReloadReport: it counts its calls and answers with Report and Err.
// When Gate is not nil, each call waits for a value from it, or for its
// context to be done.
type Reloader[R any] struct {
	Report R
	Err    error
	Gate   chan struct{}

	mu    sync.Mutex // guards calls
	calls int
}

// Reload counts the call, waits for Gate if there is one, and returns
// Report and Err.
func (r *Reloader[R]) Reload(ctx context.Context) (R, error) {
	r.mu.Lock()
	r.calls++
	r.mu.Unlock()
	if r.Gate != nil {
		select {
		case <-r.Gate:
		case <-ctx.Done():
			var zero R
			return zero, ctx.Err()
		}
	}
	return r.Report, r.Err
}

// Calls returns how many times Reload was called.
func (r *Reloader[R]) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// CopySeeds writes the embedded seed articles to a new temporary folder and
// returns it.
func CopySeeds(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(seeds.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(seeds.FS(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// A Clock is a settable time, safe for concurrent use: its Now stands in
// for time.Now where a package takes a clock.
type Clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ServeHTML serves the file at path (relative to the test's package) as an
// HTML page on 127.0.0.1, at every path, until the test ends.
func ServeHTML(t testing.TB, path string) *httptest.Server {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// FileNames returns the names in the folder dir, in order.
func FileNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// LinkedArticles are articles with url: front matter: a summit with a
// link, a storm whose url is javascript: (never linked), and n more about
// the harbour, each titled title repeated eight times and a number, with a
// long link, to fill pages of /sources and citations.
func LinkedArticles(n int, title string) fstest.MapFS {
	fsys := fstest.MapFS{
		"summit.txt": {Data: []byte("---\ntitle: Leaders meet in Hanoi\ndate: 2021-05-07\nurl: https://example.com/summit?id=1&lang=en\n---\n" +
			"President Anna Berg met Prime Minister Tom Reyes in Hanoi on May 6, 2021.\n")},
		"storm.txt": {Data: []byte("---\ntitle: Storm hits the coast\nurl: javascript:alert(document.cookie)\n---\n" +
			"A storm hit the coast on Friday and flooded the old market.\n")},
	}
	for i := range n {
		fsys[fmt.Sprintf("harbour%03d.txt", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: %s %d\ndate: 2010-01-%02d\nurl: https://example.com/%d/%s\n---\nThe council met about the harbour budget again.",
			strings.Repeat(title, 8), i, 1+i%28, i, strings.Repeat("x", 400)))}
	}
	return fsys
}
