// Package corpus loads news articles and indexes their sentences.
//
// An Index is built once, by Load or Build, and never changes afterwards, so
// any number of goroutines may read it while a new one is being built.
package corpus

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors reported by Load, LoadFS and LoadDir, and wrapped by the
// Index.Warnings they return.
var (
	// ErrEmpty means no file of the corpus held a usable article. Its
	// message says how many files were read and names the first ten
	// unusable ones and why: "corpus: no usable article (2 files read):
	// a.txt: empty; b.txt: binary (NUL bytes)".
	ErrEmpty = errors.New("corpus: no usable article")
	// ErrBadFile is wrapped by the warning for a file that was skipped: not
	// a regular file, unreadable, a link that is broken or leads outside
	// the folder, too big, empty, binary, or with no sentence.
	ErrBadFile = errors.New("corpus: unusable file")
	// ErrRepaired is wrapped by the warning for a file that was kept with a
	// change: its invalid UTF-8 replaced with U+FFFD.
	ErrRepaired = errors.New("corpus: file repaired")
	// ErrNoFolder means the folder given to LoadDir does not exist:
	// "corpus: /no/such/dir: no such folder".
	ErrNoFolder = errors.New("corpus: no such folder")
	// ErrNotFolder means the path given to LoadDir is not a folder:
	// "corpus: /path/file: not a folder".
	ErrNotFolder = errors.New("corpus: not a folder")
)

// A TermID names one index term.
type TermID uint32

// A Posting says a term occurs TF times in sentence (or article) ID.
type Posting struct {
	ID uint32
	TF uint32
}

// A Sentence is a citable sentence: a byte range of its article's text.
type Sentence struct {
	Article    uint32 // index into Index.Articles
	Start, End uint32 // byte offsets into the article's Text
}

// An Index is an immutable inverted index over the sentences of a corpus.
type Index struct {
	Articles  []Article
	Sentences []Sentence
	// Warnings name, in path order, the files that were skipped (each
	// wrapping ErrBadFile) or kept with a repair (ErrRepaired); each is a
	// *FileError.
	Warnings []error

	terms     map[string]TermID
	termText  []string
	sentPost  [][]Posting // by TermID: the sentences holding the term
	artPost   [][]Posting // by TermID: the articles holding the term
	sentTerms []TermID    // every sentence's terms in order, one after another
	sentOff   []uint32    // sentence i's terms are sentTerms[sentOff[i]:sentOff[i+1]]
	// sentForms parallels sentTerms: which of its term's forms each word
	// has, as an index into forms[term]; forms lists, by TermID, the
	// distinct folded words that analyse to the term.
	sentForms []uint16
	forms     [][]string
	// names has bit id%64 of word id/64 set for each term whose words,
	// wherever they do not open a sentence, are nearly always capitalised:
	// the names of people, places and bodies.
	names    []uint64
	artLen   []uint32 // terms in each article
	artFirst []uint32 // the first sentence of each article
	// context holds, for each article, the sorted terms of its title and
	// the year of its date: what a question names to say which article it
	// means ("... at the 2026 meeting?").
	context [][]TermID
	avgSent float64
	avgArt  float64
	// surface maps each folded word of the corpus to its term, for fuzzy
	// matching of words a question spells differently; byShape lists those
	// words by their first byte and length.
	surface map[string]TermID
	byShape map[shape][]string
}

// A shape is what fuzzy matching looks up a word by: its first byte and
// its length.
type shape struct {
	initial byte
	n       int
}

// Text returns sentence i's text as the article has it.
func (ix *Index) Text(i int) string {
	s := ix.Sentences[i]
	return ix.Articles[s.Article].Text[s.Start:s.End]
}

// Lookup returns the id of an analysed term.
func (ix *Index) Lookup(term string) (TermID, bool) {
	id, ok := ix.terms[term]
	return id, ok
}

// TermText returns the term a TermID stands for.
func (ix *Index) TermText(id TermID) string { return ix.termText[id] }

// Postings returns the sentences that hold term id, in sentence order.
func (ix *Index) Postings(id TermID) []Posting { return ix.sentPost[id] }

