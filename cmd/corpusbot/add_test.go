package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatAddAndRemove adds an article from a page on 127.0.0.1 and from
// a local file through the console, asks about it, refuses it again, and
// removes it.
func TestChatAddAndRemove(t *testing.T) {
	page, err := os.ReadFile("../../bot/library/testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
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
