package answer

import (
	"slices"
	"strings"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// places are countries and their people, folded and lower case. A question
// that names one the corpus never mentions is about somewhere else: "did
// Vietnam sign a defence deal with Thailand?" is refused, however well the
// rest of it matches, where a missing common word ("exactly", "so far")
// only weighs against an answer.
var places = strings.Fields(`
	afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
	belgium bhutan bolivia brazil brunei bulgaria burma cambodia canada chile china colombia croatia
	cuba cyprus czechia denmark ecuador egypt estonia ethiopia finland france georgia germany ghana
	greece hungary iceland india indonesia iran iraq ireland israel italy japan jordan kazakhstan
	kenya korea kuwait kyrgyzstan laos latvia lebanon libya lithuania malaysia maldives mexico
	mongolia morocco myanmar nepal netherlands nigeria norway pakistan peru philippines poland
	portugal qatar romania russia serbia singapore slovakia slovenia somalia spain sudan sweden
	switzerland syria taiwan tajikistan tanzania thailand timor turkey turkmenistan uganda ukraine
	uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe
	american australian brazilian british burmese cambodian canadian chinese filipino french german
	indian indonesian japanese korean lao laotian malaysian russian singaporean thai vietnamese`)

// namesPlace reports whether one of the missing words is a place.
func namesPlace(missing []string) bool {
	for _, w := range missing {
		if slices.Contains(places, strings.ToLower(corpus.Fold(w))) {
			return true
		}
	}
	return false
}

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
func absentName(ix *corpus.Index, qr *query, s int) string {
	a := int(ix.Sentences[s].Article)
	for _, t := range qr.terms {
		if t.weight < 1 || t.form < 0 || len(t.word) < 5 || !ix.IsName(t.id) || ix.InContext(a, t.id) || inArticle(ix, a, t.id) {
			continue // fuzzy and synonym matches, short words, common words, names the article has
		}
		if capitalisesNames(qr.text) && !typedCapital(qr.text, t.word) {
			continue
		}
		if !slices.ContainsFunc(ix.Kin(t.word), func(id corpus.TermID) bool {
			return inArticle(ix, a, id)
		}) {
			// A name, though the question may not capitalise it.
			w := []rune(asTyped(qr.text, t.word))
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

// capitalisesNames reports whether question q has a capitalised word after
// its first: whether its writer capitalises names.
func capitalisesNames(q string) bool {
	first := true
	for w := range strings.FieldsSeq(q) {
		if !first && startsUpper(w) {
			return true
		}
		first = false
	}
	return false
}

// typedCapital reports whether question q has folded word w capitalised.
func typedCapital(q, w string) bool {
	return startsUpper(asTyped(q, w))
}

// asTyped returns the word of question q that folds to w (or to w and a
// suffix such as 's), as q has it, or w when there is none.
func asTyped(q, w string) string {
	for f := range strings.FieldsSeq(q) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if strings.HasPrefix(corpus.Fold(f), w) {
			return f
		}
	}
	return w
}
