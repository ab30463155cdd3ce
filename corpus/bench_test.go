package corpus_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// seedText returns the text of the first seed article.
func seedText(b *testing.B) string {
	b.Helper()
	names, err := fs.Glob(seeds.FS(), "*.txt")
	if err != nil || len(names) == 0 {
		b.Fatalf("no seed articles: %v", err)
	}
	data, err := fs.ReadFile(seeds.FS(), names[0])
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

// BenchmarkAnalyze runs the analyzer over a whole seed article; MB/s is
// article text analysed per second.
func BenchmarkAnalyze(b *testing.B) {
	text := seedText(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(corpus.Analyze(text))
	}
	b.ReportMetric(float64(n), "tokens")
}

// BenchmarkLoadSeeds loads and indexes the five embedded seed articles.
func BenchmarkLoadSeeds(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	var ix *corpus.Index
	for b.Loop() {
		var err error
		if ix, err = corpus.Load(ctx, seeds.FS()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(ix.Sentences)), "sentences")
}
