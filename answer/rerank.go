package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// The rerank stage: a Reranker reorders the candidates the signals stage
// ranked, before decide and compose see the first. rules, today's hand
// written reorderings, are its first implementation: each of its steps
// moves one candidate to the front for a reason the signals cannot see, as
// a candidate's score is of it alone.

// A Reranker reorders a question's candidates, best first. It may move a
// candidate ahead of others, drop one, or put in a sentence of the
// snapshot that the candidates stand for; it returns the candidates in
// their new order (it may reuse cs).
type Reranker interface {
	Rerank(sn *snapshot, qr *Query, cs []Candidate) []Candidate
}

// rules is the Reranker of today's rules: its steps, in order.
type rules []func(sn *snapshot, qr *Query, cs []Candidate) []Candidate

// defaultRules are the rules every Engine reranks with.
var defaultRules = rules{promoteCount, refocus, yearFirst}

// Rerank applies each step in turn.
func (r rules) Rerank(sn *snapshot, qr *Query, cs []Candidate) []Candidate {
	for _, step := range r {
		cs = step(sn, qr, cs)
	}
	return cs
}

// countDepth is how far down the ranking a "how many" question looks for a
// sentence that gives the number asked for.
const countDepth = 3

// promoteCount moves, for a "how many" question, the first of the best
// countDepth candidates that gives a number of what it counts (or, when the
// question names nothing to count, any count: givesCount) to the front,
// keeping the others' order. When none does, decide refuses the question
// unless the best sentence gives some count.
func promoteCount(sn *snapshot, qr *Query, cs []Candidate) []Candidate {
	if qr.kind != kindCount {
		return cs
	}
	thing := qr.counted
	for i, c := range cs[:min(len(cs), countDepth)] {
		text := sn.ix.Text(c.Sentence)
		if len(thing) > 0 && countsThing(text, thing, qr.term) || len(thing) == 0 && givesCount(sn.ix, qr, text) {
			if i > 0 {
				c.rule = "count"
			}
			copy(cs[1:i+1], cs[:i])
			cs[0] = c
			return cs
		}
	}
	return cs
}

// A news article's lead sentence sets the scene for the whole article: who
// met whom, when and where. A question that names that scene and asks
// something more ("in the phone talks, who did Chansamone thank?") matches
// the lead on the names, yet is answered by a later sentence that holds
// what the lead does not ("He thanked ..."). refocus moves such a sentence
// ahead of the lead.
//
// A sentence that names people and the occasion sets the scene for the
// sentence right after it too, when that one opens by referring back to
// them ("He ...", "The two ... agreed ..."): a question that names them and
// asks what they did matches the first on the names, yet is answered by the
// second. refocus treats the best sentence as the scene for such a
// follower.
const (
	// refocusDepth is how far down the ranking refocus looks.
	refocusDepth = 3
	// refocusShare is the least share of the question's weight that the
	// later sentence must hold beyond what the lead and its article's
	// title and date hold.
	refocusShare = 0.15
)

