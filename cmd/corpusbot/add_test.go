package main

import (
	"bytes"
	"context"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/bot"
)

// TestChatAddAndRemove adds an article from a page on 127.0.0.1 and from
// a local file through the console, asks about it, refuses it again, and
// removes it.
func TestChatAddAndRemove(t *testing.T) {
	srv := testkit.ServeHTML(t, "../../corpus/library/testdata/article.html")
	base := t.TempDir()
	dir := filepath.Join(base, "corpus")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "old.txt"), []byte("---\ntitle: Old news\ndate: 2020-01-01\n---\nThe old bridge in Riverton was closed in 2019.\n"), 0o644)
	note := filepath.Join(base, "note.md")
	os.WriteFile(note, []byte("# Ferry timetable\n\nThe Riverton ferry sails at 7 every morning from May.\n"), 0o644)

	in := strings.Join([]string{
		"/add " + srv.URL + "/pact",
		"how long is the shared frontier?",
		"/add " + srv.URL + "/pact",
		"/add " + note,
		"/remove old",
		"/remove ../corpus/old.txt",
		"",
	}, "\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat", "--corpus", dir, "--allow-private"}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		`Added "Laos and Vietnam sign border pact" (2024-03-14, 4 sentences) as laos-and-vietnam-sign-border-pact-`,
		"Now serving 2 articles",
		"2,000 kilometres",
		"already in the corpus, as laos-and-vietnam-sign-border-pact-",
		`Added "Ferry timetable" (undated, 1 sentence) as ferry-timetable-`,
		`Removed "Old news" (old.txt); the file is now in removed/old.txt. Now serving 2 articles`,
		"That is not an article's file name",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("chat output lacks %q:\n%s", want, got)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "removed", "old.txt")); err != nil {
		t.Errorf("old.txt not moved beside the corpus: %v", err)
	}
}

// TestChatAddRefusesLoopbackByDefault: without --allow-private, a link to
// 127.0.0.1 is refused and the corpus is unchanged.
func TestChatAddRefusesLoopbackByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the loopback page was fetched")
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "old.txt"), []byte("Old news\n\nThe old bridge was closed.\n"), 0o644)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat", "--corpus", dir}, strings.NewReader("/add "+srv.URL+"\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "private or local address") {
		t.Errorf("chat output:\n%s\nwant the link refused as private", out.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("corpus holds %d entries; want 1", len(entries))
	}
}

// TestChatAddWithBuiltInArticles: there is nowhere to add to.
func TestChatAddWithBuiltInArticles(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat"}, strings.NewReader("/add https://example.com/\n/remove 000_4284e16642b1629c.txt\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "no corpus folder to add to or remove from"); n != 2 {
		t.Errorf("chat output:\n%s\nwant both refused: no corpus folder", out.String())
	}
}

// TestNewLibraryFollowsTheConfig: serve's library honours add.* and
// corpus.max_file_bytes, and there is none for the built-in articles.
func TestNewLibraryFollowsTheConfig(t *testing.T) {
	if lib := newLibrary(CorpusConfig{}, defaultConfig().Add, nil); lib != nil {
		t.Errorf("newLibrary without corpus.dir = %v; want nil", lib)
	}
	page, err := os.ReadFile("../../corpus/library/testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/pact", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/pact", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		name    string
		edit    func(*AddConfig, *CorpusConfig)
		url     string
		wantErr string
	}{
		{"private refused by default", func(*AddConfig, *CorpusConfig) {}, "/pact", "private or local address"},
		{"allow_private", func(a *AddConfig, _ *CorpusConfig) { a.AllowPrivate = true }, "/pact", ""},
		{"max_redirects 0", func(a *AddConfig, _ *CorpusConfig) { a.AllowPrivate, a.MaxRedirects = true, 0 }, "/moved", "redirects too many times"},
		{"max_bytes", func(a *AddConfig, _ *CorpusConfig) { a.AllowPrivate, a.MaxBytes = true, 100 }, "/pact", "too large"},
		{"max_file_bytes", func(a *AddConfig, c *CorpusConfig) { a.AllowPrivate, c.MaxFileBytes = true, 300 }, "/pact", "too long for the corpus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			add, cc := defaultConfig().Add, CorpusConfig{Dir: t.TempDir(), MaxFileBytes: 1 << 20}
			tc.edit(&add, &cc)
			_, err := newLibrary(cc, add, nil).Add(t.Context(), bot.Source{URL: srv.URL + tc.url})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Add = %v; want it added", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.(*bot.Error).Message, tc.wantErr)):
				t.Errorf("Add = %v; want %q", err, tc.wantErr)
			}
		})
	}
}
