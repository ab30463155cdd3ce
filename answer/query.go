package answer

import (
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/corpusbot/corpusbot/corpus"
)

// The query stage: the question's text is read here, once, into a Query
// that holds everything the later stages ask of the question. Nothing after
// this stage reads the question's text.

// A qterm is one distinct term of a question.
type qterm struct {
	id     corpus.TermID
	word   string  // the word as typed, folded
	weight float64 // occurrences in the question, less for fuzzy matches
	idf    float64 // over sentences
	aidf   float64 // over articles
	form   int     // word's number among the term's forms (corpus.Index.Form), or -1
	// typed is the word of the question that folds to word (or to word
	// and a suffix such as 's), as the question has it: set for the terms
	// that may name someone (mayName), the only ones a refusal names.
	typed string
	// carried is whether the term is carried over to a follow-up from
	// its context's question (followup.go), not the question's own.
	carried bool
	// derivedOf is 1 + the index in terms of the term this one shares a
	// root with (derive.go), or 0.
	derivedOf int
}

// A Query is a question analysed against a snapshot: its terms and their
// weights, what it asks for, and the words the corpus lacks.
type Query struct {
	terms   []qterm
	seq     []int    // the question's terms in order, as indexes into terms; -1 for a word not found
	missing []string // words of the question the corpus never uses, as typed
	// missingPlace is whether one of missing is a place (places).
	missingPlace bool
	kind         kind
	recent       bool // asks for the current state: "now", "current", "latest"
	speech       bool // asks what someone said: "how did he describe ...?"
	negated      bool // has a word of negation: "not", "never", "didn't" (negates)
	asksYear     bool // a when question that asks for the year: "what year ...?"
	// counted are the index terms of what a "how many" question counts
	// (counted), or nil.
	counted []string
	// capitalises is whether the question capitalises some word after
	// its first: whether its writer capitalises names.
	capitalises bool
	mask        uint64 // bit id%64 of each term's id: which ids may be terms
	// term is corpus.Term, remembered: what the question's text is
	// analysed with, and text compared with the question had best be too.
	term func(word string) (string, bool)
	// followUp is whether the question is read as a follow-up of its
	// context (followup.go): terms carried over from the context's
	// question are among terms, at Weights.Carry of their weight.
	followUp bool
	// prevDoc is the article of the previous answer, which the
	// "previous" signal prefers, or -1.
	prevDoc int
}

// index returns the index into qr.terms of the term id, or -1.
func (qr *Query) index(id corpus.TermID) int {
	for i := range qr.terms {
		if qr.terms[i].id == id {
			return i
		}
	}
	return -1
}

