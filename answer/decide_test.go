package answer

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestRefusalKinds checks that each refusal says why, in kind, and names
// the words the corpus lacks.
func TestRefusalKinds(t *testing.T) {
	e := seedEngine(t)
	tests := []struct {
		q       string
		kind    RefusalKind
		missing string // one of Refusal.Missing, when not empty
	}{
		{strings.Repeat("defence minister ", 6000), RefusedTooLong, ""},
		{"?!", RefusedNoWords, ""},
		{"did vietnam sign a defence deal with thailand?", RefusedUnknownPlace, "thailand"},
		{"anyone know a good pho place near hoan kiem?", RefusedOffTopic, "pho"},
		{"whats the name of the lao pm nguyen xuan phuc hosted on aug 14?", RefusedWeakMatch, "phuc"},
		{"when exactly did khamliang take over as laos defence minister?", RefusedAbsentName, "Khamliang"},
	}
	for _, tt := range tests {
		res := e.ask(tt.q, AskOptions{Top: 3})
		if res.Answered || res.Refusal == nil || res.Refusal.Kind != tt.kind {
			t.Errorf("Ask(%.40q) = %+v; want a refusal of kind %s", tt.q, res, tt.kind)
			continue
		}
		if tt.missing != "" && !slices.Contains(res.Refusal.Missing, tt.missing) {
			t.Errorf("Ask(%.40q).Refusal.Missing = %q; want %q among them", tt.q, res.Refusal.Missing, tt.missing)
		}
	}
	res := e.ask("who is the laos defence minister now?", AskOptions{Top: 3})
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !res.Answered || res.Refusal != nil || strings.Contains(buf.String(), `"refusal"`) {
		t.Errorf("an answer's JSON = %s; want it answered, with no refusal", buf.String())
	}
}

// TestAskFailsWhenContextDone checks that a question asked with a done
// context is not answered, and says why.
func TestAskFailsWhenContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := seedEngine(t).Ask(ctx, "who is the laos defence minister now?", AskOptions{}); !errors.Is(err, context.Canceled) || res.Answered {
		t.Errorf("Ask with a done context = %+v, %v; want no answer and context.Canceled", res, err)
	}
}

// TestQuestionLength: a question is too long past MaxQuestion characters
// of its cleaned text (or Options.MaxQuestion), however many bytes they
// take, and one of over utf8.UTFMax times as many bytes is not read.
func TestQuestionLength(t *testing.T) {
	e := seedEngine(t)
	tooLong := func(e *Engine, q string) bool {
		res := e.ask(q, AskOptions{})
		return res.Refusal != nil && res.Refusal.Kind == RefusedTooLong
	}
	// Words the seed corpus has, to the length asked for.
	words := func(n int, word string) string {
		return strings.Repeat(word, n/len([]rune(word))) + strings.Repeat("x", n%len([]rune(word)))
	}
	for _, tt := range []struct {
		name string
		q    string
		want bool
	}{
		{"MaxQuestion characters", words(MaxQuestion, "laos "), false},
		{"one more", words(MaxQuestion+1, "laos "), true},
		{"MaxQuestion two-byte characters", words(MaxQuestion, "lào "), false},
		{"one more two-byte character", words(MaxQuestion+1, "lào "), true},
		{"spaces cleaned away", words(MaxQuestion, "laos ") + strings.Repeat(" ", 500), false},
		{"over MaxQuestionBytes", words(MaxQuestion-1, "laos") + strings.Repeat(" ", MaxQuestionBytes), true},
	} {
		if got := tooLong(e, tt.q); got != tt.want {
			t.Errorf("%s: too long = %v; want %v", tt.name, got, tt.want)
		}
	}
	small := New(e.Index(), Options{MaxQuestion: 20})
	if !tooLong(small, words(21, "laos ")) || tooLong(small, words(20, "laos ")) {
		t.Error("Options.MaxQuestion 20 does not refuse 21 characters and only them")
	}
}
