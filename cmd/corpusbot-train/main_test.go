package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRejectsBadArguments(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-eval", filepath.Join(t.TempDir(), "none"), "-o", out}, "none"},
		{[]string{"-nosuchflag"}, "nosuchflag"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
			t.Errorf("run(%q) = %v, %q; want an error naming %q", tc.args, err, stderr.String(), tc.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed run wrote %s", out)
	}
}

// TestRunWritesTheEmbeddedModel retrains from ../shared/eval, as go
// generate does, and checks the file written is the embedded one, byte for
// byte: a change to the features or the ranking must come with a retrained
// model (go generate ./answer).
func TestRunWritesTheEmbeddedModel(t *testing.T) {
	eval := filepath.Join("..", "..", "..", "shared", "eval")
	if _, err := os.Stat(eval); err != nil || testing.Short() {
		t.Skip("no ../shared/eval, or -short")
	}
	out := filepath.Join(t.TempDir(), "model.json")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-eval", eval, "-o", out, "-add", "=x"}, &stderr); err == nil || !strings.Contains(err.Error(), "CORPUS=QUESTIONS") {
		t.Errorf("-add =x: %v; want an error asking for CORPUS=QUESTIONS", err)
	}
	if err := run(context.Background(), []string{"-eval", eval, "-o", out}, &stderr); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "answer", "confidence.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("corpusbot-train wrote a model that is not answer/confidence.json")
	}
	if !strings.Contains(stderr.String(), "thresholds: hedge") {
		t.Errorf("no report on standard error: %q", stderr.String())
	}
}

// TestRunWritesTheAntonyms rebuilds answer/antonyms.txt and
// corpus/irregular.txt from WordNet's files when they are at /tmp/wordnet
// (Debian's wordnet-base unpacked), as the README says, and checks they are
// the embedded files; a folder without them fails and writes nothing.
func TestRunWritesTheAntonyms(t *testing.T) {
	tmp := t.TempDir()
	out, irr := filepath.Join(tmp, "antonyms.txt"), filepath.Join(tmp, "irregular.txt")
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-wordnet", t.TempDir(), "-antonyms", out, "-irregular", irr}, &stderr); err == nil || !strings.Contains(err.Error(), "adj.exc") {
		t.Errorf("-wordnet of an empty folder: %v; want an error naming adj.exc", err)
	}
	for _, f := range []string{out, irr} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a failed run wrote %s", f)
		}
	}
	dir := "/tmp/wordnet/usr/share/wordnet"
	if _, err := os.Stat(filepath.Join(dir, "data.adj")); err != nil {
		t.Skip("no WordNet at " + dir)
	}
	if err := run(context.Background(), []string{"-wordnet", dir, "-antonyms", out, "-irregular", irr}, &stderr); err != nil {
		t.Fatal(err)
	}
	for f, embedded := range map[string]string{out: "answer/antonyms.txt", irr: "corpus/irregular.txt"} {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", embedded))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("corpusbot-train -wordnet wrote a file that is not %s", embedded)
		}
	}
}
