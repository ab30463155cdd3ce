package answer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// The decide stage: answer, or refuse, on the first candidate after
// reranking, judging the match its place rests on (Candidate.basis).

// A RefusalKind is why a question was refused.
type RefusalKind string

// The reasons to refuse.
const (
	RefusedTooLong      RefusalKind = "too_long"      // the question is longer than Options.MaxQuestion
	RefusedNoWords      RefusalKind = "no_words"      // the question has no letter or digit
	RefusedUnknownWords RefusalKind = "unknown_words" // the corpus uses none of the question's words
	RefusedNoMatch      RefusalKind = "no_match"      // no sentence holds a term of the question
	RefusedUnknownPlace RefusalKind = "unknown_place" // the question names a place the corpus never mentions
	RefusedNoFigure     RefusalKind = "no_figure"     // a "how many" question, and the best sentences give no count
	RefusedOffTopic     RefusalKind = "off_topic"     // words the corpus never uses carry much of the question
	RefusedWeakMatch    RefusalKind = "weak_match"    // the best sentence holds too little of the question
	RefusedAbsentName   RefusalKind = "absent_name"   // the best sentence's article lacks a name the question asks about
	RefusedUnsure       RefusalKind = "unsure"        // the confidence is below the hedge threshold
)

// A Refusal says why a question has no answer.
type Refusal struct {
	Kind RefusalKind `json:"kind"`
	// Missing are the words the corpus lacks: those of the question it
	// never uses, as typed; for RefusedAbsentName, the name the best
	// sentence's article lacks; for RefusedUnsure, the rarest of the
	// question's words that the best sentence's article lacks.
	Missing []string `json:"missing,omitempty"`
	// message is the Result's Answer.
	message string
}

// Refusal thresholds. A word the corpus never uses weighs missingShare of
// the corpus's rarest term. The question is refused when such words carry
// maxMissing of its weight (the corpus is not about it), or when the best
// sentence holds less than minCoverage of it.
const (
	minCoverage  = 0.2
	missingShare = 0.5
	maxMissing   = 0.45
)

// decide returns why the question qr is not answered by cs, its reranked
// candidates, or nil when it is.
func decide(sn *snapshot, qr *Query, cs []Candidate) *Refusal {
	ix := sn.ix
	refuse := func(k RefusalKind) *Refusal {
		return &Refusal{Kind: k, Missing: qr.missing, message: refusal(qr)}
	}
	switch {
	case len(qr.terms) == 0:
		return refuse(RefusedUnknownWords)
	case len(cs) == 0:
		return refuse(RefusedNoMatch)
	case qr.missingPlace:
		return refuse(RefusedUnknownPlace)
	case bare(qr) != "":
		return refuse(bare(qr))
	}
	first := cs[0]
	if qr.kind == kindCount && !givesNumberOf(sn, qr, first.Sentence) {
		return refuse(RefusedNoFigure)
	}
	missingIDF := missingShare * idf(len(ix.Sentences), 0)
	if missingWeight(qr, missingIDF) >= maxMissing {
		return refuse(RefusedOffTopic)
	}
	if coverage(ix, qr, first.basis, missingIDF) < minCoverage {
		return refuse(RefusedWeakMatch)
	}
	if name := absentName(ix, qr, first.basis); name != "" {
		return &Refusal{Kind: RefusedAbsentName, Missing: []string{name},
			message: fmt.Sprintf("The corpus does not say; what matches best does not mention %s.", name)}
	}
	return nil
}

// givesNumberOf reports whether sentence s gives a number of what the "how
// many" question qr counts, or some count (givesCount).
func givesNumberOf(sn *snapshot, qr *Query, s int) bool {
	text := sn.ix.Text(s)
	return len(qr.counted) > 0 && countsThing(text, qr.counted, qr.term) || givesCount(sn.ix, qr, text)
}

// refusal says why there is no answer, naming what the corpus lacks.
func refusal(qr *Query) string {
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

// coverage is the share of the question's weight that sentence s holds.
func coverage(ix *corpus.Index, qr *Query, s int, missingIDF float64) float64 {
	var total, have float64
	terms := ix.SentenceTerms(s)
	a := int(ix.Sentences[s].Article)
	// A term of the same root as a question term's stands for it.
	var kin uint64
	for _, t := range qr.terms {
		if t.derivedOf > 0 && (slices.Contains(terms, t.id) || ix.InContext(a, t.id)) {
			kin |= 1 << (t.derivedOf - 1)
		}
	}
	for k, t := range qr.terms {
		if t.derivedOf > 0 {
			continue
		}
		w := t.weight * t.idf
		total += w
		if slices.Contains(terms, t.id) || ix.InContext(a, t.id) || k < 64 && kin&(1<<k) != 0 {
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

// unsure is the refusal of a question whose confidence is below the hedge
// threshold: it names up to three of the question's words, rarest first,
// that the best sentence's article lacks (as the question has them, when
// they may name someone), or the words the corpus never uses.
func unsure(sn *snapshot, qr *Query, cs []Candidate) *Refusal {
	ix := sn.ix
	a := int(ix.Sentences[cs[0].Sentence].Article)
	var lack []qterm
	for _, t := range qr.terms {
		if t.weight >= 1 && !inArticle(ix, a, t.id) && !ix.InContext(a, t.id) {
			lack = append(lack, t)
		}
	}
	slices.SortStableFunc(lack, func(x, y qterm) int { return cmpFloat(y.idf, x.idf) })
	var words []string
	for _, t := range lack[:min(len(lack), 3)] {
		w := t.typed
		if w == "" {
			w = t.word
		}
		words = append(words, w)
	}
	r := &Refusal{Kind: RefusedUnsure, Missing: words}
	switch {
	case len(qr.missing) > 0:
		r.Missing = qr.missing
		r.message = refusal(qr)
	case len(words) > 0:
		r.message = fmt.Sprintf("The articles do not seem to answer this: what matches best does not mention %s.", joinOr(words))
	default:
		r.message = "The articles do not seem to answer this: no passage matches it well enough."
	}
	return r
}
