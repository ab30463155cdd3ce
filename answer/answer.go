package answer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// A Citation is one sentence that supports an answer.
type Citation struct {
	Doc    string `json:"doc"`   // file name relative to the corpus root
	Title  string `json:"title"` // the article's title
	Date   string `json:"date"`  // YYYY-MM-DD or empty
	Source string `json:"source,omitempty"`
	// URL links to the article: its url: front matter, when that is an
	// http or https URL (corpus.Link).
	URL      string  `json:"url,omitempty"`
	Sentence string  `json:"sentence"` // the sentence as the article has it
	Score    float64 `json:"score"`
	// Explain breaks Score into its signals, when asked for
	// (AskOptions.Explain): Score is the sum of the additive signals'
	// value times weight, times 1 plus the sum of the factor signals'.
	Explain []Explanation `json:"explain,omitempty"`
	// Reranked names the rerank rule that put the citation first, when
	// explaining: "count", "refocus" or "year". Its Score and Explain are
	// then those of the best match, whose place it took.
	Reranked string `json:"reranked,omitempty"`
}

// An Explanation is one signal's part in a citation's score.
type Explanation struct {
	Signal string  `json:"signal"` // the Signal's Name
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
	Factor bool    `json:"factor,omitempty"` // multiplies rather than adds
}

// A Result is the engine's reply to one question.
type Result struct {
	Question string `json:"question"`
	Answered bool   `json:"answered"`
	Answer   string `json:"answer"` // the answer, or why there is none
	// ShortAnswer is the phrase of the first citation that answers a
	// who, when, where or how many question (a name, a date, a place, a
	// number), when the engine is confident of one.
	ShortAnswer string     `json:"short_answer,omitempty"`
	Citations   []Citation `json:"citations"`
	// Refusal says why there is no answer, when there is none.
	Refusal *Refusal `json:"refusal,omitempty"`
	// FollowUp is whether the question was read as a follow-up of
	// AskOptions.Context; false when it stood on its own.
	FollowUp bool `json:"follow_up,omitempty"`
	// Confidence is the probability, from 0 to 1, that the first
	// citation answers the question (confidence.go); 0 when there is
	// none.
	Confidence float64 `json:"confidence"`
	// Hedged is set when the engine answers though it is not confident
	// the articles answer the question: its Answer says so, and the
	// citations are the closest passages.
	Hedged bool `json:"hedged,omitempty"`
}

// WriteJSON writes r as one line of JSON, the form `corpusbot ask --json`
// and POST /v1/ask both answer with. Quoted text is not HTML-escaped, so it
// reads as the article has it.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// Options tune an Engine. The zero value is usable.
type Options struct {
	// MaxQuestion is the longest question answered, in characters of its
	// cleaned text; longer ones are refused, and one of over
	// utf8.UTFMax times as many bytes is refused unread. Zero means
	// MaxQuestion.
	MaxQuestion int
	// Weights tune the ranking; nil means DefaultWeights. New copies
	// them: to try other weights, make another Engine.
	Weights *Weights
	// Thresholds are the confidences a reply needs; nil means
	// DefaultThresholds.
	Thresholds *Thresholds
}

// Thresholds sort replies: a question the articles answer with a
// probability below Hedge (the embedded model's answerable model) is
// refused; else a confidence of Confident and above is a confident answer,
// below it a hedged one (Result.Hedged).
type Thresholds struct {
	Confident float64
	Hedge     float64
}

// DefaultThresholds are the thresholds chosen on the dev halves of
// ../shared/eval when the embedded model was trained.
func DefaultThresholds() Thresholds {
	return Thresholds{Confident: model.Confident, Hedge: model.Hedge}
}

// The limits on a question and its answer, the same for every front end:
// bot, its HTTP API and the command line take them from here.
const (
	// MaxQuestion is the longest question answered, in characters, unless
	// Options.MaxQuestion says otherwise.
	MaxQuestion = 1000
	// MaxQuestionBytes is the most bytes MaxQuestion characters take in
	// UTF-8: how much of a line a front end reads before it gives up on
	// it as too long.
	MaxQuestionBytes = utf8.UTFMax * MaxQuestion
	// DefaultTop is how many citations an answer gives when none is
	// asked for.
	DefaultTop = 3
	// MaxTop is the most citations a question may ask for.
	MaxTop = 100
)

// An Engine answers questions from the index it holds.
type Engine struct {
	snap   atomic.Pointer[snapshot]
	opts   Options
	rerank Reranker
}

