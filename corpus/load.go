package corpus

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// Load reads every .txt file below the root of fsys, in path order, and
// indexes the sentences of each article. Files that are not text (invalid
// UTF-8, NUL bytes) or hold no sentence are skipped and named in
// Index.Warnings. A corpus with no usable article is ErrEmpty.
func Load(ctx context.Context, fsys fs.FS) (*Index, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if strings.EqualFold(path.Ext(p), ".txt") && !strings.HasPrefix(d.Name(), ".") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	sort.Strings(paths)
	b := newBuilder()
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", p, err)
		}
		if why := unusable(data); why != "" {
			b.ix.Warnings = append(b.ix.Warnings, fmt.Errorf("%w: %s: %s", ErrBadFile, p, why))
			continue
		}
		a, paras := parseArticle(p, string(data))
		if !b.add(a, paras) {
			b.ix.Warnings = append(b.ix.Warnings, fmt.Errorf("%w: %s: no sentence to index", ErrBadFile, p))
		}
	}
	if len(b.ix.Articles) == 0 {
		return nil, fmt.Errorf("%w (%d files read)", ErrEmpty, len(paths))
	}
	return b.finish(), nil
}

// unusable says why data cannot be an article, or "" when it can.
func unusable(data []byte) string {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "empty"
	case bytes.IndexByte(data, 0) >= 0:
		return "binary (NUL bytes)"
	case !utf8.Valid(data):
		return "not valid UTF-8"
	}
	return ""
}
