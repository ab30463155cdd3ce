package answer

import (
	"math"
	mathbits "math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/corpusbot/corpusbot/corpus"
)

// The retrieve stage: a Retriever finds a question's first-stage
// candidates, the sentences that hold its terms, scored by the signals its
// postings walk works out (signalBM25, signalContext, signalArticle and
// signalNeighbours), and keeps the rerankDepth best of them for the
// signals stage.

// rerankDepth is how many candidates the retriever hands on to the signals
// stage.
const rerankDepth = 60

// A Retriever finds the first-stage candidates of questions in one
// snapshot: today's postings walk over the snapshot's packed postings. It
// is the seam an external index would stand in at.
type Retriever struct {
	sn *snapshot
}

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
	// cands are candidates for the signals stage, in no order: at most
	// 2·rerankDepth of them, each better than floor once full. floor is
	// the worst of the rerankDepth best when cands was last cut back to
	// them (trim); full, whether it has been.
	cands []cand
	floor cand
	full  bool
	best  []Candidate
	// view and scoring are the signals stage's, here so as not to be
	// made anew for each question.
	view    view
	scoring scoring
	sink    uint64 // what warm reads, kept so that it is read
	// withArt is whether the candidates' scores have their article's
	// share of its BM25: whether any article holds a question term.
	withArt bool
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

// Retrieve scores every sentence that holds a term of qr in sc and returns
// the rerankDepth best, best first by their first-stage score; ties go to
// the earlier sentence. The slice is sc's.
func (r Retriever) Retrieve(qr *Query, sc *scratch) []cand {
	sn := r.sn
	ix, w := sn.ix, sn.w
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
	sc.withArt = artMax > 0
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
		return sc.ranked()
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
	return sc.ranked()
}

// ranked keeps the rerankDepth best of sc.cands and sorts them, best first.
func (sc *scratch) ranked() []cand {
	sc.trim()
	slices.SortFunc(sc.cands, byScore)
	return sc.cands
}

// parts returns the first-stage signals of candidate sentence s, as
// candidates and Retrieve added them up: s's own BM25, its article's
// context credit and share of the article's BM25, and its neighbours'
// share. Their sum, in that order, is s's first-stage score.
func (sc *scratch) parts(ix *corpus.Index, s int, w *Weights) (own, ctx, art, nb float64) {
	a := int(ix.Sentences[s].Article)
	first, end := ix.ArticleSentences(a)
	own, ctx = sc.sent[s], sc.ctx[a]
	if sc.withArt {
		art = sc.art[a]
	}
	if s > first && sc.seen[(s-1)/64]&(1<<((s-1)%64)) != 0 {
		nb += w.Neighbour * sc.sent[s-1]
	}
	if s+1 < end && sc.seen[(s+1)/64]&(1<<((s+1)%64)) != 0 {
		nb += w.Neighbour * sc.sent[s+1]
	}
	return own, ctx, art, nb
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

// localRarity is how rare a term that occurs tf times in an article of n
// sentences is there, from 1 (once in a long article) down towards 0.
// logN is log(1 + n).
func localRarity(n, tf int, logN float64) float64 {
	if n <= 1 || tf == 1 {
		return 1 // once: log(1 + n) / log(1 + n)
	}
	return math.Log(1+float64(n)/float64(tf)) / logN
}
