package answer

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

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
	// termFacts are, by term, the facts a sentence holds when it holds
	// the term: factNumber for a number that is not a year, factDate for
	// a year, a month, a weekday, "century" or "decade", factName for a
	// name (corpus.Index.IsName) that is none of those. The type signal
	// reads them of the terms a sentence holds and the question does not.
	termFacts []fact
	// roots are the terms of each root that has more than one
	// (derivations), for the query stage to add a term's kin.
	roots map[string][]corpus.TermID
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
	sn.termFacts = termFacts(ix)
	sn.roots = derivations(ix)
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
	factSpeech                      // reports what someone said: a field is isReportingField
	factDayOnly                     // gives a month and a day, never with the year
)

// termFacts works out each term's facts (snapshot.termFacts).
func termFacts(ix *corpus.Index) []fact {
	dates := map[string]bool{}
	for _, ws := range []map[string]bool{months, dateWords} {
		for w := range ws {
			if t, ok := corpus.Term(corpus.Fold(strings.ToLower(w))); ok {
				dates[t] = true
			}
		}
	}
	numbers := map[string]bool{}
	for w := range numberWords {
		if t, ok := corpus.Term(w); ok {
			numbers[t] = true
		}
	}
	fs := make([]fact, ix.NumTerms())
	for id := range fs {
		t := ix.TermText(corpus.TermID(id))
		switch {
		case len(t) == 4 && (t[0] == '1' && allDigits(t[1:]) || t[:2] == "20" && allDigits(t[2:])), dates[t]:
			fs[id] = factDate
		case t != "" && allDigits(t), numbers[t]:
			fs[id] = factNumber
		case ix.IsName(corpus.TermID(id)):
			fs[id] = factName
		}
	}
	return fs
}

// factsChunk is how many sentences' facts one goroutine works out at a time.
const factsChunk = 4096

// sentenceFacts works out the facts of every sentence of ix, in chunks, on
// every CPU: at about a microsecond a sentence, a large corpus's would
// otherwise take most of the time a snapshot takes.
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

// factsOf works out the facts of a sentence from its text. It finds what
// the matchers find one by one (hasDate, hasNumber, hasPlace, hasName,
// firstYear, refersBack, reportsSpeech, and a month and a day never with
// the year: factsOneByOne in kind_test.go, which checkMatchers and
// FuzzMatchers compare it with), in one pass over the words of the text, as
// the matchers of dates, numbers and places see them (runs of ASCII
// letters, digits and '_'). A snapshot asks it of every sentence.
func factsOf(text string) fact {
	f, ascii := wordFacts(text)
	if !ascii {
		// hasName and factSpeech see fields split at Unicode spaces,
		// and letters of any script.
		f = f&^(factName|factSpeech) | fieldFacts(text)
	}
	if refersBack(text) {
		f |= factRefersBack
	}
	return f
}

