package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

// errTestInterrupt stands for the signal that cancels run's context.
var errTestInterrupt = errors.New("test interrupt")

// A running run: its context's cancel, and where its error arrives.
type running struct {
	cancel context.CancelCauseFunc
	errc   chan error
}

// startRun runs run(args) in a goroutine of its own, on a context that
// interrupt cancels with errTestInterrupt.
func startRun(args []string, stdin io.Reader, stdout, stderr io.Writer) running {
	ctx, cancel := context.WithCancelCause(context.Background())
	r := running{cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- run(ctx, args, stdin, stdout, stderr) }()
	return r
}

func (r running) interrupt() { r.cancel(errTestInterrupt) }

// wait returns run's error, or fails the test when run has not returned
// within d.
func (r running) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case err := <-r.errc:
		return err
	case <-time.After(d):
		t.Fatalf("run has not returned %s later", d)
		return nil
	}
}

// readLineWithin reads a line from r, or fails the test when none has come
// within d.
func readLineWithin(t *testing.T, r *bufio.Reader, d time.Duration) string {
	t.Helper()
	type read struct {
		line string
		err  error
	}
	c := make(chan read, 1)
	go func() {
		line, err := r.ReadString('\n')
		c <- read{line, err}
	}()
	select {
	case got := <-c:
		if got.err != nil {
			t.Fatalf("reading a line: %v (got %q)", got.err, got.line)
		}
		return got.line
	case <-time.After(d):
		t.Fatalf("no line written %s later", d)
		return ""
	}
}

// TestAskAnswersEachLineBeforeReadingTheNext drives ask as a coprocess:
// it writes a question and waits for its answer before it writes the next.
func TestAskAnswersEachLineBeforeReadingTheNext(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	var errb bytes.Buffer
	r := startRun([]string{"ask", "--json"}, inR, outW, &errb)
	out := bufio.NewReader(outR)
	for _, q := range []string{"who's laos's defence minister now?", "what's the population of peru?", "who's laos's defence minister now?"} {
		if _, err := io.WriteString(inW, q+"\n"); err != nil {
			t.Fatal(err)
		}
		line := readLineWithin(t, out, 10*time.Second)
		var res answer.Result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			t.Fatalf("answer to %q: %v in %q", q, err, line)
		}
		if res.Question != q {
			t.Errorf("answer to %q is for %q", q, res.Question)
		}
	}
	inW.Close()
	if err := r.wait(t, 10*time.Second); err != nil {
		t.Fatalf("ask: %v (%s)", err, errb.String())
	}
}

// TestAskLongLine gives a batch a line longer than any question, longer
// even than bufio.Scanner's 1 MiB: it gets a reply of its own, and the
// lines after it are answered.
func TestAskLongLine(t *testing.T) {
	long := strings.Repeat("who is the minister ", 2<<20/20)
	in := "who's laos's defence minister now?\n" + long + "\nwhat's the population of peru?\n"

	t.Run("json", func(t *testing.T) {
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"ask", "--json"}, strings.NewReader(in), &out, &errb); err != nil {
			t.Fatalf("ask: %v (%s)", err, errb.String())
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("got %d lines; want 3:\n%.2000s", len(lines), out.String())
		}
		var replies [3]map[string]any
		for i, line := range lines {
			if err := json.Unmarshal([]byte(line), &replies[i]); err != nil {
				t.Fatalf("line %d: %v in %.200q", i+1, err, line)
			}
			for _, key := range []string{"question", "answered", "answer", "citations"} {
				if _, ok := replies[i][key]; !ok {
					t.Errorf("line %d lacks %q: %s", i+1, key, line)
				}
			}
		}
		if replies[0]["answered"] != true {
			t.Errorf("first question not answered: %s", lines[0])
		}
		tooLong := replies[1]
		if tooLong["answered"] != false || tooLong["question"] != "" {
			t.Errorf("long line: %s; want answered false and an empty question", lines[1])
		}
		if msg, _ := tooLong["error"].(string); msg == "" {
			t.Errorf("long line: %s; want an error", lines[1])
		}
		if c, ok := tooLong["citations"].([]any); !ok || len(c) != 0 {
			t.Errorf("long line: %s; want citations []", lines[1])
		}
		for i, r := range replies {
			if _, ok := r["error"]; ok && i != 1 {
				t.Errorf("line %d has an error: %s", i+1, lines[i])
			}
		}
		if !strings.Contains(replies[2]["answer"].(string), "peru") {
			t.Errorf("last line: %s; want the refusal naming peru", lines[2])
		}
	})

	t.Run("text", func(t *testing.T) {
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"ask"}, strings.NewReader(in), &out, &errb); err != nil {
			t.Fatalf("ask: %v (%s)", err, errb.String())
		}
		got := out.String()
		for _, want := range []string{"Khamliang", "\nThat question is too long (over 4000 bytes); please ask it in fewer words.\n\n", "peru"} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%.2000s", want, got)
			}
		}
		if len(got) > 10000 {
			t.Errorf("output is %d bytes; the long line must not be echoed", len(got))
		}
	})
}

// TestAskStopsOnInterrupt interrupts a batch waiting for its next line.
func TestAskStopsOnInterrupt(t *testing.T) {
	inR, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	var out, errb bytes.Buffer
	r := startRun([]string{"ask"}, inR, &out, &errb)
	time.Sleep(200 * time.Millisecond)
	r.interrupt()
	err := r.wait(t, 5*time.Second)
	if !errors.Is(err, errTestInterrupt) || exitCode(err) != 1 {
		t.Errorf("interrupted ask = %v (exit %d); want the interrupt, exit 1", err, exitCode(err))
	}
}

