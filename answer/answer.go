// Package answer matches questions to the corpus sentences that support an
// answer, and cites them.
//
// An Engine answers from one immutable corpus.Index snapshot at a time; Swap
// replaces the snapshot atomically, so a reload never disturbs a question
// being answered.
package answer

import (
	"encoding/json"
	"io"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// A Citation is one sentence that supports an answer.
type Citation struct {
	Doc      string  `json:"doc"`   // file name relative to the corpus root
	Title    string  `json:"title"` // the article's title
	Date     string  `json:"date"`  // YYYY-MM-DD or empty
	Source   string  `json:"source,omitempty"`
	Sentence string  `json:"sentence"` // the sentence as the article has it
	Score    float64 `json:"score"`
}

// A Result is the engine's reply to one question.
type Result struct {
	Question  string     `json:"question"`
	Answered  bool       `json:"answered"`
	Answer    string     `json:"answer"` // the answer, or why there is none
	Citations []Citation `json:"citations"`
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
	// MaxQuestion caps the bytes of a question that are read; longer ones
	// are refused. Zero means DefaultMaxQuestion.
	MaxQuestion int
	// Weights tune the ranking; nil means DefaultWeights. New copies
	// them: to try other weights, make another Engine.
	Weights *Weights
}

// DefaultMaxQuestion is the longest question read, in bytes.
const DefaultMaxQuestion = 4000

// An Engine answers questions from the index it holds.
type Engine struct {
	snap atomic.Pointer[snapshot]
	opts Options
}

// A snapshot is an index and what the ranking works out from it once, ahead
// of any question.
type snapshot struct {
	ix *corpus.Index
	// w are the weights every part of the ranking uses, those baked into
	// the packed postings below included: the one place they live while
	// the snapshot serves.
	w *Weights
	// postOff, post32 or post64, postShift and tfNorm hold each term's
	// sentence postings, packed: term id's are
	// post32[postOff[id]:postOff[id+1]], or post64's, each the sentence
	// shifted left by postShift and a code in the bits below: tfNorm[code]
	// is the posting's normedTF, with K1Sentence and the sentence's BM25
	// length normalisation. That depends on the sentence's length alone,
	// so the distinct values are few, and most corpora's postings fit in
	// 32 bits; post64 holds those of the others.
	postOff   []uint32
	post32    []uint32
	post64    []uint64
	postShift uint
	tfNorm    []float64
	// artNorm is the same for each article, with K1Article and BArticle.
	artNorm []float64
	// titled lists, for each term, the articles whose context (the
	// title's terms and the date's year) holds it, ascending: term id's
	// are titled[titledOff[id]:titledOff[id+1]]. Only they give it an
	// article's context credit.
	titledOff []uint32
	titled    []uint32
	// artLog is log(1 + n) for each article of n sentences, the
	// denominator of localRarity; artLocal[a][tf] is localRarity for a
	// term tf times in article a, for tf below localTF. Articles of the
	// same length share their row.
	artLog   []float64
	artLocal [][]float64
	// terms and sims remember corpus.Term and Similar for question words.
	terms memo[termOf]
	sims  memo[[]corpus.TermID]
}

// localTF bounds the term frequencies whose localRarity is worked out ahead.
const localTF = 32

// local is localRarity for a term tf times in article a.
func (sn *snapshot) local(a, tf int) float64 {
	if row := sn.artLocal[a]; tf < len(row) {
		return row[tf]
	}
	first, end := sn.ix.ArticleSentences(a)
	return localRarity(end-first, tf, sn.artLog[a])
}

func newSnapshot(ix *corpus.Index, w *Weights) *snapshot {
	sn := &snapshot{ix: ix, w: w}
	if ix == nil {
		return sn
	}
	sn.pack(w)
	sn.artNorm = make([]float64, len(ix.Articles))
	sn.titledOff = make([]uint32, ix.NumTerms()+1)
	for a := range sn.artNorm {
		sn.artNorm[a] = lengthNorm(float64(ix.ArticleLen(a)), ix.AvgArticleLen(), w.K1Article, w.BArticle)
		for _, id := range ix.ContextTerms(a) {
			sn.titledOff[id+1]++
		}
	}
	for id := range ix.NumTerms() {
		sn.titledOff[id+1] += sn.titledOff[id]
	}
	sn.titled = make([]uint32, sn.titledOff[ix.NumTerms()])
	next := slices.Clone(sn.titledOff[:ix.NumTerms()])
	for a := range ix.Articles {
		for _, id := range ix.ContextTerms(a) {
			sn.titled[next[id]] = uint32(a)
			next[id]++
		}
	}
	sn.artLog = make([]float64, len(ix.Articles))
	sn.artLocal = make([][]float64, len(ix.Articles))
	rows := map[int][]float64{} // by article length
	for a := range sn.artLog {
		first, end := ix.ArticleSentences(a)
		n := end - first
		sn.artLog[a] = math.Log(1 + float64(n))
		row, ok := rows[n]
		if !ok {
			row = make([]float64, localTF)
			for tf := 1; tf < localTF; tf++ {
				row[tf] = localRarity(n, tf, sn.artLog[a])
			}
			rows[n] = row
		}
		sn.artLocal[a] = row
	}
	return sn
}

// pack works out postOff, post32 or post64, postShift and tfNorm.
func (sn *snapshot) pack(w *Weights) {
	ix := sn.ix
	norm := make([]float64, len(ix.Sentences)) // by sentence: lengthNorm
	for i := range norm {
		norm[i] = lengthNorm(float64(ix.SentenceLen(i)), ix.AvgSentenceLen(), w.K1Sentence, w.BSentence)
	}
	type key struct{ tf, length uint32 }
	codes := map[key]uint32{}
	// Most postings are of a few words in a sentence of under 256:
	// those codes are looked up in an array, one more than the code,
	// and the others in codes.
	const smallTF, smallLen = 4, 256
	var small [smallTF][smallLen]uint32
	sn.postOff = make([]uint32, ix.NumTerms()+1)
	for id := range ix.NumTerms() {
		sn.postOff[id+1] = sn.postOff[id] + uint32(len(ix.Postings(corpus.TermID(id))))
	}
	code := make([]uint32, sn.postOff[ix.NumTerms()]) // by posting
	for id := range ix.NumTerms() {
		code := code[sn.postOff[id]:]
		for i, p := range ix.Postings(corpus.TermID(id)) {
			k := key{p.TF, uint32(ix.SentenceLen(int(p.ID)))}
			var c uint32
			var ok bool
			if k.tf < smallTF && k.length < smallLen {
				c, ok = small[k.tf][k.length]-1, small[k.tf][k.length] != 0
			} else {
				c, ok = codes[k]
			}
			if !ok {
				c = uint32(len(sn.tfNorm))
				if k.tf < smallTF && k.length < smallLen {
					small[k.tf][k.length] = c + 1
				} else {
					codes[k] = c
				}
				sn.tfNorm = append(sn.tfNorm, normedTF(float64(p.TF), norm[p.ID], w.K1Sentence))
			}
			code[i] = c
		}
	}
	sn.postShift = uint(bits.Len(uint(len(sn.tfNorm))))
	if uint64(len(ix.Sentences))<<sn.postShift <= math.MaxUint32+1 {
		sn.post32 = make([]uint32, len(code))
	} else {
		sn.postShift = 32
		sn.post64 = make([]uint64, len(code))
	}
	for id := range ix.NumTerms() {
		off := sn.postOff[id]
		for i, p := range ix.Postings(corpus.TermID(id)) {
			if sn.post32 != nil {
				sn.post32[off+uint32(i)] = p.ID<<sn.postShift | code[off+uint32(i)]
			} else {
				sn.post64[off+uint32(i)] = uint64(p.ID)<<sn.postShift | uint64(code[off+uint32(i)])
			}
		}
	}
}

// New returns an Engine answering from ix.
func New(ix *corpus.Index, opts Options) *Engine {
	if opts.MaxQuestion <= 0 {
		opts.MaxQuestion = DefaultMaxQuestion
	}
	// A copy: the snapshots' weights change only with a new Engine.
	w := DefaultWeights
	if opts.Weights != nil {
		w = *opts.Weights
	}
	opts.Weights = &w
	e := &Engine{opts: opts}
	e.snap.Store(newSnapshot(ix, opts.Weights))
	return e
}

// Index returns the snapshot the engine answers from now.
func (e *Engine) Index() *corpus.Index { return e.snap.Load().ix }

// Swap makes ix the snapshot for every later question and returns the old one.
func (e *Engine) Swap(ix *corpus.Index) *corpus.Index {
	return e.snap.Swap(newSnapshot(ix, e.opts.Weights)).ix
}

// Ask answers question with at most top citations (top ≤ 0 means 3).
// The same index and question always give the same Result.
func (e *Engine) Ask(question string, top int) Result {
	if top <= 0 {
		top = 3
	}
	q := Clean(question)
	res := Result{Question: q, Citations: []Citation{}}
	switch {
	case len(question) > e.opts.MaxQuestion:
		res.Question = ""
		res.Answer = "That question is too long; please ask it in fewer words."
		return res
	case !hasWord(q):
		res.Answer = "Please ask a question in words, for example: who is Laos's defence minister now?"
		return res
	}
	sn := e.snap.Load() // one snapshot for the whole question
	return answer(sn, parse(sn, q), top, res)
}

// Clean makes a question safe to analyse and to echo: invalid UTF-8 and
// control characters become spaces, runs of white space one space.
func Clean(s string) string {
	if cleanASCII(s) {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) ||
			unicode.Is(unicode.Cf, r) || (r >= 0xE000 && r <= 0xF8FF) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanASCII reports whether s is printable ASCII with single spaces
// between words only: what Clean leaves as it is.
func cleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c < 0x21 || c > 0x7e:
			return false
		}
	}
	return true
}

func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
