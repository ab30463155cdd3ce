package answer

import (
	"math"
	"slices"

	"github.com/corpusbot/corpusbot/corpus"
)

// The signals stage: every part of a candidate's score is a named Signal of
// the one table, signals. The retriever works out the first four in its
// postings walk; this stage works out the others for the retriever's best
// candidates, and keeps each candidate's values in its Parts, so that a
// score can be explained.
//
// To add a signal: add its weight to Weights and DefaultWeights, a row to
// signals with its Score and Max, and a test that a sentence with what it
// rewards beats one without.

// Weights tune the ranking. A sentence's score is its own BM25 over the
// question's terms, each term weighed by how rare it is in the corpus and,
// in part, by how rare it is within the sentence's own article (a name the
// whole article repeats tells which article, not which sentence); plus a
// share of its article's BM25 (which article the question is about) and of
// its neighbours' scores (a name in the sentence before often stands for the
// "he" in this one), and of the question's terms its previous sentence holds
// and it lacks (what "It" or "This" stands for); plus bonuses for the
// question's words as typed and in its order, times the question-type and
// recency boosts (the rows of signals). They are the only weights: an Engine's snapshot holds its copy.
type Weights struct {
	K1Sentence, BSentence float64 // BM25 over sentences
	K1Article, BArticle   float64 // BM25 over whole articles
	Local                 float64 // share of a term's weight that depends on its rarity in the article
	Article               float64 // share of the article's normalised BM25 added to each sentence
	Neighbour             float64 // share of each adjacent sentence's score
	Inherit               float64 // share of the weight of the question's terms a sentence that refers back inherits from the sentence before it
	Context               float64 // credit every sentence of an article gets for a question term in the article's title or its date's year
	Exact                 float64 // per question word found in the sentence as typed (not only as a stem), times its idf
	Bigram                float64 // per pair of question terms adjacent in the sentence too, times their mean idf
	Fuzzy                 float64 // weight of a term matched only by spelling similarity
	Synonym               float64 // weight of a synonym's term
	Derived               float64 // weight of a term of the same root as a question term's (derive.go)
	TypeBoost             float64 // the sentence holds what the question type asks for
	RecencyBoost          float64 // the newest article, for "now", "current", "latest"
	Carry                 float64 // weight of a term carried over to a follow-up from its context's question
	PreviousBoost         float64 // the previous answer's article, for a follow-up
}

// DefaultWeights are tuned on ../shared/eval/seeds-dev.jsonl and SQuAD
// articles 001–024.
var DefaultWeights = Weights{
	K1Sentence: 0.3, BSentence: 0.4,
	K1Article: 1.2, BArticle: 0.75,
	Local:        0.8,
	Article:      0.35,
	Neighbour:    0.15,
	Inherit:      0.4,
	Bigram:       0.3,
	Exact:        0.3,
	Context:      0.8,
	Fuzzy:        0.8,
	Synonym:      0.6,
	Derived:      0.3,
	TypeBoost:    0.25,
	RecencyBoost: 0.30,
	// Carry and PreviousBoost: measured on the dev half of
	// testdata/followups.jsonl (TestFollowUps).
	Carry:         0.2,
	PreviousBoost: 0.5,
}

// A Signal is one named part of a candidate's score. A candidate's score is
// the sum of its additive signals' value times weight, times 1 plus the sum
// of its factor signals' value times weight.
type Signal struct {
	Name string
	// Weight is the signal's weight, one of Weights.
	Weight func(w *Weights) float64
	// Factor signals multiply the sum of the additive ones (by 1 plus
	// their value times weight) rather than add to it.
	Factor bool
	// Score is the signal's value for one candidate; nil for the
	// retriever's signals, which its postings walk works out with their
	// weights in them (their Weight is 1).
	Score func(v *view) float64
	// Max is the most Score gives any candidate of the question: the
	// bound the signals stage prunes with. nil for the retriever's.
	Max func(qs *scoring) float64
}

// The retriever's signals, the first rows of signals.
const (
	signalBM25       = iota // the sentence's own BM25 over the question's terms (Weights.K1Sentence, BSentence, Local)
	signalContext           // the article's title and date hold question terms (Weights.Context)
	signalArticle           // the article's BM25, normalised (Weights.Article, K1Article, BArticle)
	signalNeighbours        // the adjacent sentences' own scores (Weights.Neighbour)
	firstStage              // the rows from here on are this stage's
)

