package answer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFigures prints the engine's figures on every set of ../shared/eval,
// dev halves beside test halves. It runs when CORPUSBOT_FIGURES is set: it
// takes about a minute.
func TestFigures(t *testing.T) {
	if os.Getenv("CORPUSBOT_FIGURES") == "" {
		t.Skip("set CORPUSBOT_FIGURES=1 to print every figure")
	}
	dir := evalDir(t)
	squad := loadEngine(t, filepath.Join(dir, "squad", "corpus"))
	sq := readQuestions(t, filepath.Join(dir, "squad", "questions.jsonl"))
	t.Logf("seeds-dev:       %v", evaluate(t, loadEngine(t, ""), readQuestions(t, filepath.Join(dir, "seeds-dev.jsonl"))))
	t.Logf("squad dev:       %v", evaluate(t, squad, sq, docRange(1, 24)...))
	t.Logf("squad test:      %v", evaluate(t, squad, sq, docRange(25, 48)...))
	t.Logf("squad dev, ranking alone:  %s", rankString(rankFigures(squad, sq, docRange(1, 24)...)))
	t.Logf("squad test, ranking alone: %s", rankString(rankFigures(squad, sq, docRange(25, 48)...)))
	m2 := evaluate(t, squad, readQuestions(t, filepath.Join(dir, "squad2", "mixed-test.jsonl")))
	d2 := evaluate(t, squad, readQuestions(t, filepath.Join(dir, "squad2", "mixed-dev.jsonl")))
	t.Logf("squad2 mixed-dev:  %v", d2)
	t.Logf("squad2 mixed-test: %v", m2)
	var off, offDev metrics
	for _, half := range []string{"dev", "test"} {
		e := loadEngine(t, filepath.Join(dir, "offcorpus", half, "corpus"))
		off = evaluate(t, e, readQuestions(t, filepath.Join(dir, "offcorpus", half, "questions.jsonl")))
		t.Logf("offcorpus %s: %v", half, off)
		if half == "dev" {
			offDev = off
		}
	}
	dc, dr := append(d2.conf, offDev.conf...), append(d2.right, offDev.right...)
	t.Logf("dev halves: ECE %.3f, AUROC %.3f over %d questions", ECE(dc, dr, 10), AUROC(dc, dr), len(dc))
	// The test halves: squad2 mixed-test (SQuAD's test half and its
	// unanswerable questions) and offcorpus/test.
	conf, right := append(m2.conf, off.conf...), append(m2.right, off.right...)
	t.Logf("test halves: ECE %.3f, AUROC %.3f over %d questions; reliability:", ECE(conf, right, 10), AUROC(conf, right), len(conf))
	for _, b := range Reliability(conf, right, 10) {
		t.Logf("  [%.1f, %.1f): n=%5d confidence %.3f right %.3f", b.Low, b.High, b.N, b.Confidence, b.Right)
	}
}
