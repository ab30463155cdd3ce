package answer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/corpusbot/corpusbot/corpus"
)

// The speed and memory benchmarks of issue 2 run on the SQuAD corpus
// replicated ×10 (about 100,000 sentences), held in memory. BenchmarkAsk and
// BenchmarkBM25Baseline answer the same questions from the same index, so
// their ratio shows what the ranking costs over plain sentence BM25:
//
//	go test -run '^$' -bench . -benchmem -cpu 1 ./answer/
//
// Outside CI they skip when ../shared/eval is absent; in CI they fail.

const (
	benchCopies    = 10   // copies of each SQuAD article
	benchQuestions = 1000 // questions asked in turn, spread evenly over questions.jsonl
)

// benchData is the replicated corpus, its index and the questions, built
// once for every benchmark of the run.
var benchData struct {
	once sync.Once
	fsys fstest.MapFS
	ix   *corpus.Index
	qs   []string
	err  error
}

// squadX10 returns the SQuAD corpus replicated benchCopies times (each copy
// of an article under its own folder, e.g. r03/001_super_bowl_50.txt), its
// index and the benchmark questions.
func squadX10(b *testing.B) (fstest.MapFS, *corpus.Index, []string) {
	b.Helper()
	dir := filepath.Join(evalDir(b), "squad")
	// readQuestions fails the benchmark on error, so read the questions
	// outside the Once.
	qs := readQuestions(b, filepath.Join(dir, "questions.jsonl"))
	benchData.once.Do(func() {
		benchData.fsys, benchData.err = replicate(os.DirFS(filepath.Join(dir, "corpus")), benchCopies)
		if benchData.err != nil {
			return
		}
		benchData.ix, benchData.err = corpus.Load(context.Background(), benchData.fsys)
		// questions.jsonl goes article by article: take every k-th
		// question so that every article is asked about.
		k := max(len(qs)/benchQuestions, 1)
		for i := 0; i < len(qs) && len(benchData.qs) < benchQuestions; i += k {
			benchData.qs = append(benchData.qs, qs[i].Question)
		}
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	if len(benchData.qs) == 0 {
		b.Fatal("no benchmark questions")
	}
	return benchData.fsys, benchData.ix, benchData.qs
}

// replicate reads the .txt files at the root of src into a MapFS, n copies
// of each.
func replicate(src fs.FS, n int) (fstest.MapFS, error) {
	ents, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, err
	}
	fsys := fstest.MapFS{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		data, err := fs.ReadFile(src, e.Name())
		if err != nil {
			return nil, err
		}
		for r := range n {
			fsys[fmt.Sprintf("r%02d/%s", r, e.Name())] = &fstest.MapFile{Data: data, Mode: 0o444}
		}
	}
	if len(fsys) == 0 {
		return nil, errors.New("no .txt files to replicate")
	}
	return fsys, nil
}

// reportLatency reports the median and tail of per-question latencies.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.5), "median-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkAsk answers the benchmark questions in turn, timing each one.
func BenchmarkAsk(b *testing.B) {
	_, ix, qs := squadX10(b)
	e := New(ix, Options{})
	ctx := context.Background()
	timeQuestions(b, ix, qs, func(q string) bool {
		res, err := e.Ask(ctx, q, AskOptions{Top: 3})
		return err == nil && res.Question != ""
	})
}

// BenchmarkAskCold asks each benchmark question once of a fresh engine:
// what a question costs when the snapshot has not yet remembered its words
// (BenchmarkAsk repeats its questions, so there they are all remembered).
// Making the engines is not timed.
func BenchmarkAskCold(b *testing.B) {
	_, ix, qs := squadX10(b)
	var e *Engine
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%len(qs) == 0 {
			b.StopTimer()
			e = New(ix, Options{})
			b.StartTimer()
		}
		t0 := time.Now()
		res, err := e.Ask(ctx, qs[i%len(qs)], AskOptions{Top: 3})
		ok := err == nil && res.Question != ""
		lat[i] = time.Since(t0)
		if !ok {
			b.Fatalf("unsound result for %q", qs[i%len(qs)])
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkBM25Baseline is plain sentence BM25 over the same index and
// questions: the yardstick BenchmarkAsk is measured against.
func BenchmarkBM25Baseline(b *testing.B) {
	_, ix, qs := squadX10(b)
	bm := newBM25(ix, 1.2, 0.75)
	timeQuestions(b, ix, qs, func(q string) bool {
		return len(bm.search(q, 3)) <= 3
	})
}

// timeQuestions asks the questions in turn, b.N in all, after a few to warm
// up, timing each one; ask reports whether its result is sound.
func timeQuestions(b *testing.B, ix *corpus.Index, qs []string, ask func(q string) bool) {
	for _, q := range qs[:min(len(qs), 50)] { // warm the scratch pool
		ask(q)
	}
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		ok := ask(qs[i%len(qs)])
		lat[i] = time.Since(t0)
		if !ok {
			b.Fatalf("unsound result for %q", qs[i%len(qs)])
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
	b.ReportMetric(float64(len(ix.Sentences)), "sentences")
}

// BenchmarkLoad indexes the replicated corpus from memory and reports how
// much heap the index holds, in all and per sentence, and how much more an
// engine's snapshot of it holds and how long it takes to make.
func BenchmarkLoad(b *testing.B) {
	fsys, _, _ := squadX10(b)
	ctx := context.Background()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, err := corpus.Load(ctx, fsys)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	t0 := time.Now()
	e := New(ix, Options{})
	snapTime := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&before)
	snap := float64(before.HeapAlloc) - float64(after.HeapAlloc)
	runtime.KeepAlive(e)
	e = nil
	n := len(ix.Sentences)
	var text int
	for _, a := range ix.Articles {
		text += len(a.Text)
	}
	runtime.KeepAlive(ix)
	ix = nil

	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := corpus.Load(ctx, fsys); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "sentences")
	b.ReportMetric(heap/float64(n), "bytes/sentence")
	b.ReportMetric(heap/1e6, "index-MB")
	b.ReportMetric(snap/1e6, "snapshot-MB")
	b.ReportMetric(float64(snapTime)/float64(time.Millisecond), "snapshot-ms")
	b.ReportMetric(float64(text)/1e6, "text-MB")
}

// bm25 is plain in-memory sentence BM25, the way Bleve, Xapian or SQLite
// FTS5 rank: the same analyzer and postings as the engine, a dense score
// array indexed by sentence, and a top-k selection. It is measurement code
// for BenchmarkBM25Baseline, not a product ranker.
type bm25 struct {
	ix      *corpus.Index
	k1      float64
	norm    []float64 // by sentence: k1·(1 − b + b·len/avglen)
	score   []float64 // by sentence, zero between searches
	touched []uint32
	qterms  []bm25Term
}

type bm25Term struct {
	id  corpus.TermID
	qtf float64
}

type bm25Hit struct {
	sent  int
	score float64
}

func newBM25(ix *corpus.Index, k1, b float64) *bm25 {
	n := len(ix.Sentences)
	bm := &bm25{ix: ix, k1: k1, norm: make([]float64, n), score: make([]float64, n)}
	avg := ix.AvgSentenceLen()
	for i := range n {
		bm.norm[i] = k1 * (1 - b + b*float64(ix.SentenceLen(i))/avg)
	}
	return bm
}

// search returns the best k sentences for q, best first; ties go to the
// earlier sentence.
func (bm *bm25) search(q string, k int) []bm25Hit {
	ix := bm.ix
	bm.qterms = bm.qterms[:0]
next:
	for _, t := range corpus.Analyze(q) {
		id, ok := ix.Lookup(t.Term)
		if !ok {
			continue
		}
		for i := range bm.qterms {
			if bm.qterms[i].id == id {
				bm.qterms[i].qtf++
				continue next
			}
		}
		bm.qterms = append(bm.qterms, bm25Term{id, 1})
	}
	n := float64(len(ix.Sentences))
	for _, qt := range bm.qterms {
		ps := ix.Postings(qt.id)
		df := float64(len(ps))
		w := qt.qtf * math.Log(1+(n-df+0.5)/(df+0.5))
		for _, p := range ps {
			if bm.score[p.ID] == 0 {
				bm.touched = append(bm.touched, p.ID)
			}
			tf := float64(p.TF)
			bm.score[p.ID] += w * tf * (bm.k1 + 1) / (tf + bm.norm[p.ID])
		}
	}
	top := make([]bm25Hit, 0, k)
	for _, id := range bm.touched {
		h := bm25Hit{int(id), bm.score[id]}
		bm.score[id] = 0
		if len(top) == k && !better(h, top[k-1]) {
			continue
		}
		if len(top) < k {
			top = append(top, h)
		} else {
			top[k-1] = h
		}
		for j := len(top) - 1; j > 0 && better(top[j], top[j-1]); j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
	}
	bm.touched = bm.touched[:0]
	for _, h := range top {
		_ = ix.Text(h.sent) // cite it, as the engine does
	}
	return top
}

func better(a, b bm25Hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.sent < b.sent
}
