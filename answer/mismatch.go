package answer

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// Features of how the first sentence (and its neighbours) fails to match
// the question, where the article as a whole matches: SQuAD 2.0's
// unanswerable questions were written from a paragraph, with one entity,
// one relation or a negation changed.

// mismatch fills f's features from rare_window on, for question qr and its
// reranked candidates cs; total is the question's weight, maxIDF its
// highest idf.
func mismatch(sn *snapshot, qr *Query, cs []Candidate, f *featureVec, total, maxIDF float64) {
	const at = 30 // rare_window
	ix := sn.ix
	s := cs[0].Sentence
	a := int(ix.Sentences[s].Article)
	lo, hi := ix.ArticleSentences(a)
	sent := ix.SentenceTerms(s)
	// The window: the first sentence, its neighbours in its article, and
	// the article's title and date.
	inWindow := func(id corpus.TermID) bool {
		if slices.Contains(sent, id) || ix.InContext(a, id) {
			return true
		}
		for _, n := range [2]int{s - 1, s + 1} {
			if n >= lo && n < hi && slices.Contains(ix.SentenceTerms(n), id) {
				return true
			}
		}
		return false
	}
	var rare, absent, moved, names float64
	var lack, fills, cover float64
	var s2 []corpus.TermID
	if len(cs) > 1 {
		s2 = ix.SentenceTerms(cs[1].Sentence)
	}
	for k := range qr.terms {
		t := &qr.terms[k]
		w := t.weight * t.idf
		if slices.Contains(s2, t.id) {
			cover += w
		}
		if !slices.Contains(sent, t.id) {
			lack += w
			if slices.Contains(s2, t.id) {
				fills += w
			}
		}
		own := t.weight >= 1 && !t.carried
		isName := own && (ix.IsName(t.id) || isDigits(ix.TermText(t.id)))
		if isName {
			names += t.idf
		}
		if inWindow(t.id) {
			continue
		}
		rare = max(rare, t.idf)
		if !own {
			continue
		}
		absent++
		if isName && inArticle(ix, a, t.id) {
			moved += t.idf
		}
		if f[at+4] == 0 && slices.ContainsFunc(antonyms[ix.TermText(t.id)], func(u string) bool {
			id, ok := ix.Lookup(u)
			return ok && inWindow(id)
		}) {
			f[at+4] = 1
		}
	}
	if maxIDF > 0 {
		f[at] = rare / maxIDF
	}
	f[at+1] = math.Log1p(absent)
	if names > 0 {
		f[at+2] = moved / names
	}
	if qr.negated && !slices.ContainsFunc([]int{s - 1, s, s + 1}, func(n int) bool {
		return n >= lo && n < hi && negates(ix.Text(n))
	}) {
		f[at+3] = 1
	}
	if lack > 0 {
		f[at+5] = fills / lack
	}
	f[at+6] = cover / total
}

// negates reports whether s has a word of negation.
func negates(s string) bool {
	for w := range strings.FieldsFuncSeq(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' }) {
		switch w {
		case "not", "no", "never", "without", "none", "nor", "cannot", "neither", "nothing", "nobody":
			return true
		}
		if strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "n’t") {
			return true
		}
	}
	return false
}

// isDigits reports whether s is all digits.
func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