// wordFacts works out factDate, factYear, factNumber, factPlace and
// factDayOnly in one pass over the words of s, and factName and factSpeech
// as they are when s is ASCII, which ascii reports.
func wordFacts(s string) (f fact, ascii bool) {
	// numFrom is where numbers looks for the next number: the word starts
	// before it are inside the last one.
	numFrom := 0
	ascii = true
	// firstField is the end of s's first field: a name opens a later one.
	firstField := 0
	for firstField < len(s) && asciiSpace[s[firstField]] {
		firstField++
	}
	for firstField < len(s) && !asciiSpace[s[firstField]] {
		firstField++
	}
	dayOnly, dayYear := false, false // months and days: one without a year, one with
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			ascii = ascii && s[i] < utf8.RuneSelf
			continue
		}
		j := wordEnd(s, i)
		w := s[i:j]
		switch c := w[0]; {
		case isDigit(c):
			if len(w) == 4 && (c == '1' && allDigits(w[1:]) || w[:2] == "20" && allDigits(w[2:])) {
				f |= factDate | factYear
			}
			if i < numFrom || f&factNumber != 0 {
				break
			}
			// As numbers: a run of digits, commas and full stops,
			// to the last word boundary in it.
			e := i + 1
			for e < len(s) && (isDigit(s[e]) || s[e] == ',' || s[e] == '.') {
				e++
			}
			for m := e; m > i; m-- {
				if boundary(s, m) {
					numFrom = m
					// As hasNumber: not part of a name such as COVID-19.
					if !(i >= 2 && s[i-1] == '-' && unicode.IsLetter(rune(s[i-2]))) {
						f |= factNumber
					}
					break
				}
			}
		default:
			if i >= numFrom && len(w) >= 3 && len(w) <= 8 && f&factNumber == 0 && isNumberWord(w) {
				f |= factNumber
			}
			if len(w) <= 4 && j < len(s) && s[j] == ' ' && f&factPlace == 0 && isPlaceWord(w) {
				rest := s[j+1:]
				if startsUpper(rest) || strings.HasPrefix(rest, "the ") && startsUpper(rest[4:]) {
					f |= factPlace
				}
			}
			if f&factSpeech == 0 && mayReport(w) && reportsAt(s, i, j) {
				f |= factSpeech
			}
			if !('A' <= c && c <= 'Z' || c == 'c' || c == 'd') {
				break // not a name, nor a word of dateWords or months
			}
			if i > firstField && asciiSpace[s[i-1]] && len(w) > 1 && 'a' <= w[1] && w[1] <= 'z' && 'A' <= c && c <= 'Z' {
				f |= factName // as hasName: a field that opens with a capital and a small letter
			}
			if isDateWord(w) {
				f |= factDate
				break
			}
			full, ok := isMonth(w)
			if !ok {
				break
			}
			// As hasDate: the month, perhaps a full stop, a space and
			// a day of one or two digits.
			k := j
			if k < len(s) && s[k] == '.' {
				k++
			}
			if d, ok := day(s, k); ok {
				f |= factDate
				if full && k == j {
					// As monthDayYearRE: and perhaps ",? [0-9]{4}\b".
					if year(s, d) {
						dayYear = true
					} else {
						dayOnly = true
					}
				}
			}
		}
		i = j
	}
	if !ascii && (strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f")) {
		// numbers falls back on numberRE for these.
		f &^= factNumber
		if hasNumber(s) {
			f |= factNumber
		}
	}
	if dayOnly && !dayYear {
		f |= factDayOnly
	}
	return f, ascii
}

// mayReport reports whether the ASCII word w may be a reporting verb: one
// is as long as w, opens with the two letters w opens with and ends with
// its last letter (isReporting says whether it is one).
func mayReport(w string) bool {
	if len(w) < 4 || len(w) > 12 {
		return false
	}
	switch w[len(w)-1] | 0x20 {
	case 'd', 's', 'g':
	default:
		return false
	}
	switch uint16(w[0]|0x20)<<8 | uint16(w[1]|0x20) {
	case 's'<<8 | 'a', 's'<<8 | 't', 'n'<<8 | 'o', 'a'<<8 | 'f', 'h'<<8 | 'i', 'e'<<8 | 'm', 'd'<<8 | 'e',
		't'<<8 | 'o', 'a'<<8 | 'd', 'u'<<8 | 'n', 'a'<<8 | 's', 'i'<<8 | 'n', 'r'<<8 | 'e':
		return true
	}
	return false
}