// signals are every signal of the ranking, in the order a score adds them.
var signals = [...]Signal{
	signalBM25:       {Name: "bm25", Weight: weighedInWalk},
	signalContext:    {Name: "context", Weight: weighedInWalk},
	signalArticle:    {Name: "article", Weight: weighedInWalk},
	signalNeighbours: {Name: "neighbours", Weight: weighedInWalk},
	{
		Name:   "bigram", // pairs of the question's terms adjacent in the sentence too: mean idf
		Weight: func(w *Weights) float64 { return w.Bigram },
		Score:  bigramScore, Max: bigramMax,
	},
	{
		Name:   "exact", // the question's words found as typed, not only as a stem: idf
		Weight: func(w *Weights) float64 { return w.Exact },
		Score:  exactScore, Max: exactMax,
	},
	{
		Name:   "inherit", // the question's terms the previous sentence holds and this one lacks: their weight, less for a sentence that does not refer back
		Weight: func(w *Weights) float64 { return w.Inherit },
		Score:  inheritScore, Max: inheritMax,
	},
	{
		Name:   "type", // the sentence holds what the question asks for: 1 or 0
		Weight: func(w *Weights) float64 { return w.TypeBoost },
		Factor: true,
		Score:  typeScore, Max: typeMax,
	},
	{
		Name:   "recency", // the sentence is from the newest article, asked for the current state: 1 or 0
		Weight: func(w *Weights) float64 { return w.RecencyBoost },
		Factor: true,
		Score:  recencyScore, Max: recencyMax,
	},
	{
		Name:   "previous", // a follow-up's sentence is from the previous answer's article: 1 or 0
		Weight: func(w *Weights) float64 { return w.PreviousBoost },
		Factor: true,
		Score:  previousScore, Max: previousMax,
	},
}

func weighedInWalk(*Weights) float64 { return 1 }

// Parts are a candidate's value for each signal, by its row in signals.
type Parts [len(signals)]float64

// A Candidate is a sentence that may answer the question, its score, and
// the values of the signals the score is made of.
type Candidate struct {
	Sentence int // the sentence's number in the index
	Score    float64
	Parts    Parts
	// basis is the sentence whose match with the question the
	// candidate's place rests on: its own, or, when a rerank rule put it
	// ahead of the best match because that match sets its scene or dates
	// it, that match's. decide judges the match on it.
	basis int
	// rule names the rerank rule that put the candidate first, or "".
	rule string
}

// candidateOrder orders candidates best first; ties go to the earlier
// sentence.
func candidateOrder(a, b Candidate) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return a.Sentence - b.Sentence
}

// A scoring is what the signals read of one question.
type scoring struct {
	sn     *snapshot
	qr     *Query
	newest int // the newest article, when the question asks for the current state; or -1
}

// A view is one candidate sentence as the signals see it.
type view struct {
	*scoring
	s int
	// For a question of up to 64 terms, one pass over the sentence's
	// terms finds, as bit sets over the question's terms: next[a] has b
	// when term b follows term a within two terms; typed, the terms
	// found as typed.
	next  [64]uint64
	typed uint64
	held  uint64 // the question's terms the sentence holds
	// news are the termFacts of the sentence's terms that are not the
	// question's: what it says beyond what the question names.
	news fact
}

// load makes v a view of sentence s.
func (v *view) load(s int) {
	v.s = s
	qr := v.qr
	if len(qr.terms) > 64 {
		return
	}
	ix := v.sn.ix
	v.next, v.typed, v.held, v.news = [64]uint64{}, 0, 0, 0
	terms, forms := ix.SentenceTerms(s), ix.SentenceForms(s)
	prev1, prev2 := -1, -1 // the question terms of the last two words
	for j, id := range terms {
		k := -1
		if qr.mask&(1<<(id&63)) != 0 {
			k = qr.index(id)
		}
		if k < 0 {
			v.news |= v.sn.termFacts[id]
		}
		if k >= 0 {
			v.held |= 1 << k
			if prev1 >= 0 {
				v.next[prev1] |= 1 << k
			}
			if prev2 >= 0 {
				v.next[prev2] |= 1 << k
			}
			if int(forms[j]) == qr.terms[k].form {
				v.typed |= 1 << k
			}
		}
		prev2, prev1 = prev1, k
	}
}