// refocus moves ahead of the best candidate, when that is its article's
// lead, the candidate of the same article among the first refocusDepth that
// holds the most of the question's weight beyond what the lead, the
// article's title and the year of its date hold, if that is at least
// refocusShare of the question's weight, and holds what the question asks
// for (a date for a when, ...). Terms in the title or the
// dateline are the scene too: every sentence of the article has them.
// When the best candidate is not the lead, only the sentence right after
// it, if among the first refocusDepth and opening by referring back
// (refersBack), may pass it, on the same terms, the best candidate's terms
// counting as the scene as well.
func refocus(sn *snapshot, qr *Query, cs []Candidate) []Candidate {
	ix := sn.ix
	if qr.kind == kindCount || len(cs) < 2 || len(qr.terms) > 64 {
		return cs // promoteCount has put the count first
	}
	best := cs[0].Sentence
	a := int(ix.Sentences[best].Article)
	first, _ := ix.ArticleSentences(a)
	scene := heldMask(ix, qr, first)
	if best != first {
		scene |= heldMask(ix, qr, best)
	}
	var total float64
	for k, t := range qr.terms {
		total += t.weight * t.idf
		if ix.InContext(a, t.id) {
			scene |= 1 << k
		}
	}
	pick, most := 0, refocusShare*total
	for i := 1; i < min(len(cs), refocusDepth); i++ {
		s := cs[i].Sentence
		if int(ix.Sentences[s].Article) != a || best != first && (s != best+1 || !sn.has(s, factRefersBack)) || qr.kind != kindOther && !sn.answers(s, qr.kind) {
			continue
		}
		if w := maskWeight(qr, heldMask(ix, qr, s)&^scene); w >= most && w > 0 {
			pick, most = i, w
		}
	}
	if pick == 0 && best == first && qr.speech && !sn.has(best, factSpeech) {
		pick = speaker(sn, qr, cs, a)
	}
	if pick > 0 {
		// Its place rests on the match of the sentence that sets its
		// scene.
		c := cs[pick]
		c.basis, c.rule = cs[0].Sentence, "refocus"
		copy(cs[1:pick+1], cs[:pick])
		cs[0] = c
	}
	return cs
}

// heldMask is the set of the question's terms that sentence s holds, as
// bits over qr.terms; the question has at most 64 terms.
func heldMask(ix *corpus.Index, qr *Query, s int) uint64 {
	var m uint64
	for _, id := range ix.SentenceTerms(s) {
		if qr.mask&(1<<(id&63)) == 0 {
			continue
		}
		if k := qr.index(id); k >= 0 {
			m |= 1 << k
		}
	}
	return m
}

// maskWeight sums the weight of the question's terms in m.
func maskWeight(qr *Query, m uint64) float64 {
	var w float64
	for k, t := range qr.terms {
		if m&(1<<k) != 0 {
			w += t.weight * t.idf
		}
	}
	return w
}

// refersBack reports whether sentence opens with words that take their
// referent from the sentence before: a personal or possessive pronoun, a
// demonstrative ("This", "These", "Those", "Such"), "Both", or "The" and a
// small number ("The two sides", "The three ministers").
func refersBack(sentence string) bool {
	w, rest, _ := strings.Cut(sentence, " ")
	switch w {
	case "He", "She", "They", "It", "Both", "His", "Her", "Their", "Its", "This", "These", "Those", "Such":
		return true
	case "The":
		return strings.HasPrefix(rest, "two ") || strings.HasPrefix(rest, "three ")
	}
	return false
}

// speaker returns the first of the candidates after the best among the first
// refocusDepth that is from article a, reports what someone said and holds
// a name the question has, or 0. A question that asks what someone said is
// answered by the sentence that reports it, not by the lead that names the
// speaker and the occasion.
func speaker(sn *snapshot, qr *Query, cs []Candidate, a int) int {
	ix := sn.ix
	var names uint64
	for k, t := range qr.terms {
		if ix.IsName(t.id) {
			names |= 1 << k
		}
	}
	for i := 1; i < min(len(cs), refocusDepth); i++ {
		s := cs[i].Sentence
		if int(ix.Sentences[s].Article) == a && heldMask(ix, qr, s)&names != 0 && sn.has(s, factSpeech) {
			return i
		}
	}
	return 0
}

// isReportingField reports whether field w of a sentence is a reporting
// verb: reporting[strings.ToLower(strings.Trim(w, speechTrim))], without
// allocating.
func isReportingField(w string) bool {
	w = trimSpeech(w)
	if !isASCII(w) {
		return reporting[strings.ToLower(w)]
	}
	if !mayReport(w) {
		return false
	}
	var buf [16]byte
	lw := buf[:len(w)]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lw[i] = c
	}
	return isReporting(string(lw))
}

// speechTrim are the characters trimmed off a word before it is looked up
// among the reporting verbs.
const speechTrim = ",.;:\"'“”"

