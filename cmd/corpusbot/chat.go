package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

// runChat is a console on the bot: the same command table as Discord and
// Telegram (/help, /sources, /reload, /ask), and any other line is a
// question. Whoever runs the console runs the bot, so /reload is allowed.
// With --feedback FILE, /good and /bad rate the last answer, as 👍 and 👎
// do on Discord and Telegram.
// Ctrl-D (the end of the input) and Ctrl-C (ctx done) both quit at once,
// with exit status 0; Ctrl-C does not wait for the line being typed.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("chat", flag.ContinueOnError)
	fset.SetOutput(stderr)
	dir := fset.String("corpus", "", "folder of .txt articles (default: the built-in articles)")
	fbFile := fset.String("feedback", "", "record /good and /bad votes in this JSONL file (default: none)")
	allowPrivate := fset.Bool("allow-private", false, "let /add fetch links to loopback and private addresses")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "corpusbot chat: unexpected argument %q\n", fset.Arg(0))
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := loadEngine(ctx, *dir, corpus.LoadOptions{}, answer.Options{}, log)
	if err != nil {
		if ctx.Err() != nil { // Ctrl-C while loading
			fmt.Fprintln(stdout)
			return nil
		}
		return err
	}
	fb, err := newFeedback(*fbFile, "", nil)
	if err != nil {
		log.Error("feedback is off", "err", err)
	}
	add := defaultConfig().Add
	add.AllowPrivate = *allowPrivate
	lib := newLibrary(CorpusConfig{Dir: *dir}, add, eng.Index)
	b := bot.New(bot.Options{Feedback: fb, Library: lib}, eng, bot.NewCorpusReloader(reloadLoader(CorpusConfig{Dir: *dir}, eng), bot.ReloadOptions{Log: log}), eng.Sources, log)

	fmt.Fprintln(stdout, "Ask a question about the articles; /help for commands, Ctrl-D or Ctrl-C to quit.")
	var lastAnswer string // the feedback id of the last answer, for /good and /bad
	next := readLines(ctx, stdin, answer.MaxQuestionBytes)
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
			fmt.Fprintf(stdout, "That line is too long (over %d bytes); please ask in fewer words.\n\n", answer.MaxQuestionBytes)
			continue
		}
		line := strings.TrimSpace(in.text)
		if line == "" {
			continue
		}
		if verdict, ok := consoleVote(line); ok {
			fmt.Fprintln(stdout, voteLast(ctx, b, fb != nil, lastAnswer, verdict)+"\n")
			continue
		}
		req := bot.Request{Platform: bot.Console, UserID: "console", ChatID: "console", Direct: true, Text: line}
		if strings.HasPrefix(line, "/") {
			req.Command, req.Text, _ = strings.Cut(line[1:], " ")
			req.File = localFile(req.Command, strings.TrimSpace(req.Text))
		}
		rep := b.Handle(ctx, req)
		text := bot.RenderText(rep)
		if rep.FeedbackID != "" {
			lastAnswer = rep.FeedbackID
			text += "\n\n(Was this helpful? /good or /bad)"
		}
		fmt.Fprintln(stdout, text+"\n")
	}
}

// consoleVote reads the console's vote commands on the last answer:
// /good (or /up, /👍) and /bad (or /down, /👎).
func consoleVote(line string) (verdict string, ok bool) {
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "/good", "/up", "/👍":
		return bot.VerdictUp, true
	case "/bad", "/down", "/👎":
		return bot.VerdictDown, true
	}
	return "", false
}

// voteLast records the console user's vote on the last answer.
func voteLast(ctx context.Context, b *bot.Bot, on bool, last, verdict string) string {
	switch {
	case !on:
		return "Feedback is off: start the console with --feedback FILE to record votes."
	case last == "":
		return "There is no answer to rate yet: ask a question first."
	}
	return bot.RenderText(b.Vote(ctx, bot.Vote{Platform: bot.Console, UserID: "console", Data: bot.VoteData(last, verdict)}))
}

// localFile is the console's attachment: "/add notes.md" adds the local
// file notes.md (whoever runs the console may read it anyway). It is nil
// for any other command, or an argument that is a link or no .txt or .md.
func localFile(command, arg string) *bot.Attachment {
	ext := strings.ToLower(filepath.Ext(arg))
	if command != "add" || strings.Contains(arg, "://") || (ext != ".txt" && ext != ".md") {
		return nil
	}
	a := &bot.Attachment{Name: filepath.Base(arg), Open: func(context.Context) (io.ReadCloser, error) { return os.Open(arg) }}
	if fi, err := os.Stat(arg); err == nil {
		a.Size = fi.Size()
	}
	return a
}
