package answer

import (
	"math"
	mathbits "math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/corpusbot/corpusbot/corpus"
)

// Weights tune the ranking. A sentence's score is its own BM25 over the
// question's terms, each term weighed by how rare it is in the corpus and,
// in part, by how rare it is within the sentence's own article (a name the
// whole article repeats tells which article, not which sentence); plus a
// share of its article's BM25 (which article the question is about) and of
// its neighbours' scores (a name in the sentence before often stands for the
// "he" in this one). Question-type and recency boosts then rerank the best
// candidates.
type Weights struct {
	K1Sentence, BSentence float64 // BM25 over sentences
	K1Article, BArticle   float64 // BM25 over whole articles
	Local                 float64 // share of a term's weight that depends on its rarity in the article
	Article               float64 // share of the article's normalised BM25 added to each sentence
	Neighbour             float64 // share of each adjacent sentence's score
	Context               float64 // credit every sentence of an article gets for a question term in the article's title or its date's year
	Exact                 float64 // per question word found in the sentence as typed (not only as a stem), times its idf
	Bigram                float64 // per pair of question terms adjacent in the sentence too, times their mean idf
	Fuzzy                 float64 // weight of a term matched only by spelling similarity
	Synonym               float64 // weight of a synonym's term
	TypeBoost             float64 // the sentence holds what the question type asks for
	RecencyBoost          float64 // the newest article, for "now", "current", "latest"
}

// DefaultWeights are tuned on ../shared/eval/seeds-dev.jsonl and SQuAD
// articles 001–024.
var DefaultWeights = Weights{
	K1Sentence: 0.3, BSentence: 0.4,
	K1Article: 1.2, BArticle: 0.75,
	Local:        0.8,
	Article:      0.35,
	Neighbour:    0.15,
	Bigram:       0.3,
	Exact:        0.3,
	Context:      0.8,
	Fuzzy:        0.8,
	Synonym:      0.6,
	TypeBoost:    0.25,
	RecencyBoost: 0.30,
}

// rerankDepth is how many candidates the question-type boosts rerank.
const rerankDepth = 60

// scratch is the per-question working memory, pooled: dense score arrays
// indexed by sentence and by article, and which sentences were touched.
type scratch struct {
	// sent is each sentence's own score, for the sentences of seen: the
	// others' are left from earlier questions, so that release need not
	// clear them.
	sent []float64
	// seen has bit s%64 of word s/64 set for each sentence s that holds
	// a question term.
	seen []uint64
	art  []float64
	ctx  []float64 // by article: credit for question terms in its context
	top  []float64 // by article: the best own score of its sentences, at least 0; then the most any of them can score
	// cands are candidates for rerank, in no order: at most
	// 2·rerankDepth of them, each better than floor once full. floor is
	// the worst of the rerankDepth best when cands was last cut back to
	// them (trim); full, whether it has been.
	cands []cand
	floor cand
	full  bool
	best  []cand
	sink  uint64 // what warm reads, kept so that it is read
}

type cand struct {
	sent  int
	score float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// grow returns s with length n, zeroed when it must be made anew.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func getScratch(ix *corpus.Index) *scratch {
	s := scratchPool.Get().(*scratch)
	s.sent = grow(s.sent, len(ix.Sentences))
	s.seen = grow(s.seen, (len(ix.Sentences)+63)/64)
	s.art = grow(s.art, len(ix.Articles))
	s.ctx = grow(s.ctx, len(ix.Articles))
	s.top = grow(s.top, len(ix.Articles))
	return s
}

func (s *scratch) release() {
	clear(s.seen)
	clear(s.art)
	clear(s.ctx)
	clear(s.top)
	s.cands = s.cands[:0]
	s.full = false
	s.best = s.best[:0]
	scratchPool.Put(s)
}

