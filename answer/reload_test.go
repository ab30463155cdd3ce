package answer

import (
	"context"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/corpus"
)

func loadMap(t *testing.T, m fstest.MapFS) *corpus.Index {
	t.Helper()
	ix, err := corpus.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// TestPrepareServe: a prepared corpus is served only once Serve is called,
// and Serve says what changed; Sources and Size follow the corpus served.
func TestPrepareServe(t *testing.T) {
	e := New(loadMap(t, fstest.MapFS{
		"a.txt": {Data: []byte("---\ntitle: Alpha\ndate: 2024-05-01\n---\nThe army held drills in Hanoi. Troops marched.")},
		"b.txt": {Data: []byte("---\ntitle: Beta\n---\nThe market rose.")},
	}), Options{})
	if got, want := e.Sources(""), []Source{{Path: "a.txt", Title: "Alpha", Date: "2024-05-01"}, {Path: "b.txt", Title: "Beta"}}; !slices.Equal(got, want) {
		t.Errorf("Sources() = %v; want %v", got, want)
	}
	if a, s := e.Size(); a != 2 || s != 3 {
		t.Errorf("Size() = %d, %d; want 2, 3", a, s)
	}

	p := e.Prepare(loadMap(t, fstest.MapFS{
		"a.txt":   {Data: []byte("---\ntitle: Alpha\ndate: 2024-05-01\n---\nThe army held drills in Hanoi. Troops marched home.")},
		"c.txt":   {Data: []byte("---\ntitle: Gamma\n---\nRain fell.")},
		"bad.txt": {Data: []byte("")},
		"fix.txt": {Data: []byte("---\ntitle: Fixed\n---\nA byte \xff was bad.")},
	}))
	if a, _ := e.Size(); a != 2 {
		t.Errorf("after Prepare, Size() = %d articles; want the 2 still served", a)
	}
	ch := p.Serve()
	if ch.Articles != 3 || ch.Sentences != 4 {
		t.Errorf("Serve() counts %d articles, %d sentences; want 3, 4", ch.Articles, ch.Sentences)
	}
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"Added", ch.Added, []string{"c.txt", "fix.txt"}},
		{"Removed", ch.Removed, []string{"b.txt"}},
		{"Changed", ch.Changed, []string{"a.txt"}},
		{"Skipped", ch.Skipped, []string{"bad.txt: empty"}},
		{"Repaired", ch.Repaired, []string{"fix.txt: 1 byte of invalid UTF-8 replaced with U+FFFD"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("Serve().%s = %q; want %q", c.name, c.got, c.want)
		}
	}
	if a, s := e.Size(); a != 3 || s != 4 {
		t.Errorf("after Serve, Size() = %d, %d; want 3, 4", a, s)
	}
	if got := e.Sources(""); len(got) != 3 || got[1].Title != "Gamma" {
		t.Errorf("after Serve, Sources() = %v; want the new corpus", got)
	}
}
