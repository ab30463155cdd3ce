package answer

import (
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/corpusbot/corpusbot/corpus"
)

// Ranking constants. A sentence's score is its own BM25 over the question's
// terms, plus a share of its article's BM25 (which article the question is
// about) and of its neighbours' scores (a name in the sentence before often
// stands for the "he" in this one); question-type and recency boosts then
// rerank the best candidates.
const (
	k1Sentence = 1.2
	bSentence  = 0.75
	k1Article  = 1.2
	bArticle   = 0.75

	articleWeight   = 0.35 // share of the article's normalised BM25
	neighbourWeight = 0.15 // share of each adjacent sentence's score
	fuzzyWeight     = 0.8  // a term matched only by spelling similarity
	rerankDepth     = 60   // candidates the question-type boosts rerank

	typeBoost    = 0.25 // the sentence holds what the question type asks for
	recencyBoost = 0.30 // the newest article, for "now", "current", "latest"
)

// A qterm is one distinct term of a question.
type qterm struct {
	id     corpus.TermID
	word   string  // the word as typed, folded
	weight float64 // occurrences in the question, less for fuzzy matches
	idf    float64 // over sentences
	aidf   float64 // over articles
}

// A query is an analysed question.
type query struct {
	text    string
	terms   []qterm
	missing []string // words of the question the corpus never uses
	kind    kind
	recent  bool // asks for the current state: "now", "current", "latest"
}

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// parse analyses a question against ix: each word's term, or failing that
// the terms of corpus words spelled like it, or failing that a missing word.
func parse(ix *corpus.Index, q string) query {
	qr := query{text: q, kind: classify(q), recent: asksRecent(q)}
	nS, nA := len(ix.Sentences), len(ix.Articles)
	add := func(id corpus.TermID, word string, w float64) {
		for i := range qr.terms {
			if qr.terms[i].id == id {
				qr.terms[i].weight += w
				return
			}
		}
		qr.terms = append(qr.terms, qterm{
			id: id, word: word, weight: w,
			idf:  idf(nS, len(ix.Postings(id))),
			aidf: idf(nA, len(ix.ArticlePostings(id))),
		})
	}
	for _, t := range corpus.Analyze(q) {
		word := corpus.Fold(q[t.Start:t.End])
		if id, ok := ix.Lookup(t.Term); ok {
			add(id, word, 1)
			continue
		}
		sim := ix.Similar(word)
		if len(sim) == 0 {
			qr.missing = append(qr.missing, q[t.Start:t.End])
			continue
		}
		for _, id := range sim[:min(len(sim), 2)] {
			add(id, word, fuzzyWeight/float64(min(len(sim), 2)))
		}
	}
	return qr
}

// scratch is the per-question working memory, pooled: dense score arrays
// indexed by sentence and by article, and the list of entries touched.
type scratch struct {
	sent    []float64
	art     []float64
	touched []uint32
	cands   []cand
}

type cand struct {
	sent  int
	score float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch(ix *corpus.Index) *scratch {
	s := scratchPool.Get().(*scratch)
	if cap(s.sent) < len(ix.Sentences) {
		s.sent = make([]float64, len(ix.Sentences))
	}
	s.sent = s.sent[:len(ix.Sentences)]
	if cap(s.art) < len(ix.Articles) {
		s.art = make([]float64, len(ix.Articles))
	}
	s.art = s.art[:len(ix.Articles)]
	return s
}

func (s *scratch) release() {
	for _, id := range s.touched {
		s.sent[id] = 0
	}
	clear(s.art)
	s.touched = s.touched[:0]
	s.cands = s.cands[:0]
	scratchPool.Put(s)
}

// tfNorm is BM25's saturating term-frequency factor.
func tfNorm(tf, length, avg, k1, b float64) float64 {
	return tf * (k1 + 1) / (tf + k1*(1-b+b*length/avg))
}

// rank scores every sentence that holds a question term and returns the
// best n, best first; ties go to the earlier sentence.
func rank(ix *corpus.Index, qr *query, n int, sc *scratch) []cand {
	avgS, avgA := ix.AvgSentenceLen(), ix.AvgArticleLen()
	var artMax float64
	for _, t := range qr.terms {
		for _, p := range ix.Postings(t.id) {
			if sc.sent[p.ID] == 0 {
				sc.touched = append(sc.touched, p.ID)
			}
			sc.sent[p.ID] += t.weight * t.idf * tfNorm(float64(p.TF), float64(ix.SentenceLen(int(p.ID))), avgS, k1Sentence, bSentence)
		}
		for _, p := range ix.ArticlePostings(t.id) {
			sc.art[p.ID] += t.weight * t.aidf * tfNorm(float64(p.TF), float64(ix.ArticleLen(int(p.ID))), avgA, k1Article, bArticle)
		}
	}
	for _, v := range sc.art {
		artMax = max(artMax, v)
	}
	var qmass float64
	for _, t := range qr.terms {
		qmass += t.weight * t.idf
	}
	for _, id := range sc.touched {
		s := int(id)
		a := ix.Sentences[s].Article
		score := sc.sent[s]
		if artMax > 0 {
			score += articleWeight * qmass * sc.art[a] / artMax
		}
		first, end := ix.ArticleSentences(int(a))
		if s > first {
			score += neighbourWeight * sc.sent[s-1]
		}
		if s+1 < end {
			score += neighbourWeight * sc.sent[s+1]
		}
		sc.cands = append(sc.cands, cand{s, score})
	}
	cs := sc.cands
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].sent < cs[j].sent
	})
	if len(cs) > rerankDepth {
		cs = cs[:rerankDepth]
	}
	newest := newestArticle(ix, qr.recent)
	for i := range cs {
		s := cs[i].sent
		boost := 1.0
		if qr.kind != kindOther && satisfies(qr.kind, ix.Text(s), ix.Articles[ix.Sentences[s].Article].Date) {
			boost += typeBoost
		}
		if newest >= 0 && int(ix.Sentences[s].Article) == newest {
			boost += recencyBoost
		}
		cs[i].score *= boost
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].sent < cs[j].sent
	})
	if len(cs) > n {
		cs = cs[:n]
	}
	return cs
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
func coverage(ix *corpus.Index, qr *query, s int, missingIDF float64) float64 {
	var total, have float64
	terms := ix.SentenceTerms(s)
	for _, t := range qr.terms {
		w := t.weight * t.idf
		total += w
		for _, id := range terms {
			if id == t.id {
				have += w
				break
			}
		}
	}
	total += float64(len(qr.missing)) * missingIDF
	if total == 0 {
		return 0
	}
	return have / total
}

// asksRecent reports whether the question asks for the current state.
func asksRecent(q string) bool {
	for _, w := range strings.Fields(strings.ToLower(q)) {
		switch strings.Trim(w, "?!.,;:'\"") {
		case "now", "current", "currently", "latest", "today", "present", "presently", "nowadays", "still":
			return true
		}
	}
	return false
}