// lengthNorm is the part of BM25's saturating term-frequency factor that
// depends on the length alone.
func lengthNorm(length, avg, k1, b float64) float64 {
	return k1 * (1 - b + b*length/avg)
}

// normedTF is BM25's saturating term-frequency factor, with the length's
// part worked out already.
func normedTF(tf, norm, k1 float64) float64 {
	return tf * (k1 + 1) / (tf + norm)
}

// rank scores every sentence that holds a question term and returns the
// best n, best first; ties go to the earlier sentence.
func rank(sn *snapshot, qr *Query, n int, w *Weights, sc *scratch) []cand {
	ix := sn.ix
	for _, t := range qr.terms {
		arts := ix.ArticlePostings(t.id)
		if sn.post32 != nil {
			walk(sn, sc, &t, w, arts, sn.post32[sn.postOff[t.id]:sn.postOff[t.id+1]])
		} else {
			walk(sn, sc, &t, w, arts, sn.post64[sn.postOff[t.id]:sn.postOff[t.id+1]])
		}
	}
	for a, c := range sc.ctx {
		// The question names only what article a is about ("What is
		// the immune system?"): none of its sentences was touched, its
		// postings having been skipped, yet the article answers; its
		// lead sentence stands for it.
		if c > 0 && sc.top[a] == 0 {
			if s, end := ix.ArticleSentences(a); s < end && sc.seen[s/64]&(1<<(s%64)) == 0 {
				sc.seen[s/64] |= 1 << (s % 64)
				sc.sent[s] = 0
			}
		}
	}
	var artMax float64
	for _, v := range sc.art {
		if v > artMax {
			artMax = v
		}
	}
	var qmass float64
	for _, t := range qr.terms {
		qmass += t.weight * t.idf
	}
	if artMax > 0 {
		// From here on, each article's share of its BM25 that its
		// sentences get. An article without a question term has
		// none: 0 times a factor of at least 0 is 0 already.
		f, keep := w.Article*qmass, w.Article*qmass >= 0
		for a, v := range sc.art {
			if v != 0 || !keep {
				sc.art[a] = f * v / artMax
			}
		}
	}
	if !(w.Neighbour >= 0) {
		for a := range ix.Articles {
			sc.candidates(ix, a, artMax > 0, w)
		}
		return rerank(ix, qr, n, w, sc)
	}
	// No sentence of article a can score more than the sum worked out
	// as for its score with its article's best own score in place of
	// its own and of each neighbour's: floating-point addition, and
	// multiplication by a Neighbour of at least 0, never decrease when an
	// operand grows. The candidates are taken first from the articles
	// whose bound is near the best, then from those of the others whose
	// bound can still reach the rerankDepth best so far.
	bestBound := math.Inf(-1)
	for a, top := range sc.top {
		b := top + sc.ctx[a]
		if artMax > 0 {
			b += sc.art[a]
		}
		b += w.Neighbour * top
		b += w.Neighbour * top
		sc.top[a] = b
		if b > bestBound {
			bestBound = b
		}
	}
	cut := bestBound - math.Abs(bestBound)*firstCut
	for a, b := range sc.top {
		if b >= cut {
			sc.candidates(ix, a, artMax > 0, w)
		}
	}
	sc.trim()
	for a, b := range sc.top {
		if b < cut && (!sc.full || b >= sc.floor.score) {
			sc.candidates(ix, a, artMax > 0, w)
		}
	}
	return rerank(ix, qr, n, w, sc)
}