func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// parse analyses question q against sn's index: each word's term, or
// failing that the terms of corpus words spelled like it, or failing that a
// missing word; and what the question asks for.
func parse(sn *snapshot, q string) Query {
	ix, w := sn.ix, sn.w
	qr := Query{kind: classify(q), term: sn.term, prevDoc: -1}
	qr.recent, qr.speech = questionWords(q)
	qr.negated = negates(q)
	switch qr.kind {
	case kindWhen:
		qr.asksYear = askYearRE.MatchString(q)
	case kindCount:
		qr.counted = counted(q)
	}
	nS, nA := len(ix.Sentences), len(ix.Articles)
	add := func(id corpus.TermID, word string, w float64) int {
		for i := range qr.terms {
			if qr.terms[i].id == id {
				qr.terms[i].weight += w
				return i
			}
		}
		form := -1
		if f, ok := ix.Form(id, word); ok {
			form = int(f)
		}
		qr.mask |= 1 << (id & 63)
		qr.terms = append(qr.terms, qterm{
			id: id, word: word, weight: w,
			idf:  idf(nS, len(ix.Postings(id))),
			aidf: idf(nA, len(ix.ArticlePostings(id))),
			form: form,
		})
		return len(qr.terms) - 1
	}
	toks := corpus.AnalyzeWith(q, qr.term)
	qr.terms = make([]qterm, 0, len(toks)+2) // room for a few synonyms and spellings
	qr.seq = make([]int, 0, len(toks))
	for _, t := range toks {
		word := corpus.Fold(q[t.Start:t.End])
		id, found := ix.Lookup(t.Term)
		stand := -1 // the synonym that stands in for a word the corpus lacks
		for _, syn := range synonyms[word] {
			if st, ok := sn.term(syn); ok {
				if sid, ok := ix.Lookup(st); ok && st != t.Term {
					if found || stand >= 0 {
						add(sid, syn, w.Synonym)
					} else {
						stand = add(sid, syn, 1)
					}
				}
			}
		}
		if found {
			if k := qr.index(id); k >= 0 && qr.terms[k].derivedOf > 0 {
				// An earlier word's derived term is this word's
				// own: it weighs as the word does.
				t := &qr.terms[k]
				t.word, t.weight, t.derivedOf = word, 0, 0
				if f, ok := ix.Form(id, word); ok {
					t.form = int(f)
				}
			}
			k := add(id, word, 1)
			qr.seq = append(qr.seq, k)
			for _, d := range sn.derived(id) {
				if w.Derived > 0 && d != id && qr.index(d) < 0 {
					qr.terms[add(d, ix.TermText(d), w.Derived)].derivedOf = k + 1
				}
			}
			continue
		}
		if stand >= 0 {
			qr.seq = append(qr.seq, stand)
			continue
		}
		sim := sn.similar(word)
		if len(sim) == 0 {
			miss := q[t.Start:t.End]
			qr.missing = append(qr.missing, miss)
			qr.missingPlace = qr.missingPlace || isPlace(miss)
			qr.seq = append(qr.seq, -1)
			continue
		}
		for i, id := range sim[:min(len(sim), 2)] {
			k := add(id, word, w.Fuzzy/float64(min(len(sim), 2)))
			if i == 0 {
				qr.seq = append(qr.seq, k)
			}
		}
	}
	for k := range qr.terms {
		if t := &qr.terms[k]; mayName(ix, t) {
			t.typed = asTyped(q, t.word)
			qr.capitalises = capitalisesNames(q)
		}
	}
	return qr
}

// mayName reports whether question term t may name someone, somewhere or
// some body: a word typed as the corpus has it (not a fuzzy or synonym
// match), of at least five letters, that the corpus capitalises
// (corpus.Index.IsName).
func mayName(ix *corpus.Index, t *qterm) bool {
	return t.weight >= 1 && t.form >= 0 && len(t.word) >= 5 && ix.IsName(t.id)
}

