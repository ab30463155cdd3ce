package answer

import (
	"bytes"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedModel(t *testing.T) {
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	if th := DefaultThresholds(); th.Hedge <= 0 || th.Hedge > th.Confident || th.Confident >= 1 {
		t.Errorf("default thresholds %+v: want 0 < hedge ≤ confident < 1", th)
	}
	if signals[signalBigram].Name != "bigram" || signals[signalExact].Name != "exact" {
		t.Errorf("signalBigram, signalExact name %q, %q", signals[signalBigram].Name, signals[signalExact].Name)
	}
}

func TestParseModelRejectsOtherFeatures(t *testing.T) {
	i := bytes.LastIndex(confidenceJSON, []byte(`"score_log"`)) // the answerable model's
	inner := string(confidenceJSON[:i]) + `"other"` + string(confidenceJSON[i+len(`"score_log"`):])
	for _, b := range []string{`{`, `{"features": ["score"]}`, string(bytes.Replace(confidenceJSON, []byte(`"score_log"`), []byte(`"other"`), 1)), inner,
		strings.Replace(string(confidenceJSON), `"answerable": {`, `"answerable": {"answerable": {},`, 1)} {
		if _, err := parseModel([]byte(b)); err == nil {
			t.Errorf("parseModel(%.40q) = nil error; want one", b)
		}
	}
}

// The three kinds of reply, by the thresholds.
func TestConfidenceThresholds(t *testing.T) {
	ix := loadEngine(t, "").Index()
	// Not "Who is Laos's defence minister?": confident at 0.511 with
	// the short answer "Friendship Exchange", it is hedged since the
	// ranking gained derived terms.
	const q = "who is the laos defence minister now?"
	res := New(ix, Options{}).ask(q, AskOptions{})
	if !res.Answered || res.Hedged || res.Confidence < DefaultThresholds().Confident || res.Confidence > 1 || res.ShortAnswer == "" {
		t.Fatalf("%q: answered %v, hedged %v, confidence %v, short answer %q; want a confident answer, led by a short one", q, res.Answered, res.Hedged, res.Confidence, res.ShortAnswer)
	}
	hedged := New(ix, Options{Thresholds: &Thresholds{Confident: 1.1, Hedge: 0}}).ask(q, AskOptions{})
	if !hedged.Answered || !hedged.Hedged || hedged.Answer != hedgeText || len(hedged.Citations) == 0 || hedged.Confidence != res.Confidence {
		t.Errorf("above the hedge threshold, below the confident one: %+v; want a hedged answer with citations", hedged)
	}
	if hedged.ShortAnswer != "" {
		t.Errorf("a hedged answer gives the short answer %q; want none: the engine is not sure of it", hedged.ShortAnswer)
	}
	refused := New(ix, Options{Thresholds: &Thresholds{Confident: 1.1, Hedge: 1.1}}).ask(q, AskOptions{})
	if refused.Answered || refused.Hedged || refused.Refusal == nil || refused.Refusal.Kind != RefusedUnsure || len(refused.Citations) != 0 {
		t.Errorf("below the hedge threshold: %+v; want a refusal", refused)
	}
}

// The hedge threshold reads the answerable model, the reply's confidence
// the confidence model: a question the engine is sure it has answered is
// refused when the answerable model doubts the corpus answers it.
func TestHedgeReadsAnswerable(t *testing.T) {
	if model.Answerable == nil {
		t.Fatal("the embedded model has no answerable model")
	}
	defer func(m *confidenceModel) { model = m }(model)
	ix := loadEngine(t, "").Index()
	const q = "Who is Laos's defence minister?"
	th := &Thresholds{Confident: 0.5, Hedge: 0.3}
	for _, tc := range []struct {
		answerable float64
		answered   bool
	}{{0.2, false}, {0.4, true}} {
		m := *model
		a := *model.Answerable
		a.IsoZ, a.IsoP = []float64{0}, []float64{tc.answerable} // the same probability for every question
		m.Answerable = &a
		model = &m
		res := New(ix, Options{Thresholds: th}).ask(q, AskOptions{})
		if res.Answered != tc.answered || res.Confidence < th.Confident {
			t.Errorf("answerable %v, hedge %v: answered %v, confidence %v; want answered %v, confidence ≥ %v", tc.answerable, th.Hedge, res.Answered, res.Confidence, tc.answered, th.Confident)
		}
		if !tc.answered && (res.Refusal == nil || res.Refusal.Kind != RefusedUnsure) {
			t.Errorf("answerable %v: refusal %+v; want RefusedUnsure", tc.answerable, res.Refusal)
		}
	}
}

// Questions the seed articles do not answer are not answered confidently:
// the weather, a bridge they do not have. ("What did Nguyen Phu Trong say
// about Laos?" still is, at 0.52: its words are all in the corpus.)
func TestConfidenceDoubts(t *testing.T) {
	e := loadEngine(t, "")
	for _, q := range []string{"What is the weather in Hanoi tomorrow?", "How long is the Fir bridge?"} {
		if res := e.ask(q, AskOptions{}); res.Answered && !res.Hedged {
			t.Errorf("%q: a confident answer (confidence %v): %s", q, res.Confidence, res.Answer)
		}
	}
}

// TestQualityConfidence holds the refusals and the calibration to floors a
// little under what the model reaches on the test halves (measured:
// offcorpus/test refused 0.775 at 56 false refusals of 2,427; squad2
// mixed-test refused 0.135 at 147 of 4,874; ECE 0.041 over both). The
// false refusals are held to the limits, 3% and 5%.
func TestQualityConfidence(t *testing.T) {
	if testing.Short() {
		t.Skip("the test halves take some seconds")
	}
	dir := evalDir(t)
	off := evaluate(t, loadEngine(t, filepath.Join(dir, "offcorpus", "test", "corpus")), readQuestions(t, filepath.Join(dir, "offcorpus", "test", "questions.jsonl")))
	mixed := evaluate(t, loadEngine(t, filepath.Join(dir, "squad", "corpus")), readQuestions(t, filepath.Join(dir, "squad2", "mixed-test.jsonl")))
	t.Logf("offcorpus/test: %v", off)
	t.Logf("squad2/mixed-test: %v", mixed)
	if off.Refused() < 0.76 || off.falseRefusals > 73 {
		t.Errorf("offcorpus/test: %v; want refused_unanswerable ≥ 0.76 at ≤ 73 false refusals (3%%)", off)
	}
	if mixed.Refused() < 0.125 || mixed.falseRefusals > 243 {
		t.Errorf("squad2/mixed-test: %v; want refused_unanswerable ≥ 0.125 at ≤ 243 false refusals (5%%)", mixed)
	}
	conf, right := append(off.conf, mixed.conf...), append(off.right, mixed.right...)
	if ece := ECE(conf, right, 10); ece > 0.042 {
		t.Errorf("test halves: ECE %.3f; want ≤ 0.042", ece)
	}
}

// BenchmarkModelLoad is what the embedded model adds to start-up.
func BenchmarkModelLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseModel(confidenceJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseModel: a model file, however broken, is rejected or predicts a
// probability; it never panics.
func FuzzParseModel(f *testing.F) {
	f.Add(confidenceJSON)
	f.Add([]byte(`{"features": []}`))
	f.Add(bytes.Replace(confidenceJSON, []byte(`"f": [`), []byte(`"f": [99, `), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseModel(b)
		if err != nil {
			return
		}
		var v featureVec
		if p := m.predict(&v); p < 0 || p > 1 {
			t.Errorf("predict = %v", p)
		}
	})
}

// FuzzReadQuestions: a questions file, however broken, reads or fails
// with an error; it never panics.
func FuzzReadQuestions(f *testing.F) {
	f.Add([]byte(`{"id": "1", "question": "who?", "answers": ["x"], "doc": "001_a.txt"}` + "\n\n{\"question\": \"q\"}"))
	f.Add([]byte("{\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		qs, err := ReadQuestions(bytes.NewReader(b))
		if err == nil && len(qs) > bytes.Count(b, []byte("\n"))+1 {
			t.Errorf("%d questions from %d lines", len(qs), bytes.Count(b, []byte("\n"))+1)
		}
	})
}

// isotonic fits a non-decreasing step function, and calibrate interpolates
// it on the logit, clamped at the ends and never quite 0 or 1.
func TestIsotonicCalibration(t *testing.T) {
	rows := [][]float64{{1, -2}, {1, -1}, {1, 0}, {1, 1}, {1, 2}, {1, 3}}
	ys := []float64{0, 1, 0, 1, 1, 1}
	ws := []float64{1, 1, 1, 1, 1, 1}
	zs, ps := isotonic(rows, ys, ws)
	want := []float64{0, 0.5, 1}
	if !slices.Equal(ps, want) || !slices.Equal(zs, []float64{-2, -0.5, 2}) {
		t.Fatalf("isotonic = %v, %v; want logits [-2 -0.5 2], values %v", zs, ps, want)
	}
	m := &confidenceModel{IsoZ: zs, IsoP: ps}
	for _, c := range []struct{ z, p float64 }{{-9, minProbability}, {-2, minProbability}, {-1.25, 0.25}, {-0.5, 0.5}, {0.75, 0.75}, {9, maxProbability}} {
		if got := m.calibrate(c.z); math.Abs(got-c.p) > 1e-12 {
			t.Errorf("calibrate(%v) = %v; want %v", c.z, got, c.p)
		}
	}
	bad := bytes.Replace(confidenceJSON, []byte(`"isotonic_p": [`), []byte(`"isotonic_p": [2, `), 1)
	if _, err := parseModel(bad); err == nil {
		t.Errorf("parseModel accepts a probability of 2")
	}
}
