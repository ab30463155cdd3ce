// Command corpusbot-train rebuilds the answer engine's confidence model
// (answer/confidence.json) from the dev halves of ../shared/eval, the same
// file byte for byte every time:
//
//	go run ./cmd/corpusbot-train            # or: go generate ./answer
//
// -add CORPUS=QUESTIONS trains on questions of your own too: a folder of
// articles and a JSONL file of questions about it in ../shared/eval's
// format. It may be given more than once.
//
// -wordnet DIR rebuilds answer/antonyms.txt and corpus/irregular.txt
// instead, from WordNet 3.0's database files in DIR (Debian's wordnet-base:
// apt-get download wordnet-base && dpkg -x wordnet-base_*.deb /tmp/wordnet,
// then DIR is /tmp/wordnet/usr/share/wordnet), the same files byte for
// byte every time. The antonyms are index terms, made through corpus.Term
// and so through the embedded irregular.txt: after a change to it, run
// -wordnet twice.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "corpusbot-train:", err)
		os.Exit(1)
	}
}

type adds []string

func (a *adds) String() string     { return strings.Join(*a, ",") }
func (a *adds) Set(s string) error { *a = append(*a, s); return nil }

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("corpusbot-train", flag.ContinueOnError)
	fl.SetOutput(stderr)
	evalDir := fl.String("eval", "../shared/eval", "the evaluation data's folder")
	out := fl.String("o", "answer/confidence.json", "the model file to write")
	wordnet := fl.String("wordnet", "", "rebuild the antonyms and irregular forms files from WordNet's database files in this folder, instead of the model")
	antonyms := fl.String("antonyms", "answer/antonyms.txt", "the antonyms file -wordnet writes")
	irregular := fl.String("irregular", "corpus/irregular.txt", "the irregular forms file -wordnet writes")
	var extra adds
	fl.Var(&extra, "add", "CORPUS=QUESTIONS: train on these questions about this folder of articles too (repeatable)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *wordnet != "" {
		b, err := answer.WordNetAntonyms(os.DirFS(*wordnet))
		if err != nil {
			return err
		}
		if err := os.WriteFile(*antonyms, b, 0o644); err != nil {
			return err
		}
		b, err = corpus.WordNetIrregular(os.DirFS(*wordnet))
		if err != nil {
			return err
		}
		return os.WriteFile(*irregular, b, 0o644)
	}
	sets, err := answer.DevSets(ctx, *evalDir, seeds.FS())
	if err != nil {
		return err
	}
	for _, a := range extra {
		dir, file, ok := strings.Cut(a, "=")
		if !ok || dir == "" || file == "" {
			return fmt.Errorf("-add %q: want CORPUS=QUESTIONS", a)
		}
		ix, err := corpus.LoadDir(ctx, dir, corpus.LoadOptions{})
		if err != nil {
			return err
		}
		qs, err := answer.ReadQuestionsFile(file)
		if err != nil {
			return err
		}
		sets = append(sets, answer.TrainSet{Name: file, Index: ix, Questions: qs, Weight: 1})
	}
	b, report, err := answer.Train(sets)
	if err != nil {
		return err
	}
	fmt.Fprint(stderr, report)
	return os.WriteFile(*out, b, 0o644)
}
