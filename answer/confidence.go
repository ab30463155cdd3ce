package answer

//go:generate go run ../cmd/corpusbot-train -eval ../../shared/eval -o confidence.json

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/corpusbot/corpusbot/corpus"
)

// The confidence: the probability that the first citation answers the
// question, which decide's rules have let through. A logistic model over
// features of the first countDepth candidates after reranking (so that it
// does not depend on how many citations are asked for), and boosted trees
// on what it leaves, calibrated on held-apart articles (Platt or
// isotonic); train.go fits it, confidence.json holds it.

// The features the confidence reads, by their place in a featureVec.
// Shares are of the question's weight: each term's weight times its idf,
// and missingIDF for each word the corpus never uses (as coverage counts).
var featureNames = [...]string{
	"score_log",        // log(1 + the first's score) - log(1 + the question's weight)
	"score_share",      // the first's score over the question's weight
	"margin2",          // (first - second) / first
	"margin3",          // (first - third) / first
	"cover_sentence",   // share the first sentence holds
	"cover_context",    // share it and its article's title and date hold (coverage)
	"cover_neighbours", // share it, its neighbours and the title and date hold
	"cover_article",    // share its article holds
	"missing_weight",   // share of words the corpus never uses
	"rare_absent",      // the rarest term the article lacks: its idf over the question's highest
	"name_cover",       // share of the question's names (by idf) that the article has; 1 with none
	"terms",            // log(1 + the question's terms)
	"kind_when",        // the question's kind, one-hot
	"kind_who",
	"kind_where",
	"kind_count",
	"type_agree",    // the first sentence holds what the kind asks for
	"new_name",      // the first sentence names something the question does not
	"same_article",  // share of the second and third from the first's article
	"bigram",        // the first's bigram signal over the question's highest idf
	"exact",         // the first's exact signal over its terms' idf
	"reranked",      // a rerank rule put the first there: 1 or 0
	"fuzzy",         // share carried by fuzzy and synonym matches
	"refers_back",   // the first sentence opens by referring back: 1 or 0
	"who_new_name",  // kind_who times new_name
	"other_cover",   // kind other times cover_sentence
	"score_cover",   // score_share times cover_context
	"missing_words", // the question has a word the corpus never uses: 1 or 0
	"score",         // log(1 + the first's score)
	"idf_sum",       // log(1 + the idf of the question's terms, summed)
	// How the first sentence and its neighbours miss what the question
	// asks, where its article may not (mismatch.go).
	"rare_window",  // the rarest term the first sentence, its neighbours, title and date lack: its idf over the question's highest
	"absent_words", // log(1 + the question's own terms they lack)
	"name_moved",   // share of the question's names and numbers (by idf) they lack and the article has
	"negated",      // the question negates and they do not: 1 or 0
	"antonym",      // they lack a word of the question and hold its antonym: 1 or 0
	"second_fills", // share of what the first sentence lacks that the second holds
	"second_cover", // share the second sentence holds
}

const nFeatures = len(featureNames)

// The rows of signals the features read.
const (
	signalBigram = firstStage + iota
	signalExact
)

type featureVec [nFeatures]float64

