package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

// article is a file's text that Load keeps as an article.
const article = "A headline\n\nThe talks went well. Both sides agreed.\n"

// writeFiles writes files (path: text) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// guardTime is how long a load may take before a test calls it stuck: a
// guard against a regression hanging the suite, not a timing assertion.
const guardTime = time.Minute

// loadDir is LoadDir, failing the test if it does not return in guardTime.
func loadDir(t *testing.T, dir string, opts LoadOptions) (*Index, error) {
	t.Helper()
	type result struct {
		ix  *Index
		err error
	}
	done := make(chan result, 1)
	go func() {
		ix, err := LoadDir(context.Background(), dir, opts)
		done <- result{ix, err}
	}()
	select {
	case r := <-done:
		return r.ix, r.err
	case <-time.After(guardTime):
		t.Fatalf("LoadDir(%s) did not return in %v", dir, guardTime)
		return nil, nil
	}
}

// warnings returns ix's warnings by path, failing on one that is not a
// *FileError.
func warnings(t *testing.T, ix *Index) map[string]*FileError {
	t.Helper()
	m := map[string]*FileError{}
	for _, w := range ix.Warnings {
		var fe *FileError
		if !errors.As(w, &fe) {
			t.Fatalf("warning %v is not a *FileError", w)
		}
		m[fe.Path] = fe
	}
	return m
}

func articlePaths(ix *Index) []string {
	var ps []string
	for _, a := range ix.Articles {
		ps = append(ps, a.Path)
	}
	return ps
}

// wantSkipped checks that ix skipped each of paths with a warning wrapping
// ErrBadFile whose reason holds the words given.
func wantSkipped(t *testing.T, ix *Index, skipped map[string]string) {
	t.Helper()
	ws := warnings(t, ix)
	for p, words := range skipped {
		w, ok := ws[p]
		switch {
		case !ok:
			t.Errorf("no warning for %s; warnings: %v", p, ix.Warnings)
		case !errors.Is(w, ErrBadFile):
			t.Errorf("warning %q does not wrap ErrBadFile", w)
		case !strings.Contains(w.Why, words):
			t.Errorf("warning %q does not say %q", w, words)
		}
	}
	for _, a := range ix.Articles {
		if _, ok := skipped[a.Path]; ok {
			t.Errorf("%s was loaded as an article", a.Path)
		}
	}
}

