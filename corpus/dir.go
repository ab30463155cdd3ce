package corpus

import (
	"context"
	"os"
)

// DefaultMaxFileBytes is the largest file LoadDir reads as an article when
// LoadOptions does not say.
const DefaultMaxFileBytes = 4 << 20

// LoadOptions tune how a corpus folder is read.
type LoadOptions struct {
	MaxFileBytes int64 // a bigger file is skipped with a warning; 0 means DefaultMaxFileBytes
}

// LoadDir loads the articles in the folder dir, as Load does.
func LoadDir(ctx context.Context, dir string, opts LoadOptions) (*Index, error) {
	return Load(ctx, os.DirFS(dir))
}
