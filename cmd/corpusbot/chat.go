package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("chat", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("corpus", "", "folder of .txt articles (default: the built-in articles)")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	eng, err := loadEngine(ctx, *dir, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Ask a question about the articles; /help for commands, Ctrl-D to quit.")
	sc := bufio.NewScanner(stdin)
	for {
		fmt.Fprint(stdout, "> ")
		if !sc.Scan() || ctx.Err() != nil {
			fmt.Fprintln(stdout)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
		case line == "/help":
			fmt.Fprintln(stdout, "Type a question, or /sources to list the articles.")
		case line == "/sources":
			for _, a := range eng.Index().Articles {
				fmt.Fprintf(stdout, "%s  %s  %s\n", a.Path, a.Date, a.Title)
			}
		case strings.HasPrefix(line, "/"):
			fmt.Fprintf(stdout, "Unknown command %s; try /help.\n", strings.Fields(line)[0])
		default:
			fmt.Fprintln(stdout, formatText(eng.Ask(line, 3)))
		}
	}
}
