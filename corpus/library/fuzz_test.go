package library

import (
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// checkDraft checks what any extracted draft must be: one-line valid
// metadata, text, and a file the corpus reads back with the same title.
func checkDraft(t *testing.T, d Draft) {
	t.Helper()
	for name, v := range map[string]string{"title": d.Title, "source": d.Source, "url": d.URL, "date": d.Date} {
		if strings.ContainsAny(v, "\n\r") || !utf8.ValidString(v) {
			t.Fatalf("%s %q is not one valid line", name, v)
		}
	}
	if d.Text == "" || !utf8.ValidString(d.Text) || strings.Contains(d.Text, "\n\n\n") {
		t.Fatalf("text %q: want valid paragraphs", d.Text)
	}
	ix, err := corpus.LoadFS(t.Context(), fstest.MapFS{"a.txt": {Data: []byte(d.Render())}}, corpus.LoadOptions{})
	if err != nil {
		return // a draft without a sentence is refused by Add
	}
	if got := ix.Articles[0].Title; got != strings.Trim(d.Title, `"'`) {
		t.Fatalf("the corpus reads the title as %q; want %q", got, d.Title)
	}
}

func FuzzFromHTML(f *testing.F) {
	for _, name := range []string{"testdata/article.html", "testdata/empty.html"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("<p>one</p>\x00<title>\n---\ntitle: x</title>"))
	f.Add([]byte("<html><head><meta property='article:published_time' content='0001-01-01'></head><body><p>" + strings.Repeat("Words here. ", 50) + "</p></body></html>"))
	u, _ := url.Parse("http://127.0.0.1/a")
	f.Fuzz(func(t *testing.T, page []byte) {
		d, err := FromHTML(page, u)
		if err != nil {
			return
		}
		checkDraft(t, d)
	})
}

func FuzzFromText(f *testing.F) {
	f.Add("plan.md", "# Title\n\nSome *text* here.")
	f.Add("a.txt", "---\ntitle: T\ndate: 2020-01-02\n---\nBody.")
	f.Add("a.txt", "---\n---\n\n---\ntitle:\n")
	f.Add("a.md", "#\n##\n[x](y) ```\n")
	f.Fuzz(func(t *testing.T, name, text string) {
		d, err := FromText(name, []byte(text))
		if err != nil {
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("FromText accepted invalid UTF-8")
		}
		checkDraft(t, d)
	})
}