// questionWords reads two things from the words of question q: whether it
// asks for the current state ("now", "current", "latest") and whether it
// asks what someone said (speechWords). It lowers each word's case in a
// buffer of its own: the words to find are short.
func questionWords(q string) (recent, speech bool) {
	var buf [16]byte
	for w := range strings.FieldsSeq(q) {
		w = strings.Trim(w, "?!.,;:'\"")
		if len(w) > len(buf) {
			continue
		}
		lw := buf[:len(w)]
		for i := 0; i < len(w); i++ {
			c := w[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lw[i] = c
		}
		recent = recent || recentWords[string(lw)]
		speech = speech || speechWords[string(lw)]
	}
	return recent, speech
}

var recentWords = set("now", "current", "currently", "latest", "today", "present", "presently", "nowadays", "still")

// speechWords are the words of questions that ask what someone said or
// thinks: "how did he describe ...?", "did she say ...?", "... according to
// him?".
var speechWords = set("say", "says", "said", "describe", "described", "think", "thinks", "view", "views", "according", "per")

var (
	whenRE  = regexp.MustCompile(`(?i)\b(when|what (year|date|day|month|time)|which (year|date|day|month)|since when|how long ago)\b`)
	whoRE   = regexp.MustCompile(`(?i)\b(who|whom|whose|whos|who's)\b`)
	whereRE = regexp.MustCompile(`(?i)\b(where|which (province|city|country|place|region|town))\b`)
	countRE = regexp.MustCompile(`(?i)\bhow (many|much)\b`)
	// askYearRE finds questions that ask for a year.
	askYearRE = regexp.MustCompile(`(?i)\b(what|which) (year|yr)\b|\byear did\b`)
)

// classify reads what a question asks for from its wording.
//
// Each pattern is only tried on a question that has, in lower case, words
// one of its matches must hold ("how ", "when", "what year", ...): most
// questions have none of them. The letters of these words fold, in a
// pattern that ignores case, only to themselves and their upper case.
func classify(q string) kind {
	lq := strings.ToLower(q)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(lq, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("how ") && countRE.MatchString(q):
		return kindCount
	case has("when", "what year", "what date", "what day", "what month", "what time",
		"which year", "which date", "which day", "which month", "how long ago") && whenRE.MatchString(q):
		return kindWhen
	case has("where", "which province", "which city", "which country", "which place",
		"which region", "which town") && whereRE.MatchString(q):
		return kindWhere
	case has("who") && whoRE.MatchString(q):
		return kindWho
	}
	return kindOther
}

// countedRE finds what a "how many" question counts: the words after it.
var countedRE = regexp.MustCompile(`(?i)\bhow many ((?:[\pL\pN'’-]+\s*){1,5})`)

// phraseEnd are words that end the noun phrase a "how many" counts.
var phraseEnd = map[string]bool{
	"have": true, "has": true, "had": true, "did": true, "do": true, "does": true, "are": true,
	"is": true, "were": true, "was": true, "will": true, "would": true, "can": true, "could": true,
	"in": true, "of": true, "from": true, "at": true, "on": true, "to": true, "for": true, "by": true,
	"with": true, "the": true, "a": true, "an": true, "per": true,
}

// counted returns the index terms of what a "how many" question counts,
// the words of the noun phrase after it ("how many volunteer soldiers'
// remains have..."), or nil when it has none.
func counted(q string) []string {
	m := countedRE.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	var terms []string
	for _, w := range strings.Fields(m[1]) {
		w = strings.Trim(strings.ToLower(w), "'’?!.,;:")
		if phraseEnd[w] {
			break
		}
		if t, ok := corpus.Term(corpus.Fold(w)); ok {
			terms = append(terms, t)
		}
	}
	return terms
}

// places are countries and their people, folded and lower case. A question
// that names one the corpus never mentions is about somewhere else: "did
// Vietnam sign a defence deal with Thailand?" is refused, however well the
// rest of it matches, where a missing common word ("exactly", "so far")
// only weighs against an answer.
var places = set(strings.Fields(`
	afghanistan albania algeria argentina armenia australia austria azerbaijan bangladesh belarus
	belgium bhutan bolivia brazil brunei bulgaria burma cambodia canada chile china colombia croatia
	cuba cyprus czechia denmark ecuador egypt estonia ethiopia finland france georgia germany ghana
	greece hungary iceland india indonesia iran iraq ireland israel italy japan jordan kazakhstan
	kenya korea kuwait kyrgyzstan laos latvia lebanon libya lithuania malaysia maldives mexico
	mongolia morocco myanmar nepal netherlands nigeria norway pakistan peru philippines poland
	portugal qatar romania russia serbia singapore slovakia slovenia somalia spain sudan sweden
	switzerland syria taiwan tajikistan tanzania thailand timor turkey turkmenistan uganda ukraine
	uruguay uzbekistan venezuela vietnam yemen zambia zimbabwe
	american australian brazilian british burmese cambodian canadian chinese filipino french german
	indian indonesian japanese korean lao laotian malaysian russian singaporean thai vietnamese`)...)

// isPlace reports whether word, as typed, is one of places.
func isPlace(word string) bool {
	return places[strings.ToLower(corpus.Fold(word))]
}

// capitalisesNames reports whether question q has a capitalised word after
// its first: whether its writer capitalises names.
func capitalisesNames(q string) bool {
	first := true
	for w := range strings.FieldsSeq(q) {
		if !first && startsUpper(w) {
			return true
		}
		first = false
	}
	return false
}

// asTyped returns the word of question q that folds to w (or to w and a
// suffix such as 's), as q has it, or w when there is none.
func asTyped(q, w string) string {
	for f := range strings.FieldsSeq(q) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if strings.HasPrefix(corpus.Fold(f), w) {
			return f
		}
	}
	return w
}