// features works out the confidence's features of question qr's candidates
// cs, reranked, of which there is at least one.
func features(sn *snapshot, qr *Query, cs []Candidate) featureVec {
	ix := sn.ix
	var f featureVec
	missingIDF := missingShare * idf(len(ix.Sentences), 0)
	first := cs[0]
	s := first.Sentence
	a := int(ix.Sentences[s].Article)
	lo, hi := ix.ArticleSentences(a)
	var total, maxIDF, sumIDF, fuzzy float64
	var names, namesHeld float64
	for _, t := range qr.terms {
		total += t.weight * t.idf
		maxIDF = max(maxIDF, t.idf)
		sumIDF += t.idf
		if t.weight < 1 || t.form < 0 {
			fuzzy += t.weight * t.idf
		}
	}
	total += float64(len(qr.missing)) * missingIDF
	if total == 0 {
		total = 1
	}
	share := func(held func(t *qterm) bool) float64 {
		var w float64
		for k := range qr.terms {
			if held(&qr.terms[k]) {
				w += qr.terms[k].weight * qr.terms[k].idf
			}
		}
		return w / total
	}
	sentTerms := ix.SentenceTerms(s)
	inSentence := func(s int, id corpus.TermID) bool {
		return s >= lo && s < hi && slices.Contains(ix.SentenceTerms(s), id)
	}
	var rare float64
	for k := range qr.terms {
		t := &qr.terms[k]
		in := inArticle(ix, a, t.id) || ix.InContext(a, t.id)
		if !in {
			rare = max(rare, t.idf)
		}
		if t.weight >= 1 && ix.IsName(t.id) {
			names += t.idf
			if in {
				namesHeld += t.idf
			}
		}
	}
	score1 := first.Score
	f[0] = math.Log1p(max(score1, 0)) - math.Log1p(total)
	f[1] = score1 / total
	if score1 > 0 {
		if len(cs) > 1 {
			f[2] = (score1 - cs[1].Score) / score1
		} else {
			f[2] = 1
		}
		if len(cs) > 2 {
			f[3] = (score1 - cs[2].Score) / score1
		} else {
			f[3] = 1
		}
	}
	f[4] = share(func(t *qterm) bool { return slices.Contains(sentTerms, t.id) })
	f[5] = coverage(ix, qr, first.basis, missingIDF)
	f[6] = share(func(t *qterm) bool {
		return slices.Contains(sentTerms, t.id) || ix.InContext(a, t.id) || inSentence(s-1, t.id) || inSentence(s+1, t.id)
	})
	f[7] = share(func(t *qterm) bool { return inArticle(ix, a, t.id) || ix.InContext(a, t.id) })
	f[8] = missingWeight(qr, missingIDF)
	if maxIDF > 0 {
		f[9] = rare / maxIDF
	}
	f[10] = 1
	if names > 0 {
		f[10] = namesHeld / names
	}
	f[11] = math.Log1p(float64(len(qr.terms)))
	switch qr.kind {
	case kindWhen:
		f[12] = 1
	case kindWho:
		f[13] = 1
	case kindWhere:
		f[14] = 1
	case kindCount:
		f[15] = 1
	}
	if qr.kind != kindOther && sn.answers(s, qr.kind) {
		f[16] = 1
	}
	for _, id := range sentTerms {
		if ix.IsName(id) && qr.index(id) < 0 {
			f[17] = 1
			break
		}
	}
	for _, c := range cs[1:min(len(cs), countDepth)] {
		if int(ix.Sentences[c.Sentence].Article) == a {
			f[18] += 0.5
		}
	}
	if maxIDF > 0 {
		f[19] = first.Parts[signalBigram] / maxIDF
	}
	if sumIDF > 0 {
		f[20] = first.Parts[signalExact] / sumIDF
	}
	if first.rule != "" {
		f[21] = 1
	}
	f[22] = fuzzy / total
	if sn.has(s, factRefersBack) {
		f[23] = 1
	}
	f[24] = f[13] * f[17]
	if qr.kind == kindOther {
		f[25] = f[4]
	}
	f[26] = f[1] * f[5]
	if len(qr.missing) > 0 {
		f[27] = 1
	}
	f[28] = math.Log1p(max(score1, 0))
	f[29] = math.Log1p(sumIDF)
	mismatch(sn, qr, cs, &f, total, maxIDF)
	return f
}

// A confidenceModel is a logistic model over standardised features, its
// output calibrated: p = 1 / (1 + exp(-(A·z + B))), z = Bias + Σ Weights[i]
// × (f[i] - Mean[i]) / Scale[i], each term within ±maxStandard (standard),
// plus the value of each of Trees.
type confidenceModel struct {
	Features []string  `json:"features"`
	Mean     []float64 `json:"mean"`
	Scale    []float64 `json:"scale"`
	Weights  []float64 `json:"weights"`
	Bias     float64   `json:"bias"`
	// Trees add to the logistic model's logit (boost.go).
	Trees []tree  `json:"trees,omitempty"`
	A     float64 `json:"platt_a"`
	B     float64 `json:"platt_b"`
	// IsoZ and IsoP, when set, calibrate instead of A and B: the
	// probability at logit IsoZ[i] is IsoP[i], interpolated between.
	IsoZ []float64 `json:"isotonic_logit,omitempty"`
	IsoP []float64 `json:"isotonic_p,omitempty"`
	// The default thresholds, chosen on the dev halves when training:
	// Confident and above is a confident answer, Hedge and above (of
	// answerable's probability) a hedged one, below Hedge a refusal.
	Confident float64 `json:"confident"`
	Hedge     float64 `json:"hedge"`
	// Answerable, when set, is a model of the same kind of the
	// probability that the corpus answers the question at all, right or
	// not, which the Hedge threshold reads: it tells an unanswerable
	// question from a hard one better than the confidence does.
	Answerable *confidenceModel `json:"answerable,omitempty"`
}

// answerable is the probability, for features f, that the corpus answers
// the question: Answerable's, or the confidence when there is none.
func (m *confidenceModel) answerable(f *featureVec) float64 {
	if m.Answerable == nil {
		return m.predict(f)
	}
	return m.Answerable.predict(f)
}

