package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// corpusFS returns the corpus in dir, or the embedded seeds when dir is empty.
func corpusFS(dir string) fs.FS {
	if dir == "" {
		return seeds.FS()
	}
	return os.DirFS(dir)
}

// reloadFS returns the folder a reload reads, or nil for the embedded
// articles, which cannot be reloaded.
func reloadFS(dir string) fs.FS {
	if dir == "" {
		return nil
	}
	return os.DirFS(dir)
}

// loadEngine loads the corpus in dir and logs the files it skipped.
func loadEngine(ctx context.Context, dir string, log *slog.Logger) (*answer.Engine, error) {
	ix, err := corpus.Load(ctx, corpusFS(dir))
	if err != nil {
		return nil, err
	}
	for _, w := range ix.Warnings {
		log.Warn("skipped file", "err", w)
	}
	return answer.New(ix, answer.Options{}), nil
}

// parseInterspersed parses flags that may stand before or after positional
// arguments, and returns the positional ones.
func parseInterspersed(fset *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		args = fset.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runAsk(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("ask", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("corpus", "", "folder of .txt articles (default: the built-in articles)")
	top := fset.Int("top", 3, "how many citations to give")
	asJSON := fset.Bool("json", false, "print one JSON object per question")
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return errUsage
	}
	if *top < 1 || *top > 100 {
		fmt.Fprintln(stderr, "corpusbot ask: --top must be from 1 to 100")
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	eng, err := loadEngine(ctx, *dir, log)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	print := func(q string) error {
		res := eng.Ask(q, *top)
		if *asJSON {
			return res.WriteJSON(w)
		}
		_, err := io.WriteString(w, formatText(res)+"\n")
		return err
	}
	if len(pos) > 0 {
		return print(strings.Join(pos, " "))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := print(sc.Text()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// formatText renders a Result for a terminal: the answer, then the
// numbered citations.
func formatText(res answer.Result) string {
	var b strings.Builder
	b.WriteString(res.Answer)
	b.WriteString("\n")
	for i, c := range res.Citations {
		fmt.Fprintf(&b, "\n[%d] %s", i+1, c.Title)
		var meta []string
		if c.Date != "" {
			meta = append(meta, c.Date)
		}
		if c.Source != "" {
			meta = append(meta, c.Source)
		}
		meta = append(meta, c.Doc)
		fmt.Fprintf(&b, " (%s)\n    “%s”\n", strings.Join(meta, ", "), c.Sentence)
	}
	return b.String()
}
