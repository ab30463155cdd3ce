package answer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
	"golang.org/x/text/unicode/norm"
)

// Training the confidence model (confidence.go). cmd/corpusbot-train reads
// the dev halves of ../shared/eval into TrainSets and writes what Train
// returns to confidence.json; go generate ./answer runs it. Training is
// deterministic: the same sets give the same file, byte for byte.

// A TrainQuestion is one line of a questions file of ../shared/eval:
// a question, the answers a citation must show (none: the corpus cannot
// answer it) and the article that holds them.
type TrainQuestion struct {
	ID       string   `json:"id"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Doc      string   `json:"doc"`
	AltDocs  []string `json:"alt_docs"`
}

// ReadQuestions reads a questions file: one JSON TrainQuestion a line.
func ReadQuestions(r io.Reader) ([]TrainQuestion, error) {
	var qs []TrainQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var q TrainQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// A TrainSet is questions asked of one corpus. Weight counts each of its
// questions as that many (zero means 1): a small set of the questions
// users ask weighs as much as a large one of SQuAD's.
type TrainSet struct {
	Name      string
	Index     *corpus.Index
	Questions []TrainQuestion
	Weight    float64
	// Target is the most false refusals (a share of the set's answerable
	// questions) the default hedge threshold may make on it; zero means
	// no limit.
	Target float64
}

// An example is one question the rules let through: its features, whether
// its first citation answers it, its weight and its fold of articles.
type example struct {
	f          featureVec
	right      bool
	answerable bool
	weight     float64
	fold       int
	set        int
}

// calibrationFolds is how many folds of articles the calibration
// cross-fits over.
const calibrationFolds = 4

// foldOf is the fold of a question about article doc: the article's number
// modulo calibrationFolds, or, for an article without a number, the
// question's number i in its set.
func foldOf(doc string, i int) int {
	j := strings.IndexFunc(doc, func(r rune) bool { return r < '0' || r > '9' })
	if j > 0 {
		if n, err := strconv.Atoi(doc[:j]); err == nil {
			return n % calibrationFolds
		}
	}
	return i % calibrationFolds
}

// boostOn fits trees, when useTrees, to what m's logistic part leaves of
// the examples of xs that use picks.
func boostOn(m *confidenceModel, xs []example, use func(*example) bool) []tree {
	if !useTrees {
		return nil
	}
	base := make([]float64, len(xs))
	lr := *m
	lr.Trees, lr.A, lr.B = nil, 1, 0
	for i := range xs {
		p := lr.predict(&xs[i].f)
		base[i] = math.Log(p / (1 - p))
	}
	return boost(xs, base, use)
}

// unitCalibration is whether the calibration counts every question once,
// whatever its set's Weight.
var unitCalibration = true

// useTrees is whether the model boosts trees after its logistic part.
var useTrees = true

// fitLogistic fits m's weights on the examples of xs that use picks.
func fitLogistic(m *confidenceModel, xs []example, use func(*example) bool) (float64, []float64) {
	var rows [][]float64
	var ys, ws []float64
	for i := range xs {
		x := &xs[i]
		if !use(x) {
			continue
		}
		v := make([]float64, nFeatures+1)
		v[0] = 1
		for j, f := range x.f {
			v[j+1] = standard(f, m.Mean[j], m.Scale[j])
		}
		rows, ys, ws = append(rows, v), append(ys, b2f(x.right)), append(ws, x.weight)
	}
	beta := logistic(rows, ys, ws, l2)
	return round6(beta[0]), roundAll(beta[1:])
}

// examples asks the questions of sets and returns those the rules let
// through, and each set's tally.
func examples(sets []TrainSet) ([]example, []tally) {
	var xs []example
	ts := make([]tally, len(sets))
	for k, set := range sets {
		w := set.Weight
		if w == 0 {
			w = 1
		}
		e := New(set.Index, Options{})
		for i, q := range set.Questions {
			res, f, scored := e.run(q.Question, AskOptions{Top: 1}, false)
			ans := len(q.Answers) > 0
			switch {
			case ans && !scored:
				ts[k].answerable++
				ts[k].ruledAnswerable++
			case ans:
				ts[k].answerable++
			case !scored:
				ts[k].unanswerable++
				ts[k].ruledUnanswerable++
			default:
				ts[k].unanswerable++
			}
			if !scored {
				continue
			}
			xs = append(xs, example{f: f, right: ans && hitRank(q, res.Citations) == 1, answerable: ans,
				weight: w, fold: foldOf(q.Doc, i), set: k})
		}
	}
	return xs, ts
}

// Train fits the confidence model on sets and returns the model file and a
// report of what it measured.
func Train(sets []TrainSet) ([]byte, string, error) {
	xs, ts := examples(sets)
	if len(xs) == 0 {
		return nil, "", fmt.Errorf("train: no question to learn from")
	}
	var rep strings.Builder
	m, _ := fitModel(xs, calibrateAuto, false, &rep)
	ps := make([]float64, len(xs))
	rs := make([]bool, len(xs))
	for i := range xs {
		ps[i], rs[i] = m.predict(&xs[i].f), xs[i].right
	}
	fmt.Fprintf(&rep, "the model on the examples it was fitted on: AUROC %.3f, ECE %.3f\n", AUROC(ps, rs), ECE(ps, rs, 10))
	// The answerable model: the same kind of model, of whether the
	// question has an answer in the corpus at all.
	as := slices.Clone(xs)
	for i := range as {
		as[i].right = as[i].answerable
	}
	fmt.Fprintf(&rep, "the answerable model:\n")
	var held []float64
	m.Answerable, held = fitModel(as, calibrateAuto, false, &rep)
	var ruled float64
	for _, t := range ts {
		ruled += t.ruledAnswerable + t.ruledUnanswerable
	}
	fmt.Fprintf(&rep, "examples: %d (%.0f questions refused by the rules)\n", len(xs), ruled)
	m.Hedge = chooseHedge(held, sets, xs, ts, &rep)
	m.Confident = max(m.Hedge, 0.5)
	fmt.Fprintf(&rep, "thresholds: hedge %.3f, confident %.3f\n", m.Hedge, m.Confident)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, "", err
	}
	return append(b, '\n'), rep.String(), nil
}

// How fitModel calibrates.
const (
	calibrateAuto     = iota // Platt or isotonic, whichever calibrates held-apart folds better
	calibratePlatt           // Platt
	calibrateIsotonic        // isotonic
)

// fitModel fits the confidence model to xs: a logistic model and boosted
// trees on all of them (or, when bagged, the mean of the models fitted to
// all but each fold), calibrated on the logits each example gets from a
// model fitted without its fold of articles. It reports on rep, and
// returns too each example's calibrated probability from the model fitted
// without its fold.
func fitModel(xs []example, calib int, bagged bool, rep io.Writer) (*confidenceModel, []float64) {
	// The model: a fit on every example.
	m := &confidenceModel{Features: featureNames[:]}
	m.Mean, m.Scale = standardise(xs)
	all := func(*example) bool { return true }
	m.Bias, m.Weights = fitLogistic(m, xs, all)
	m.Trees = boostOn(m, xs, all)
	// Platt: a logistic fit of the label on the logit of a model fitted
	// without the question's article, for every example (cross-fitting
	// by article over calibrationFolds folds), so that the calibration
	// is learnt on held-apart articles.
	rows := make([][]float64, len(xs))
	ys, ws := make([]float64, len(xs)), make([]float64, len(xs))
	var folds []*confidenceModel
	for k := range calibrationFolds {
		if !slices.ContainsFunc(xs, func(x example) bool { return x.fold == k }) {
			continue
		}
		held := &confidenceModel{Mean: m.Mean, Scale: m.Scale, A: 1}
		train := func(x *example) bool { return x.fold != k }
		held.Bias, held.Weights = fitLogistic(held, xs, train)
		held.Trees = boostOn(held, xs, train)
		folds = append(folds, held)
		for i := range xs {
			if xs[i].fold == k {
				p := held.predict(&xs[i].f)
				w := xs[i].weight
				if unitCalibration {
					w = 1
				}
				rows[i], ys[i], ws[i] = []float64{1, math.Log(p / (1 - p))}, b2f(xs[i].right), w
			}
		}
	}
	// Platt or isotonic, whichever calibrates the held-apart logits of
	// each fold better when fitted on the other folds' (nested).
	rs := make([]bool, len(xs))
	for i := range xs {
		rs[i] = xs[i].right
	}
	platt, iso := make([]float64, len(xs)), make([]float64, len(xs))
	for k := range calibrationFolds {
		var r [][]float64
		var y, w []float64
		for i := range xs {
			if xs[i].fold != k {
				r, y, w = append(r, rows[i]), append(y, ys[i]), append(w, ws[i])
			}
		}
		ab := logistic(r, y, w, 0)
		c := &confidenceModel{A: ab[1], B: ab[0]}
		c.IsoZ, c.IsoP = isotonic(r, y, w)
		for i := range xs {
			if xs[i].fold == k {
				c2 := *c
				c2.IsoZ = nil
				platt[i], iso[i] = c2.calibrate(rows[i][1]), c.calibrate(rows[i][1])
			}
		}
	}
	fmt.Fprintf(rep, "nested calibration on held-apart folds: Platt ECE %.3f, isotonic ECE %.3f\n", ECE(platt, rs, 10), ECE(iso, rs, 10))
	ab := logistic(rows, ys, ws, 0)
	m.A, m.B = round6(ab[1]), round6(ab[0])
	if calib == calibrateIsotonic || calib == calibrateAuto && ECE(iso, rs, 10) < ECE(platt, rs, 10) {
		m.IsoZ, m.IsoP = isotonic(rows, ys, ws)
	}
	oof := make([]float64, len(xs))
	for i := range xs {
		oof[i] = m.calibrate(rows[i][1])
	}
	fmt.Fprintf(rep, "held-apart articles, calibrated: AUROC %.3f, ECE %.3f\n", AUROC(oof, rs), ECE(oof, rs, 10))
	if bagged {
		// The mean of the fold models: each scores new questions as it
		// scored its held-apart ones, which the calibration was fit on.
		n := float64(len(folds))
		m.Bias, m.Weights, m.Trees = 0, make([]float64, nFeatures), nil
		for _, f := range folds {
			m.Bias += f.Bias / n
			for j := range m.Weights {
				m.Weights[j] += f.Weights[j] / n
			}
			for _, t := range f.Trees {
				v := make([]float64, len(t.Value))
				for j := range v {
					v[j] = round6(t.Value[j] / n)
				}
				m.Trees = append(m.Trees, tree{Feature: t.Feature, Threshold: t.Threshold, Value: v})
			}
		}
		m.Bias, m.Weights = round6(m.Bias), roundAll(m.Weights)
	}
	return m, oof
}

// isotonic fits a non-decreasing step function of the logit rows[i][1]
// to ys by pool-adjacent-violators and returns each step's mean logit and
// value, in order: calibrate interpolates between them.
func isotonic(rows [][]float64, ys, ws []float64) (zs, ps []float64) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(rows[a][1], rows[b][1]) })
	type block struct{ w, wy, wz float64 }
	var bs []block
	for _, i := range idx {
		bs = append(bs, block{ws[i], ws[i] * ys[i], ws[i] * rows[i][1]})
		for len(bs) > 1 {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			if a.wy/a.w < b.wy/b.w {
				break
			}
			bs = append(bs[:len(bs)-2], block{a.w + b.w, a.wy + b.wy, a.wz + b.wz})
		}
	}
	for _, b := range bs {
		zs, ps = append(zs, round6(b.wz/b.w)), append(ps, round6(b.wy/b.w))
	}
	return zs, ps
}

// l2 is the ridge penalty on the standardised weights.
const l2 = 1.0

// A tally counts a set's questions: answerable and not, and of each, how
// many the rules refuse.
type tally struct{ answerable, unanswerable, ruledAnswerable, ruledUnanswerable float64 }

// chooseHedge returns the highest hedge threshold of the answerable
// probabilities ps of xs, in steps of 0.005, at which no set refuses more
// than its Target of its answerable questions (the rules' refusals
// counted), and reports each set's figures there. ps are held-apart
// probabilities, each from a model fitted without the example's fold of
// articles: on the examples it was fitted on, the boosted model tells
// answerable from not better than it does on new ones (dev AUROC 0.84
// against 0.79), and a threshold chosen there refuses more of new
// questions than it meant to.
func chooseHedge(ps []float64, sets []TrainSet, xs []example, ts []tally, rep io.Writer) float64 {
	figures := func(t float64) (fr, refused []float64) {
		fr, refused = make([]float64, len(sets)), make([]float64, len(sets))
		for k := range sets {
			fr[k], refused[k] = ts[k].ruledAnswerable, ts[k].ruledUnanswerable
		}
		for i, x := range xs {
			switch {
			case ps[i] >= t:
			case x.answerable:
				fr[x.set]++
			default:
				refused[x.set]++
			}
		}
		for k := range sets {
			fr[k] /= max(ts[k].answerable, 1)
			refused[k] /= max(ts[k].unanswerable, 1)
		}
		return fr, refused
	}
	best := 0.0
	for t := 0.005; t < 1; t += 0.005 {
		fr, _ := figures(t)
		ok := true
		for k, set := range sets {
			ok = ok && (set.Target == 0 || fr[k] <= set.Target)
		}
		if !ok {
			break
		}
		best = t
	}
	best = math.Round(best*1000) / 1000
	fr, refused := figures(best)
	for k, set := range sets {
		fmt.Fprintf(rep, "at hedge %.3f, %s: false refusals %.3f (target %.3f), refused unanswerable %.3f\n", best, set.Name, fr[k], set.Target, refused[k])
	}
	return best
}

// standardise returns the mean and the standard deviation (1 where it is
// 0) of each feature, weighted.
func standardise(xs []example) (mean, scale []float64) {
	mean, scale = make([]float64, nFeatures), make([]float64, nFeatures)
	var n float64
	for _, x := range xs {
		n += x.weight
		for i, f := range x.f {
			mean[i] += x.weight * f
		}
	}
	for i := range mean {
		mean[i] /= n
	}
	for _, x := range xs {
		for i, f := range x.f {
			scale[i] += x.weight * (f - mean[i]) * (f - mean[i])
		}
	}
	for i := range scale {
		scale[i] = math.Sqrt(scale[i] / n)
		if scale[i] < 1e-9 {
			scale[i] = 1
		}
		mean[i], scale[i] = round6(mean[i]), round6(scale[i])
	}
	return mean, scale
}

// logistic fits weighted logistic regression of ys on rows (each starting
// with a 1 for the intercept) by Newton's method, with a ridge penalty of
// lambda on every coefficient but the intercept. It is deterministic: a
// fixed number of steps from zero, each solved by Gaussian elimination.
func logistic(rows [][]float64, ys, ws []float64, lambda float64) []float64 {
	d := len(rows[0])
	beta := make([]float64, d)
	for range 30 {
		grad := make([]float64, d)
		hess := make([][]float64, d)
		for i := range hess {
			hess[i] = make([]float64, d)
		}
		for n, x := range rows {
			var z float64
			for i, v := range x {
				z += beta[i] * v
			}
			p := 1 / (1 + math.Exp(-z))
			g, h := ws[n]*(p-ys[n]), ws[n]*max(p*(1-p), 1e-12)
			for i, vi := range x {
				grad[i] += g * vi
				for j := i; j < d; j++ {
					hess[i][j] += h * vi * x[j]
				}
			}
		}
		for i := range d {
			for j := range i {
				hess[i][j] = hess[j][i]
			}
			if i > 0 {
				grad[i] += lambda * beta[i]
				hess[i][i] += lambda
			}
		}
		step := solve(hess, grad)
		for i := range beta {
			beta[i] -= step[i]
		}
	}
	return beta
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; it
// overwrites a and b.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		b[c], b[p] = b[p], b[c]
		if a[c][c] == 0 {
			continue
		}
		for r := c + 1; r < n; r++ {
			k := a[r][c] / a[c][c]
			for j := c; j < n; j++ {
				a[r][j] -= k * a[c][j]
			}
			b[r] -= k * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for j := r + 1; j < n; j++ {
			s -= a[r][j] * x[j]
		}
		if a[r][r] != 0 {
			x[r] = s / a[r][r]
		}
	}
	return x
}

// round6 rounds to six significant digits: the model file reads the same
// on every machine that computes the fit to that precision.
func round6(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 6, 64), 64)
	return v
}

func roundAll(fs []float64) []float64 {
	out := make([]float64, len(fs))
	for i, f := range fs {
		out[i] = round6(f)
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// AUROC is the area under the ROC curve of scores ps for labels right: the
// chance that a right one scores above a wrong one (ties count half).
func AUROC(ps []float64, right []bool) float64 {
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(ps[a], ps[b]) })
	var pos, neg, sum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && ps[idx[j]] == ps[idx[i]] {
			j++
		}
		var p, n float64
		for _, k := range idx[i:j] {
			if right[k] {
				p++
			} else {
				n++
			}
		}
		sum += p * (neg + n/2)
		pos, neg = pos+p, neg+n
		i = j
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return sum / (pos * neg)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ECE is the expected calibration error over bins equal-width bins: the
// mean, weighted by each bin's share, of |mean confidence − share right|.
func ECE(ps []float64, right []bool, bins int) float64 {
	var ece float64
	for _, b := range Reliability(ps, right, bins) {
		ece += float64(b.N) / float64(len(ps)) * math.Abs(b.Confidence-b.Right)
	}
	return ece
}

// A ReliabilityBin is one bin of a reliability table: the questions whose
// confidence is in [Low, High), their mean confidence and the share of
// them answered right.
type ReliabilityBin struct {
	Low, High, Confidence, Right float64
	N                            int
}

// Reliability bins ps into bins equal-width bins.
func Reliability(ps []float64, right []bool, bins int) []ReliabilityBin {
	out := make([]ReliabilityBin, bins)
	for i := range out {
		out[i].Low, out[i].High = float64(i)/float64(bins), float64(i+1)/float64(bins)
	}
	for i, p := range ps {
		b := min(int(p*float64(bins)), bins-1)
		out[b].N++
		out[b].Confidence += p
		out[b].Right += b2f(right[i])
	}
	for i := range out {
		if out[i].N > 0 {
			out[i].Confidence /= float64(out[i].N)
			out[i].Right /= float64(out[i].N)
		}
	}
	return out
}

var spaceRE = regexp.MustCompile(`\s+`)

// scoreFold is ../shared/eval/score.py's fold: diacritics, quotes and
// dashes folded, white space collapsed, lower case.
func scoreFold(s string) string {
	s = strings.NewReplacer("đ", "d", "Đ", "D").Replace(s)
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case '\u2019', '\u2018':
			r = '\''
		case '\u201c', '\u201d':
			r = '"'
		case '\u2013', '\u2014':
			r = '-'
		}
		b.WriteRune(r)
	}
	return strings.ToLower(strings.TrimSpace(spaceRE.ReplaceAllString(b.String(), " ")))
}

// hitRank is the rank of the first of the first ten citations that is from
// a gold doc and shows one of the answers (title, date and sentence, as
// score.py reads them), or 0.
func hitRank(q TrainQuestion, cs []Citation) int {
	for i, c := range cs {
		if i == 10 {
			break
		}
		if c.Doc != q.Doc && !slices.Contains(q.AltDocs, c.Doc) {
			continue
		}
		seen := scoreFold(c.Title + " " + c.Date + " " + c.Sentence)
		for _, a := range q.Answers {
			if strings.Contains(seen, scoreFold(a)) {
				return i + 1
			}
		}
	}
	return 0
}

// DevSets reads the sets the embedded model is trained on from evalDir
// (../shared/eval): the seed questions over seedsFS, SQuAD 2.0's dev half
// (articles 001–024, answerable and not) and the off-corpus dev half. The
// targets are the false refusals the default hedge threshold may make on
// each, a little under the figures the issue asks for on the test halves.
func DevSets(ctx context.Context, evalDir string, seedsFS fs.FS) ([]TrainSet, error) {
	seedsIx, err := corpus.Load(ctx, seedsFS)
	if err != nil {
		return nil, err
	}
	squad, err := corpus.LoadDir(ctx, filepath.Join(evalDir, "squad", "corpus"), corpus.LoadOptions{})
	if err != nil {
		return nil, err
	}
	off, err := corpus.LoadDir(ctx, filepath.Join(evalDir, "offcorpus", "dev", "corpus"), corpus.LoadOptions{})
	if err != nil {
		return nil, err
	}
	sets := []TrainSet{
		{Name: "seeds-dev", Index: seedsIx, Weight: 20, Target: 0.06},
		{Name: "squad2/mixed-dev", Index: squad, Target: 0.05},
		{Name: "offcorpus/dev", Index: off, Target: 0.03},
	}
	files := []string{"seeds-dev.jsonl", filepath.Join("squad2", "mixed-dev.jsonl"), filepath.Join("offcorpus", "dev", "questions.jsonl")}
	for i, name := range files {
		if sets[i].Questions, err = ReadQuestionsFile(filepath.Join(evalDir, name)); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

// ReadQuestionsFile reads the questions file at path (ReadQuestions).
func ReadQuestionsFile(path string) ([]TrainQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, err := ReadQuestions(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return qs, nil
}
