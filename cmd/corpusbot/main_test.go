package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

func TestAskJSONBatch(t *testing.T) {
	in := strings.NewReader("who's laos's defence minister now?\nwhat's the population of peru?\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"ask", "--json", "--top", "2"}, in, &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines; want 2:\n%s", len(lines), out.String())
	}
	var first, second answer.Result
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if !first.Answered || len(first.Citations) == 0 || len(first.Citations) > 2 {
		t.Errorf("first = %+v; want answered with 1-2 citations", first)
	}
	if !strings.Contains(first.Citations[0].Sentence, "Khamliang") {
		t.Errorf("first citation %q; want the 2026 sentence naming Khamliang", first.Citations[0].Sentence)
	}
	if second.Answered || !strings.Contains(second.Answer, "peru") {
		t.Errorf("second = %+v; want a refusal naming peru", second)
	}
}

// TestChat drives the console through the bot's command table.
func TestChat(t *testing.T) {
	dir := testkit.CopySeeds(t)
	in := strings.NewReader("/help\nwho's laos's defence minister now?\n/frob\n/reload\n/sources\n\n/ask what's the population of peru?\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat", "--corpus", dir}, in, &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"/ask <question>",                // help, from the command table
		"Khamliang",                      // the answer
		"[1] ",                           // its citation
		"I don't know the command /frob", // an unknown command
		"Reloaded 5 articles",            // the console may reload
		"I answer from 5 articles",       // sources
		"Nothing in the corpus mentions", // a refusal through /ask
	} {
		if !strings.Contains(got, want) {
			t.Errorf("chat output lacks %q:\n%s", want, got)
		}
	}
}

// exitCases are command lines and the exit status each must give: 2 for a
// mistake in the command line, 1 for a failure at run time. A case's dir
// is replaced by a folder of its kind.
var exitCases = []struct {
	name string
	args []string
	code int
	is   error // what the error must match; nil: anything
}{
	{"answered", []string{"ask", "who's laos's defence minister now?"}, 0, nil},
	{"refused", []string{"ask", "what's the population of peru?"}, 0, nil},
	{"no command", nil, 2, nil},
	{"unknown command", []string{"frob"}, 2, nil},
	{"unknown flag", []string{"ask", "--frob", "who?"}, 2, nil},
	{"top zero", []string{"ask", "--top", "0", "who?"}, 2, nil},
	{"top too big", []string{"ask", "--top", "101", "who?"}, 2, nil},
	{"top not a number", []string{"ask", "--top", "three", "who?"}, 2, nil},
	{"chat argument", []string{"chat", "who?"}, 2, nil},
	{"missing folder", []string{"ask", "--corpus", "missing", "who?"}, 2, corpus.ErrNoFolder},
	{"chat missing folder", []string{"chat", "--corpus", "missing"}, 2, corpus.ErrNoFolder},
	{"file as folder", []string{"ask", "--corpus", "file", "who?"}, 2, corpus.ErrNotFolder},
	{"no usable article", []string{"ask", "--corpus", "empty", "who?"}, 1, corpus.ErrEmpty},
}