// score works out the signals of this stage for cs, the retriever's
// candidates best first, and returns the best n, best first.
//
// Some signals need the sentence's terms, and the type signal a fact of
// the sentence, so score works down the candidates from the best and stops
// at the first whose score, with the most every signal can add (Max),
// cannot reach the n best so far.
func score(sn *snapshot, qr *Query, n int, cs []cand, sc *scratch) []Candidate {
	ix, w := sn.ix, sn.w
	// The view is the scratch's: the signals' Score funcs would make it
	// escape to the heap.
	v := &sc.view
	v.scoring = &sc.scoring
	qs := v.scoring
	*qs = scoring{sn: sn, qr: qr, newest: newestArticle(ix, qr.recent)}
	sc.warm(sn, cs)
	var weight [len(signals)]float64
	// Signals only ever add when their weights are not below 0.
	prune, most, lift := true, 0.0, 1.0
	for i := firstStage; i < len(signals); i++ {
		sg := &signals[i]
		weight[i] = sg.Weight(w)
		prune = prune && weight[i] >= 0
		if sg.Factor {
			lift += weight[i] * sg.Max(qs)
		} else {
			most += weight[i] * sg.Max(qs)
		}
	}
	most += math.Abs(most) * 1e-9 // room for rounding
	best := sc.best[:0]           // the n best so far, best first
	for _, c := range cs {
		if prune && len(best) >= n {
			bound := c.score + most
			bound = max(bound, bound*lift)
			if bound+math.Abs(bound)*1e-9 < best[n-1].Score {
				break // nor can any after it
			}
		}
		v.load(c.sent)
		k := Candidate{Sentence: c.sent, basis: c.sent}
		add, factor := 0.0, 1.0
		for i := firstStage; i < len(signals); i++ {
			x := signals[i].Score(v)
			k.Parts[i] = x
			if signals[i].Factor {
				factor += weight[i] * x
			} else {
				add += weight[i] * x
			}
		}
		k.Score = (c.score + add) * factor
		i, _ := slices.BinarySearchFunc(best, k, candidateOrder)
		if i >= n {
			continue
		}
		if len(best) < n {
			best = append(best, Candidate{})
		}
		copy(best[i+1:], best[i:])
		best[i] = k
	}
	for i := range best {
		p := &best[i].Parts
		p[signalBM25], p[signalContext], p[signalArticle], p[signalNeighbours] = sc.parts(ix, best[i].Sentence, w)
	}
	sc.best = best
	*qs = scoring{} // let go of the snapshot
	return best
}

// warmDepth is how many of the best candidates warm reads ahead.
const warmDepth = 16

// warm reads a little of what the signals read of each of the best
// warmDepth candidates, their terms and facts: reads that do not wait on
// each other, so that the memory they miss is fetched at once, not one
// candidate after another.
func (sc *scratch) warm(sn *snapshot, cs []cand) {
	var sum uint64
	for _, c := range cs[:min(len(cs), warmDepth)] {
		terms, forms := sn.ix.SentenceTerms(c.sent), sn.ix.SentenceForms(c.sent)
		if len(terms) > 0 {
			sum += uint64(terms[0]) + uint64(forms[0])
		}
		sum += uint64(sn.facts[c.sent])
	}
	sc.sink += sum
}

// bigramScore sums the mean idf of each pair of terms that stand next to
// each other in the question and within two terms of each other, in that
// order, in the sentence.
func bigramScore(v *view) float64 {
	qr := v.qr
	if len(qr.terms) > 64 {
		return bigrams(v.sn.ix, qr, v.s)
	}
	var bi float64
	for i := 0; i+1 < len(qr.seq); i++ {
		a, b := qr.seq[i], qr.seq[i+1]
		if a >= 0 && b >= 0 && a != b && v.next[a]&(1<<b) != 0 {
			bi += (qr.terms[a].idf + qr.terms[b].idf) / 2
		}
	}
	return bi
}

// bigramMax is bigramScore with every pair adjacent.
func bigramMax(qs *scoring) float64 {
	qr := qs.qr
	var bi float64
	for i := 0; i+1 < len(qr.seq); i++ {
		if a, b := qr.seq[i], qr.seq[i+1]; a >= 0 && b >= 0 && a != b {
			bi += (qr.terms[a].idf + qr.terms[b].idf) / 2
		}
	}
	return bi
}

// exactScore sums the idf of the question's words that the sentence holds
// as typed, folded: "minister" in a question prefers "Minister" to
// "ministers".
func exactScore(v *view) float64 {
	qr := v.qr
	if len(qr.terms) > 64 {
		return exact(v.sn.ix, qr, v.s)
	}
	var ex float64
	for k, t := range qr.terms {
		if t.weight >= 1 && t.form >= 0 && v.typed&(1<<k) != 0 {
			ex += t.idf
		}
	}
	return ex
}

// exactMax is exactScore with every word as typed.
func exactMax(qs *scoring) float64 {
	var ex float64
	for _, t := range qs.qr.terms {
		if t.weight >= 1 && t.form >= 0 {
			ex += t.idf
		}
	}
	return ex
}

