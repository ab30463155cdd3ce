package answer

import (
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

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
func refocus(ix *corpus.Index, qr *Query, cs []Candidate) {
	if len(cs) < 2 || len(qr.terms) > 64 {
		return
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
		if int(ix.Sentences[s].Article) != a || best != first && (s != best+1 || !refersBack(ix.Text(s))) || qr.kind != kindOther && !satisfies(qr.kind, ix.Text(s), "") {
			continue
		}
		if w := maskWeight(qr, heldMask(ix, qr, s)&^scene); w >= most && w > 0 {
			pick, most = i, w
		}
	}
	if pick == 0 && best == first && qr.speech && !reportsSpeech(ix.Text(best)) {
		pick = speaker(ix, qr, cs, a)
	}
	if pick > 0 {
		c := cs[pick]
		copy(cs[1:pick+1], cs[:pick])
		cs[0] = c
	}
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
// referent from the sentence before: a personal pronoun, "Both", or "The"
// and a small number ("The two sides", "The three ministers").
func refersBack(sentence string) bool {
	w, rest, _ := strings.Cut(sentence, " ")
	switch w {
	case "He", "She", "They", "It", "Both":
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
func speaker(ix *corpus.Index, qr *Query, cs []Candidate, a int) int {
	var names uint64
	for k, t := range qr.terms {
		if ix.IsName(t.id) {
			names |= 1 << k
		}
	}
	for i := 1; i < min(len(cs), refocusDepth); i++ {
		s := cs[i].Sentence
		if int(ix.Sentences[s].Article) == a && heldMask(ix, qr, s)&names != 0 && reportsSpeech(ix.Text(s)) {
			return i
		}
	}
	return 0
}

// reportsSpeech reports whether sentence reports what someone said.
func reportsSpeech(sentence string) bool {
	for w := range strings.FieldsSeq(sentence) {
		if reporting[strings.ToLower(strings.Trim(w, ",.;:\"'“”"))] {
			return true
		}
	}
	return false
}

// reporting are the verbs news text reports speech with.
var reporting = set("said", "says", "saying", "stated", "stressed", "stressing", "noted", "noting",
	"affirmed", "affirming", "highlighted", "highlighting", "emphasised", "emphasized", "emphasising",
	"emphasizing", "described", "told", "added", "underlined", "asserted", "insisted", "remarked")
