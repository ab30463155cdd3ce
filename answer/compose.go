package answer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// Refusal thresholds. A word the corpus never uses weighs missingShare of
// the corpus's rarest term. The question is refused when such words carry
// maxMissing of its weight (the corpus is not about it), or when the best
// sentence holds less than minCoverage of it.
const (
	minCoverage  = 0.2
	missingShare = 0.5
	maxMissing   = 0.45
)

// answer ranks the sentences of sn's index for qr and composes the Result.
func answer(sn *snapshot, qr Query, top int, res Result) Result {
	ix := sn.ix
	if len(qr.terms) == 0 {
		res.Answer = refusal(qr)
		return res
	}
	sc := getScratch(ix)
	defer sc.release()
	// Rank at least countDepth, so that the answer does not depend on how
	// many citations are asked for.
	cs := score(sn, &qr, max(top, countDepth), Retriever{sn}.Retrieve(&qr, sc), sc)
	if len(cs) == 0 {
		res.Answer = refusal(qr)
		return res
	}
	if qr.missingPlace {
		res.Answer = refusal(qr)
		return res
	}
	missingIDF := missingShare * idf(len(ix.Sentences), 0)
	if qr.kind == kindCount && !promoteCount(ix, &qr, cs, qr.counted) && !givesCount(ix, &qr, ix.Text(cs[0].Sentence)) {
		res.Answer = refusal(qr)
		return res
	}
	best := cs[0].Sentence
	if missingWeight(&qr, missingIDF) >= maxMissing || coverage(ix, &qr, best, missingIDF) < minCoverage {
		res.Answer = refusal(qr)
		return res
	}
	if name := absentName(ix, &qr, best); name != "" {
		res.Answer = fmt.Sprintf("The corpus does not say; what matches best does not mention %s.", name)
		return res
	}
	if qr.kind != kindCount { // promoteCount has put the count first
		refocus(ix, &qr, cs)
	}
	yearSent, year, day, fromArticle := articleYear(ix, &qr, cs[0].Sentence)
	if fromArticle {
		cs = withFirst(cs, yearSent, cs[0].Score)
	}
	for _, c := range cs[:min(len(cs), top)] {
		s := ix.Sentences[c.Sentence]
		a := ix.Articles[s.Article]
		res.Citations = append(res.Citations, Citation{
			Doc: a.Path, Title: a.Title, Date: a.Date, Source: a.Source,
			Sentence: ix.Text(c.Sentence), Score: round(c.Score),
		})
	}
	res.Answered = true
	res.Answer = compose(ix, &qr, res.Citations[0])
	if fromArticle {
		res.Answer = yearAnswer(year, day)
	}
	return res
}

// countDepth is how far down the ranking a "how many" question looks for a
// sentence that gives the number asked for.
const countDepth = 3

// promoteCount moves the first of the best countDepth candidates that gives
// a number of thing to the front, keeping the others' order. It reports
// false when none does; the question is then refused unless the best
// sentence gives some count (givesCount).
func promoteCount(ix *corpus.Index, qr *Query, cs []Candidate, thing []string) bool {
	for i, c := range cs[:min(len(cs), countDepth)] {
		text := ix.Text(c.Sentence)
		if len(thing) > 0 && countsThing(text, thing, qr.term) || len(thing) == 0 && givesCount(ix, qr, text) {
			copy(cs[1:i+1], cs[:i])
			cs[0] = c
			return true
		}
	}
	return false
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// refusal says why there is no answer, naming what the corpus lacks.
func refusal(qr Query) string {
	if names := telling(qr.missing); len(names) > 0 {
		return fmt.Sprintf("Nothing in the corpus mentions %s.", joinOr(names))
	}
	if qr.kind == kindCount {
		return "The corpus gives no figure that answers this."
	}
	return "The corpus does not say; no article supports an answer to that."
}

// telling returns up to three of the missing words worth naming, in
// question order, capitalised ones (names) first.
func telling(missing []string) []string {
	var names, rest []string
	for _, w := range missing {
		switch r := []rune(w); {
		case len(r) < 3:
		case unicode.IsUpper(r[0]):
			names = append(names, w)
		default:
			rest = append(rest, w)
		}
	}
	out := append(names, rest...)
	return out[:min(len(out), 3)]
}

func joinOr(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// compose writes the answer text: the part of the best sentence that
// answers, with its citation marker, and any relative date it uses resolved
// against the article's date.
func compose(ix *corpus.Index, qr *Query, c Citation) string {
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

// coverage is the share of the question's weight that sentence s holds.
func coverage(ix *corpus.Index, qr *Query, s int, missingIDF float64) float64 {
	var total, have float64
	terms := ix.SentenceTerms(s)
	a := int(ix.Sentences[s].Article)
	for _, t := range qr.terms {
		w := t.weight * t.idf
		total += w
		if slices.Contains(terms, t.id) || ix.InContext(a, t.id) {
			have += w
		}
	}
	total += float64(len(qr.missing)) * missingIDF
	if total == 0 {
		return 0
	}
	return have / total
}

// missingWeight is the share of the question's weight carried by words the
// corpus never uses, each weighing missingIDF.
func missingWeight(qr *Query, missingIDF float64) float64 {
	miss := float64(len(qr.missing)) * missingIDF
	total := miss
	for _, t := range qr.terms {
		total += t.weight * t.idf
	}
	if total == 0 {
		return 0
	}
	return miss / total
}