// looseInherit is the share of what it inherits (inheritScore) that a
// sentence gets when it does not open by referring back: one that goes on
// about what the sentence before it named often names it no more, whatever
// its first word.
const looseInherit = 0.35

// inheritScore sums the weight of the question's terms that the sentence
// before this one in its article holds and this one lacks, times
// looseInherit unless this one opens by referring back ("This is called
// antigenic variation.", "It was founded in 1890."): what a pronoun stands
// for is most often named just before it. 0 for an article's first
// sentence, and for a question of over 64 terms.
func inheritScore(v *view) float64 {
	ix, qr := v.sn.ix, v.qr
	first, _ := ix.ArticleSentences(int(ix.Sentences[v.s].Article))
	if v.s == first || len(qr.terms) > 64 {
		return 0
	}
	w := maskWeight(qr, heldMask(ix, qr, v.s-1)&^v.held)
	if !v.sn.has(v.s, factRefersBack) {
		w *= looseInherit
	}
	return w
}

// inheritMax is the weight of all the question's terms.
func inheritMax(qs *scoring) float64 {
	var w float64
	for _, t := range qs.qr.terms {
		w += t.weight * t.idf
	}
	return w
}

// typeScore is 1 when the sentence holds what the question asks for and
// does not name already (news), else 0: a number that is not a year for a
// how many, a date for a when, a place and a name for a where; a name for a
// who. "When did Tesla move to Prague in 1880?" is not answered by a
// sentence whose only date is 1880. For a question of over 64 terms, the
// sentence need only hold what it asks for.
func typeScore(v *view) float64 {
	k := v.qr.kind
	if !v.sn.answers(v.s, k) {
		return 0
	}
	if typeNews[k] == 0 || len(v.qr.terms) > 64 || v.news&typeNews[k] != 0 {
		return 1
	}
	return 0
}

// typeNews is the termFacts of what answers each kind of question, or 0
// when what answers need not be news. A who's does not: measured on the
// SQuAD dev half, a name not in the question (corpus.Index.IsName) lost
// more than it won.
var typeNews = [...]fact{kindWhen: factDate, kindCount: factNumber, kindWhere: factName, kindWho: 0, kindOther: 0}

func typeMax(qs *scoring) float64 {
	if qs.qr.kind != kindOther {
		return 1
	}
	return 0
}

// recencyScore is 1 when the question asks for the current state and the
// sentence is from the newest article, else 0.
func recencyScore(v *view) float64 {
	if v.newest >= 0 && int(v.sn.ix.Sentences[v.s].Article) == v.newest {
		return 1
	}
	return 0
}

func recencyMax(qs *scoring) float64 {
	if qs.newest >= 0 {
		return 1
	}
	return 0
}

// bigrams sums the mean idf of each pair of terms that stand next to each
// other in the question and within two terms of each other, in that order,
// in sentence s.
func bigrams(ix *corpus.Index, qr *Query, s int) float64 {
	terms := ix.SentenceTerms(s)
	var sum float64
	for i := 0; i+1 < len(qr.seq); i++ {
		a, b := qr.seq[i], qr.seq[i+1]
		if a < 0 || b < 0 || a == b {
			continue
		}
		ta, tb := qr.terms[a].id, qr.terms[b].id
		for j, id := range terms {
			if id != ta {
				continue
			}
			if (j+1 < len(terms) && terms[j+1] == tb) || (j+2 < len(terms) && terms[j+2] == tb) {
				sum += (qr.terms[a].idf + qr.terms[b].idf) / 2
				break
			}
		}
	}
	return sum
}

// exact sums the idf of the question's words that sentence s holds as
// typed, folded: "minister" in a question prefers "Minister" to "ministers".
func exact(ix *corpus.Index, qr *Query, s int) float64 {
	terms, forms := ix.SentenceTerms(s), ix.SentenceForms(s)
	var sum float64
	for _, t := range qr.terms {
		if t.weight < 1 || t.form < 0 {
			continue // fuzzy and synonym matches are not as typed
		}
		for j, id := range terms {
			if id == t.id && int(forms[j]) == t.form {
				sum += t.idf
				break
			}
		}
	}
	return sum
}

// newestArticle returns the article with the latest date, or -1 when the
// question does not ask for the current state or no article is dated.
func newestArticle(ix *corpus.Index, recent bool) int {
	if !recent {
		return -1
	}
	best, date := -1, ""
	for i, a := range ix.Articles {
		if a.Date > date {
			best, date = i, a.Date
		}
	}
	return best
}
