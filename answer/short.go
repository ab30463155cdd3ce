package answer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// Short answers, part of the compose stage: for a who, when, where or how
// many question, the phrase of the first citation that answers it (a name,
// a date, a place, a number), when one phrase clearly does.
//
// The candidates are the spans of the sentence of the kind the question
// asks for that hold none of the question's terms: "Gen. Khamliang
// Outhakaysone" answers "who is Laos's defence minister?", "Laos" does not.
// The one nearest the question's terms in the sentence wins, if no other is
// as near; a candidate far from every term, or one of a sentence that holds
// too few of the question's terms, is not trusted. A wrong short answer
// reads as the bot's claim, so when in doubt there is none.

// A span is a candidate short answer: sentence[start:end]. titled counts
// the question's words in the title cut from its front
// (afterQuestionTerms).
type span struct{ start, end, titled int }

// shortLimits are the bounds a short answer of one kind is trusted
// within.
type shortLimits struct {
	// held is the least share of the question's terms the sentence must
	// hold.
	held float64
	// gap is the most tokens between the answer and the nearest question
	// term in the sentence.
	gap int
	// margin is how many tokens further from the question's terms the
	// runner-up must be.
	margin int
}

// shortTrust holds each kind's limits, tuned on SQuAD articles 001–024
// for a token F1 of at least 0.7 on the short answers given
// (short_test.go measures them): names are the hardest to tell apart,
// dates the easiest.
var shortTrust = map[kind]shortLimits{
	kindWhen:  {held: 0.5, gap: 6, margin: 1},
	kindWho:   {held: 0.67, gap: 2, margin: 3},
	kindWhere: {held: 0.5, gap: 0, margin: 2},
	kindCount: {held: 0.5, gap: 0, margin: 2},
}

// shortMaxWords is the most words a short answer has.
const shortMaxWords = 6

var (
	// whenSpanRE finds dates: a day, month and year in either order, a
	// month and year, a month and day, a decade or a century, a year.
	whenSpanRE = regexp.MustCompile(`\b(?:(?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}|[0-9]{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December),? [0-9]{4}|(?:January|February|March|April|May|June|July|August|September|October|November|December),? [0-9]{4}|(?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{1,2}(?:st|nd|rd|th)?|(?:the )?(?:1[0-9]|20)[0-9]0s|(?:the )?[0-9]{1,2}(?:st|nd|rd|th) century|(?:1[0-9]{3}|20[0-9]{2})(?:[–-][0-9]{2,4})?|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b`)
	// countSpanRE finds figures: a number in digits or words, with its
	// currency sign, scale word and percent sign.
	countSpanRE = regexp.MustCompile(`(?i)(?:[$£€¥] ?)?\b(?:[0-9][0-9,.]*[0-9]|[0-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozens?)(?:[ -](?:hundred|thousand|million|billion|trillion))*\b(?: ?%| percent| per cent)?`)
)

// nameJoins are the lower-case words a name may hold between capitalised
// ones: "University of Chicago", "Charles de Gaulle".
var nameJoins = set("of", "de", "del", "da", "di", "van", "von", "der", "la", "le", "du", "al", "bin", "and", "&")