// walk adds term t's share to the BM25 of each article of its article
// postings, arts, and to the score of each sentence of its postings, packed
// as sn.post32 or sn.post64 has them, and raises sc.top to the best score
// of an article's sentences.
func walk[E uint32 | uint64](sn *snapshot, sc *scratch, t *qterm, w *Weights, arts []corpus.Posting, post []E) {
	ix := sn.ix
	// Sentence postings come in article order, and each article of the
	// article postings has some: walk those alongside for the article and
	// the term's frequency there.
	ai, a, end, tw := -1, uint32(0), 0, 0.0
	top := 0.0          // the best score so far of a sentence of article a, or 0
	var titled []uint32 // the articles whose context holds t and that are still to come
	if w.Context > 0 {
		titled = sn.titled[sn.titledOff[t.id]:sn.titledOff[t.id+1]]
	}
	shift, mask := sn.postShift, E(1)<<sn.postShift-1
	for i := 0; i < len(post); i++ {
		s := uint32(post[i] >> shift)
		if int(s) >= end {
			if top > sc.top[a] {
				sc.top[a] = top
			}
			top = 0
			ai++
			a = arts[ai].ID
			sc.art[a] += t.weight * t.aidf * normedTF(float64(arts[ai].TF), sn.artNorm[a], w.K1Article)
			_, end = ix.ArticleSentences(int(a))
			for len(titled) > 0 && titled[0] < a {
				titled = titled[1:]
			}
			if len(titled) > 0 && titled[0] == a {
				// Credited to every sentence of the article: skip
				// its postings.
				sc.ctx[a] += t.weight * t.idf * w.Context
				rest := post[i:]
				i += sort.Search(len(rest), func(j int) bool { return int(rest[j]>>shift) >= end }) - 1
				continue
			}
			local := sn.local(int(a), int(arts[ai].TF))
			tw = t.weight * t.idf * (1 - w.Local + w.Local*local)
		}
		v := tw * sn.tfNorm[post[i]&mask]
		if sc.seen[s/64]&(1<<(s%64)) != 0 {
			v += sc.sent[s]
		} else {
			sc.seen[s/64] |= 1 << (s % 64) // sc.sent[s] is stale
		}
		sc.sent[s] = v
		if v > top {
			top = v
		}
	}
	if top > sc.top[a] {
		sc.top[a] = top
	}
}

// firstCut is how far below the best article's bound, as a share of it,
// the bounds of the articles whose candidates are taken first reach.
const firstCut = 0.25

// candidates works out the score of each sentence of article a that holds
// a question term from its own, its article's and its neighbours', and
// keeps in sc.cands those that may be among the rerankDepth best.
func (sc *scratch) candidates(ix *corpus.Index, a int, withArt bool, w *Weights) {
	first, end := ix.ArticleSentences(a)
	sent := sc.sent[:end]
	ctx, art, nb := sc.ctx[a], sc.art[a], w.Neighbour
	for i := first / 64; i*64 < end; i++ {
		bits := sc.seen[i]
		if i*64 < first {
			bits &^= 1<<(first-i*64) - 1
		}
		if end-i*64 < 64 {
			bits &= 1<<(end-i*64) - 1
		}
		for ; bits != 0; bits &= bits - 1 {
			s := i*64 + mathbits.TrailingZeros64(bits)
			score := sent[s] + ctx
			if withArt {
				score += art
			}
			if s > first && sc.seen[(s-1)/64]&(1<<((s-1)%64)) != 0 {
				score += nb * sent[s-1]
			}
			if s+1 < end && sc.seen[(s+1)/64]&(1<<((s+1)%64)) != 0 {
				score += nb * sent[s+1]
			}
			if c := (cand{sent: s, score: score}); !sc.full || worse(sc.floor, c) {
				sc.cands = append(sc.cands, c)
				if len(sc.cands) == 2*rerankDepth {
					sc.trim()
				}
			}
		}
	}
}

// trim keeps the rerankDepth best of sc.cands, when there are that many, and
// makes the worst of them sc.floor.
func (sc *scratch) trim() {
	if len(sc.cands) >= rerankDepth {
		sc.floor = selectBest(sc.cands, rerankDepth)
		sc.cands = sc.cands[:rerankDepth]
		sc.full = true
	}
}

// byScore orders candidates best first; ties go to the earlier sentence.
func byScore(a, b cand) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return a.sent - b.sent
}

