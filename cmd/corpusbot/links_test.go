package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkedCorpus writes a corpus whose articles have url: front matter, one
// of them a javascript: URL, which is never linked.
func linkedCorpus(t *testing.T) string {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"summit.txt": "---\ntitle: Leaders meet in Hanoi\ndate: 2021-05-07\nurl: https://example.com/summit?id=1&lang=en\n---\n" +
			"President Anna Berg met Prime Minister Tom Reyes in Hanoi on May 6, 2021.\n",
		"storm.txt": "---\ntitle: Storm hits the coast\nurl: javascript:alert(document.cookie)\n---\n" +
			"A storm hit the coast on Friday and flooded the old market.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAskShortAnswerAndLinks(t *testing.T) {
	dir := linkedCorpus(t)
	in := strings.NewReader("when did Anna Berg meet Tom Reyes?\nwhat flooded the old market?\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"ask", "--corpus", dir, "--json"}, in, &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var raw []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		raw = append(raw, m)
	}
	if len(raw) != 2 {
		t.Fatalf("got %d lines; want 2:\n%s", len(raw), out.String())
	}
	if got := raw[0]["short_answer"]; got != "May 6, 2021" {
		t.Errorf("short_answer = %v; want May 6, 2021", got)
	}
	if got := raw[0]["citations"].([]any)[0].(map[string]any)["url"]; got != "https://example.com/summit?id=1&lang=en" {
		t.Errorf("citations[0].url = %v; want the article's url", got)
	}
	if _, ok := raw[1]["short_answer"]; ok {
		t.Errorf("a what question has a short_answer: %s", lines[1])
	}
	if _, ok := raw[1]["citations"].([]any)[0].(map[string]any)["url"]; ok || strings.Contains(out.String(), "javascript") {
		t.Errorf("a javascript: url is linked: %s", lines[1])
	}

	out.Reset()
	if err := run(context.Background(), []string{"ask", "--corpus", dir, "when did Anna Berg meet Tom Reyes?"}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("run: %v (%s)", err, errb.String())
	}
	for _, want := range []string{"May 6, 2021 — see [1]\n", "\n    https://example.com/summit?id=1&lang=en\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("ask printed:\n%s\nwant it to hold %q", out.String(), want)
		}
	}
}

// TestChatPrintsLinks: the console prints citations' links and /sources.
func TestChatPrintsLinks(t *testing.T) {
	dir := linkedCorpus(t)
	var out, errb bytes.Buffer
	in := strings.NewReader("when did Anna Berg meet Tom Reyes?\n/help\n/sources\n/sources storm page 3\n")
	if err := run(context.Background(), []string{"chat", "--corpus", dir}, in, &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	for _, want := range []string{
		"May 6, 2021 — ",
		"\nhttps://example.com/summit?id=1&lang=en",
		"/sources [words] — ",
		"I answer from 2 articles, newest first:\n1. Leaders meet in Hanoi (2021-05-07)\n   https://example.com/summit?id=1&lang=en\n2. Storm hits the coast (undated)\n",
		"There is only 1 page; try /sources storm page 1.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("chat printed:\n%s\nwant it to hold %q", out.String(), want)
		}
	}
	if strings.Contains(out.String(), "javascript") {
		t.Errorf("chat printed a javascript: url:\n%s", out.String())
	}
}