// predict is the model's calibrated probability for f.
func (m *confidenceModel) predict(f *featureVec) float64 {
	z := m.Bias
	for i, x := range f {
		z += m.Weights[i] * standard(x, m.Mean[i], m.Scale[i])
	}
	for i := range m.Trees {
		z += m.Trees[i].at(f[:])
	}
	return m.calibrate(z)
}

// The model is never certain: an isotonic calibration's end blocks, all
// right or all wrong in training, would say 0 or 1, and a threshold of 1
// ("refuse everything") would let a 1 through.
const minProbability, maxProbability = 0.001, 0.999

// calibrate is the probability for the model's logit z, within
// [minProbability, maxProbability].
func (m *confidenceModel) calibrate(z float64) float64 {
	return min(max(m.calibrated(z), minProbability), maxProbability)
}

func (m *confidenceModel) calibrated(z float64) float64 {
	if len(m.IsoZ) == 0 {
		return 1 / (1 + math.Exp(-(m.A*z + m.B)))
	}
	i, _ := slices.BinarySearch(m.IsoZ, z)
	switch {
	case i == 0:
		return m.IsoP[0]
	case i == len(m.IsoZ):
		return m.IsoP[len(m.IsoP)-1]
	}
	z0, z1 := m.IsoZ[i-1], m.IsoZ[i]
	if z1 <= z0 {
		return m.IsoP[i]
	}
	return m.IsoP[i-1] + (m.IsoP[i]-m.IsoP[i-1])*(z-z0)/(z1-z0)
}

// standard is x standardised, within ±maxStandard: a question unlike any
// the model was trained on (a word typed forty times) is judged as the
// most extreme it saw, not extrapolated.
func standard(x, mean, scale float64) float64 {
	return min(max((x-mean)/scale, -maxStandard), maxStandard)
}

const maxStandard = 4

//go:embed confidence.json
var confidenceJSON []byte

// model is the embedded confidence model. When it does not parse, or reads
// other features than this build works out (a feature was changed and the
// model not retrained), modelErr says why, TestEmbeddedModel fails, and
// model is a neutral one (confidence 0.5 for every question, thresholds
// 0) that corpusbot-train can retrain from.
var model, modelErr = embeddedModel(confidenceJSON)

// parseModel reads a model file, checking that it reads the features this
// build works out, in the same order.
func parseModel(b []byte) (*confidenceModel, error) {
	var m confidenceModel
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("confidence model: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if a := m.Answerable; a != nil {
		if a.Answerable != nil {
			return nil, fmt.Errorf("confidence model: an answerable model within the answerable model")
		}
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%w (the answerable model)", err)
		}
	}
	return &m, nil
}

// check reports what in m this build cannot read.
func (m *confidenceModel) check() error {
	if !slices.Equal(m.Features, featureNames[:]) {
		return fmt.Errorf("confidence model: its features %v are not this build's %v: retrain it (go generate ./answer)", m.Features, featureNames)
	}
	if len(m.Mean) != nFeatures || len(m.Scale) != nFeatures || len(m.Weights) != nFeatures {
		return fmt.Errorf("confidence model: %d features but %d means, %d scales, %d weights", nFeatures, len(m.Mean), len(m.Scale), len(m.Weights))
	}
	for _, t := range m.Trees {
		if len(t.Feature) != 1<<boostDepth-1 || len(t.Threshold) != len(t.Feature) || len(t.Value) != 1<<boostDepth ||
			slices.ContainsFunc(t.Feature, func(f int) bool { return f < 0 || f >= nFeatures }) {
			return fmt.Errorf("confidence model: a tree that is not of depth %d over %d features", boostDepth, nFeatures)
		}
	}
	if len(m.IsoZ) != len(m.IsoP) || !slices.IsSorted(m.IsoZ) || slices.ContainsFunc(m.IsoP, func(p float64) bool { return !(p >= 0 && p <= 1) }) {
		return fmt.Errorf("confidence model: the isotonic calibration is not %d sorted logits and as many probabilities", len(m.IsoZ))
	}
	for _, s := range m.Scale {
		if s <= 0 {
			return fmt.Errorf("confidence model: a scale of %v", s)
		}
	}
	return nil
}

func embeddedModel(b []byte) (*confidenceModel, error) {
	m, err := parseModel(b)
	if err != nil {
		ones := make([]float64, nFeatures)
		for i := range ones {
			ones[i] = 1
		}
		return &confidenceModel{Features: featureNames[:], Mean: make([]float64, nFeatures), Scale: ones, Weights: make([]float64, nFeatures)}, err
	}
	return m, nil
}
