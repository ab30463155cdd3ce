package answer_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
)

// loadIndex indexes two small articles held in memory.
func loadIndex() *corpus.Index {
	ix, err := corpus.Load(context.Background(), fstest.MapFS{
		"harvest.txt": {Data: []byte("Rice harvest\n\nFarmers brought in 40 tonnes of rice in March. Prices fell.")},
		"storm.txt":   {Data: []byte("Storm hits the coast\n\nA storm hit the coast on Friday. The coast guard rescued two fishermen.")},
	})
	if err != nil {
		panic(err)
	}
	return ix
}

// New makes an Engine that answers from an index; the zero Options are the
// defaults.
func ExampleNew() {
	e := answer.New(loadIndex(), answer.Options{})
	fmt.Println(len(e.Index().Articles), "articles")
	// Output: 2 articles
}

// Ask answers with the sentences that support the answer, best first, or
// refuses, saying why.
func ExampleEngine_Ask() {
	e := answer.New(loadIndex(), answer.Options{})
	ctx := context.Background()
	res, err := e.Ask(ctx, "how many tonnes of rice did farmers bring in?", answer.AskOptions{Top: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Answered, res.Answer)
	fmt.Println(res.Citations[0].Doc, res.Citations[0].Title)
	res, _ = e.Ask(ctx, "who won the football match in Brazil?", answer.AskOptions{Top: 1})
	fmt.Println(res.Answered, res.Refusal.Kind, res.Answer)
	// Output:
	// true Farmers brought in 40 tonnes of rice in March. [1]
	// harvest.txt Rice harvest
	// false unknown_place Nothing in the corpus mentions “Brazil”, “won” or “football”.
}
