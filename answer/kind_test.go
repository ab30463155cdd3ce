package answer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// matcherCases are sentences at the edges of dateRE, numberRE and placeRE.
var matcherCases = []string{
	"He said.", "“Said”", "“said,”", "SAID:", "\"stressed\"", "remar\u212aed", "Noted", "emphasizing;", "underlined.", "'told'", "sa“id", "““said””",
	"", "In 1999 it rained.", "in 2099", "in 2100", "in 999", "a1999", "1999_", "1999é", "x-1999",
	"on May 6, 2020", "May 123", "May 5th", "Jan. 5", "Jan.5", "Jan  5", "Sept 12", "Sep. 1", "Sept. 31x",
	"Mayé 5", "May 5, 2020x", "May 5,2020", "May 5 20201", "on June 8, 2021 and July 9", "on June 8 and July 9, 2021", "March 3x", "Oct. 9", "on Monday", "Mondays", "the 19th century", "a decade", "Decade",
	"one", "One", "ONE", "someone", "one_", "dozen", "dozens", "dozenss", "COVID-19 cases", "COVID-19,5",
	"1,000x", "1,5x", "1,000.", "3.5 m", ".5", "5.", "x5", "5x 6", "A19 road", "twenty-one", "ſix", "aſix", "aſix years", "\u212aelvin one",
	"born in Warsaw", "in the City", "in the city", "in The", "to Łódź", "of the Éire", "into Town", "in  Town", "In Town",
	"at the ", "from the", "near", "He met Ann.", "he Met ann", "a Éclair b", "x \xff y",
	"WHAT YEAR?", "what years", "what  year", "Which City is it?", "which cities", "which towns", "since When", "how long agone",
}

// corpusSentences returns the sentences of the seed articles, and of the
// SQuAD corpus when the evaluation data is there.
func corpusSentences(t *testing.T) []string {
	t.Helper()
	ix, err := corpus.Load(context.Background(), seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	out := sentencesOf(ix)
	dir := filepath.Join("..", "..", "shared", "eval", "squad", "corpus")
	if _, err := os.Stat(dir); err == nil {
		if ix, err = corpus.Load(context.Background(), os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		out = append(out, sentencesOf(ix)...)
	}
	return out
}

func sentencesOf(ix *corpus.Index) []string {
	out := make([]string, len(ix.Sentences))
	for i := range out {
		out[i] = ix.Text(i)
	}
	return out
}

// checkMatchers reports where the hand-written matchers disagree with the
// patterns they stand for.
func checkMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := hasDate(s), dateRE.MatchString(s); got != want {
		t.Errorf("hasDate(%q) = %v; want %v", s, got, want)
	}
	if got, want := hasPlace(s), placeRE.MatchString(s); got != want {
		t.Errorf("hasPlace(%q) = %v; want %v", s, got, want)
	}
	if got, want := classify(s), classifyRE(s); got != want {
		t.Errorf("classify(%q) = %v; want %v", s, got, want)
	}
	if got, want := hasName(s), hasNameRunes(s); got != want {
		t.Errorf("hasName(%q) = %v; want %v", s, got, want)
	}
	if got, want := reportsSpeech(s), reportsSpeechLower(s); got != want {
		t.Errorf("reportsSpeech(%q) = %v; want %v", s, got, want)
	}
	if got, want := factsOf(s), factsOneByOne(s); got != want {
		t.Errorf("factsOf(%q) = %08b; want %08b", s, got, want)
	}
	var got [][]int
	for start, end := range numbers(s) {
		got = append(got, []int{start, end})
	}
	want := numberRE.FindAllStringIndex(s, -1)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("numbers(%q) = %v; want %v", s, got, want)
	}
}

// factsOneByOne is factsOf as first written: each matcher in turn.
func factsOneByOne(text string) fact {
	var f fact
	set := func(b fact, ok bool) {
		if ok {
			f |= b
		}
	}
	set(factDate, hasDate(text))
	set(factNumber, hasNumber(text))
	set(factPlace, hasPlace(text))
	set(factName, hasName(text))
	set(factYear, firstYear(text) != "")
	set(factRefersBack, refersBack(text))
	set(factSpeech, reportsSpeech(text))
	set(factDayOnly, f&factDate != 0 && datesDayOnlyRE(text))
	return f
}

// datesDayOnlyRE reports, as factDayOnly was first worked out, whether
// sentence gives a month and a day, and never a year after them.
func datesDayOnlyRE(sentence string) bool {
	ms := monthDayYearRE.FindAllString(sentence, -1)
	for _, m := range ms {
		if len(m) > 4 && allDigits(m[len(m)-4:]) {
			return false // the sentence gives the year itself
		}
	}
	return len(ms) > 0
}

// classifyRE is classify as first written: every pattern tried.
func classifyRE(q string) kind {
	switch {
	case countRE.MatchString(q):
		return kindCount
	case whenRE.MatchString(q):
		return kindWhen
	case whereRE.MatchString(q):
		return kindWhere
	case whoRE.MatchString(q):
		return kindWho
	}
	return kindOther
}

// reportsSpeech reports whether sentence reports what someone said, field
// by field, as factSpeech was first worked out.
func reportsSpeech(sentence string) bool {
	for w := range strings.FieldsSeq(sentence) {
		if isReportingField(w) {
			return true
		}
	}
	return false
}

// reportsSpeechLower is reportsSpeech as first written.
func reportsSpeechLower(sentence string) bool {
	for w := range strings.FieldsSeq(sentence) {
		if reporting[strings.ToLower(strings.Trim(w, speechTrim))] {
			return true
		}
	}
	return false
}

// hasNameRunes is hasName as first written.
func hasNameRunes(s string) bool {
	for i, w := range strings.Fields(s) {
		if r := []rune(w); i > 0 && len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
			return true
		}
	}
	return false
}

func TestMatchersAgreeWithPatterns(t *testing.T) {
	for _, s := range matcherCases {
		checkMatchers(t, s)
	}
	for _, s := range corpusSentences(t) {
		checkMatchers(t, s)
	}
	path := filepath.Join("..", "..", "shared", "eval", "squad", "questions.jsonl")
	if _, err := os.Stat(path); err == nil {
		for _, q := range readQuestions(t, path) {
			checkMatchers(t, q.Question)
		}
	}
}

func FuzzMatchers(f *testing.F) {
	for _, s := range matcherCases {
		f.Add(s)
	}
	f.Fuzz(checkMatchers)
}