// New returns an Engine answering from ix.
func New(ix *corpus.Index, opts Options) *Engine {
	if opts.MaxQuestion <= 0 {
		opts.MaxQuestion = MaxQuestion
	}
	// A copy: the snapshots' weights change only with a new Engine.
	w := DefaultWeights
	if opts.Weights != nil {
		w = *opts.Weights
	}
	opts.Weights = &w
	th := DefaultThresholds()
	if opts.Thresholds != nil {
		th = *opts.Thresholds
	}
	opts.Thresholds = &th
	e := &Engine{opts: opts, rerank: defaultRules}
	e.snap.Store(newSnapshot(ix, opts.Weights))
	return e
}

// Index returns the snapshot the engine answers from now.
func (e *Engine) Index() *corpus.Index { return e.snap.Load().ix }

// Swap makes ix the snapshot for every later question and returns the old one.
func (e *Engine) Swap(ix *corpus.Index) *corpus.Index {
	return e.snap.Swap(newSnapshot(ix, e.opts.Weights)).ix
}

// AskOptions tune one question's Result. The zero value is usable.
type AskOptions struct {
	// Top is the most citations given; zero or less means DefaultTop,
	// and more than MaxTop means MaxTop.
	Top int
	// Explain breaks each citation's score into its signals.
	Explain bool
	// Context, when not nil, is the conversation the question follows
	// (followup.go): a question that does not stand on its own is read
	// with it.
	Context *Context
}

// Ask answers question as o asks: with at most o.Top citations. The same
// index, question and options always give the same Result. It fails only
// when ctx is done.
func (e *Engine) Ask(ctx context.Context, question string, o AskOptions) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("answer: %w", err)
	}
	return e.ask(question, o), nil
}

// ask answers question as o asks.
func (e *Engine) ask(question string, o AskOptions) Result {
	res, _, _ := e.run(question, o, true)
	return res
}

// hedgeText opens a hedged answer; the citations follow it.
const hedgeText = "I'm not sure the articles answer this; the closest passages are:"

// run answers question as o asks, and returns the confidence's features
// and whether it worked them out: whether the rules of decide let the
// question through. Unless judge is set, the answer stands whatever its
// confidence (so that Train sees what the rules let through).
func (e *Engine) run(question string, o AskOptions, judge bool) (Result, featureVec, bool) {
	top := o.Top
	if top <= 0 {
		top = DefaultTop
	}
	top = min(top, MaxTop)
	tooLong := len(question) > utf8.UTFMax*e.opts.MaxQuestion
	q := ""
	if !tooLong {
		q = Clean(question)
		tooLong = utf8.RuneCountInString(q) > e.opts.MaxQuestion
	}
	res := Result{Question: q, Citations: []Citation{}}
	switch {
	case tooLong:
		res.Question = ""
		res.Answer = "That question is too long; please ask it in fewer words."
		res.Refusal = &Refusal{Kind: RefusedTooLong}
		return res, featureVec{}, false
	}
	text, reply := prepare(q) // the question's words, or a reply to small talk
	switch {
	case reply != "":
		res.Answer = reply
		return res, featureVec{}, false
	case !hasWord(text):
		res.Answer = "Please ask a question in words about the articles in the corpus, for example: who is Laos's defence minister now?"
		res.Refusal = &Refusal{Kind: RefusedNoWords}
		return res, featureVec{}, false
	}
	sn := e.snap.Load() // one snapshot for the whole question
	// The stages, doc.go describes them.
	qr := parse(sn, text)
	res.FollowUp = follow(sn, &qr, text, o.Context, e.opts.MaxQuestion)
	var cs []Candidate
	if len(qr.terms) > 0 {
		sc := getScratch(sn.ix)
		defer sc.release()
		// Rank at least countDepth, so that the answer does not depend
		// on how many citations are asked for.
		cs = score(sn, &qr, max(top, countDepth), Retriever{sn}.Retrieve(&qr, sc), sc)
		cs = e.rerank.Rerank(sn, &qr, cs)
	}
	if r := decide(sn, &qr, cs); r != nil {
		if qr.followUp {
			followUpRefusal(sn, &qr, r)
		}
		res.Answer, res.Refusal = r.message, r
		return res, featureVec{}, false
	}
	f := features(sn, &qr, cs)
	conf := model.predict(&f)
	th := e.opts.Thresholds
	if judge && model.answerable(&f) < th.Hedge {
		r := unsure(sn, &qr, cs)
		if qr.followUp {
			followUpRefusal(sn, &qr, r)
		}
		res.Answer, res.Refusal = r.message, r
		res.Confidence = round(conf)
		return res, f, true
	}
	res = compose(sn, &qr, cs, top, o.Explain, res)
	res.Confidence = round(conf)
	if judge && conf < th.Confident {
		// Not sure of the citation, the engine is not sure of a phrase
		// of it either: a wrong short answer reads as the bot's claim.
		res.Answer, res.Hedged, res.ShortAnswer = hedgeText, true, ""
	}
	return res, f, true
}
