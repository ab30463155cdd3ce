package answer

import (
	"math"
	"slices"
	"testing"
	"testing/fstest"
)

// TestSignalsTable checks the table's shape: names unique, the
// retriever's rows first and without Score or Max, every other row with
// both.
func TestSignalsTable(t *testing.T) {
	seen := map[string]bool{}
	for i, sg := range signals {
		if sg.Name == "" || seen[sg.Name] {
			t.Errorf("signals[%d].Name = %q: empty or used twice", i, sg.Name)
		}
		seen[sg.Name] = true
		if first := i < firstStage; first != (sg.Score == nil) || first != (sg.Max == nil) || sg.Weight == nil {
			t.Errorf("signals[%d] (%s): Score, Max and Weight must be nil, nil, set for the retriever's rows and all set for the others", i, sg.Name)
		}
	}
}

// TestSignalsAddUp checks that each candidate's score is what its Parts
// and the table's weights make: the sum of the additive signals' value
// times weight, times 1 plus the sum of the factor signals'. It asks every
// seeds-dev question whose wording the table's signals cover.
func TestSignalsAddUp(t *testing.T) {
	sn := seedEngine(t).snap.Load()
	qs := []string{
		"who is the laos defence minister now?",
		"when did vietnam and laos sign the protocol?",
		"how many soldiers' remains were repatriated?",
		"where did the defence ministers meet?",
		"what did General Giang say about the border?",
	}
	for _, q := range qs {
		qr := parse(sn, q)
		sc := getScratch(sn.ix)
		cs := score(sn, &qr, 10, Retriever{sn}.Retrieve(&qr, sc), sc)
		if len(cs) == 0 {
			t.Fatalf("%q: no candidates", q)
		}
		for _, c := range cs {
			add, factor := 0.0, 1.0
			for i, sg := range signals {
				if sg.Factor {
					factor += sg.Weight(sn.w) * c.Parts[i]
				} else {
					add += sg.Weight(sn.w) * c.Parts[i]
				}
			}
			if got := add * factor; math.Abs(got-c.Score) > 1e-9*math.Abs(c.Score) {
				t.Errorf("%q: sentence %d scores %v; its parts %v make %v", q, c.Sentence, c.Score, c.Parts, got)
			}
		}
		sc.release()
	}
}

// TestExplain checks that an explained citation's signals make its score,
// and that a citation is explained only when asked.
func TestExplain(t *testing.T) {
	e := seedEngine(t)
	const q = "who did the laos defence minister meet in hanoi in 2022?"
	res := e.ask(q, AskOptions{Top: 5, Explain: true})
	if !res.Answered || len(res.Citations) == 0 {
		t.Fatalf("Ask(%q) = %+v; want an answer", q, res)
	}
	for _, c := range res.Citations {
		if len(c.Explain) != len(signals) {
			t.Fatalf("citation %.40q explains %d signals; want %d", c.Sentence, len(c.Explain), len(signals))
		}
		add, factor := 0.0, 1.0
		for i, x := range c.Explain {
			if x.Signal != signals[i].Name {
				t.Errorf("explain[%d] = %s; want %s", i, x.Signal, signals[i].Name)
			}
			if x.Factor {
				factor += x.Value * x.Weight
			} else {
				add += x.Value * x.Weight
			}
		}
		// Values are rounded to 0.001 each.
		if got := add * factor; math.Abs(got-c.Score) > 0.01*float64(len(signals)) {
			t.Errorf("citation %.40q scores %v; its explanation makes %v: %+v", c.Sentence, c.Score, got, c.Explain)
		}
	}
	for _, c := range e.ask(q, AskOptions{Top: 5}).Citations {
		if c.Explain != nil {
			t.Errorf("citation %.40q explained unasked", c.Sentence)
		}
	}
}

