package main

import (
	"context"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// loadIndex loads the corpus in dir, or the embedded seeds when dir is empty.
func loadIndex(ctx context.Context, dir string, opts corpus.LoadOptions) (*corpus.Index, error) {
	if dir == "" {
		return corpus.Load(ctx, seeds.FS())
	}
	return corpus.LoadDir(ctx, dir, opts)
}
