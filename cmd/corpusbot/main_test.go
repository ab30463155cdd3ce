package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/answer"
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
	dir := copySeeds(t)
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
