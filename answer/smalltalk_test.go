package answer

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSmallTalkGetsAFriendlyReply: greetings, thanks and the like get a
// short reply with an example question, not a refusal naming their words.
func TestSmallTalkGetsAFriendlyReply(t *testing.T) {
	tests := []struct{ q, want string }{
		{"hi", exampleQuestion},
		{"Hello!", exampleQuestion},
		{"hey bot", exampleQuestion},
		{"Hi there :)", exampleQuestion},
		{"hi bot, how are you?", exampleQuestion},
		{"good morning", exampleQuestion},
		{"Good evening, everyone!", exampleQuestion},
		{"who are you?", exampleQuestion},
		{"What can you do?", exampleQuestion},
		{"help", exampleQuestion},
		{"@everyone hi", exampleQuestion},
		{"<@123> hey", exampleQuestion},
		{"/ask hello", exampleQuestion},
		{"thanks!", "welcome"},
		{"Thank you", "welcome"},
		{"thank you very much bot 🙏", "welcome"},
		{"ok, thanks", "welcome"},
		{"thx", "welcome"},
		{"bye", "Bye"},
		{"good night", "Bye"},
		{"cool", exampleQuestion},
	}
	e := seedEngine(t)
	for _, tt := range tests {
		res := e.ask(tt.q, AskOptions{Top: 3})
		if res.Answered || len(res.Citations) != 0 || !strings.Contains(res.Answer, tt.want) {
			t.Errorf("Ask(%q) = answered %v, %q, %d citations; want a reply with %q", tt.q, res.Answered, res.Answer, len(res.Citations), tt.want)
		}
		if res.Question != Clean(tt.q) {
			t.Errorf("Ask(%q) echoed %q; want %q", tt.q, res.Question, Clean(tt.q))
		}
	}
}

// TestQuestionsAmongSmallTalkAreQuestions: a question with small talk
// around it is asked without it; a question using small talk's words is
// asked as it is.
func TestQuestionsAmongSmallTalkAreQuestions(t *testing.T) {
	tests := []struct{ q, text string }{
		{"hi, who is the defence minister?", "who is the defence minister?"},
		{"Hello bot! Who is the defence minister?", "Who is the defence minister?"},
		{"hey who is the defence minister", "who is the defence minister"},
		{"good morning bot: what did Giang sign?", "what did Giang sign?"},
		{"thanks! and who signed the protocol?", "and who signed the protocol?"},
		{"who is the defence minister? thanks!", "who is the defence minister?"},
		{"who is the defence minister, please", "who is the defence minister"},
		{"what did Giang sign? ok, thank you very much!", "what did Giang sign?"},
		// Small talk's words inside a question stay.
		{"what did chansamon chanyalat thank vietnam for?", "what did chansamon chanyalat thank vietnam for?"},
		{"who are you referring to, Giang?", "who are you referring to, Giang?"},
		{"how are the two armies cooperating?", "how are the two armies cooperating?"},
		{"what can the two armies do?", "what can the two armies do?"},
		{"good relations between which countries?", "good relations between which countries?"},
		{"hello kitty was made by whom?", "hello kitty was made by whom?"},
		{"who said thanks", "who said thanks"},
		{"which day is morning", "which day is morning"},
	}
	for _, tt := range tests {
		text, reply := prepare(Clean(tt.q))
		if text != tt.text || reply != "" {
			t.Errorf("prepare(%q) = %q, %q; want %q and no reply", tt.q, text, reply, tt.text)
		}
	}
}

// TestNoEvalQuestionIsSmallTalk asks whether any question of the
// evaluation sets (their dev halves) is taken for small talk, or loses any
// word to prepare: none may be.
func TestNoEvalQuestionIsSmallTalk(t *testing.T) {
	dir := evalDir(t)
	for _, set := range []string{"seeds-dev.jsonl", filepath.Join("squad", "questions.jsonl"),
		filepath.Join("squad2", "mixed-dev.jsonl"), filepath.Join("offcorpus", "dev", "questions.jsonl")} {
		var talk, changed []string
		qs := readQuestions(t, filepath.Join(dir, set))
		for _, q := range qs {
			c := Clean(q.Question)
			switch text, reply := prepare(c); {
			case reply != "":
				talk = append(talk, q.Question)
			case text != c:
				changed = append(changed, q.Question)
			}
		}
		t.Logf("%s: %d questions, %d taken for small talk, %d changed", set, len(qs), len(talk), len(changed))
		if len(talk) > 0 || len(changed) > 0 {
			t.Errorf("%s: small talk %q; changed %q; want none", set, talk[:min(len(talk), 10)], changed[:min(len(changed), 10)])
		}
	}
}

// TestSmallTalkVocabulary checks that every phrase of talkPhrases is small
// talk alone, matched whole, as the kind it is listed under.
func TestSmallTalkVocabulary(t *testing.T) {
	for kind, ps := range talkPhrases {
		for _, p := range ps {
			kinds, ok := smallTalk(p)
			if !ok || kinds != 1<<kind {
				t.Errorf("smallTalk(%q) = %b, %v; want %b", p, kinds, ok, 1<<kind)
			}
			if k, end := talkAt(p, 0); k != kind || end != len(p) {
				t.Errorf("talkAt(%q) = %d, %d; want %d, %d", p, k, end, kind, len(p))
			}
			if p != strings.ToLower(p) || slices.Contains(strings.Fields(p), "") {
				t.Errorf("phrase %q is not lower case words", p)
			}
		}
	}
}

// BenchmarkPrepare measures what Clean and prepare add to each question,
// over the SQuAD questions, which hold no markup or small talk: the path
// every ordinary question takes.
func BenchmarkPrepare(b *testing.B) {
	qs := readQuestions(b, filepath.Join(evalDir(b), "squad", "questions.jsonl"))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		prepare(Clean(qs[i].Question))
		i = (i + 1) % len(qs)
	}
}