// ArticlePostings returns the articles that hold term id, in article order.
func (ix *Index) ArticlePostings(id TermID) []Posting { return ix.artPost[id] }

// SentenceTerms returns sentence i's terms in order.
func (ix *Index) SentenceTerms(i int) []TermID { return ix.sentTerms[ix.sentOff[i]:ix.sentOff[i+1]] }

// SentenceForms parallels SentenceTerms(i): the form each word has, as
// numbered by Form.
func (ix *Index) SentenceForms(i int) []uint16 { return ix.sentForms[ix.sentOff[i]:ix.sentOff[i+1]] }

// Form returns the number of the folded word among the forms of term id in
// the corpus, and false when no word of the corpus analysed to id has it.
func (ix *Index) Form(id TermID, word string) (uint16, bool) {
	for i, f := range ix.forms[id] {
		if f == word {
			return uint16(i), true
		}
	}
	return 0, false
}

// SentenceLen returns how many terms sentence i has.
func (ix *Index) SentenceLen(i int) int { return int(ix.sentOff[i+1] - ix.sentOff[i]) }

// ArticleLen returns how many terms article a has.
func (ix *Index) ArticleLen(a int) int { return int(ix.artLen[a]) }

// ArticleSentences returns the range [first, end) of article a's sentences.
func (ix *Index) ArticleSentences(a int) (int, int) {
	return int(ix.artFirst[a]), int(ix.artFirst[a+1])
}

// AvgSentenceLen and AvgArticleLen are the mean lengths in terms.
func (ix *Index) AvgSentenceLen() float64 { return ix.avgSent }
func (ix *Index) AvgArticleLen() float64  { return ix.avgArt }

// InContext reports whether term id is in article a's title or is the year
// of its date.
func (ix *Index) InContext(a int, id TermID) bool {
	_, ok := slices.BinarySearch(ix.context[a], id)
	return ok
}

// ContextTerms returns the sorted, distinct terms of article a's title and
// the year of its date.
func (ix *Index) ContextTerms(a int) []TermID { return ix.context[a] }

// IsName reports whether term id is a name: its words are capitalised
// wherever they do not open a sentence.
func (ix *Index) IsName(id TermID) bool {
	return int(id/64) < len(ix.names) && ix.names[id/64]&(1<<(id%64)) != 0
}

// NumTerms returns the size of the vocabulary.
func (ix *Index) NumTerms() int { return len(ix.termText) }

// Known reports whether a folded word occurs in the corpus as typed.
func (ix *Index) Known(word string) bool {
	_, ok := ix.surface[word]
	return ok
}

