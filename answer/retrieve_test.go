package answer

import (
	"context"
	"testing"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// TestRankScoresAsDefined checks the sentence scores and context credits
// rank works out from the packed postings against the ranking's definition,
// summed naively from the index, for every seed sentence asked as a
// question. The seeds are loaded three times over, so that each title's
// terms are in several articles' context.
func TestRankScoresAsDefined(t *testing.T) {
	fsys, err := replicate(seeds.FS(), 3)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	w := &DefaultWeights
	sn := newSnapshot(ix, w)
	own := make([]float64, len(ix.Sentences))
	ctx := make([]float64, len(ix.Articles))
	for i := range ix.Sentences {
		q := ix.Text(i)
		qr := parse(sn, q)
		clear(own)
		clear(ctx)
		for _, t := range qr.terms {
			for _, ap := range ix.ArticlePostings(t.id) {
				a := int(ap.ID)
				if ix.InContext(a, t.id) {
					ctx[a] += t.weight * t.idf * w.Context
					continue
				}
				first, end := ix.ArticleSentences(a)
				tw := t.weight * t.idf * (1 - w.Local + w.Local*localRarity(end-first, int(ap.TF), sn.artLog[a]))
				for _, p := range ix.Postings(t.id) {
					if s := int(p.ID); first <= s && s < end {
						norm := lengthNorm(float64(ix.SentenceLen(s)), ix.AvgSentenceLen(), w.K1Sentence, w.BSentence)
						own[s] += tw * normedTF(float64(p.TF), norm, w.K1Sentence)
					}
				}
			}
		}
		sc := getScratch(ix)
		Retriever{sn}.Retrieve(&qr, sc)
		for s, want := range own {
			got := 0.0
			if sc.seen[s/64]&(1<<(s%64)) != 0 {
				got = sc.sent[s]
			}
			if got != want {
				t.Fatalf("question %.40q: sentence %d scores %v; by definition %v", q, s, got, want)
			}
		}
		for a, want := range ctx {
			if sc.ctx[a] != want {
				t.Fatalf("question %.40q: article %d's context credit is %v; by definition %v", q, a, sc.ctx[a], want)
			}
		}
		sc.release()
	}
}
