// Command corpusbot answers questions about a corpus of news articles, citing
// the sentences each answer comes from: from the command line, in a console,
// or as a Discord and Telegram bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if err != errUsage {
			fmt.Fprintln(os.Stderr, "corpusbot:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errUsage reports a command line that was wrong; the usage has been printed.
var errUsage = errors.New("usage")

// A usageError is a mistake of the user's, in the command line or the
// configuration: main exits 2 for it, and 1 for a failure at run time.
type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{e.err, errUsage} }

// exitCode is the process's exit status for err: 2 for usage and
// configuration errors, 1 for the rest.
func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

const usage = `usage:
  corpusbot ask [--corpus DIR] [--top N] [--json] [QUESTION]
  corpusbot chat [--corpus DIR] [--feedback FILE]
  corpusbot serve --config FILE
  corpusbot feedback [--file FILE] [--export]

ask answers QUESTION, or each line of standard input when there is none,
writing each answer before it reads the next line. chat quits on Ctrl-D or
Ctrl-C. Without --corpus, the articles built into the binary are used.
feedback sums up the 👍/👎 votes in FILE (default feedback.jsonl); with
--export it writes the questions rated 👎 as a questions.jsonl.

Exit status: 0 on success, 2 for a usage or configuration error, 1 for a
failure at run time.
`

// run is the whole program, given its arguments and streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "ask":
		return runAsk(ctx, args[1:], stdin, stdout, stderr)
	case "chat":
		return runChat(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "feedback":
		return runFeedback(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "corpusbot: unknown command %q\n%s", args[0], usage)
	return errUsage
}
