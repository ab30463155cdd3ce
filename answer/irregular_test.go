package answer

import (
	"testing"
	"testing/fstest"
)

// TestIrregularForms checks that the analyzer's irregular forms
// (corpus/irregular.txt) reach the answers: a sentence with "held" answers
// "when did Giang hold ...?", one with "sought" answers "when did Giang seek
// ...?", over an earlier sentence alike but for "planned" that comes first
// without them.
func TestIrregularForms(t *testing.T) {
	for _, tc := range []struct{ name, article, other, q, want string }{{
		name:    "held",
		article: "Talks\n\nGiang planned a video call with Saysompheng on 5 May 2023. Giang held a video call with Saysompheng on 3 March 2024.",
		other:   "Drills\n\nThe two armies hold drills every year.",
		q:       "When did Giang hold a video call with Saysompheng?",
		want:    "Giang held a video call with Saysompheng on 3 March 2024.",
	}, {
		name:    "sought",
		article: "Talks\n\nGiang planned talks with Saysompheng on 5 May 2023. Giang sought talks with Saysompheng on 3 March 2024.",
		q:       "When did Giang seek talks with Saysompheng?",
		want:    "Giang sought talks with Saysompheng on 3 March 2024.",
	}} {
		fsys := fstest.MapFS{"a.txt": {Data: []byte(tc.article)}}
		if tc.other != "" {
			fsys["b.txt"] = &fstest.MapFile{Data: []byte(tc.other)}
		}
		res := New(loadMap(t, fsys), Options{}).ask(tc.q, AskOptions{Top: 3})
		if !res.Answered || len(res.Citations) == 0 || res.Citations[0].Sentence != tc.want {
			t.Errorf("%s: %q answered %v %+v; want first %q", tc.name, tc.q, res.Answered, res.Citations, tc.want)
		}
	}
}
