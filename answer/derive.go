package answer

import (
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// Derivation links a question's term to the corpus's terms of the same root
// that the stemmer keeps apart: "inventor" and "invented" (stems inventor
// and invent), "memory" and "memorizing", "defeat" and "defeated" stay
// together already. The query stage adds a term's kin (derivedOf) at
// Weights.Derived of its weight; decide counts a sentence that holds one as
// holding the term.

// derivSuffixes are the derivational endings root strips from a stem, the
// first that leaves at least minRoot letters: agent and abstract nouns,
// adjectives, and the endings the stemmer leaves of them ("memori").
var derivSuffixes = [...]string{"ation", "ition", "ment", "ness", "ance", "ence", "ical", "ship",
	"ity", "ism", "ist", "ive", "ous", "ant", "ent", "ian", "al", "er", "or", "ic", "an", "e", "i", "y"}

// minRoot is the fewest letters a root keeps: shorter ones join unrelated
// words ("part", "party").
const minRoot = 5

// root returns stem t without its derivational ending, or t.
func root(t string) string {
	for _, suf := range derivSuffixes {
		if strings.HasSuffix(t, suf) && len(t)-len(suf) >= minRoot {
			return t[:len(t)-len(suf)]
		}
	}
	return t
}

// derivations groups the terms of ix by root, for the roots of two terms
// or more; numbers have none.
func derivations(ix *corpus.Index) map[string][]corpus.TermID {
	all := map[string][]corpus.TermID{}
	for id := range ix.NumTerms() {
		t := ix.TermText(corpus.TermID(id))
		if len(t) < minRoot || isDigit(t[0]) {
			continue
		}
		r := root(t)
		all[r] = append(all[r], corpus.TermID(id))
	}
	for r, ids := range all {
		if len(ids) < 2 {
			delete(all, r)
		}
	}
	return all
}

// derived returns the other terms of the root of term id.
func (sn *snapshot) derived(id corpus.TermID) []corpus.TermID {
	t := sn.ix.TermText(id)
	if len(t) < minRoot || isDigit(t[0]) {
		return nil
	}
	return sn.roots[root(t)]
}
