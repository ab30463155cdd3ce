package answer

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// The quality tests score the engine on ../shared/eval the way
// ../shared/eval/score.py does, and fail when quality falls below the floor
// measured for the engine as it is, so that a regression fails CI. The
// seeds-dev floors are issue 2's goals, which the engine meets; its SQuAD
// goal is higher than the floor (test half P@1 ≥ 0.78): raise the floor as
// the engine gets there.
// Run with -v to see the figures; -misses N prints missed questions.

var misses = flag.Int("misses", 0, "print up to N missed questions of the quality tests")

// evalDir finds ../shared/eval from the module root. Outside CI a missing
// folder skips the quality tests; in CI it fails them.
func evalDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "shared", "eval")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("evaluation data: %v", err)
		}
		t.Skipf("no evaluation data at %s", dir)
	}
	return dir
}

type evalQuestion = TrainQuestion

func readQuestions(t testing.TB, path string) []evalQuestion {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []evalQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var q evalQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

type metrics struct {
	answerable, p1, r3, falseRefusals int
	mrr                               float64
	unanswerable, refused             int
	hedged                            int
	// conf and right are each question's confidence and whether its
	// first citation answers it.
	conf  []float64
	right []bool
}

func (m metrics) P1() float64  { return float64(m.p1) / float64(m.answerable) }
func (m metrics) R3() float64  { return float64(m.r3) / float64(m.answerable) }
func (m metrics) MRR() float64 { return m.mrr / float64(m.answerable) }
func (m metrics) Refused() float64 {
	if m.unanswerable == 0 {
		return 1
	}
	return float64(m.refused) / float64(m.unanswerable)
}

func (m metrics) String() string {
	return fmt.Sprintf("answerable=%d P@1=%.3f R@3=%.3f MRR@10=%.3f false_refusals=%d (%.3f) unanswerable=%d refused_unanswerable=%.3f hedged=%d AUROC=%.3f ECE=%.3f",
		m.answerable, m.P1(), m.R3(), m.MRR(), m.falseRefusals, float64(m.falseRefusals)/float64(max(m.answerable, 1)), m.unanswerable, m.Refused(), m.hedged, AUROC(m.conf, m.right), ECE(m.conf, m.right, 10))
}

// evaluate asks every question whose doc starts with one of prefixes (all
// when none) and scores the answers.
func evaluate(t testing.TB, e *Engine, qs []evalQuestion, prefixes ...string) metrics {
	var m metrics
	shown := 0
	for _, q := range qs {
		if len(prefixes) > 0 && q.Doc != "" && !hasAnyPrefix(q.Doc, prefixes) {
			continue
		}
		res := e.ask(q.Question, AskOptions{Top: 10})
		m.conf = append(m.conf, res.Confidence)
		// Whether the first citation answers, whatever the
		// confidence: what the confidence is the probability of.
		raw, _, _ := e.run(q.Question, AskOptions{Top: 1}, false)
		m.right = append(m.right, raw.Answered && len(q.Answers) > 0 && hitRank(q, raw.Citations) == 1)
		if res.Hedged {
			m.hedged++
		}
		if len(q.Answers) == 0 {
			m.unanswerable++
			if !res.Answered {
				m.refused++
			} else if shown < *misses {
				shown++
				t.Logf("MISS %s (answered unanswerable): %s\n  got: %s", q.ID, q.Question, res.Answer)
			}
			continue
		}
		m.answerable++
		if !res.Answered {
			m.falseRefusals++
			if shown < *misses {
				shown++
				t.Logf("MISS %s (refused): %s\n  reason: %s", q.ID, q.Question, res.Answer)
			}
			continue
		}
		rank := hitRank(q, res.Citations)
		switch {
		case rank == 1:
			m.p1++
		case shown < *misses:
			shown++
			got := ""
			if len(res.Citations) > 0 {
				got = res.Citations[0].Doc + ": " + res.Citations[0].Sentence
			}
			t.Logf("MISS %s (rank %d): %s\n  want %q in %s\n  got  %.200s", q.ID, rank, q.Question, q.Answers[0], q.Doc, got)
		}
		if rank >= 1 && rank <= 3 {
			m.r3++
		}
		if rank > 0 {
			m.mrr += 1 / float64(rank)
		}
	}
	return m
}

// rankFigures scores the ranking alone on the answerable questions whose
// doc starts with one of prefixes (all when none): the citations as the
// engine ranks them, a question refused only by decide's rules, not by the
// confidence (whose threshold trades answers for refusals, and which a
// ranking change needs retrained).
func rankFigures(e *Engine, qs []evalQuestion, prefixes ...string) metrics {
	var m metrics
	for _, q := range qs {
		if len(q.Answers) == 0 || len(prefixes) > 0 && !hasAnyPrefix(q.Doc, prefixes) {
			continue
		}
		m.answerable++
		res, _, _ := e.run(q.Question, AskOptions{Top: 10}, false)
		if !res.Answered {
			m.falseRefusals++
			continue
		}
		rank := hitRank(q, res.Citations)
		if rank == 1 {
			m.p1++
		}
		if rank >= 1 && rank <= 3 {
			m.r3++
		}
		if rank > 0 {
			m.mrr += 1 / float64(rank)
		}
	}
	return m
}

// rankString is m as rankFigures scores it.
func rankString(m metrics) string {
	return fmt.Sprintf("answerable=%d P@1=%.4f R@3=%.4f MRR@10=%.4f refused by the rules=%d", m.answerable, m.P1(), m.R3(), m.MRR(), m.falseRefusals)
}

func hasAnyPrefix(s string, ps []string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func docRange(from, to int) []string {
	var ps []string
	for i := from; i <= to; i++ {
		ps = append(ps, fmt.Sprintf("%03d", i))
	}
	return ps
}

func loadEngine(t testing.TB, dir string) *Engine {
	var fsys = seeds.FS()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return New(ix, Options{})
}

// sampleDir holds what of ../shared/eval the quality floors need in any
// clone: seeds-dev.jsonl and a sample of SQuAD's dev half (README.md).
const sampleDir = "testdata/eval"

func TestQualitySeeds(t *testing.T) {
	m := evaluate(t, loadEngine(t, ""), readQuestions(t, filepath.Join(sampleDir, "seeds-dev.jsonl")))
	t.Logf("seeds-dev: %v", m)
	if m.P1() < 0.90 || m.R3() < 0.97 || m.Refused() < 0.85 || m.falseRefusals > 2 {
		t.Errorf("seeds-dev: %v; want P@1 ≥ 0.90, R@3 ≥ 0.97, refused_unanswerable ≥ 0.85, false_refusals ≤ 2", m)
	}
}

func TestQualitySQuAD(t *testing.T) {
	if testing.Short() {
		t.Skip("SQuAD takes a few seconds")
	}
	dir := evalDir(t)
	e := loadEngine(t, filepath.Join(dir, "squad", "corpus"))
	qs := readQuestions(t, filepath.Join(dir, "squad", "questions.jsonl"))
	dev := evaluate(t, e, qs, docRange(1, 24)...)
	test := evaluate(t, e, qs, docRange(25, 48)...)
	t.Logf("SQuAD dev half (001-024, tuned on): %v", dev)
	t.Logf("SQuAD test half (025-048, reported): %v", test)
	// A refusal is a miss: the answerable model's refusals (issue 15)
	// cost the test half 0.011 (the ranking alone 0.764, judged 0.753).
	if test.P1() < 0.75 {
		t.Errorf("SQuAD test half: %v; want P@1 ≥ 0.75", test)
	}
	// The ranking alone, a little under what it scores (dev P@1 0.7584
	// R@3 0.8848, test 0.7649 / 0.8845; before the analyzer's irregular
	// forms, 0.7554 / 0.8829 and 0.7636 / 0.8831; before the inherit, type
	// news and derived-term signals of issue 15, 0.7449 / 0.8727 and
	// 0.7565 / 0.8740).
	for _, h := range []struct {
		name   string
		docs   []string
		p1, r3 float64
	}{
		{"dev", docRange(1, 24), 0.756, 0.883},
		{"test", docRange(25, 48), 0.762, 0.882},
	} {
		m := rankFigures(e, qs, h.docs...)
		t.Logf("SQuAD %s half, ranking alone: %s", h.name, rankString(m))
		if m.P1() < h.p1 || m.R3() < h.r3 {
			t.Errorf("SQuAD %s half, ranking alone: %s; want P@1 ≥ %.3f, R@3 ≥ %.3f", h.name, rankString(m), h.p1, h.r3)
		}
	}
}

// TestQualitySample scores the engine on the SQuAD sample in testdata: 344
// answerable questions and 156 SQuAD 2.0 unanswerable ones over eight
// articles of the dev half, the eight alone as the corpus. The floors are
// a little under what the engine scores now.
func TestQualitySample(t *testing.T) {
	e := loadEngine(t, filepath.Join(sampleDir, "corpus"))
	m := evaluate(t, e, readQuestions(t, filepath.Join(sampleDir, "squad-dev.jsonl")))
	t.Logf("SQuAD sample: %v", m)
	r := rankFigures(e, readQuestions(t, filepath.Join(sampleDir, "squad-dev.jsonl")))
	t.Logf("SQuAD sample, ranking alone: %s", rankString(r))
	if r.P1() < sampleRankP1 || r.R3() < sampleRankR3 {
		t.Errorf("SQuAD sample, ranking alone: %s; want P@1 ≥ %.3f, R@3 ≥ %.3f", rankString(r), sampleRankP1, sampleRankR3)
	}
	if m.P1() < sampleP1 || m.R3() < sampleR3 || m.falseRefusals > sampleFalseRefusals || m.Refused() < sampleRefused {
		t.Errorf("SQuAD sample: %v; want P@1 ≥ %.3f, R@3 ≥ %.3f, false_refusals ≤ %d, refused_unanswerable ≥ %.3f", m, sampleP1, sampleR3, sampleFalseRefusals, sampleRefused)
	}
}

// The SQuAD sample's floors, measured with the confidence: P@1 0.843, R@3
// 0.924, 14 false refusals, refused_unanswerable 0.038 (6 of 156; a
// question is 0.003 of P@1). The confidence's hedge threshold trades a few
// false refusals for refusing unanswerable questions (before it: P@1
// 0.852, R@3 0.942, 2 false refusals).
//
// The ranking alone (rankFigures) scores P@1 0.855, R@3 0.942 on it (before
// issue 15's ranking signals: 0.852, 0.942).
const (
	sampleRankP1        = 0.85
	sampleRankR3        = 0.935
	sampleP1            = 0.835
	sampleR3            = 0.915
	sampleFalseRefusals = 16
	sampleRefused       = 0.03
)