// A file the folder lists as regular may be a pipe by the time it is
// opened: read checks what it opened, and does not wait for a writer.
func TestLoadMaxFileBytes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"small.txt": article, "big.txt": article + strings.Repeat("More talks were held. ", 10)})
	ix, err := loadDir(t, dir, LoadOptions{MaxFileBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped(t, ix, map[string]string{"big.txt": "too big"})
	if got := fmt.Sprint(articlePaths(ix)); got != "[small.txt]" {
		t.Errorf("articles = %s; want [small.txt]", got)
	}
	// Without options, the limit is DefaultMaxFileBytes, for an fs.FS too.
	huge := article + strings.Repeat("x", DefaultMaxFileBytes)
	ix, err = Load(context.Background(), fstest.MapFS{"small.txt": {Data: []byte(article)}, "huge.txt": {Data: []byte(huge)}})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped(t, ix, map[string]string{"huge.txt": "too big"})
}

// growingFile says it is small but holds more: a file that grew after its
// size was read.
type growingFile struct {
	io.Reader
	size int64
}

func (f growingFile) Stat() (fs.FileInfo, error) {
	return fstest.MapFS{"f.txt": {Data: make([]byte, f.size)}}.Stat("f.txt")
}
func (f growingFile) Close() error { return nil }

func TestReadCapsGrowingFile(t *testing.T) {
	var reads int64
	src := source{open: func(string) (fs.File, error) {
		r := io.TeeReader(strings.NewReader(strings.Repeat("x", 1000)), writerFunc(func(p []byte) { reads += int64(len(p)) }))
		return growingFile{Reader: r, size: 10}, nil
	}}
	var buf bytes.Buffer
	if why := src.read(candidate{path: "f.txt"}, 100, &buf); !strings.Contains(why, "too big") {
		t.Errorf("read(file grown past the limit) = %q; want it too big", why)
	}
	if reads > 101 {
		t.Errorf("read %d bytes of a file with a limit of 100; want at most 101", reads)
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func TestLoadRepairsInvalidUTF8(t *testing.T) {
	fsys := fstest.MapFS{
		"bad.txt":    {Data: []byte("Latin \xe9t\xe9 words\n\nThe caf\xe9 opened \xff\xfe today. Both sides agreed.\n")},
		"binary.txt": {Data: []byte("PK\x00\x03\x04 \xff")},
		"empty.txt":  {Data: []byte("\n \n")},
	}
	ix, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(articlePaths(ix)); got != "[bad.txt]" {
		t.Fatalf("articles = %s; want [bad.txt]", got)
	}
	a := ix.Articles[0]
	if want := "Latin \uFFFDt\uFFFD words\n\nThe caf\uFFFD opened \uFFFD today. Both sides agreed.\n"; a.Text != want {
		t.Errorf("Text = %q; want %q", a.Text, want)
	}
	if a.Title != "Latin \uFFFDt\uFFFD words" {
		t.Errorf("Title = %q", a.Title)
	}
	ws := warnings(t, ix)
	if w := ws["bad.txt"]; w == nil || !errors.Is(w, ErrRepaired) || errors.Is(w, ErrBadFile) || !strings.Contains(w.Why, "5 bytes") {
		t.Errorf("warning for bad.txt = %v; want one wrapping ErrRepaired (not ErrBadFile) naming 5 bytes", w)
	}
	wantSkipped(t, ix, map[string]string{"binary.txt": "binary", "empty.txt": "empty"})
	// Sentences index the repaired text.
	var sents []string
	for i := range ix.Sentences {
		sents = append(sents, ix.Text(i))
	}
	if want := []string{"The caf\uFFFD opened \uFFFD today.", "Both sides agreed."}; fmt.Sprint(sents) != fmt.Sprint(want) {
		t.Errorf("sentences = %q; want %q", sents, want)
	}
}

func TestRepair(t *testing.T) {
	tests := []struct {
		in, want string
		n        int
	}{
		{"plain", "plain", 0},
		{"caf\xe9", "caf\uFFFD", 1},
		{"\xff\xfe\xfd x", "\uFFFD x", 3},
		{"a\xe2\x82b", "a\uFFFDb", 2}, // a cut character
		{"\uFFFD kept", "\uFFFD kept", 0},
	}
	for _, tt := range tests {
		if got, n := repair([]byte(tt.in)); got != tt.want || n != tt.n {
			t.Errorf("repair(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
}

// FuzzRepair checks that repair's text is valid UTF-8 drawn from the
// input: the same once invalid bytes and U+FFFD are taken out of both.
func FuzzRepair(f *testing.F) {
	f.Add([]byte("caf\xe9 \xff\xfe \uFFFD"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, n := repair(data)
		if !utf8.ValidString(got) {
			t.Fatalf("repair(%q) = %q: not UTF-8", data, got)
		}
		if (n == 0) != utf8.Valid(data) || n > len(data) {
			t.Fatalf("repair(%q) replaced %d bytes", data, n)
		}
		drop := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\uFFFD", "") }
		if drop(got) != drop(string(data)) {
			t.Fatalf("repair(%q) = %q: not drawn from the input", data, got)
		}
	})
}

// FuzzLoadFile checks that any file either loads as an article whose text
// is valid UTF-8 and whose sentences index it, or is skipped with a
// warning.
func FuzzLoadFile(f *testing.F) {
	f.Add([]byte(article))
	f.Add([]byte("Caf\xe9 news\n\nThe caf\xe9 opened \xff today.\n"))
	f.Add([]byte("---\ntitle: \xff\n---\nBody \xc3. More.\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := Load(context.Background(), fstest.MapFS{"a.txt": {Data: data}})
		if err != nil {
			if !errors.Is(err, ErrEmpty) {
				t.Fatalf("Load(%q) error = %v; want nil or ErrEmpty", data, err)
			}
			return
		}
		a := ix.Articles[0]
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
			t.Fatalf("Load(%q): text %q or title %q not UTF-8", data, a.Text, a.Title)
		}
		for i, s := range ix.Sentences {
			if s.Start > s.End || int(s.End) > len(a.Text) || !utf8.ValidString(ix.Text(i)) {
				t.Fatalf("Load(%q): sentence %+v out of range of %d bytes or cutting a character", data, s, len(a.Text))
			}
		}
	})
}

func TestEmptyErrorNamesFiles(t *testing.T) {
	_, err := Load(context.Background(), fstest.MapFS{
		"a.txt":     {Data: []byte(" \n")},
		"b.bin.txt": {Data: []byte("PK\x00\x03")},
		"notes.md":  {Data: []byte("not read")},
	})
	want := "corpus: no usable article (2 files read): a.txt: empty; b.bin.txt: binary (NUL bytes)"
	if !errors.Is(err, ErrEmpty) || err.Error() != want {
		t.Errorf("Load(two bad files) error = %v; want %q, wrapping ErrEmpty", err, want)
	}

	fsys := fstest.MapFS{}
	for i := range 12 {
		fsys[fmt.Sprintf("f%02d.txt", i)] = &fstest.MapFile{Data: []byte("...\n")}
	}
	_, err = Load(context.Background(), fsys)
	msg := fmt.Sprint(err)
	if !errors.Is(err, ErrEmpty) || !strings.HasPrefix(msg, "corpus: no usable article (12 files read): f00.txt: no sentence to index; f01.txt") ||
		!strings.Contains(msg, "f09.txt") || strings.Contains(msg, "f10.txt") || !strings.HasSuffix(msg, "; and 2 more") {
		t.Errorf("Load(12 bad files) error = %q; want it to name the first ten and end %q", msg, "; and 2 more")
	}

	if _, err := Load(context.Background(), fstest.MapFS{}); fmt.Sprint(err) != "corpus: no usable article (0 files read)" {
		t.Errorf("Load(no files) error = %v", err)
	}
}

// cancellingFS cancels a context once it has opened n files.
type cancellingFS struct {
	fstest.MapFS
	n      int
	cancel context.CancelFunc
	opened int
}

func (c *cancellingFS) Open(name string) (fs.File, error) {
	c.count(name)
	return c.MapFS.Open(name)
}

func (c *cancellingFS) ReadFile(name string) ([]byte, error) {
	c.count(name)
	return c.MapFS.ReadFile(name)
}

func (c *cancellingFS) count(name string) {
	if strings.HasSuffix(name, ".txt") {
		c.opened++
		if c.opened == c.n {
			c.cancel()
		}
	}
}

func TestLoadHonoursContext(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := range 10 {
		fsys[fmt.Sprintf("sub/f%d.txt", i)] = &fstest.MapFile{Data: []byte(article)}
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(done, fsys); !errors.Is(err, context.Canceled) {
		t.Errorf("Load(cancelled) error = %v; want context.Canceled", err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": article})
	if _, err := LoadDir(done, dir, LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadDir(cancelled) error = %v; want context.Canceled", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfs := &cancellingFS{MapFS: fsys, n: 3, cancel: cancel}
	if _, err := Load(ctx, cfs); err != context.Canceled {
		t.Errorf("Load(cancelled after 3 files) error = %v; want context.Canceled", err)
	}
	if cfs.opened != 3 {
		t.Errorf("Load opened %d files; want it to stop after the 3rd, when cancelled", cfs.opened)
	}
}