// TestInheritSignal checks that a sentence inherits the question's terms
// that the sentence before it holds and it lacks: of two sentences alike,
// the one after a sentence that names what the question asks about ranks
// first, fully when it opens by referring back and by looseInherit when not.
func TestInheritSignal(t *testing.T) {
	ix := loadMap(t, fstest.MapFS{"a.txt": {Data: []byte("Stars\n\n" +
		"Kepler read books. It was called astronomy. " +
		"Marlow studied the stars. It was called astronomy. " +
		"Marlow studied the planets. The work was called astronomy.")}})
	const q = "what was Marlow's study called?"
	rank := func(w Weights) []Candidate {
		sn := newSnapshot(ix, &w)
		qr := parse(sn, q)
		sc := getScratch(ix)
		defer sc.release()
		return slices.Clone(score(sn, &qr, 10, Retriever{sn}.Retrieve(&qr, sc), sc))
	}
	parts := func(cs []Candidate, s int) (Parts, int) {
		for i, c := range cs {
			if c.Sentence == s {
				return c.Parts, i
			}
		}
		t.Fatalf("sentence %d (%q) is no candidate", s, ix.Text(s))
		return Parts{}, -1
	}
	const kepler, marlow, loose = 1, 3, 5 // the sentences "... called astronomy."
	inherit := slices.IndexFunc(signals[:], func(sg Signal) bool { return sg.Name == "inherit" })
	w := DefaultWeights
	w.Neighbour = 0 // so that the sentence before counts only by what is inherited
	cs := rank(w)
	pk, ik := parts(cs, kepler)
	pm, im := parts(cs, marlow)
	pl, _ := parts(cs, loose)
	if pk[inherit] != 0 || pm[inherit] <= 0 {
		t.Errorf("inherit = %v after Kepler's sentence, %v after Marlow's; want 0 and more", pk[inherit], pm[inherit])
	}
	if im > ik {
		t.Errorf("%q after Marlow's sentence ranks %d, after Kepler's %d; want it first", ix.Text(marlow), im, ik)
	}
	if want := looseInherit * pm[inherit]; math.Abs(pl[inherit]-want) > 1e-9 {
		t.Errorf("inherit of %q = %v; want looseInherit times %v = %v", ix.Text(loose), pl[inherit], pm[inherit], want)
	}
	// Without the signal the two alike sentences tie, and the earlier
	// one goes first.
	w.Inherit = 0
	cs = rank(w)
	_, ik = parts(cs, kepler)
	if _, im := parts(cs, marlow); im < ik {
		t.Errorf("without inherit, %q after Marlow's sentence ranks %d, before the one after Kepler's (%d): the test shows nothing", ix.Text(marlow), im, ik)
	}
}

// TestTypeWantsNews checks that the type signal rewards what the question
// asks for only when the question does not name it already: a date, a
// number that is not a year, a place's name.
func TestTypeWantsNews(t *testing.T) {
	ix := loadMap(t, fstest.MapFS{"a.txt": {Data: []byte("Tesla\n\n" +
		"Tesla moved to Prague in 1880. Tesla moved to Prague again in 1892. " +
		"Tesla had cats in 1890. Tesla had 3 cats. " +
		"Tesla lived in Prague. Tesla lived in Smichov.")}})
	sn := newSnapshot(ix, &DefaultWeights)
	typ := slices.IndexFunc(signals[:], func(sg Signal) bool { return sg.Name == "type" })
	for _, tc := range []struct {
		q    string
		want map[int]float64 // by sentence
	}{
		{"When did Tesla move to Prague in 1880?", map[int]float64{0: 0, 1: 1}},
		{"How many cats did Tesla have in 1890?", map[int]float64{2: 0, 3: 1}},
		{"Where in Prague did Tesla live?", map[int]float64{4: 0, 5: 1}},
	} {
		qr := parse(sn, tc.q)
		sc := getScratch(ix)
		cs := score(sn, &qr, 10, Retriever{sn}.Retrieve(&qr, sc), sc)
		for s, want := range tc.want {
			i := slices.IndexFunc(cs, func(c Candidate) bool { return c.Sentence == s })
			if i < 0 {
				t.Errorf("%q: %q is no candidate", tc.q, ix.Text(s))
			} else if got := cs[i].Parts[typ]; got != want {
				t.Errorf("%q: type of %q = %v; want %v", tc.q, ix.Text(s), got, want)
			}
		}
		sc.release()
	}
}