// reportsAt reports whether the word s[i:j] of an ASCII s, for which
// mayReport holds, is a field of s that reportsSpeech finds: a reporting
// verb, with nothing but speechTrim between it and the spaces around it.
func reportsAt(s string, i, j int) bool {
	w := s[i:j]
	k := i - 1
	for k >= 0 && isSpeechTrim(s[k]) {
		k--
	}
	if k >= 0 && !asciiSpace[s[k]] {
		return false
	}
	for j < len(s) && isSpeechTrim(s[j]) {
		j++
	}
	if j < len(s) && !asciiSpace[s[j]] {
		return false
	}
	var buf [16]byte
	lw := buf[:len(w)]
	for k := range lw {
		c := w[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lw[k] = c
	}
	return isReporting(string(lw))
}

// day reports whether s has, at k, a space and a number of one or two
// digits that ends a word, and where the number ends.
func day(s string, k int) (int, bool) {
	if k >= len(s) || s[k] != ' ' {
		return 0, false
	}
	d := k + 1
	e := d
	for e < len(s) && isDigit(s[e]) {
		e++
	}
	return e, e-d >= 1 && e-d <= 2 && !(e < len(s) && isWordByte(s[e]))
}

// year reports whether s has, at k, perhaps a comma, a space and four
// digits that end a word.
func year(s string, k int) bool {
	if k < len(s) && s[k] == ',' {
		k++
	}
	if k+5 > len(s) || s[k] != ' ' || !allDigits(s[k+1:k+5]) {
		return false
	}
	return k+5 == len(s) || !isWordByte(s[k+5])
}

// isNumberWord is numberWords[w] for w folded to lower case as numbers
// folds it.
func isNumberWord(w string) bool {
	// The words open with these letters (the first two, folded, as
	// one number), and "the" is the most common word that does.
	switch uint16(w[0]|0x20)<<8 | uint16(w[1]|0x20) {
	case 'o'<<8 | 'n', 't'<<8 | 'w', 't'<<8 | 'h', 'f'<<8 | 'o', 'f'<<8 | 'i', 's'<<8 | 'i', 's'<<8 | 'e',
		'e'<<8 | 'i', 'e'<<8 | 'l', 'n'<<8 | 'i', 't'<<8 | 'e', 'h'<<8 | 'u', 'm'<<8 | 'i', 'b'<<8 | 'i', 'd'<<8 | 'o':
	default:
		return false
	}
	if len(w) == 3 && w[0]|0x20 == 't' && w[1]|0x20 == 'h' {
		return false
	}
	var buf [8]byte
	lw := buf[:len(w)]
	for k := range lw {
		lw[k] = w[k] | 0x20
	}
	switch string(lw) {
	case "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
		"million", "billion", "dozen", "dozens", "first", "second", "third", "fourth", "fifth":
		return true
	}
	return false
}

// isPlaceWord is placeWords[w].
func isPlaceWord(w string) bool {
	switch w {
	case "in", "at", "from", "near", "to", "of":
		return true
	}
	return false
}

// isDateWord is dateWords[w].
func isDateWord(w string) bool {
	switch w {
	case "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "century", "decade":
		return true
	}
	return false
}

// isMonth is months[w], and whether w is the month's full name, as
// monthDayYearRE has it.
func isMonth(w string) (full, ok bool) {
	switch w {
	case "January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December":
		return true, true
	case "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec":
		return false, true
	}
	return false, false
}

// fieldFacts works out factName and factSpeech in one pass over the fields
// of s, as strings.FieldsSeq splits them: a field that opens with a capital
// and a small letter, not the first, is a name (hasName); one that is a
// reporting verb (isReportingField) reports speech.
func fieldFacts(s string) fact {
	var f fact
	first := true
	for i := 0; i < len(s) && f&(factName|factSpeech) != factName|factSpeech; {
		if n := spaceAt(s, i); n > 0 {
			i += n
			continue
		}
		j := i + 1
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf {
				if asciiSpace[c] {
					break
				}
				j++
			} else if n := spaceAt(s, j); n > 0 {
				break
			} else {
				_, size := utf8.DecodeRuneInString(s[j:])
				j += size
			}
		}
		w := s[i:j]
		if !first && f&factName == 0 && capitalised(w) {
			f |= factName
		}
		if f&factSpeech == 0 && len(w) >= 4 && !cannotReport(w[0]) && isReportingField(w) {
			f |= factSpeech
		}
		first = false
		i = j
	}
	return f
}

// cannotReport reports whether a field that opens with byte c cannot be a
// reporting verb: c is an ASCII letter, which trimSpeech keeps, and no
// reporting verb starts with it. A field of under four bytes cannot be one
// either: no reporting verb is as short.
func cannotReport(c byte) bool {
	switch c | 0x20 {
	case 's', 'n', 'a', 'h', 'e', 'd', 't', 'u', 'i', 'r':
		return false
	}
	return isLetter(c)
}

// spaceAt returns the length of the space at s[i], or 0 if it is not one.
func spaceAt(s string, i int) int {
	if c := s[i]; c < utf8.RuneSelf {
		if asciiSpace[c] {
			return 1
		}
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if unicode.IsSpace(r) {
		return size
	}
	return 0
}

// asciiSpace are the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// capitalised reports whether field w opens with a capital and then a
// small letter, as hasName asks.
func capitalised(w string) bool {
	if len(w) > 1 && w[0] < utf8.RuneSelf && w[1] < utf8.RuneSelf {
		return 'A' <= w[0] && w[0] <= 'Z' && 'a' <= w[1] && w[1] <= 'z'
	}
	r0, n := utf8.DecodeRuneInString(w)
	r1, _ := utf8.DecodeRuneInString(w[n:])
	return len(w) > n && unicode.IsUpper(r0) && unicode.IsLower(r1)
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
