package corpus_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/corpus"
)

// Load indexes every .txt file of an fs.FS, here one held in memory: the
// first line is the title, the rest the article's sentences.
func ExampleLoad() {
	fsys := fstest.MapFS{
		"harvest.txt": {Data: []byte("Rice harvest\n\nFarmers brought in 40 tonnes of rice. Prices fell.")},
		"storm.txt":   {Data: []byte("Storm hits the coast\n\nA storm hit the coast on Friday.")},
	}
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range ix.Articles {
		fmt.Printf("%s: %q\n", a.Path, a.Title)
	}
	for i := range ix.Sentences {
		fmt.Println(i, ix.Text(i))
	}
	// Output:
	// harvest.txt: "Rice harvest"
	// storm.txt: "Storm hits the coast"
	// 0 Farmers brought in 40 tonnes of rice.
	// 1 Prices fell.
	// 2 A storm hit the coast on Friday.
}
