package bot

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBotDoesNotImportCorpus: bot and its adapters read the corpus through
// answer alone (cmd → bot → answer → corpus), so no file of theirs but
// tests imports corpus.
func TestBotDoesNotImportCorpus(t *testing.T) {
	const corpusPath = "github.com/corpusbot/corpusbot/corpus"
	var files int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == corpusPath || strings.HasPrefix(p, corpusPath+"/") {
				t.Errorf("%s imports %s; bot reads the corpus through answer", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("read %d files of bot; want all of them", files)
	}
}