// exitFolders makes the folders exitCases name and returns args with the
// names replaced by their paths.
func exitFolders(t *testing.T, args []string) []string {
	t.Helper()
	dir := t.TempDir()
	out := slices.Clone(args)
	for i, a := range out {
		p := filepath.Join(dir, a)
		switch a {
		case "missing":
		case "file":
			if err := os.WriteFile(p, []byte("Title\nAn article.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		case "empty":
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(p, "blank.txt"), []byte("\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			continue
		}
		out[i] = p
	}
	return out
}

func TestExitStatus(t *testing.T) {
	for _, tc := range exitCases {
		t.Run(tc.name, func(t *testing.T) {
			args := exitFolders(t, tc.args)
			var out, errb bytes.Buffer
			err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tc.code {
				t.Errorf("run(%q) = %v, exit %d; want exit %d", args, err, code, tc.code)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("run(%q) = %v; want %v", args, err, tc.is)
			}
		})
	}
}

// TestMissingFolderMessage checks what a user reads for a corpus folder
// that is not there: the path once, and what is wrong with it.
func TestMissingFolderMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no", "such", "dir")
	err := run(context.Background(), []string{"ask", "--corpus", dir, "who?"}, strings.NewReader(""), io.Discard, io.Discard)
	if want := "corpus: " + dir + ": no such folder"; err == nil || err.Error() != want {
		t.Errorf("run(ask --corpus %s) = %v; want %q", dir, err, want)
	}
}

// buildCorpusbot builds the command into a temporary folder and returns
// the binary's path.
func buildCorpusbot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "corpusbot")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBinary runs the built command as a user would, for its exit
// statuses, its messages and its answer to Ctrl-C.
func TestBinary(t *testing.T) {
	bin := buildCorpusbot(t)

	t.Run("exit status", func(t *testing.T) {
		for _, tc := range exitCases {
			args := exitFolders(t, tc.args)
			cmd := exec.Command(bin, args...)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			err := cmd.Run()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("%s: corpusbot %q exited %d; want %d\n%s", tc.name, args, got, tc.code, errb.String())
			}
		}
	})

	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "no", "such", "dir")
		cmd := exec.Command(bin, "ask", "--corpus", dir, "who?")
		out, _ := cmd.CombinedOutput()
		if want := "corpusbot: corpus: " + dir + ": no such folder\n"; string(out) != want {
			t.Errorf("corpusbot ask --corpus %s said %q; want %q", dir, out, want)
		}
	})

	// start runs the binary with args and returns it, with stdin open,
	// once it has written a line to stdout, or to stderr when fromStderr.
	start := func(t *testing.T, stdin string, fromStderr bool, args ...string) *exec.Cmd {
		t.Helper()
		cmd := exec.Command(bin, args...)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		pipe := cmd.StdoutPipe
		if fromStderr {
			pipe = cmd.StderrPipe
		}
		out, err := pipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); in.Close() })
		io.WriteString(in, stdin)
		br := bufio.NewReader(out)
		readLineWithin(t, br, 10*time.Second)
		go io.Copy(io.Discard, br)
		return cmd
	}
	interrupt := func(t *testing.T, cmd *exec.Cmd, want int) {
		t.Helper()
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("still running 5 s after SIGINT")
		}
		if got := cmd.ProcessState.ExitCode(); got != want {
			t.Errorf("exit status after SIGINT %d; want %d", got, want)
		}
	}

	t.Run("Ctrl-C quits chat", func(t *testing.T) {
		interrupt(t, start(t, "who is the def", false, "chat"), 0)
	})
	t.Run("SIGINT stops ask", func(t *testing.T) {
		// The warning for the blank article says the corpus is loaded;
		// ask then waits for its first line.
		dir := testkit.CopySeeds(t)
		if err := os.WriteFile(filepath.Join(dir, "blank.txt"), []byte("\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		interrupt(t, start(t, "", true, "ask", "--corpus", dir), 1)
	})
}

// TestAskExplain checks that ask --explain breaks each citation's score
// into its signals, in JSON and as text, and that ask alone does not.
func TestAskExplain(t *testing.T) {
	const q = "who's laos's defence minister now?"
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"ask", "--json", "--explain", q}, nil, &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	var res answer.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Citations) == 0 || len(res.Citations[0].Explain) == 0 || res.Citations[0].Explain[0].Signal != "bm25" {
		t.Errorf("ask --json --explain = %s; want each citation's signals", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ask", "--explain", q}, nil, &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	if !strings.Contains(out.String(), "score ") || !strings.Contains(out.String(), "bm25 ") {
		t.Errorf("ask --explain = %s; want each citation's score explained", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"ask", "--json", q}, nil, &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	if strings.Contains(out.String(), `"explain"`) {
		t.Errorf("ask --json = %s; want no explanation unasked", out.String())
	}
}

// TestChatFollowUps asks issue 16's questions one after the other in the
// console: each follow-up answers from the article of the video call, and
// a question that stands on its own from its own article; "and what did
// he thank them for?" after Lich's phone talks answers from their article,
// not from the video call's like sentence, as it does alone.
func TestChatFollowUps(t *testing.T) {
	in := strings.NewReader("When did Giang hold a video call with his Lao counterpart?\n" +
		"who congratulated him on his appointment?\n" +
		"what did they agree on?\n" +
		"Who is Laos's defence minister now?\n" +
		"what did Lich and his Lao counterpart discuss by phone in September?\n" +
		"and what did he thank them for?\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat"}, in, &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	replies := strings.Split(out.String(), "\n> ")
	if len(replies) < 7 {
		t.Fatalf("chat gave %d replies; want 6:\n%s", len(replies)-1, out.String())
	}
	for i, want := range []string{
		"May 6",
		"Chanyalat congratulated Giang on his appointment",
		"They agreed that",
		"Khamliang Outhakaysone",
		"bilateral defence cooperation",
		"He thanked the Vietnamese Ministry of National Defence",
	} {
		// The answer and its first citation (a reply that would repeat
		// citation [1] says "See [1]"), not the others.
		if answer, _, _ := strings.Cut(replies[i+1], "\n[2]"); !strings.Contains(answer, want) {
			t.Errorf("reply %d's answer lacks %q:\n%s", i+1, want, replies[i+1])
		}
	}
}
