package library

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

// site serves the test pages on 127.0.0.1.
func site(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func pages(t *testing.T) *httptest.Server {
	article, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := os.ReadFile("testdata/empty.html")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(article)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/article", http.StatusFound) })
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(empty)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00"))
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	return site(t, mux)
}

// newFolder is a Folder on a fresh corpus folder inside a temp dir, that
// may fetch from 127.0.0.1.
func newFolder(t *testing.T, opts Options) (*Folder, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts.Fetch.AllowPrivate = true
	return New(dir, opts), dir
}

func text(name, content string) *bot.Attachment {
	return &bot.Attachment{Name: name, Size: int64(len(content)), Open: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

func kindOf(err error) bot.ErrorKind {
	var e *bot.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestAddURLWritesArticleWithFrontMatter(t *testing.T) {
	srv := pages(t)
	f, dir := newFolder(t, Options{})
	got, err := f.Add(t.Context(), bot.Source{URL: srv.URL + "/moved"})
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	if got.Title != "Laos and Vietnam sign border pact" || got.Date != "2024-03-14" || got.Sentences < 4 {
		t.Errorf("Add = %+v; want the page's title, date 2024-03-14 and at least 4 sentences", got)
	}
	data, err := os.ReadFile(filepath.Join(dir, got.Path))
	if err != nil {
		t.Fatal(err)
	}
	file := string(data)
	for _, want := range []string{"---\ntitle: Laos and Vietnam sign border pact\n", "date: 2024-03-14\n", "source: Example News\n", "url: " + srv.URL + "/article\n", "joint patrols"} {
		if !strings.Contains(file, want) {
			t.Errorf("file lacks %q:\n%s", want, file)
		}
	}
	for _, junk := range []string{"tracking", "All rights reserved", "Sport"} {
		if strings.Contains(file, junk) {
			t.Errorf("file holds page furniture %q:\n%s", junk, file)
		}
	}
	ix, err := corpus.LoadDir(t.Context(), dir, corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Articles) != 1 || ix.Articles[0].URL != srv.URL+"/article" || ix.Articles[0].Date != "2024-03-14" {
		t.Errorf("corpus reads %+v", ix.Articles)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries; want the article alone (no temp file left)", len(entries))
	}
}

func TestAddRefusesDuplicates(t *testing.T) {
	srv := pages(t)
	f, dir := newFolder(t, Options{})
	first, err := f.Add(t.Context(), bot.Source{URL: srv.URL + "/article"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, first.Path))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := splitFrontMatter(string(data))
	for name, src := range map[string]bot.Source{
		"same link":             {URL: srv.URL + "/article#top"},
		"link redirecting":      {URL: srv.URL + "/moved"},
		"same text as a file":   {File: text("copy.txt", "Another title\n\n"+strings.ReplaceAll(body, "\n\n", "\n"))},
		"same text, own header": {File: text("copy.md", "# Laos and Vietnam sign border pact\n\n"+body)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.Add(t.Context(), src)
			if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.(*bot.Error).Message, first.Path) {
				t.Fatalf("Add = %v; want ErrDuplicate naming %s", err, first.Path)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries after refused duplicates; want 1", len(entries))
	}
}

func TestAddRefusesBadInput(t *testing.T) {
	srv := pages(t)
	for _, tc := range []struct {
		name string
		src  bot.Source
		want error
	}{
		{"no article text", bot.Source{URL: srv.URL + "/empty"}, ErrNoArticle},
		{"image", bot.Source{URL: srv.URL + "/image"}, ErrNotText},
		{"not found", bot.Source{URL: srv.URL + "/gone"}, &StatusError{}},
		{"redirect loop", bot.Source{URL: srv.URL + "/loop"}, ErrTooManyRedirects},
		{"ftp", bot.Source{URL: "ftp://127.0.0.1/x"}, ErrBadURL},
		{"file scheme", bot.Source{URL: "file:///etc/passwd"}, ErrBadURL},
		{"credentials", bot.Source{URL: "http://user:pw@127.0.0.1/"}, ErrBadURL},
		{"words", bot.Source{URL: "please add this"}, ErrBadURL},
		{"binary attachment", bot.Source{File: text("notes.txt", "GIF89a\x00\x01\x02\xff")}, ErrNotText},
		{"invalid utf-8", bot.Source{File: text("notes.txt", "caf\xe9 au lait")}, ErrNotText},
		{"pdf attachment", bot.Source{File: text("paper.pdf", "%PDF-1.7")}, ErrNotText},
		{"empty attachment", bot.Source{File: text("empty.txt", "\n\n  \n")}, ErrNoArticle},
		{"size claimed too big", bot.Source{File: &bot.Attachment{Name: "big.txt", Size: 50 << 20, Open: func(context.Context) (io.ReadCloser, error) {
			t.Error("a file whose size is over the limit was downloaded")
			return nil, errors.New("not to be opened")
		}}}, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, dir := newFolder(t, Options{})
			_, err := f.Add(t.Context(), tc.src)
			var se *StatusError
			if errors.As(tc.want, &se) {
				if !errors.As(err, &se) {
					t.Fatalf("Add = %v; want a StatusError", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("Add = %v; want %v", err, tc.want)
			}
			if k := kindOf(err); k != bot.Invalid {
				t.Errorf("Add's error kind = %v; want invalid, with a message for the moderator", k)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("folder holds %d entries after a refused add; want none", len(entries))
			}
		})
	}
}

// endless is a reader of n bytes of text that counts what was read.
type endless struct {
	n, read int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), e.n-e.read)
	for i := range p[:k] {
		p[i] = 'a' + byte((e.read+int64(i))%26)
	}
	e.read += k
	return int(k), nil
}

func (e *endless) Close() error { return nil }

func TestAddStopsReadingAFiftyMegabyteFileAtTheLimit(t *testing.T) {
	const limit = 1 << 20
	f, _ := newFolder(t, Options{MaxFileBytes: limit})
	r := &endless{n: 50 << 20}
	// Size 0: the platform did not say, so the limit is met while reading.
	_, err := f.Add(t.Context(), bot.Source{File: &bot.Attachment{Name: "big.txt", Open: func(context.Context) (io.ReadCloser, error) { return r, nil }}})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Add = %v; want ErrTooLarge", err)
	}
	if r.read > limit+64<<10 {
		t.Errorf("read %d bytes of a 50 MB file; want it given up at the %d-byte limit", r.read, limit)
	}
}

func TestFetchStopsAFiftyMegabytePageAtTheLimit(t *testing.T) {
	var sent atomic.Int64
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // no Content-Length: streamed
		chunk := bytes.Repeat([]byte("<p>word </p>"), 4096)
		for sent.Load() < 50<<20 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	u, _ := ParseURL(srv.URL)
	_, err := NewFetcher(FetchOptions{AllowPrivate: true, MaxBytes: 1 << 20}).Fetch(t.Context(), u)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Fetch = %v; want ErrTooLarge", err)
	}
	srv.Close() // waits for the handler: the client hung up
	if s := sent.Load(); s >= 50<<20 {
		t.Errorf("the server sent all %d bytes; want the client to hang up at the limit", s)
	}
}

func TestFetchGivesUpOnAPageThatNeverAnswers(t *testing.T) {
	arrived := make(chan struct{})
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // never answers
	}))
	u, _ := ParseURL(srv.URL)
	f := NewFetcher(FetchOptions{AllowPrivate: true})

	// The caller's context ends (a shutdown, or the test's clock).
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-arrived; cancel() }()
	if _, err := f.Fetch(ctx, u); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch with its context cancelled = %v; want context.Canceled", err)
	}

	// The fetch's own time limit: a deadline already passed.
	ctx, cancel2 := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel2()
	_, err := f.Fetch(ctx, u)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fetch past its deadline = %v; want DeadlineExceeded", err)
	}
	if msg := fetchError(err).(*bot.Error).Message; !strings.Contains(msg, "did not answer in time") {
		t.Errorf("the moderator is told %q; want that the page did not answer in time", msg)
	}
}

