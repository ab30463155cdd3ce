package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/corpusbot/corpusbot/bot"
)

// runChat is a console on the bot: the same command table as Discord and
// Telegram (/help, /sources, /reload, /ask), and any other line is a
// question. Whoever runs the console runs the bot, so /reload is allowed.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("chat", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("corpus", "", "folder of .txt articles (default: the built-in articles)")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := loadEngine(ctx, *dir, log)
	if err != nil {
		return err
	}
	b := bot.New(bot.Options{}, eng, bot.NewCorpusReloader(reloadLoader(CorpusConfig{Dir: *dir}), eng, bot.ReloadOptions{Log: log}), eng.Index, log)

	fmt.Fprintln(stdout, "Ask a question about the articles; /help for commands, Ctrl-D to quit.")
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		fmt.Fprint(stdout, "> ")
		if !sc.Scan() || ctx.Err() != nil {
			fmt.Fprintln(stdout)
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
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
