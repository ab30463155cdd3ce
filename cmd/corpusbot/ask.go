package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

// loadEngine loads the corpus in dir, or the embedded articles when dir is
// empty, and logs the files it skipped. A dir that is missing or is not a
// folder is a usage error. It returns as soon as ctx is done,
// even when the load itself does not: the load goes on in a goroutine of
// its own, which the process leaves behind as it exits.
func loadEngine(ctx context.Context, dir string, opts corpus.LoadOptions, eo answer.Options, log *slog.Logger) (*answer.Engine, error) {
	type loaded struct {
		ix  *corpus.Index
		err error
	}
	done := make(chan loaded, 1) // buffered: an abandoned load still ends
	go func() {
		ix, err := loadIndex(ctx, dir, opts)
		done <- loaded{ix, err}
	}()
	var l loaded
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case l = <-done:
	}
	if errors.Is(l.err, corpus.ErrNoFolder) || errors.Is(l.err, corpus.ErrNotFolder) {
		return nil, usageError{l.err}
	}
	if l.err != nil {
		return nil, l.err
	}
	for _, w := range l.ix.Warnings {
		if errors.Is(w, corpus.ErrRepaired) {
			log.Warn("file repaired", "err", w)
		} else {
			log.Warn("skipped file", "err", w)
		}
	}
	return answer.New(l.ix, eo), nil
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
	top := fset.Int("top", answer.DefaultTop, "how many citations to give")
	asJSON := fset.Bool("json", false, "print one JSON object per question")
	explain := fset.Bool("explain", false, "break each citation's score into its signals")
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return errUsage
	}
	if *top < 1 || *top > answer.MaxTop {
		fmt.Fprintf(stderr, "corpusbot ask: --top must be from 1 to %d\n", answer.MaxTop)
		return errUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	eng, err := loadEngine(ctx, *dir, corpus.LoadOptions{}, answer.Options{}, log)
	if err != nil {
		return err
	}
	// write writes res, and why the line got no answer when why is not
	// nil, and flushes it.
	w := bufio.NewWriter(stdout)
	opts := answer.AskOptions{Top: *top, Explain: *explain}
	write := func(res answer.Result, why error) error {
		if why != nil && !errors.Is(why, errQuestionTooLong) {
			return why
		}
		var err error
		switch {
		case *asJSON && why != nil:
			err = writeLineError(w, res, why)
		case *asJSON:
			err = res.WriteJSON(w)
		default:
			_, err = io.WriteString(w, formatText(res)+"\n")
		}
		if err != nil {
			return err
		}
		return w.Flush()
	}
	if len(pos) > 0 {
		return write(eng.Ask(ctx, strings.Join(pos, " "), opts))
	}
	// Batch mode: each answer is written out before the next line is
	// waited for, so that a program can hold a conversation with ask.
	next := readLines(ctx, stdin, answer.MaxQuestionBytes)
	for {
		var in inputLine
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case in = <-next:
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		switch {
		case in.err == io.EOF:
			return nil
		case in.err != nil:
			return fmt.Errorf("reading questions: %w", in.err)
		case in.tooLong:
			err = write(tooLongResult(), errQuestionTooLong)
		default:
			err = write(eng.Ask(ctx, in.text, opts))
		}
		if err != nil {
			return err
		}
	}
}

// errQuestionTooLong is the error a batch reports for a line longer than
// answer.MaxQuestionBytes bytes.
var errQuestionTooLong = fmt.Errorf("question too long: over %d bytes", answer.MaxQuestionBytes)

// tooLongResult is the reply to a line too long to be read as a question.
func tooLongResult() answer.Result {
	return answer.Result{
		Answer:    fmt.Sprintf("That question is too long (over %d bytes); please ask it in fewer words.", answer.MaxQuestionBytes),
		Citations: []answer.Citation{},
	}
}

// writeLineError writes res as ask --json writes a result, with an "error"
// field saying why the line got no answer.
func writeLineError(w io.Writer, res answer.Result, why error) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		answer.Result
		Error string `json:"error"`
	}{res, why.Error()})
}

// An inputLine is one line of a console or a batch, or why there is none.
type inputLine struct {
	text    string // without its "\n" or "\r\n"
	tooLong bool   // the line was longer than the limit; text is empty
	err     error  // io.EOF at the end of the input
}

// readLines reads r line by line in a goroutine of its own and sends each
// line on the channel it returns, then the error that ended the input
// (io.EOF at its end). It stops when ctx is done; a read that is blocked
// then stays blocked, and the goroutine with it, until r returns.
func readLines(ctx context.Context, r io.Reader, max int) <-chan inputLine {
	next := make(chan inputLine)
	go func() {
		br := bufio.NewReader(r)
		for {
			in := readLine(br, max)
			select {
			case next <- in:
			case <-ctx.Done():
				return
			}
			if in.err != nil {
				return
			}
		}
	}()
	return next
}

// readLine reads the next line of r. A line longer than max bytes (not
// counting its end) is read to its end and reported tooLong, holding no
// more than max+2 of its bytes at a time. A last line without "\n" is a
// line; after it comes io.EOF.
func readLine(r *bufio.Reader, max int) inputLine {
	var (
		buf     []byte
		read    int  // bytes of the line read so far
		tooLong bool // buf has been dropped
	)
	for {
		chunk, err := r.ReadSlice('\n')
		read += len(chunk)
		if !tooLong {
			if len(buf)+len(chunk) > max+2 { // a line's end is at most 2 bytes
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || read == 0) {
			return inputLine{err: err}
		}
		break
	}
	if tooLong {
		return inputLine{tooLong: true}
	}
	buf = bytes.TrimSuffix(buf, []byte("\n"))
	buf = bytes.TrimSuffix(buf, []byte("\r"))
	if len(buf) > max {
		return inputLine{tooLong: true}
	}
	return inputLine{text: string(buf)}
}

// formatText renders a Result for a terminal: the short answer and the
// answer, then the numbered citations, each with its article's link.
func formatText(res answer.Result) string {
	var b strings.Builder
	short, rest := bot.AnswerHead(&res) // the sentence of [1] is quoted once, under [1]
	if short != "" {
		b.WriteString(short + " — ")
	}
	b.WriteString(rest)
	b.WriteString("\n")
	if res.Answered {
		b.WriteString(bot.ConfidenceNote(&res) + "\n")
	}
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
		if link := answer.Link(c.URL); link != "" {
			fmt.Fprintf(&b, "    %s\n", link)
		}
		if len(c.Explain) > 0 {
			b.WriteString(formatExplain(c))
		}
	}
	return b.String()
}

// formatExplain renders a citation's explained score: its additive
// signals' value times weight, added up, times 1 plus its factor signals'.
func formatExplain(c answer.Citation) string {
	var add, factor []string
	for _, x := range c.Explain {
		if x.Value == 0 {
			continue
		}
		term := fmt.Sprintf("%s %g×%g", x.Signal, x.Value, x.Weight)
		if x.Factor {
			factor = append(factor, term)
		} else {
			add = append(add, term)
		}
	}
	s := fmt.Sprintf("    score %g = %s", c.Score, strings.Join(add, " + "))
	if len(factor) > 0 {
		s = fmt.Sprintf("    score %g = (%s) × (1 + %s)", c.Score, strings.Join(add, " + "), strings.Join(factor, " + "))
	}
	if c.Reranked != "" {
		s += "; put first by the " + c.Reranked + " rule"
	}
	return s + "\n"
}