// worse reports whether a ranks below b by byScore.
func worse(a, b cand) bool {
	return a.score < b.score || (a.score == b.score && a.sent > b.sent)
}

// selectBest reorders cs so that its k best (by byScore) come first, in no
// order, and returns the worst of them: Hoare's selection, with the median
// of three for pivot. It needs 0 < k ≤ len(cs).
func selectBest(cs []cand, k int) cand {
	lo, hi := 0, len(cs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if worse(cs[lo], cs[mid]) {
			cs[lo], cs[mid] = cs[mid], cs[lo]
		}
		if worse(cs[mid], cs[hi]) {
			cs[mid], cs[hi] = cs[hi], cs[mid]
			if worse(cs[lo], cs[mid]) {
				cs[lo], cs[mid] = cs[mid], cs[lo]
			}
		}
		// cs[lo] ≥ cs[mid] ≥ cs[hi]: partition around cs[mid], put at hi.
		cs[mid], cs[hi] = cs[hi], cs[mid]
		pivot, i := cs[hi], lo
		for j := lo; j < hi; j++ {
			if worse(pivot, cs[j]) {
				cs[i], cs[j] = cs[j], cs[i]
				i++
			}
		}
		cs[i], cs[hi] = cs[hi], cs[i]
		switch {
		case i == k-1:
			return cs[i]
		case i < k-1:
			lo = i + 1
		default:
			hi = i - 1
		}
	}
	return cs[k-1]
}

// rerank adds the bigram and exact-form bonuses to sc.cands, the best
// candidates by score, applies the question-type and recency boosts, and
// returns the best n, best first.
//
// The bonuses need the sentence's terms, and the question-type boost a
// pattern matched over its text, so rerank works down the candidates from
// the best and stops at the first whose score, with the most the bonuses
// and boosts can add, cannot reach the n best reranked so far; it skips
// the pattern for a candidate that could not reach them even boosted.
func rerank(ix *corpus.Index, qr *Query, n int, w *Weights, sc *scratch) []cand {
	newest := newestArticle(ix, qr.recent)
	sc.trim()
	slices.SortFunc(sc.cands, byScore)
	sc.warm(ix, qr.kind != kindOther)
	// Bonuses and boosts only ever add when their weights are not below 0.
	prune := w.Bigram >= 0 && w.Exact >= 0 && w.TypeBoost >= 0 && w.RecencyBoost >= 0
	most := maxBonus(qr, w)
	most += math.Abs(most) * 1e-9 // room for rounding
	lift := boost(qr.kind != kindOther, newest >= 0, w)
	best := sc.best[:0] // the n best so far, best first
	for _, c := range sc.cands {
		if prune && len(best) >= n {
			bound := c.score + most
			bound = max(bound, bound*lift)
			if bound+math.Abs(bound)*1e-9 < best[n-1].score {
				break // nor can any after it
			}
		}
		s := c.sent
		c.score += bonus(ix, qr, s, w)
		recent := newest >= 0 && int(ix.Sentences[s].Article) == newest
		typed := false
		if qr.kind != kindOther {
			if len(best) >= n && max(c.score*boost(true, recent, w), c.score*boost(false, recent, w)) < best[n-1].score {
				continue // cannot reach the n best, even boosted
			}
			typed = satisfies(qr.kind, ix.Text(s), ix.Articles[ix.Sentences[s].Article].Date)
		}
		c.score *= boost(typed, recent, w)
		i, _ := slices.BinarySearchFunc(best, c, byScore)
		if i >= n {
			continue
		}
		if len(best) < n {
			best = append(best, cand{})
		}
		copy(best[i+1:], best[i:])
		best[i] = c
	}
	sc.best = best
	return best
}

// warmDepth is how many of the best candidates warm reads ahead.
const warmDepth = 16

