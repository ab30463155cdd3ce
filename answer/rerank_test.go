package answer

import (
	"slices"
	"testing"
)

// reversed is a Reranker that turns the order around.
type reversed struct{}

func (reversed) Rerank(sn *snapshot, qr *Query, cs []Candidate) []Candidate {
	slices.Reverse(cs)
	return cs
}

// TestEngineReranksWithItsReranker checks that the order an Engine cites
// in is its Reranker's: the rules are one implementation, not built in.
func TestEngineReranksWithItsReranker(t *testing.T) {
	ix := seedEngine(t).Index()
	const q = "who did the laos defence minister meet in hanoi?"
	rules := New(ix, Options{}).ask(q, AskOptions{Top: 5})
	rev := New(ix, Options{})
	rev.rerank = reversed{}
	got := rev.ask(q, AskOptions{Top: 5})
	if len(rules.Citations) < 2 || len(got.Citations) < 2 || got.Citations[0].Sentence == rules.Citations[0].Sentence {
		t.Errorf("with a reversing reranker, first citation = %+v; want another than the rules' %+v", got.Citations, rules.Citations)
	}
}

func TestRefersBack(t *testing.T) {
	for _, tc := range []struct {
		sentence string
		want     bool
	}{
		{"He thanked the minister.", true},
		{"This is called antigenic variation.", true},
		{"Its capital is Vientiane.", true},
		{"Their talks ended.", true},
		{"Such visits are rare.", true},
		{"The two sides agreed.", true},
		{"The ministers agreed.", false},
		{"Thistles grow here.", false},
		{"Laos and Vietnam agreed.", false},
		{"", false},
	} {
		if got := refersBack(tc.sentence); got != tc.want {
			t.Errorf("refersBack(%q) = %v; want %v", tc.sentence, got, tc.want)
		}
	}
}
