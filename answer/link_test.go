package answer

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/corpus"
)

func TestCitationURL(t *testing.T) {
	ix, err := corpus.Load(context.Background(), fstest.MapFS{
		"linked.txt": {Data: []byte("---\ntitle: Rice harvest\nurl: https://example.com/rice?a=1\n---\nFarmers brought in 40 tonnes of rice in March.")},
		"script.txt": {Data: []byte("---\ntitle: Storm\nurl: javascript:alert(1)\n---\nA storm hit the coast on Friday.")},
		"plain.txt":  {Data: []byte("Harbour\n\nThe harbour reopened after the storm.")},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := New(ix, Options{})
	for _, c := range []struct{ question, doc, url string }{
		{"how much rice did farmers bring in?", "linked.txt", "https://example.com/rice?a=1"},
		{"when did the storm hit the coast?", "script.txt", ""},
		{"did the harbour reopen?", "plain.txt", ""},
	} {
		res := e.ask(c.question, AskOptions{Top: 1})
		if !res.Answered || res.Citations[0].Doc != c.doc {
			t.Fatalf("ask(%q) = %+v; want a citation of %s", c.question, res, c.doc)
		}
		if got := res.Citations[0].URL; got != c.url {
			t.Errorf("ask(%q).Citations[0].URL = %q; want %q", c.question, got, c.url)
		}
	}
}