// trimSpeech is strings.Trim(w, speechTrim).
func trimSpeech(w string) string {
	for len(w) > 0 {
		if isSpeechTrim(w[0]) {
			w = w[1:]
		} else if strings.HasPrefix(w, "“") || strings.HasPrefix(w, "”") {
			w = w[len("“"):]
		} else {
			break
		}
	}
	for len(w) > 0 {
		if isSpeechTrim(w[len(w)-1]) {
			w = w[:len(w)-1]
		} else if strings.HasSuffix(w, "“") || strings.HasSuffix(w, "”") {
			w = w[:len(w)-len("”")]
		} else {
			break
		}
	}
	return w
}

// isSpeechTrim reports whether c is an ASCII character of speechTrim.
func isSpeechTrim(c byte) bool {
	switch c {
	case ',', '.', ';', ':', '"', '\'':
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isReporting is reporting[w], as a switch, which is quicker than the map
// (TestReportsSpeechFindsEveryVerb and FuzzMatchers check they agree).
func isReporting(w string) bool {
	switch w {
	case "said", "says", "saying", "stated", "stressed", "stressing", "noted", "noting",
		"affirmed", "affirming", "highlighted", "highlighting", "emphasised", "emphasized", "emphasising",
		"emphasizing", "described", "told", "added", "underlined", "asserted", "insisted", "remarked":
		return true
	}
	return false
}

// reporting are the verbs news text reports speech with.
var reporting = set("said", "says", "saying", "stated", "stressed", "stressing", "noted", "noting",
	"affirmed", "affirming", "highlighted", "highlighting", "emphasised", "emphasized", "emphasising",
	"emphasizing", "described", "told", "added", "underlined", "asserted", "insisted", "remarked")

// A sentence may date what it reports by day and month alone ("on
// September 8 held phone talks"), leaving the year to the article's date.
// When the article has no date, the year the article itself first names is
// the best evidence the corpus has of the year, and a question that asks
// for the year is answered with it, saying so.

// monthDayYearRE finds a month and a day, and the year when one follows.
var monthDayYearRE = regexp.MustCompile(`\b(?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{1,2}\b(?:,? [0-9]{4}\b)?`)

// articleYear returns, for a question that asks for a year and whose best
// sentence s dates by day and month only and names no year, in an article
// with no date, the first sentence of s's article that names a year; ok is
// false otherwise.
func articleYear(sn *snapshot, qr *Query, s int) (sent int, ok bool) {
	ix := sn.ix
	if !qr.asksYear || !sn.has(s, factDayOnly) || sn.has(s, factYear) {
		return 0, false
	}
	a := int(ix.Sentences[s].Article)
	if ix.Articles[a].Date != "" {
		return 0, false
	}
	first, end := ix.ArticleSentences(a)
	for i := first; i < end; i++ {
		if sn.has(i, factYear) {
			return i, true
		}
	}
	return 0, false
}

// firstYear returns the first year, 1000–2099, that text names as a word
// of its own, or "".
func firstYear(text string) string {
	for i := 0; i < len(text); i++ {
		if !isWordByte(text[i]) {
			continue
		}
		j := wordEnd(text, i)
		if w := text[i:j]; len(w) == 4 && (w[0] == '1' && allDigits(w[1:]) || w[:2] == "20" && allDigits(w[2:])) {
			return w
		}
		i = j
	}
	return ""
}

// yearFirst puts first, for a question that asks for a year and whose best
// candidate dates by day and month only in an article with no date, the
// first sentence of the article that names a year (articleYear), at the
// best candidate's score and with its parts, its place resting on the best
// candidate's; any other candidate for that sentence is dropped. The best
// candidate follows it.
func yearFirst(sn *snapshot, qr *Query, cs []Candidate) []Candidate {
	if len(cs) == 0 {
		return cs
	}
	s, ok := articleYear(sn, qr, cs[0].Sentence)
	if !ok {
		return cs
	}
	c := cs[0]
	c.Sentence, c.rule = s, "year"
	cs = slices.DeleteFunc(cs, func(c Candidate) bool { return c.Sentence == s })
	return slices.Insert(cs, 0, c)
}
