package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

// runChat is a console on the bot: the same command table as Discord and
// Telegram (/help, /sources, /reload, /ask), and any other line is a
// question. Whoever runs the console runs the bot, so /reload is allowed.
// Ctrl-D (the end of the input) and Ctrl-C (ctx done) both quit at once,
// with exit status 0; Ctrl-C does not wait for the line being typed.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("chat", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("corpus", "", "folder of .txt articles (default: the built-in articles)")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "corpusbot chat: unexpected argument %q\n", fset.Arg(0))
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := loadEngine(ctx, *dir, corpus.LoadOptions{}, nil, log)
	if err != nil {
		if ctx.Err() != nil { // Ctrl-C while loading
			fmt.Fprintln(stdout)
			return nil
		}
		return err
	}
	b := bot.New(bot.Options{}, eng, bot.NewCorpusReloader(reloadLoader(CorpusConfig{Dir: *dir}), eng, bot.ReloadOptions{Log: log}), eng.Index, log)

	fmt.Fprintln(stdout, "Ask a question about the articles; /help for commands, Ctrl-D or Ctrl-C to quit.")
	next := readLines(ctx, stdin, answer.DefaultMaxQuestion)
	for {
		fmt.Fprint(stdout, "> ")
		var in inputLine
		select {
		case <-ctx.Done():
		case in = <-next:
		}
		if ctx.Err() != nil || in.err == io.EOF {
			fmt.Fprintln(stdout)
			return nil
		}
		if in.err != nil {
			fmt.Fprintln(stdout)
			return fmt.Errorf("reading the console: %w", in.err)
		}
		if in.tooLong {
			fmt.Fprintf(stdout, "That line is too long (over %d bytes); please ask in fewer words.\n\n", answer.DefaultMaxQuestion)
			continue
		}
		line := strings.TrimSpace(in.text)
		if line == "" {
			continue
		}
		req := bot.Request{Platform: bot.Console, UserID: "console", ChatID: "console", Direct: true, Text: line}
		if strings.HasPrefix(line, "/") {
			req.Command, req.Text, _ = strings.Cut(line[1:], " ")
		}
		fmt.Fprintln(stdout, bot.RenderText(b.Handle(ctx, req))+"\n")
	}
}
