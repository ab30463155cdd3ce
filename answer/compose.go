package answer

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/corpusbot/corpusbot/corpus"
)

// The compose stage: the answer text and the citations, from the candidates
// decide has let through.

// compose writes res's answer and its citations: the first top candidates
// of cs, with their scores explained when explain is set.
func compose(sn *snapshot, qr *Query, cs []Candidate, top int, explain bool, res Result) Result {
	ix := sn.ix
	for _, c := range cs[:min(len(cs), top)] {
		s := ix.Sentences[c.Sentence]
		a := ix.Articles[s.Article]
		cit := Citation{
			Doc: a.Path, Title: a.Title, Date: a.Date, Source: a.Source, URL: a.Link(),
			Sentence: ix.Text(c.Sentence), Score: round(c.Score),
		}
		if explain {
			cit.Explain, cit.Reranked = explanation(sn.w, c.Parts), c.rule
		}
		res.Citations = append(res.Citations, cit)
	}
	res.Answered = true
	if cs[0].rule == "year" {
		// The year from the article, for the day the candidate it
		// stands for, now second, gives.
		year := firstYear(ix.Text(cs[0].Sentence))
		res.Answer = yearAnswer(year, firstDay(ix.Text(cs[1].Sentence)))
		res.ShortAnswer = year
		return res
	}
	res.Answer = answerText(ix, qr, res.Citations[0])
	res.ShortAnswer = shortAnswer(ix, qr, res.Citations[0].Sentence)
	return res
}

// explanation lists each signal's value and weight in parts.
func explanation(w *Weights, parts Parts) []Explanation {
	ex := make([]Explanation, len(signals))
	for i, sg := range signals {
		ex[i] = Explanation{Signal: sg.Name, Value: round(parts[i]), Weight: sg.Weight(w), Factor: sg.Factor}
	}
	return ex
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// answerText writes the answer text: the part of the best sentence that
// answers, with its citation marker, and any relative date it uses resolved
// against the article's date.
func answerText(ix *corpus.Index, qr *Query, c Citation) string {
	text := clause(ix, qr, c.Sentence) + " [1]"
	if note := resolveDates(c.Sentence, c.Date); note != "" {
		text += " (" + note + ")"
	}
	return text
}

// clauseMin is the length below which a sentence is given whole.
const clauseMin = 160

// clauseLinks are the words after a comma that join a long news sentence's
// clauses ("..., saying that ...", "..., while ...").
var clauseLinks = []string{
	"saying", "adding", "noting", "stressing", "affirming", "highlighting",
	"emphasising", "emphasizing", "while", "whereas", "which", "as well as",
	"and said", "and added",
}

// clauseBreaks returns where a long news sentence joins its clauses, as
// byte ranges from the left: each "; ", and each ", " with a word of
// clauseLinks and a space after it.
func clauseBreaks(sentence string) [][2]int {
	var breaks [][2]int
	for i := 0; i+1 < len(sentence); i++ {
		c := sentence[i]
		if (c != ';' && c != ',') || sentence[i+1] != ' ' {
			continue
		}
		if c == ';' {
			breaks = append(breaks, [2]int{i, i + 2})
			i++
			continue
		}
		rest := sentence[i+2:]
		for _, l := range clauseLinks {
			if len(rest) > len(l) && rest[len(l)] == ' ' && rest[:len(l)] == l {
				breaks = append(breaks, [2]int{i, i + 2 + len(l) + 1})
				i += 2 + len(l)
				break
			}
		}
	}
	return breaks
}

// clause returns the clause of sentence that answers the question, when
// that is clear: the sentence is long, one of its clauses holds every
// question term the sentence holds (and, for a when, who, where or how-many
// question, what that asks for), and that clause is much shorter than the
// sentence. Otherwise it returns the sentence whole. A cut is marked "…".
func clause(ix *corpus.Index, qr *Query, sentence string) string {
	if len(sentence) < clauseMin {
		return sentence
	}
	breaks := clauseBreaks(sentence)
	if len(breaks) == 0 {
		return sentence
	}
	want := heldTerms(ix, qr, sentence)
	if want == 0 {
		return sentence
	}
	typed := qr.kind != kindOther && satisfies(qr.kind, sentence, "")
	start, found := 0, -1
	var spans [][2]int
	for _, b := range append(breaks, [2]int{len(sentence), len(sentence)}) {
		spans = append(spans, [2]int{start, b[0]})
		start = b[1]
	}
	for i, sp := range spans {
		part := sentence[sp[0]:sp[1]]
		if heldTerms(ix, qr, part) != want || (typed && !satisfies(qr.kind, part, "")) {
			continue
		}
		if found >= 0 {
			return sentence // two clauses would do: not clear which answers
		}
		found = i
	}
	if found < 0 {
		return sentence
	}
	sp := spans[found]
	part := strings.TrimSpace(sentence[sp[0]:sp[1]])
	if len(part)*10 > len(sentence)*7 || len(part) < 40 {
		return sentence
	}
	if sp[0] > 0 {
		part = "…" + strings.TrimPrefix(part, "that ")
	}
	if sp[1] < len(sentence) {
		part = strings.TrimRight(part, ",;") + "…"
	}
	return part
}

// heldTerms counts the question's terms that text holds.
func heldTerms(ix *corpus.Index, qr *Query, text string) int {
	n := 0
	toks := corpus.AnalyzeWith(text, qr.term)
	for _, t := range qr.terms {
		for _, tok := range toks {
			if tok.Term == ix.TermText(t.id) {
				n++
				break
			}
		}
	}
	return n
}

var (
	weekdayRE  = regexp.MustCompile(`\b(?:on|last|this) (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b`)
	monthDayRE = regexp.MustCompile(`\b(January|February|March|April|May|June|July|August|September|October|November|December) ([0-9]{1,2})\b(,? [0-9]{4})?`)
)

// resolveDates turns the relative dates of a sentence from an article dated
// date into calendar dates: "on Thursday" is the last Thursday on or before
// the article's date; "May 6" without a year is the last May 6 on or before it.
func resolveDates(sentence, date string) string {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return ""
	}
	var notes []string
	for _, m := range weekdayRE.FindAllStringSubmatch(sentence, 2) {
		want := m[1]
		t := d
		for i := 0; i < 7 && t.Weekday().String() != want; i++ {
			t = t.AddDate(0, 0, -1)
		}
		notes = append(notes, fmt.Sprintf("%s = %s", want, t.Format("2006-01-02")))
	}
	for _, m := range monthDayRE.FindAllStringSubmatch(sentence, 2) {
		if m[3] != "" {
			continue
		}
		t, err := time.Parse("January 2 2006", fmt.Sprintf("%s %s %d", m[1], m[2], d.Year()))
		if err != nil {
			continue
		}
		if t.After(d) {
			t = t.AddDate(-1, 0, 0)
		}
		notes = append(notes, fmt.Sprintf("%s %s = %s", m[1], m[2], t.Format("2006-01-02")))
	}
	return strings.Join(notes, "; ")
}

// yearAnswer is the answer text when the year comes from elsewhere in the
// article. The sentence that reports what was asked about follows as the
// second citation, when more than one is asked for.
func yearAnswer(year, day string) string {
	return fmt.Sprintf("%s, going by the year its article names [1]; the report itself gives %s without a year.", year, day)
}

// firstDay returns the first month and day sentence names, as it has them.
func firstDay(sentence string) string {
	return monthDayYearRE.FindString(sentence)
}
