package answer

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// followQuestion is one line of testdata/followups.jsonl: a questions.jsonl
// line plus the id of the question it follows and whether it is a control
// that stands on its own.
type followQuestion struct {
	evalQuestion
	Follows    string `json:"follows"`
	Standalone bool   `json:"standalone"`
}

func readFollowUps(t testing.TB) []followQuestion {
	f, err := os.Open("testdata/followups.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []followQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var q followQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("followups.jsonl: %v", err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

// hitAt1 reports whether res's first citation is a hit for q, as score.py
// counts one: from the gold doc (or an alt doc), and one of the answers in
// its title, date and sentence.
func hitAt1(q evalQuestion, res Result) bool {
	if !res.Answered || len(res.Citations) == 0 {
		return false
	}
	c := res.Citations[0]
	if c.Doc != q.Doc && !slices.Contains(q.AltDocs, c.Doc) {
		return false
	}
	seen := scoreFold(c.Title + " " + c.Date + " " + c.Sentence)
	for _, a := range q.Answers {
		if strings.Contains(seen, scoreFold(a)) {
			return true
		}
	}
	return false
}

// followTally counts the hits at 1 of follow-up questions asked without and
// with their context.
type followTally struct{ n, without, with int }

func (f followTally) p(k int) float64 { return float64(k) / float64(max(f.n, 1)) }

// TestFollowUps asks each question of testdata/followups.jsonl that follows
// another twice, without and with the context of the conversation so far
// (Next over the answers with context before it), and floors P@1 of both.
// The dev half (fd*) is what Carry, PreviousBoost and minOwnMass were
// measured on; the test half (ft*) was written before the code and is
// reported only. Controls stand on their own: context must not make any of
// them worse.
func TestFollowUps(t *testing.T) {
	e := seedEngine(t)
	qs := readFollowUps(t)
	ctxAfter := map[string]Context{} // the context for the question after each, by id
	tally := map[string]*followTally{"dev": {}, "test": {}, "controls": {}}
	for _, q := range qs {
		var c *Context
		if q.Follows != "" {
			pc, ok := ctxAfter[q.Follows]
			if !ok {
				t.Fatalf("%s follows %s, which is not before it", q.ID, q.Follows)
			}
			c = &pc
		}
		with, err := e.Ask(context.Background(), q.Question, AskOptions{Top: 10, Context: c})
		if err != nil {
			t.Fatal(err)
		}
		if next, ok := Next(c, q.Question, with); ok {
			ctxAfter[q.ID] = next
		}
		if c == nil {
			continue
		}
		without := e.ask(q.Question, AskOptions{Top: 10})
		hw, hc := hitAt1(q.evalQuestion, without), hitAt1(q.evalQuestion, with)
		set := "dev"
		switch {
		case q.Standalone:
			set = "controls"
			if hw && !hc {
				t.Errorf("%s %q stands on its own, yet its context made it miss: %q from %s", q.ID, q.Question, with.Answer, firstDoc(with))
			}
		case strings.HasPrefix(q.ID, "ft"):
			set = "test"
		}
		tl := tally[set]
		tl.n++
		if hw {
			tl.without++
		}
		if hc {
			tl.with++
		}
		if testing.Verbose() && (!hc || hw != hc) {
			t.Logf("%s (%s) follow_up=%v hit=%v/%v %q -> %s %q", q.ID, set, with.FollowUp, hw, hc, q.Question, firstDoc(with), with.Answer)
		}
	}
	all := followTally{n: tally["dev"].n + tally["test"].n, without: tally["dev"].without + tally["test"].without,
		with: tally["dev"].with + tally["test"].with}
	tally["follow-ups"] = &all
	// The floors are the figures measured when the follow-ups were
	// built (dev 0.333 → 0.667, test 0.750 → 0.875, all 0.529 → 0.765).
	floors := map[string]struct{ with, gain float64 }{
		"dev":        {with: 0.66, gain: 0.3},
		"test":       {with: 0.85, gain: 0.1},
		"follow-ups": {with: 0.75, gain: 0.2},
	}
	for _, set := range []string{"dev", "test", "follow-ups", "controls"} {
		tl := tally[set]
		t.Logf("%-10s n=%2d P@1 without context=%.3f with context=%.3f", set, tl.n, tl.p(tl.without), tl.p(tl.with))
		if f, ok := floors[set]; ok {
			if tl.p(tl.with) < f.with || tl.p(tl.with)-tl.p(tl.without) < f.gain {
				t.Errorf("%s: P@1 with context %.3f (floor %.2f), without %.3f (gain floor %.2f)",
					set, tl.p(tl.with), f.with, tl.p(tl.without), f.gain)
			}
		}
	}
	if c := tally["controls"]; c.with < c.without {
		t.Errorf("controls: P@1 with context %.3f < without %.3f", c.p(c.with), c.p(c.without))
	}
	if n := all.n + tally["controls"].n; n < 20 {
		t.Errorf("followups.jsonl has %d pairs; want at least 20", n)
	}
}

func firstDoc(r Result) string {
	if len(r.Citations) == 0 {
		return "(none)"
	}
	return r.Citations[0].Doc
}

const (
	videoCall = "000_4284e16642b1629c.txt" // Giang's video call with Chanyalat, May 6
	phoneCall = "001_7ed4a9750f31c40a.txt" // Lich's phone talks with Chansamone, September 8
	sonLa     = "002_0d8def16ba4cf91c.txt"
	hanoi2022 = "003_f88145d531538da3.txt"
	vientiane = "004_8dd0687327b8a675.txt"
)

// TestFollowUpIssueExample asks issue 16's three questions in a row, each
// with the context Next makes of the ones before: all three answer from the
// article of the video call.
func TestFollowUpIssueExample(t *testing.T) {
	e := seedEngine(t)
	var c *Context
	for _, tc := range []struct{ q, want string }{
		{"When did Giang hold a video call with his Lao counterpart?", "May 6"},
		{"who congratulated him on his appointment?", "Chanyalat congratulated Giang"},
		{"what did they agree on?", "They agreed that"},
	} {
		res, err := e.Ask(context.Background(), tc.q, AskOptions{Context: c})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Answered || res.Citations[0].Doc != videoCall || !strings.Contains(res.Answer, tc.want) {
			t.Fatalf("Ask(%q) = %q from %s; want %q from %s", tc.q, res.Answer, firstDoc(res), tc.want, videoCall)
		}
		if got := res.FollowUp; got != (c != nil) {
			t.Errorf("Ask(%q).FollowUp = %v; want %v", tc.q, got, c != nil)
		}
		next, ok := Next(c, tc.q, res)
		if !ok {
			t.Fatalf("Next after %q: nothing to carry", tc.q)
		}
		c = &next
	}
	if c.Question != "When did Giang hold a video call with his Lao counterpart?" || c.Doc != videoCall {
		t.Errorf("context after the three = %+v; want the first question's topic and %s", *c, videoCall)
	}
}

// TestPreviousSignal checks the "previous" row: the same follow-up, with
// nothing carried over but the previous answer's article, answers from
// that article, for each article that has a sentence on what two sides
// agreed (the Vientiane article's "They agreed" names neither two nor
// sides: the preference does not reach it); and a sentence's Parts say so.
func TestPreviousSignal(t *testing.T) {
	e := seedEngine(t)
	q := "what did the two sides agree on?"
	row := slices.IndexFunc(signals[:], func(s Signal) bool { return s.Name == "previous" })
	if row < 0 {
		t.Fatal(`no "previous" row in signals`)
	}
	for _, doc := range []string{videoCall, sonLa, hanoi2022} {
		res := e.ask(q, AskOptions{Explain: true, Context: &Context{Doc: doc}})
		if !res.Answered || res.Citations[0].Doc != doc {
			t.Errorf("Ask(%q) after an answer from %s = %q from %s; want an answer from %s", q, doc, res.Answer, firstDoc(res), doc)
			continue
		}
		for _, c := range res.Citations {
			if got, want := c.Explain[row].Value, map[bool]float64{true: 1}[c.Doc == doc]; got != want {
				t.Errorf("after %s, citation from %s: previous = %v; want %v", doc, c.Doc, got, want)
			}
		}
	}
}

// TestStandsAlone checks which questions are read as follow-ups.
func TestStandsAlone(t *testing.T) {
	sn := seedEngine(t).snap.Load()
	tests := []struct {
		q    string
		want bool
	}{
		{"Who is Laos's defence minister now?", true},                        // names Laos
		{"When did Lich hold phone talks with his Lao counterpart?", true},   // "his" is Lich's
		{"Where did Giang and Chansamone hold talks in October 2024?", true}, // names two people
		{"who congratulated him on his appointment?", false},                 // him: who?
		{"what did they agree on?", false},                                   // they: who?
		{"and what did the lao side congratulate vietnam on?", false},        // opens with "and"
		{"where was the meeting held?", false},                               // names nothing
		{"when was that?", false},                                            // no word of its own
		{"what did his Lao counterpart say?", false},                         // "his" before any name
		{"So what did Giang sign?", false},                                   // opens with "so"
		{"what did Giang say about it?", true},                               // "it" after a name
		{"qwzx vbnm?", false},                                                // no word the corpus uses
	}
	for _, tc := range tests {
		qr := parse(sn, tc.q)
		if got := standsAlone(sn, &qr, tc.q); got != tc.want {
			t.Errorf("standsAlone(%q) = %v; want %v", tc.q, got, tc.want)
		}
	}
}

// TestFollowUpStandsAlone checks that a question that stands on its own is
// answered as it would be without context, and says it was not a follow-up.
func TestFollowUpStandsAlone(t *testing.T) {
	e := seedEngine(t)
	c := &Context{Question: "Who did PM Chinh hold talks with in Hanoi on June 2?", Doc: hanoi2022}
	q := "Who is Laos's defence minister now?"
	with, without := e.ask(q, AskOptions{Context: c}), e.ask(q, AskOptions{})
	if with.FollowUp || with.Answer != without.Answer || firstDoc(with) != vientiane {
		t.Errorf("Ask(%q) with context = %q from %s (follow-up %v); want %q from %s, as without",
			q, with.Answer, firstDoc(with), with.FollowUp, without.Answer, vientiane)
	}
}

// TestFollowUpRefusal checks refusals of follow-ups: one with no words of
// its own names the article just quoted rather than saying the corpus
// lacks what it was just quoting; one whose own words the corpus never uses
// is refused for them, not answered with the topic's sentence; and none
// says "the corpus does not say".
func TestFollowUpRefusal(t *testing.T) {
	e := seedEngine(t)
	c := &Context{Question: "When did Giang hold a video call with his Lao counterpart?", Doc: videoCall}
	title := e.Index().Articles[articleNamed(e.Index(), videoCall)].Title
	tests := []struct {
		q    string
		kind RefusalKind
		want string
	}{
		{"why?", RefusedWeakMatch, "“" + title + "”, the article I last quoted"},
		{"and then?", RefusedWeakMatch, "“" + title + "”"},
		{"what did he eat?", RefusedOffTopic, "Nothing in the corpus mentions “eat”."},
	}
	for _, tc := range tests {
		res := e.ask(tc.q, AskOptions{Context: c})
		if res.Answered || res.Refusal == nil || res.Refusal.Kind != tc.kind || !strings.Contains(res.Answer, tc.want) {
			t.Errorf("Ask(%q) after the video call = %q (%+v); want a %s refusal saying %q", tc.q, res.Answer, res.Refusal, tc.kind, tc.want)
		}
		if strings.Contains(res.Answer, "does not say") || strings.Contains(res.Answer, "no article") {
			t.Errorf("Ask(%q) after the video call = %q: claims the corpus lacks it", tc.q, res.Answer)
		}
	}
	// After a question the corpus did not answer, no article is named.
	if res := e.ask("why?", AskOptions{Context: &Context{Question: "what about the weather?"}}); res.Answered ||
		!strings.HasPrefix(res.Answer, "I can't find the answer to that follow-up in the articles") {
		t.Errorf(`Ask("why?") after an unanswered question = %q; want a refusal naming no article`, res.Answer)
	}
	// "and when was that?" was refused without context: now it is answered.
	if res := e.ask("and when was that?", AskOptions{Context: c}); !res.Answered || !strings.Contains(res.Answer, "May 6") {
		t.Errorf(`Ask("and when was that?") after the video call = %q; want May 6`, res.Answer)
	}
}

// TestNext checks the context kept for the question after each reply.
func TestNext(t *testing.T) {
	topic := &Context{Question: "When did Giang hold a video call?", Doc: videoCall}
	cited := func(doc string) []Citation { return []Citation{{Doc: doc}} }
	tests := []struct {
		name string
		c    *Context
		q    string
		res  Result
		want Context
		ok   bool
	}{
		{"first question", nil, "q1", Result{Answered: true, Citations: cited(sonLa)}, Context{"q1", sonLa}, true},
		{"follow-up keeps the topic", topic, "q2", Result{Answered: true, FollowUp: true, Citations: cited(phoneCall)}, Context{topic.Question, phoneCall}, true},
		{"standalone sets a topic", topic, "q3", Result{Answered: true, Citations: cited(vientiane)}, Context{"q3", vientiane}, true},
		{"refused follow-up keeps the article", topic, "q4", Result{FollowUp: true, Refusal: &Refusal{Kind: RefusedWeakMatch}}, *topic, true},
		{"refused standalone keeps its words", topic, "q5", Result{Refusal: &Refusal{Kind: RefusedOffTopic}}, Context{"q5", ""}, true},
		{"not a question", topic, "", Result{Refusal: &Refusal{Kind: RefusedNoWords}}, *topic, true},
		{"too long", nil, "x", Result{Refusal: &Refusal{Kind: RefusedTooLong}}, Context{}, false},
		{"small talk first", nil, "thanks", Result{Answer: "You're welcome"}, Context{}, false},
		{"small talk later", topic, "thanks", Result{Answer: "You're welcome"}, *topic, true},
	}
	for _, tc := range tests {
		got, ok := Next(tc.c, tc.q, tc.res)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: Next = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzFollowUp asks any question after any context: no panic, the same
// Result twice, citations only of the corpus's articles, and a question
// that stands on its own answered as without context.
func FuzzFollowUp(f *testing.F) {
	f.Add("who congratulated him?", "When did Giang hold a video call?", videoCall)
	f.Add("and when was that?", "", "")
	f.Add("Who is Laos's defence minister now?", "\x00\xff", "../../etc/passwd")
	f.Add("", "why?", sonLa)
	e := seedEngine(f)
	f.Fuzz(func(t *testing.T, q, prevQ, prevDoc string) {
		c := &Context{Question: prevQ, Doc: prevDoc}
		a := e.ask(q, AskOptions{Context: c})
		b := e.ask(q, AskOptions{Context: c})
		if a.Answer != b.Answer || len(a.Citations) != len(b.Citations) {
			t.Fatalf("Ask(%q) after %q gave %q, then %q", q, prevQ, a.Answer, b.Answer)
		}
		for _, cit := range a.Citations {
			if articleNamed(e.Index(), cit.Doc) < 0 {
				t.Fatalf("Ask(%q): citation of %q, not an article", q, cit.Doc)
			}
		}
		if !a.FollowUp {
			if w := e.ask(q, AskOptions{}); w.Answer != a.Answer {
				t.Fatalf("Ask(%q) stood on its own, yet gave %q with context and %q without", q, a.Answer, w.Answer)
			}
		}
	})
}