// fifoCorpus returns a copy of the seeds with a named pipe among the
// articles, which no one will ever write to.
func fifoCorpus(t *testing.T) string {
	t.Helper()
	dir := testkit.CopySeeds(t)
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	t.Cleanup(func() {
		// Let go a reader blocked opening it: a writer that opens and
		// closes it gives the reader an end of file.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	return dir
}

// TestAskStopsOnInterruptWhileLoading interrupts ask while it loads a
// corpus whose named pipe blocks whoever opens it (unless the loader
// skips it; then ask waits for a line when it is interrupted).
func TestAskStopsOnInterruptWhileLoading(t *testing.T) {
	dir := fifoCorpus(t)
	inR, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	var out, errb bytes.Buffer
	r := startRun([]string{"ask", "--corpus", dir}, inR, &out, &errb)
	time.Sleep(200 * time.Millisecond)
	r.interrupt()
	err := r.wait(t, 5*time.Second)
	if !errors.Is(err, errTestInterrupt) || exitCode(err) != 1 {
		t.Errorf("interrupted ask = %v (exit %d); want the interrupt, exit 1", err, exitCode(err))
	}
}

func TestReadLine(t *testing.T) {
	const max = 8
	for _, tc := range []struct {
		name, in string
		want     []inputLine // then io.EOF
	}{
		{"empty", "", nil},
		{"one", "who\n", []inputLine{{text: "who"}}},
		{"no final newline", "who\nwhat", []inputLine{{text: "who"}, {text: "what"}}},
		{"crlf", "who\r\nwhat\r\n", []inputLine{{text: "who"}, {text: "what"}}},
		{"lone cr kept inside", "a\rb\n", []inputLine{{text: "a\rb"}}},
		{"empty lines", "\n\r\n\n", []inputLine{{}, {}, {}}},
		{"at the limit", "12345678\n", []inputLine{{text: "12345678"}}},
		{"at the limit with crlf", "12345678\r\n", []inputLine{{text: "12345678"}}},
		{"at the limit at the end", "12345678", []inputLine{{text: "12345678"}}},
		{"one over", "123456789\nok\n", []inputLine{{tooLong: true}, {text: "ok"}}},
		{"one over with cr", "12345678x\r\nok", []inputLine{{tooLong: true}, {text: "ok"}}},
		{"one over at the end", "123456789", []inputLine{{tooLong: true}}},
		{"far over", strings.Repeat("x", 100) + "\nok\n", []inputLine{{tooLong: true}, {text: "ok"}}},
		{"far over at the end", strings.Repeat("x", 100), []inputLine{{tooLong: true}}},
		{"invalid utf-8 kept", "\xff\xfe\n", []inputLine{{text: "\xff\xfe"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tc.in), 16) // the smallest buffer
			var got []inputLine
			for {
				in := readLine(br, max)
				if in.err == io.EOF {
					break
				}
				if in.err != nil {
					t.Fatalf("readLine: %v", in.err)
				}
				got = append(got, in)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("readLine(%q) gave %d lines %v; want %v", tc.in, len(got), got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("readLine(%q) line %d = %+v; want %+v", tc.in, i+1, got[i], tc.want[i])
				}
			}
		})
	}
}

// endless is an endless line of x's.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestReadLineDropsALongLineAsItGoes reads a 64 MiB line: it is reported
// too long without being held in memory.
func TestReadLineDropsALongLineAsItGoes(t *testing.T) {
	const size = 64 << 20
	br := bufio.NewReader(io.MultiReader(io.LimitReader(endless{}, size), strings.NewReader("\nok\n")))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	first := readLine(br, answer.MaxQuestionBytes)
	runtime.ReadMemStats(&after)
	if !first.tooLong || first.err != nil {
		t.Errorf("readLine = %+v; want tooLong", first)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("reading a %d MiB line allocated %d KiB", size>>20, grew>>10)
	}
	if next := readLine(br, answer.MaxQuestionBytes); next.text != "ok" {
		t.Errorf("line after the long one = %+v; want ok", next)
	}
}

// FuzzReadLine checks readLine against a plain split of the whole input.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"", "\n", "who\nwhat", "a\r\nb\r\n", "\r\r\n", "123456789\nok", strings.Repeat("y", 40) + "\r\n\n"} {
		f.Add([]byte(s), uint8(8))
	}
	f.Fuzz(func(t *testing.T, data []byte, max uint8) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		want := strings.Split(string(data), "\n")
		if want[len(want)-1] == "" {
			want = want[:len(want)-1] // no line after a final newline
		}
		for i, w := range want {
			w = strings.TrimSuffix(w, "\r")
			got := readLine(br, int(max))
			switch {
			case got.err != nil:
				t.Fatalf("line %d: %v; want %q", i+1, got.err, w)
			case len(got.text) > int(max) || strings.Contains(got.text, "\n"):
				t.Fatalf("line %d = %q: over %d bytes or holds a newline", i+1, got.text, max)
			case len(w) > int(max) && (!got.tooLong || got.text != ""):
				t.Fatalf("line %d = %+v; want it too long", i+1, got)
			case len(w) <= int(max) && (got.tooLong || got.text != w):
				t.Fatalf("line %d = %+v; want %q", i+1, got, w)
			}
		}
		if got := readLine(br, int(max)); got.err != io.EOF {
			t.Fatalf("after the last line: %+v; want io.EOF", got)
		}
	})
}
