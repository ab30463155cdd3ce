package answer

import (
	"slices"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// absentName returns the word of a name the question asks about, as typed,
// that the article of sentence s never uses in any form, or "". The best
// sentence's article is about something else when it lacks one of the
// people, places or bodies the question names: "when did Khamliang take
// over as defence minister?" is not answered by an article on his
// predecessor, however well the rest of it matches.
//
// A name is a term the corpus capitalises (corpus.Index.IsName) of at least
// five letters, typed as the corpus has it; when the question capitalises
// some word after its first, only the words it capitalises.
func absentName(ix *corpus.Index, qr *Query, s int) string {
	a := int(ix.Sentences[s].Article)
	for _, t := range qr.terms {
		if !mayName(ix, &t) || ix.InContext(a, t.id) || inArticle(ix, a, t.id) {
			continue // fuzzy and synonym matches, short words, common words, names the article has
		}
		if qr.capitalises && !startsUpper(t.typed) {
			continue
		}
		if !slices.ContainsFunc(ix.Kin(t.word), func(id corpus.TermID) bool {
			return inArticle(ix, a, id)
		}) {
			// A name, though the question may not capitalise it.
			w := []rune(t.typed)
			w[0] = unicode.ToUpper(w[0])
			return string(w)
		}
	}
	return ""
}

// inArticle reports whether article a uses term id.
func inArticle(ix *corpus.Index, a int, id corpus.TermID) bool {
	_, ok := slices.BinarySearchFunc(ix.ArticlePostings(id), uint32(a), func(p corpus.Posting, a uint32) int {
		return int(p.ID) - int(a)
	})
	return ok
}
