package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestChatQuitsAtOnceOnInterrupt interrupts the console while a line is
// being typed: it quits at once, with a newline and no error.
func TestChatQuitsAtOnceOnInterrupt(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	var errb bytes.Buffer
	r := startRun([]string{"chat"}, inR, outW, &errb)
	out := bufio.NewReader(outR)
	greeting := readLineWithin(t, out, 10*time.Second)
	if !strings.Contains(greeting, "Ctrl-C") {
		t.Errorf("greeting %q does not say how to quit with Ctrl-C", greeting)
	}
	go io.WriteString(inW, "who is the def") // no Enter yet
	r.interrupt()
	if rest := readLineWithin(t, out, 5*time.Second); rest != "> \n" {
		t.Errorf("after the prompt, chat wrote %q; want a newline", rest)
	}
	if err := r.wait(t, 5*time.Second); err != nil {
		t.Errorf("interrupted chat = %v; want nil, exit 0", err)
	}
}

// TestChatQuitsOnInterruptWhileLoading interrupts the console while it
// loads a corpus whose named pipe blocks whoever opens it.
func TestChatQuitsOnInterruptWhileLoading(t *testing.T) {
	dir := fifoCorpus(t)
	inR, inW := io.Pipe()
	t.Cleanup(func() { inW.Close() })
	var out, errb bytes.Buffer
	r := startRun([]string{"chat", "--corpus", dir}, inR, &out, &errb)
	time.Sleep(200 * time.Millisecond)
	r.interrupt()
	if err := r.wait(t, 5*time.Second); err != nil {
		t.Errorf("interrupted chat = %v; want nil, exit 0", err)
	}
}

// TestChatLongLine types a line longer than any question, longer even than
// bufio.Scanner's 1 MiB: the console says so and goes on.
func TestChatLongLine(t *testing.T) {
	in := strings.Repeat("who is the minister ", 2<<20/20) + "\nwho's laos's defence minister now?\n"
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat"}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	got := out.String()
	for _, want := range []string{"That line is too long (over 4000 bytes)", "Khamliang"} {
		if !strings.Contains(got, want) {
			t.Errorf("chat output lacks %q:\n%.2000s", want, got)
		}
	}
}