// notNames are capitalised words that open sentences and clauses rather
// than names.
var notNames = set("The", "A", "An", "In", "On", "At", "By", "For", "From", "To", "Of", "And", "But",
	"Or", "As", "It", "Its", "He", "She", "They", "We", "I", "His", "Her", "Their", "This", "That",
	"These", "Those", "There", "After", "Before", "During", "While", "When", "Where", "Who", "What",
	"However", "Although", "Since", "With", "Under", "Between", "According", "Mr", "Mrs", "Ms", "Dr",
	"Mr.", "Mrs.", "Ms.", "Dr.", "Some", "Many", "Most", "All", "Both", "Each", "Other", "One", "Also",
	"Today", "Yesterday", "Tomorrow", "If", "Then", "Thus", "Following", "Despite", "Among",
	"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
	"November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

// shortAnswer returns the phrase of sentence that answers qr, or "" when
// no phrase clearly does.
func shortAnswer(ix *corpus.Index, qr *Query, sentence string) string {
	var cands []span
	switch qr.kind {
	case kindWhen:
		cands = regexSpans(whenSpanRE, sentence)
	case kindCount:
		cands = countSpans(sentence, qr)
	case kindWho:
		cands = knownNames(ix, qr, sentence, notPlaces(sentence, nameSpans(sentence, false)))
	case kindWhere:
		cands = knownNames(ix, qr, sentence, nameSpans(sentence, true))
	default:
		return ""
	}
	if len(cands) == 0 {
		return ""
	}
	toks := corpus.AnalyzeWith(sentence, qr.term)
	isQ := make([]bool, len(toks))
	held := make([]bool, len(qr.terms)) // which of the question's terms the sentence holds
	nheld, own := 0, 0
	for _, t := range qr.terms {
		if t.derivedOf == 0 {
			own++
		}
	}
	for i, tok := range toks {
		for k, t := range qr.terms {
			if tok.Term == ix.TermText(t.id) {
				isQ[i] = true
				if t.derivedOf > 0 {
					k = t.derivedOf - 1 // it stands for the term it derives from
				}
				if !held[k] {
					held[k] = true
					nheld++
				}
			}
		}
	}
	lim := shortTrust[qr.kind]
	if own == 0 || float64(nheld) < lim.held*float64(own) {
		return ""
	}
	if qr.kind == kindWho {
		cands = afterQuestionTerms(sentence, toks, isQ, cands)
	}
	best, bestGap, second := span{}, -1, -1
	for _, c := range cands {
		if strings.Count(sentence[c.start:c.end], " ") >= shortMaxWords {
			continue
		}
		gap, ok := questionGap(toks, isQ, c)
		if !ok {
			continue
		}
		switch {
		case bestGap < 0 || gap < bestGap:
			best, bestGap, second = c, gap, bestGap
		case second < 0 || gap < second:
			second = gap
		}
	}
	if bestGap < 0 || bestGap > lim.gap {
		return ""
	}
	if second >= 0 && second-bestGap < lim.margin {
		var ok bool
		if best, ok = bestTitled(sentence, cands); !ok {
			return ""
		}
	}
	return strings.TrimRight(sentence[best.start:best.end], ",;:")
}

// afterQuestionTerms cuts each name of cands that holds a question term to
// the capitalised words after the last one: a title names the office the
// question asks about, the name after it the holder ("Minister of National
// Defence of Laos Gen. Khamliang Outhakaysone" for "who is Laos's defence
// minister?").
func afterQuestionTerms(sentence string, toks []corpus.Token, isQ []bool, cands []span) []span {
	out := cands[:0]
	for _, c := range cands {
		for i, t := range toks {
			if isQ[i] && t.Start >= c.start && t.End <= c.end {
				c.start = t.End
				c.titled++
			}
		}
		for c.start < c.end && !startsUpper(sentence[c.start:c.end]) {
			j := strings.IndexByte(sentence[c.start:c.end], ' ')
			if j < 0 {
				c.start = c.end
				break
			}
			c.start += j + 1
		}
		if c.start < c.end {
			out = append(out, c)
		}
	}
	return out
}

// bestTitled returns the name of cands whose title held the most of the
// question's words, when that is at least titledMin and more than any
// other's: of two ministers named in one sentence, the one whose title
// matches the question ("Minister of National Defence of Laos Gen.
// Khamliang Outhakaysone" over "Minister of National Defence Gen. Phan Văn
// Giang" for "who is Laos's defence minister?").
func bestTitled(sentence string, cands []span) (span, bool) {
	best, next := span{}, 0
	for _, c := range cands {
		if !personName(sentence[c.start:c.end]) {
			continue
		}
		switch {
		case c.titled > best.titled:
			best, next = c, best.titled
		case c.titled > next:
			next = c.titled
		}
	}
	return best, best.titled >= titledMin && best.titled > next
}

// personName reports whether name reads as a person's: two words or more,
// none of them all capitals ("Super Bowl XLVIII" cut to "XLVIII" is none).
func personName(name string) bool {
	ws := strings.Fields(name)
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws {
		if strings.ToUpper(w) == w {
			return false
		}
	}
	return true
}

// titledMin is the least of the question's words a title holds for
// bestTitled to trust it.
const titledMin = 2

// questionGap returns how many tokens lie between span c and the nearest
// question term of the analysed sentence toks, and false when c holds a
// question term itself: what the question names is not its answer.
func questionGap(toks []corpus.Token, isQ []bool, c span) (int, bool) {
	first, last := -1, -1 // the tokens inside c
	for i, t := range toks {
		if t.Start >= c.start && t.End <= c.end {
			if isQ[i] {
				return 0, false
			}
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 { // no token inside: place c by its start
		first = len(toks)
		for i, t := range toks {
			if t.Start >= c.start {
				first = i
				break
			}
		}
		last = first - 1
	}
	gap := -1
	for i := range toks {
		if !isQ[i] {
			continue
		}
		var d int
		switch {
		case i < first:
			d = first - i - 1
		default:
			d = i - last - 1
		}
		if gap < 0 || d < gap {
			gap = d
		}
	}
	if gap < 0 {
		return 0, false
	}
	return gap, true
}

func regexSpans(re *regexp.Regexp, s string) []span {
	var out []span
	for _, m := range re.FindAllStringIndex(s, -1) {
		out = append(out, span{start: m[0], end: m[1]})
	}
	return out
}

// knownNames keeps the spans of cands with a word the corpus capitalises
// wherever it does not open a sentence (corpus.Index.IsName): "Additional"
// opening a sentence is no name. (Not every word: stemming makes "Manning"
// and "man" one term.)
func knownNames(ix *corpus.Index, qr *Query, sentence string, cands []span) []span {
	out := cands[:0]
	for _, c := range cands {
		ok := false
		for _, tok := range corpus.AnalyzeWith(sentence[c.start:c.end], qr.term) {
			if id, found := ix.Lookup(tok.Term); found && ix.IsName(id) {
				ok = true
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// notPlaces drops the names of cands after "in", "at" or "near" (perhaps
// with "the"): places do not answer a who question.
func notPlaces(sentence string, cands []span) []span {
	out := cands[:0]
	for _, c := range cands {
		before := strings.TrimSuffix(strings.TrimRight(sentence[:c.start], " "), " the")
		i := strings.LastIndexByte(before, ' ')
		switch strings.ToLower(before[i+1:]) {
		case "in", "at", "near":
			continue
		}
		out = append(out, c)
	}
	return out
}

// countSpans returns the figures of sentence that are not years, each
// with what it counts when that is what the question counts ("60 years"
// for "how many years ...?").
func countSpans(sentence string, qr *Query) []span {
	var out []span
	for _, m := range countSpanRE.FindAllStringIndex(sentence, -1) {
		start, end := m[0], m[1]
		if start >= 2 && sentence[start-1] == '-' && isLetter(sentence[start-2]) {
			continue // part of a name such as COVID-19
		}
		if start >= 4 && strings.EqualFold(sentence[start-4:start], "the ") {
			continue // "the two leaders": a count of what the text has named
		}
		if isYear(sentence, start, end) || end-start == 4 && allDigits(sentence[start:end]) && (sentence[start] == '1' || sentence[start:start+2] == "20") {
			continue // a date, not a figure
		}
		out = append(out, span{start: start, end: end})
	}
	return out
}

// nameSpans returns the runs of capitalised words of sentence: names. For
// a place (where) only those after "in", "at", "from" or "near" count, and
// a run may go on after a comma ("Santa Clara, California").
func nameSpans(sentence string, place bool) []span {
	type word struct {
		start, end int
		text       string
	}
	var ws []word
	for i := 0; i < len(sentence); {
		for i < len(sentence) && sentence[i] == ' ' {
			i++
		}
		j := i
		for j < len(sentence) && sentence[j] != ' ' {
			j++
		}
		if j > i {
			ws = append(ws, word{i, j, sentence[i:j]})
		}
		i = j
	}
	trim := func(w string) string {
		return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '&' })
	}
	capital := func(w string) bool {
		w = strings.TrimLeft(w, "(\"'“‘")
		r, n := utf8.DecodeRuneInString(w)
		return n > 0 && unicode.IsUpper(r) && !notNames[trim(w)] && !notNames[w]
	}
	var out []span
	for i := 0; i < len(ws); i++ {
		if !capital(ws[i].text) {
			continue
		}
		if place {
			prev := ""
			if i > 0 {
				prev = strings.ToLower(ws[i-1].text)
			}
			if prev == "the" && i > 1 {
				prev = strings.ToLower(ws[i-2].text)
			}
			if prev != "in" && prev != "at" && prev != "from" && prev != "near" {
				continue
			}
		}
		j := i
		for j+1 < len(ws) {
			w := ws[j].text
			if strings.ContainsAny(w[len(w)-1:], ".;:)\"”") && !isInitial(w) || strings.HasSuffix(w, ",") && !place {
				break // the run ends with its word's punctuation
			}
			next := ws[j+1].text
			if capital(next) {
				j++
				continue
			}
			if nameJoins[next] && j+2 < len(ws) && capital(ws[j+2].text) {
				j += 2
				continue
			}
			break
		}
		start := ws[i].start + strings.IndexFunc(ws[i].text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
		endw := ws[j].text
		end := ws[j].start + len(strings.TrimRightFunc(endw, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ')'
		}))
		end = trimPossessive(sentence, start, end)
		if end > start {
			out = append(out, span{start: start, end: end})
		}
		i = j
	}
	return out
}

// isInitial reports whether w is an initial or a title abbreviation that
// a name goes on after: "J.", "Gen.", "St.".
func isInitial(w string) bool {
	if !strings.HasSuffix(w, ".") {
		return false
	}
	w = strings.TrimSuffix(w, ".")
	return len(w) == 1 || titleAbbrevs[w]
}

var titleAbbrevs = set("Gen", "Col", "Lt", "Maj", "Capt", "Sgt", "Adm", "Gov", "Sen", "Rep", "Rev", "St", "Mt", "Dr", "Mr", "Mrs", "Ms", "Prof", "Jr", "Sr")

// trimPossessive drops a final "'s" from sentence[start:end].
func trimPossessive(sentence string, start, end int) int {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(sentence[start:end], suf) {
			return end - len(suf)
		}
	}
	return end
}
