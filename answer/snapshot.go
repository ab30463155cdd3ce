package answer

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/corpusbot/corpusbot/corpus"
)

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
	// facts are each sentence's facts, worked out from its text once,
	// here, so that no stage reads the text of a candidate to rank it.
	facts []fact
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
	sn.facts = sentenceFacts(ix)
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

// A fact is a set of things a sentence holds, as bits.
type fact uint8

const (
	factDate       fact = 1 << iota // a date: hasDate
	factNumber                      // a number: hasNumber
	factPlace                       // a place: hasPlace
	factName                        // a name: hasName
	factYear                        // a year, as a word of its own: firstYear
	factRefersBack                  // opens by referring back: refersBack
	factSpeech                      // reports what someone said: reportsSpeech
	factDayOnly                     // gives a month and a day, never with the year: datesDayOnly
)

// factsChunk is how many sentences' facts one goroutine works out at a time.
const factsChunk = 4096

// sentenceFacts works out the facts of every sentence of ix, in chunks, on
// every CPU: a few microseconds a sentence, a large corpus's would
// otherwise double the time a snapshot takes.
func sentenceFacts(ix *corpus.Index) []fact {
	facts := make([]fact, len(ix.Sentences))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (len(facts)+factsChunk-1)/factsChunk) {
		wg.Go(func() {
			for {
				first := int(next.Add(factsChunk)) - factsChunk
				if first >= len(facts) {
					return
				}
				for s := first; s < min(first+factsChunk, len(facts)); s++ {
					facts[s] = factsOf(ix.Text(s))
				}
			}
		})
	}
	wg.Wait()
	return facts
}

// factsOf works out the facts of a sentence from its text.
func factsOf(text string) fact {
	var f fact
	set := func(b fact, ok bool) {
		if ok {
			f |= b
		}
	}
	set(factDate, hasDate(text))
	set(factNumber, hasNumber(text))
	set(factPlace, hasPlace(text))
	set(factName, hasName(text))
	set(factYear, firstYear(text) != "")
	set(factRefersBack, refersBack(text))
	set(factSpeech, reportsSpeech(text))
	// A month and a day is a date: only a sentence with one may have one.
	set(factDayOnly, f&factDate != 0 && datesDayOnly(text))
	return f
}

// has reports whether sentence s holds fact f.
func (sn *snapshot) has(s int, f fact) bool { return sn.facts[s]&f != 0 }

// answers reports whether sentence s holds the kind of thing a question of
// kind k asks for: a date for a when, a number for a how many, a place for a
// where, a name for a who.
func (sn *snapshot) answers(s int, k kind) bool {
	return sn.has(s, kindFact[k])
}

// kindFact is the fact that answers each kind of question.
var kindFact = [...]fact{kindWhen: factDate, kindCount: factNumber, kindWhere: factPlace, kindWho: factName, kindOther: 0}
