package answer

import (
	"testing"
	"testing/fstest"
)

func TestRoot(t *testing.T) {
	for _, tc := range []struct{ stem, want string }{
		{"inventor", "invent"},
		{"invent", "invent"},
		{"memori", "memor"},
		{"memor", "memor"},
		{"product", "product"},
		{"produc", "produc"},
		{"parti", "parti"}, // a root keeps minRoot letters
		{"nation", "nation"},
	} {
		if got := root(tc.stem); got != tc.want {
			t.Errorf("root(%q) = %q; want %q", tc.stem, got, tc.want)
		}
	}
}

// TestDerivedTerms checks that a question's term brings in the corpus's
// terms of its root: of two sentences on the engine, the one that names its
// inventor answers "who invented ...?", and decide counts it as holding
// "invented".
func TestDerivedTerms(t *testing.T) {
	ix := loadMap(t, fstest.MapFS{
		"a.txt": {Data: []byte("Engines\n\nThe atmospheric engine was sold by Savery. The inventor of the atmospheric engine was Newcomen.")},
		"b.txt": {Data: []byte("Pumps\n\nAyanz invented a pump.")},
	})
	const q = "Who invented the atmospheric engine?"
	const sold, invented = 0, 1
	first := func(w Weights) (int, float64) {
		sn := newSnapshot(ix, &w)
		qr := parse(sn, q)
		sc := getScratch(ix)
		defer sc.release()
		cs := score(sn, &qr, 10, Retriever{sn}.Retrieve(&qr, sc), sc)
		if len(cs) == 0 {
			t.Fatalf("%q: no candidates", q)
		}
		return cs[0].Sentence, coverage(ix, &qr, invented, missingShare*idf(len(ix.Sentences), 0))
	}
	s, cov := first(DefaultWeights)
	if s != invented {
		t.Errorf("%q: first %q; want %q", q, ix.Text(s), ix.Text(invented))
	}
	w := DefaultWeights
	w.Derived = 0
	s, cov0 := first(w)
	if s != sold {
		t.Errorf("without derived terms, %q: first %q; want the earlier of the two alike, %q: the test shows nothing", q, ix.Text(s), ix.Text(sold))
	}
	if cov != 1 || cov0 >= 1 {
		t.Errorf("coverage of %q = %v, %v without derived terms; want 1 and less", ix.Text(invented), cov, cov0)
	}
}

// TestDerivedTermsOwnWords checks that a word of the question whose term an
// earlier word brought in as derived counts as the question's own, and that
// a follow-up carries over its context's own terms only, not their derived
// ones.
func TestDerivedTermsOwnWords(t *testing.T) {
	ix := loadMap(t, fstest.MapFS{
		"a.txt": {Data: []byte("Engines\n\nThe inventor of the atmospheric engine was Newcomen. Newcomen invented it in 1712.")},
	})
	sn := newSnapshot(ix, &DefaultWeights)
	id, ok := ix.Lookup("invent")
	if !ok {
		t.Fatal("no term invent")
	}
	qr := parse(sn, "Which inventor invented the atmospheric engine?")
	if k := qr.index(id); k < 0 || qr.terms[k].derivedOf != 0 || qr.terms[k].weight != 1 {
		t.Errorf("term invent of %q: %+v; want the question's own, at weight 1", "invented", qr.terms[max(k, 0)])
	}
	qr = parse(sn, "when did it happen?")
	follow(sn, &qr, "when did it happen?", &Context{Question: "Who invented the atmospheric engine?", Doc: "a.txt"}, 1000)
	for _, tm := range qr.terms {
		if tm.derivedOf > 0 {
			t.Errorf("follow-up carries derived term %q over", ix.TermText(tm.id))
		}
	}
}