func TestFetchTimeoutOption(t *testing.T) {
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	u, _ := ParseURL(srv.URL)
	// A limit that passes while the server sits on the request: the test
	// waits only as long as the limit.
	_, err := NewFetcher(FetchOptions{AllowPrivate: true, Timeout: 20 * time.Millisecond}).Fetch(t.Context(), u)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Fetch = %v; want DeadlineExceeded at the fetch's time limit", err)
	}
}

func TestFetchRefusesPrivateAddressesAtDialTime(t *testing.T) {
	var hits atomic.Int64
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	f := NewFetcher(FetchOptions{}) // AllowPrivate off
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	// "localhost" is a name: only the address it resolves to, checked as
	// it is dialled, shows it is loopback.
	for _, raw := range []string{srv.URL, "http://localhost:" + port + "/"} {
		u, err := ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Fetch(t.Context(), u); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("Fetch(%s) = %v; want ErrPrivateAddress", raw, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server was reached %d times", hits.Load())
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:4700::1111": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::": false, "fe80::1": false,
		"fc00::1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "224.0.0.1": false, "255.255.255.255": false,
	} {
		if got := public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("public(%s) = %v; want %v", addr, got, want)
		}
	}
}

func TestAddIsOneAtATime(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	}))
	f, dir := newFolder(t, Options{})
	done := make(chan error, 1)
	go func() { _, err := f.Add(t.Context(), bot.Source{URL: srv.URL}); done <- err }()
	<-arrived
	for range 5 { // a moderator repeating /add while the first runs
		_, err := f.Add(t.Context(), bot.Source{File: text("other.txt", "Other news\n\nSomething else happened today in Vientiane.")})
		if !errors.Is(err, ErrBusy) || kindOf(err) != bot.RateLimited {
			t.Fatalf("Add during another = %v; want ErrBusy", err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the first Add: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries; want the first article alone", len(entries))
	}
	if _, err := f.Add(t.Context(), bot.Source{File: text("other.txt", "Other news\n\nSomething else happened today in Vientiane.")}); err != nil {
		t.Errorf("Add once the first ended: %v", err)
	}
}

func TestAddMarkdownFile(t *testing.T) {
	f, dir := newFolder(t, Options{})
	md := "---\ndate: 2023-11-02\nsource: Team notes\n---\n# Joint **patrol** plan\n\nThe [border guards](https://example.com) of both countries will patrol together from *January*.\n\n## Details\n\nPatrols run weekly along the frontier.\n"
	got, err := f.Add(t.Context(), bot.Source{File: text("plan.md", md)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Joint patrol plan" || got.Date != "2023-11-02" || got.Sentences != 3 || !strings.HasSuffix(got.Path, ".txt") {
		t.Errorf("Add = %+v; want title \"Joint patrol plan\", date 2023-11-02, 3 sentences, a .txt", got)
	}
	data, _ := os.ReadFile(filepath.Join(dir, got.Path))
	if s := string(data); strings.ContainsAny(s, "*#[]") || !strings.Contains(s, "The border guards of both countries") {
		t.Errorf("file keeps Markdown markup:\n%s", s)
	}
}

func TestRemoveMovesBesideTheCorpus(t *testing.T) {
	f, dir := newFolder(t, Options{})
	write := func(name, content string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "---\ntitle: Alpha news\n---\nAlpha happened.\n")
	write("sub/b.txt", "Bravo news\n\nBravo happened.\n")
	write(".hidden.txt", "Hidden.\n")
	os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.txt"), []byte("Outside.\n"), 0o644)
	os.Symlink(filepath.Join(filepath.Dir(dir), "outside.txt"), filepath.Join(dir, "link.txt"))
	ix, err := corpus.LoadDir(t.Context(), dir, corpus.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.opts.Index = func() *corpus.Index { return ix }

	for _, name := range []string{"../outside.txt", "../outside", "/etc/passwd", ".hidden.txt", "sub/../../outside.txt", "link.txt", "sub", `sub\b.txt`} {
		_, err := f.Remove(t.Context(), name)
		if !errors.Is(err, ErrBadName) && !errors.Is(err, ErrNotFound) {
			t.Errorf("Remove(%q) = %v; want ErrBadName or ErrNotFound", name, err)
		}
	}
	if _, err := f.Remove(t.Context(), "nope.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove(nope.txt) = %v; want ErrNotFound", err)
	}

	got, err := f.Remove(t.Context(), "a")
	if err != nil || got.Path != "a.txt" || got.Title != "Alpha news" || got.To != "removed/a.txt" {
		t.Errorf("Remove(a) = %+v, %v; want a.txt, Alpha news, to removed/a.txt", got, err)
	}
	got, err = f.Remove(t.Context(), "bravo NEWS") // its title, any case
	if err != nil || got.Path != "sub/b.txt" || got.To != "removed/sub/b.txt" {
		t.Errorf("Remove(bravo NEWS) = %+v, %v; want sub/b.txt to removed/sub/b.txt", got, err)
	}
	write("a.txt", "Alpha again.\n")
	if got, err := f.Remove(t.Context(), "a.txt"); err != nil || got.To != "removed/a-2.txt" {
		t.Errorf("second Remove(a.txt) = %+v, %v; want removed/a-2.txt", got, err)
	}
	for _, p := range []string{"removed/a.txt", "removed/a-2.txt", "removed/sub/b.txt", "outside.txt"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range []string{"a.txt", "sub/b.txt"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("%s is still in the corpus", p)
		}
	}
}

func TestRemovedFolderIsNeverInsideTheCorpus(t *testing.T) {
	t.Chdir(t.TempDir())
	f := New(".", Options{})
	if rel, err := filepath.Rel(f.dir, f.removed); err != nil || filepath.IsLocal(rel) {
		t.Errorf("removed folder %s is inside the corpus %s", f.removed, f.dir)
	}
}

func TestRemoveByFrontMatterTitle(t *testing.T) {
	f, dir := newFolder(t, Options{}) // no Index: a file not yet served
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("---\ntitle: Alpha news\n---\nAlpha happened.\n"), 0o644)
	got, err := f.Remove(t.Context(), "ALPHA news")
	if err != nil || got.Path != "x.txt" || got.Title != "Alpha news" {
		t.Errorf("Remove(ALPHA news) = %+v, %v; want x.txt", got, err)
	}
}

// TestAddGivesUpAPageTheParserIsStuckOn: extraction is bounded by the
// fetch's time limit (the test's context here), and the folder is free
// for the next /add.
func TestAddGivesUpAPageTheParserIsStuckOn(t *testing.T) {
	srv := pages(t)
	f, dir := newFolder(t, Options{})
	stuck, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	f.fromHTML = func([]byte, *url.URL) (Draft, error) {
		close(stuck)
		<-release
		return Draft{}, ErrNoArticle
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-stuck; cancel() }()
	_, err := f.Add(ctx, bot.Source{URL: srv.URL + "/article"})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.(*bot.Error).Message, "took too long") {
		t.Fatalf("Add = %v; want it given up", err)
	}
	f.fromHTML = FromHTML
	if _, err := f.Add(t.Context(), bot.Source{URL: srv.URL + "/article"}); err != nil {
		t.Errorf("the next Add: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries; want the one article", len(entries))
	}
}