// Similar returns the terms of corpus words within a small edit distance of
// the folded word w (one edit for words of four to six letters, two from
// seven): typos and other spellings of names. Nearest first, then by word.
func (ix *Index) Similar(w string) []TermID {
	if len(w) < 4 {
		return nil
	}
	maxD := 1
	if len(w) >= 7 {
		maxD = 2
	}
	type cand struct {
		word string
		d    int
	}
	var cs []cand
	for n := max(len(w)-maxD, 1); n <= len(w)+maxD; n++ {
		for _, c := range ix.byShape[shape{w[0], n}] {
			if d := editDistance(w, c, maxD); d <= maxD {
				cs = append(cs, cand{c, d})
			}
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].word < cs[j].word
	})
	out := make([]TermID, 0, len(cs))
	for _, c := range cs {
		if id := ix.surface[c.word]; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Kin returns the terms of corpus words that differ from the folded word w
// only in their last few letters and that stemming keeps apart from it:
// Sahara for Saharan, Palestinian for Palestine.
func (ix *Index) Kin(w string) []TermID {
	var out []TermID
	for n := max(len(w)-kinLetters, 4); n <= len(w)+kinLetters; n++ {
		for _, c := range ix.byShape[shape{w[0], n}] {
			p := 0
			for p < len(c) && p < len(w) && c[p] == w[p] {
				p++
			}
			if p >= 4 && p >= min(len(c), len(w))-2 {
				if id := ix.surface[c]; !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// kinLetters is how many letters longer or shorter than a word its kin may be.
const kinLetters = 3

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions, adjacent transpositions), or
// max+1 once it must exceed max.
func editDistance(a, b string, max int) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	var rows [3][32]int // on the stack for words of up to 31 bytes
	prev2, prev, cur := rows[0][:0], rows[1][:0], rows[2][:0]
	if lb+1 > len(rows[0]) {
		prev2, prev, cur = make([]int, 0, lb+1), make([]int, 0, lb+1), make([]int, 0, lb+1)
	}
	prev2, prev, cur = prev2[:lb+1], prev[:lb+1], cur[:lb+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// builder accumulates articles into an Index in one pass.
type builder struct {
	ix       *Index
	analyzer analyzer // with Term's answers kept: most words recur
	tokens   []Token
	count    map[TermID]uint32
	// inner and capital count, by term, its words that do not open a
	// sentence, and those of them that are capitalised.
	inner, capital []uint32
}

func newBuilder() *builder {
	return &builder{
		ix: &Index{
			terms:   map[string]TermID{},
			surface: map[string]TermID{},
			byShape: map[shape][]string{},
			sentOff: []uint32{0},
		},
		analyzer: analyzer{terms: map[string]cachedTerm{}},
		count:    map[TermID]uint32{},
	}
}

func (b *builder) term(t string) TermID {
	id, ok := b.ix.terms[t]
	if !ok {
		id = TermID(len(b.ix.termText))
		b.ix.terms[t] = id
		b.ix.termText = append(b.ix.termText, t)
		b.ix.sentPost = append(b.ix.sentPost, nil)
		b.ix.artPost = append(b.ix.artPost, nil)
		b.ix.forms = append(b.ix.forms, nil)
		b.inner = append(b.inner, 0)
		b.capital = append(b.capital, 0)
	}
	return id
}

// add indexes one article whose citable paragraphs are paras. It reports
// false, adding nothing, when the article has no sentence.
func (b *builder) add(a Article, paras []span) bool {
	ix := b.ix
	var sents []span
	for _, p := range paras {
		sents = splitSentences(a.Text, p.Start, p.End, sents)
	}
	if len(sents) == 0 {
		return false
	}
	// Only a title the article gives says what it is about; one made from
	// the lead sentence would credit the lead's words to every sentence.
	context := b.contextTerms(a.Title, a.Date)
	if a.Title == "" {
		a.Title = headline(a.Text[sents[0].Start:sents[0].End])
	}
	art := uint32(len(ix.Articles))
	ix.Articles = append(ix.Articles, a)
	ix.artFirst = append(ix.artFirst, uint32(len(ix.Sentences)))
	clear(b.count)
	var artLen uint32
	for _, s := range sents {
		sid := uint32(len(ix.Sentences))
		ix.Sentences = append(ix.Sentences, Sentence{Article: art, Start: uint32(s.Start), End: uint32(s.End)})
		b.tokens = b.analyzer.analyze(a.Text[s.Start:s.End], b.tokens[:0])
		first := len(ix.sentTerms)
		for j, t := range b.tokens {
			id := b.term(t.Term)
			if j > 0 || hasWordBefore(a.Text[s.Start:s.Start+t.Start]) {
				b.inner[id]++
				if r, _ := utf8.DecodeRuneInString(a.Text[s.Start+t.Start:]); unicode.IsUpper(r) {
					b.capital[id]++
				}
			}
			ix.sentTerms = append(ix.sentTerms, id)
			b.count[id]++
			w := fold(a.Text[s.Start+t.Start : s.Start+t.End])
			ix.sentForms = append(ix.sentForms, b.form(id, w))
			b.addSurface(w, id)
		}
		ix.sentOff = append(ix.sentOff, uint32(len(ix.sentTerms)))
		artLen += uint32(len(b.tokens))
		// One posting per distinct term, counted over this sentence.
		terms := ix.sentTerms[first:]
		for i, id := range terms {
			if seenBefore(terms[:i], id) {
				continue
			}
			ix.sentPost[id] = append(ix.sentPost[id], Posting{ID: sid, TF: uint32(countOf(terms, id))})
		}
	}
	ix.artLen = append(ix.artLen, artLen)
	ix.context = append(ix.context, context)
	for id, n := range b.count {
		ix.artPost[id] = append(ix.artPost[id], Posting{ID: art, TF: n})
	}
	return true
}

// contextTerms returns the sorted, distinct terms of an article's title and
// of the year of its date (YYYY-MM-DD or empty).
func (b *builder) contextTerms(title, date string) []TermID {
	var ctx []TermID
	for _, t := range Analyze(title) {
		ctx = append(ctx, b.term(t.Term))
	}
	if len(date) >= 4 {
		for _, t := range Analyze(date[:4]) {
			ctx = append(ctx, b.term(t.Term))
		}
	}
	slices.Sort(ctx)
	return slices.Compact(ctx)
}

func seenBefore(ts []TermID, id TermID) bool {
	for _, t := range ts {
		if t == id {
			return true
		}
	}
	return false
}

func countOf(ts []TermID, id TermID) int {
	n := 0
	for _, t := range ts {
		if t == id {
			n++
		}
	}
	return n
}

// noForm numbers the forms of a term beyond the 65,535th, which Form does
// not find: no English stem has that many.
const noForm = 1<<16 - 1

// form returns the number of folded word w among the forms of term id,
// adding it when it is new.
func (b *builder) form(id TermID, w string) uint16 {
	fs := b.ix.forms[id]
	for i, f := range fs {
		if f == w {
			return uint16(i)
		}
	}
	if len(fs) >= noForm {
		return noForm
	}
	b.ix.forms[id] = append(fs, w)
	return uint16(len(fs))
}

// addSurface records folded word w of term id for fuzzy matching.
func (b *builder) addSurface(w string, id TermID) {
	if strings.ContainsRune(w, '\'') {
		w = strings.TrimSuffix(w, "'s")
	}
	if _, ok := b.ix.surface[w]; ok || len(w) < 4 {
		return
	}
	b.ix.surface[w] = id
	k := shape{w[0], len(w)}
	b.ix.byShape[k] = append(b.ix.byShape[k], w)
}

// finish completes the index: lengths averaged, and every list copied to
// one of just its size, the postings of all terms into one array, so that
// the index holds no room left over from building it.
func (b *builder) finish() *Index {
	ix := b.ix
	ix.artFirst = append(ix.artFirst, uint32(len(ix.Sentences)))
	if n := len(ix.Sentences); n > 0 {
		ix.avgSent = float64(len(ix.sentTerms)) / float64(n)
		ix.avgArt = float64(len(ix.sentTerms)) / float64(len(ix.Articles))
	}
	ix.names = make([]uint64, (len(ix.termText)+63)/64)
	for id, n := range b.inner {
		if n > 0 && float64(b.capital[id]) >= nameShare*float64(n) {
			ix.names[id/64] |= 1 << (id % 64)
		}
	}
	flatten(ix.sentPost)
	flatten(ix.artPost)
	ix.Sentences = slices.Clone(ix.Sentences)
	ix.sentTerms = slices.Clone(ix.sentTerms)
	ix.sentForms = slices.Clone(ix.sentForms)
	ix.sentOff = slices.Clone(ix.sentOff)
	ix.artLen = slices.Clone(ix.artLen)
	ix.artFirst = slices.Clone(ix.artFirst)
	return ix
}

// nameShare is the least share of a term's words, where they do not open a
// sentence, that must be capitalised for the term to be a name.
const nameShare = 0.9

// hasWordBefore reports whether text, what a sentence has before a word,
// holds a letter or a digit.
func hasWordBefore(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// flatten moves the lists into one array, each list a full slice of it.
func flatten(lists [][]Posting) {
	n := 0
	for _, ps := range lists {
		n += len(ps)
	}
	all := make([]Posting, 0, n)
	for i, ps := range lists {
		start := len(all)
		all = append(all, ps...)
		lists[i] = all[start:len(all):len(all)]
	}
}

// headline makes a title for an article that has none from its first
// sentence, cut at a word boundary.
func headline(first string) string {
	const max = 90
	if len(first) <= max {
		return first
	}
	cut := strings.LastIndexByte(first[:max], ' ')
	if cut < 40 {
		cut = max
		for !utf8.RuneStart(first[cut]) {
			cut--
		}
	}
	return strings.TrimRight(first[:cut], " ,;:") + "…"
}