// warm reads a little of what rerank reads of each of the best warmDepth
// candidates, their terms and, when typed, their text: reads that do not
// wait on each other, so that the memory they miss is fetched at once,
// not one candidate after another.
func (sc *scratch) warm(ix *corpus.Index, typed bool) {
	var sum uint64
	for _, c := range sc.cands[:min(len(sc.cands), warmDepth)] {
		terms, forms := ix.SentenceTerms(c.sent), ix.SentenceForms(c.sent)
		if len(terms) > 0 {
			sum += uint64(terms[0]) + uint64(forms[0])
		}
		if typed {
			if t := ix.Text(c.sent); len(t) > 0 {
				sum += uint64(t[0])
			}
		}
	}
	sc.sink += sum
}

// maxBonus is the most bonus can give a sentence of the question: every
// pair of its terms adjacent, every word as typed.
func maxBonus(qr *Query, w *Weights) float64 {
	var bi, ex float64
	for i := 0; i+1 < len(qr.seq); i++ {
		if a, b := qr.seq[i], qr.seq[i+1]; a >= 0 && b >= 0 && a != b {
			bi += (qr.terms[a].idf + qr.terms[b].idf) / 2
		}
	}
	for _, t := range qr.terms {
		if t.weight >= 1 && t.form >= 0 {
			ex += t.idf
		}
	}
	return w.Bigram*bi + w.Exact*ex
}

// bonus is Weights.Bigram times bigrams plus Weights.Exact times exact for
// sentence s. For a question of up to 64 terms it finds both in one pass
// over the sentence's terms, as bit sets over the question's terms.
func bonus(ix *corpus.Index, qr *Query, s int, w *Weights) float64 {
	if len(qr.terms) > 64 {
		return w.Bigram*bigrams(ix, qr, s) + w.Exact*exact(ix, qr, s)
	}
	var (
		next  [64]uint64 // next[a] has b when term b follows term a within two terms
		typed uint64     // the terms found as typed
	)
	terms, forms := ix.SentenceTerms(s), ix.SentenceForms(s)
	prev1, prev2 := -1, -1 // the question terms of the last two words
	for j, id := range terms {
		k := -1
		if qr.mask&(1<<(id&63)) != 0 {
			k = qr.index(id)
		}
		if k >= 0 {
			if prev1 >= 0 {
				next[prev1] |= 1 << k
			}
			if prev2 >= 0 {
				next[prev2] |= 1 << k
			}
			if int(forms[j]) == qr.terms[k].form {
				typed |= 1 << k
			}
		}
		prev2, prev1 = prev1, k
	}
	// Sum as bigrams and exact do, in the same order.
	var bi, ex float64
	for i := 0; i+1 < len(qr.seq); i++ {
		a, b := qr.seq[i], qr.seq[i+1]
		if a >= 0 && b >= 0 && a != b && next[a]&(1<<b) != 0 {
			bi += (qr.terms[a].idf + qr.terms[b].idf) / 2
		}
	}
	for k, t := range qr.terms {
		if t.weight >= 1 && t.form >= 0 && typed&(1<<k) != 0 {
			ex += t.idf
		}
	}
	return w.Bigram*bi + w.Exact*ex
}

// boost is the factor a candidate's score is multiplied by: TypeBoost when
// the sentence holds what the question asks for, RecencyBoost when it is
// from the newest article.
func boost(typed, recent bool, w *Weights) float64 {
	b := 1.0
	if typed {
		b += w.TypeBoost
	}
	if recent {
		b += w.RecencyBoost
	}
	return b
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

// localRarity is how rare a term that occurs tf times in an article of n
// sentences is there, from 1 (once in a long article) down towards 0.
// logN is log(1 + n).
func localRarity(n, tf int, logN float64) float64 {
	if n <= 1 || tf == 1 {
		return 1 // once: log(1 + n) / log(1 + n)
	}
	return math.Log(1+float64(n)/float64(tf)) / logN
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