// TestAddRefusesALinkAddedBeforeEvenIfThePageChanged: the same link is a
// duplicate whatever the page says now.
func TestAddRefusesALinkAddedBeforeEvenIfThePageChanged(t *testing.T) {
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	var version atomic.Int64
	srv := site(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		v := strings.Repeat("Updated again. ", int(version.Add(1)))
		w.Write(bytes.Replace(page, []byte("<p>Both sides"), []byte("<p>"+v+"Both sides"), 1))
	}))
	f, _ := newFolder(t, Options{})
	first, err := f.Add(t.Context(), bot.Source{URL: srv.URL + "/news?id=7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{srv.URL + "/news?id=7", strings.Replace(srv.URL, "http://", "https://", 1) + "/news/?id=7#comments"} {
		// The https link is refused before it is fetched (the test server
		// speaks http): only the link can tell.
		_, err = f.Add(t.Context(), bot.Source{URL: link})
		if !errors.Is(err, ErrDuplicate) || !strings.Contains(err.(*bot.Error).Message, first.Path) {
			t.Errorf("Add(%s) = %v; want ErrDuplicate naming %s", link, err, first.Path)
		}
	}
	if _, err := f.Add(t.Context(), bot.Source{URL: srv.URL + "/news?id=8"}); err != nil {
		t.Errorf("Add of another link to a changed page: %v; want it added", err)
	}
}

func TestLinkKey(t *testing.T) {
	same := [][2]string{
		{"https://www.Example.com/a/", "http://example.com/a"},
		{"https://example.com:443/a?x=1#top", "http://example.com:80/a?x=1"},
	}
	for _, p := range same {
		if linkKey(p[0]) != linkKey(p[1]) {
			t.Errorf("linkKey(%q) = %q, linkKey(%q) = %q; want them equal", p[0], linkKey(p[0]), p[1], linkKey(p[1]))
		}
	}
	differ := [][2]string{
		{"https://example.com/a", "https://example.com/b"},
		{"https://example.com/a?x=1", "https://example.com/a?x=2"},
		{"https://example.com:8443/a", "https://example.com/a"},
		{"https://example.com/a", "https://example.org/a"},
	}
	for _, p := range differ {
		if linkKey(p[0]) == linkKey(p[1]) {
			t.Errorf("linkKey(%q) = linkKey(%q) = %q; want them apart", p[0], p[1], linkKey(p[0]))
		}
	}
	if linkKey("") != "" || linkKey("not a link") != "" {
		t.Errorf("linkKey of no link is not empty")
	}
}
