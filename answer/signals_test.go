package answer

import (
	"math"
	"testing"
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
