package corpus

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
)

// irregularFS is a few lines of WordNet 3.0's exception lists and lemma
// indexes, as Debian's wordnet-base has them.
func irregularFS(verbExc string) fstest.MapFS {
	return fstest.MapFS{
		"verb.exc":   {Data: []byte(verbExc)},
		"noun.exc":   {Data: []byte("alto-relievos alto-relievo\nbases base basis\nchildren child\nlives life\nmice mouse\n")},
		"index.noun": {Data: []byte("  1 This software and database is being provided to you, the LICENSEE, by\nbase n 1 0 1 0\nchild n 1 0 1 0\nfound n 1 0 1 0\nmouse n 1 0 1 0\n")},
		"index.verb": {Data: []byte("hold v 1 0 1 0\nlive v 1 0 1 0\nsee v 1 0 1 0\nsaw v 1 0 1 0\n")},
		"index.adj":  {Data: []byte("held a 1 0 1 0\nill-bred a 1 0 1 0\n")},
		"index.adv":  {Data: []byte("well r 1 0 1 0\n")},
	}
}

const irregularVerbs = "began begin\nfound find\nhad have\nheld hold\nhelped help\nsaw see\nsought seek\n"

func TestWordNetIrregular(t *testing.T) {
	b, err := WordNetIrregular(irregularFS(irregularVerbs))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("# WordNet 3.0 Copyright 2006 by Princeton University.")) {
		t.Error("no WordNet notice")
	}
	var got []string
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(line, "#") {
			got = append(got, strings.TrimSpace(line))
		}
	}
	// Left out: "found" and "saw", words of their own; "had", a stop word;
	// "helped", which stems as "help" does; "lives" and "bases", whose
	// terms "live" and "base" share; "alto-relievos", no one word. "held"
	// is an adjective too, as participles are.
	want := []string{"began begin", "children child", "held hold", "mice mouse", "sought seek"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("WordNetIrregular lines = %q; want %q", got, want)
	}
	again, err := WordNetIrregular(irregularFS(irregularVerbs))
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("a second run gives another file (%v)", err)
	}
	for _, name := range []string{"verb.exc", "index.adv"} {
		fsys := irregularFS(irregularVerbs)
		delete(fsys, name)
		if _, err := WordNetIrregular(fsys); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v; want an error that names it", name, err)
		}
	}
}

// TestTermIrregular checks the embedded forms: a form has its base's
// term, and words of their own keep theirs.
func TestTermIrregular(t *testing.T) {
	if !bytes.Contains(irregularTxt, []byte("Princeton University")) {
		t.Error("irregular.txt lacks WordNet's notice")
	}
	term := func(w string) string { s, _ := Term(w); return s }
	for _, p := range [][2]string{{"held", "hold"}, {"began", "begin"}, {"sought", "seek"}, {"fought", "fight"},
		{"became", "become"}, {"spent", "spend"}, {"children", "child"}, {"children's", "child"}, {"went", "go"}} {
		if term(p[0]) != term(p[1]) {
			t.Errorf("Term(%q) = %q, Term(%q) = %q; want the same", p[0], term(p[0]), p[1], term(p[1]))
		}
	}
	for _, p := range [][2]string{{"found", "find"}, {"left", "leave"}, {"won", "win"}, {"saw", "see"}, {"rose", "rise"},
		{"better", "good"}, {"lives", "life"}, {"bases", "basis"}} {
		if term(p[0]) == term(p[1]) {
			t.Errorf("Term(%q) = Term(%q) = %q; want them apart", p[0], p[1], term(p[0]))
		}
	}
}

func FuzzWordNetIrregular(f *testing.F) {
	f.Add(irregularVerbs)
	f.Add("a b c d\n\n  x\nheld\nhe'd hold\n")
	f.Fuzz(func(t *testing.T, verbExc string) {
		b, err := WordNetIrregular(irregularFS(verbExc))
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for line := range strings.Lines(string(b)) {
			if strings.HasPrefix(line, "#") {
				continue
			}
			lines++
			f := strings.Fields(line)
			if len(f) != 2 || !letters(f[0]) || !letters(f[1]) {
				t.Fatalf("a bad line: %q", line)
			}
		}
		if got := parseIrregular(b); len(got) != lines {
			t.Fatalf("parseIrregular read %d forms of %d lines", len(got), lines)
		}
	})
}
