package corpus

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// A Token is one analysed word: its index term and where the word stands in
// the analysed text, as byte offsets [Start, End).
type Token struct {
	Term       string
	Start, End int
}

// Analyze turns text into index terms. Articles and questions go through the
// same pipeline, so that a question's words meet the article's:
//
//	split into Unicode words → fold diacritics → lowercase →
//	unify spelling (defence/defense, Viet Nam/Vietnam, 2nd/second) →
//	irregular forms to their base (held/hold, children/child) →
//	drop stop words → snowball English stem.
//
// Offsets always point into text, so a citation can quote the original words.
func Analyze(text string) []Token {
	return AnalyzeWith(text, nil)
}

// AnalyzeWith is Analyze with term in Term's place, for a caller that
// remembers Term's answers: term must answer as Term does. A nil term is
// Term.
func AnalyzeWith(text string, term func(word string) (string, bool)) []Token {
	buf := wordBufs.Get().(*[]Token)
	z := analyzer{words: *buf, lookup: term}
	toks := z.analyze(text, nil)
	*buf = z.words[:0]
	wordBufs.Put(buf)
	return toks
}

// wordBufs holds analyzers' word buffers for Analyze and AnalyzeWith to
// reuse: their tokens hold offsets only, no memory of the text.
var wordBufs = sync.Pool{New: func() any { return new([]Token) }}

// An analyzer is Analyze with memory kept from one text to the next: a
// buffer for the words and, when terms is not nil, Term's answer for each
// word seen. When lookup is not nil, it answers in Term's place.
type analyzer struct {
	words  []Token
	terms  map[string]cachedTerm
	lookup func(word string) (string, bool)
}

type cachedTerm struct {
	term string
	ok   bool
}

// term is Term(word), remembered.
func (z *analyzer) term(word string) (string, bool) {
	if z.lookup != nil {
		return z.lookup(word)
	}
	if z.terms == nil {
		return Term(word)
	}
	if c, ok := z.terms[word]; ok {
		return c.term, c.ok
	}
	t, ok := Term(word)
	z.terms[word] = cachedTerm{t, ok}
	return t, ok
}

// analyze appends text's tokens to dst.
func (z *analyzer) analyze(text string, dst []Token) []Token {
	z.words = appendWords(text, z.words[:0])
	words, in := z.words, dst
	if dst == nil && len(words) > 0 {
		dst = make([]Token, 0, len(words)) // at most one token a word
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		word := fold(text[w.Start:w.End])
		// Viet Nam → vietnam: two words make one term.
		if word == "viet" && i+1 < len(words) && strings.TrimSuffix(fold(text[words[i+1].Start:words[i+1].End]), "'s") == "nam" {
			dst = append(dst, Token{Term: "vietnam", Start: w.Start, End: words[i+1].End})
			i++
			continue
		}
		if t, ok := z.term(word); ok {
			dst = append(dst, Token{Term: t, Start: w.Start, End: w.End})
		}
	}
	if len(dst) == len(in) {
		return in // nothing to add: dst as given, nil for nil
	}
	return dst
}

// Term maps one folded, lowercased word to its index term. It reports false
// for stop words.
func Term(word string) (string, bool) {
	return termWith(word, irregularForms)
}

// termWith is Term with irr for the irregular forms (irregular.go).
func termWith(word string, irr map[string]string) (string, bool) {
	word = strings.TrimSuffix(strings.TrimSuffix(word, "'s"), "'")
	word = strings.ReplaceAll(word, "'", "")
	if word == "" {
		return "", false
	}
	if s, ok := spelling[word]; ok {
		word = s
	} else {
		word = americanize(word)
	}
	if base, ok := irr[word]; ok {
		word = base
	}
	if english.IsStopWord(word) || extraStop[word] {
		return "", false
	}
	if isNumber(word) {
		return word, true
	}
	return english.Stem(word, true), true
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendWords splits text into words, appended to out: runs of letters,
// digits and combining marks, with an apostrophe allowed between letters
// (Laos's, people’s).
func appendWords(text string, out []Token) []Token {
	start := -1
	for i, r := range text {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0:
			// Keep an apostrophe only when a letter follows it.
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if !unicode.IsLetter(next) {
				out = append(out, Token{Start: start, End: i})
				start = -1
			}
		default:
			if start >= 0 {
				out = append(out, Token{Start: start, End: i})
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, Token{Start: start, End: len(text)})
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// fold lowercases a word, drops its diacritics (Sơn → son, đ → d) and writes
// every apostrophe as '.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case r == '’' || r == '‘':
			b.WriteByte('\'')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Fold is the folding the analyzer applies to each word, for callers that
// compare surface words (fuzzy matching, refusal messages).
func Fold(w string) string { return fold(w) }

// spelling maps words to the spelling the index keeps: British to American,
// digits to ordinal words, and the shorthand people type in chat.
var spelling = map[string]string{
	"defence": "defense", "defences": "defenses", "offence": "offense", "offences": "offenses",
	"licence": "license", "centre": "center", "centres": "centers", "theatre": "theater",
	"metre": "meter", "metres": "meters", "litre": "liter", "fibre": "fiber",
	"programme": "program", "programmes": "programs", "catalogue": "catalog",
	"travelled": "traveled", "travelling": "traveling", "cancelled": "canceled",
	"modelling": "modeling", "labelled": "labeled", "fuelled": "fueled", "signalled": "signaled",
	"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
	"6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth",
	"vn": "vietnam", "yrs": "years", "yr": "year", "govt": "government", "gov": "government",
	"coop": "cooperation", "co-op": "cooperation", "mins": "minister", "dept": "department",
	"jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june",
	"jul": "july", "aug": "august", "sep": "september", "sept": "september", "oct": "october",
	"nov": "november", "dec": "december", "intl": "international",
}

// extraStop are words beyond snowball's stop list that carry nothing in a
// question typed in chat.
var extraStop = map[string]bool{
	"pls": true, "please": true, "w": true, "re": true, "u": true, "ur": true,
	"anyone": true, "know": true, "tell": true, "also": true, "s": true,
	"whos": true, "whats": true, "wat": true, "wht": true, "hows": true, "wheres": true,
	"whens": true, "much": true, "many": true, "exactly": true, "ya": true, "hey": true,
}

// ourWords are the stems whose British "our" is American "or".
var ourWords = []string{
	"neighbour", "colour", "favour", "honour", "labour", "behaviour", "harbour",
	"rumour", "humour", "vigour", "endeavour", "armour", "flavour", "savour", "valour",
	"odour", "splendour", "parlour", "candour", "rigour", "tumour", "saviour",
}

// iseExceptions end in -ise in American English too.
var iseExceptions = map[string]bool{
	"exercise": true, "advise": true, "revise": true, "supervise": true, "promise": true,
	"premise": true, "compromise": true, "enterprise": true, "surprise": true,
	"expertise": true, "franchise": true, "merchandise": true, "otherwise": true,
	"likewise": true, "clockwise": true, "wise": true, "rise": true, "arise": true,
	"raise": true, "praise": true, "noise": true, "poise": true, "cruise": true,
	"bruise": true, "precise": true, "concise": true, "excise": true, "incise": true,
	"devise": true, "despise": true, "treatise": true, "disguise": true, "televise": true,
	"improvise": true, "comprise": true, "apprise": true, "demise": true, "paradise": true,
	"reprise": true, "circumcise": true, "chastise": true, "mortise": true, "anise": true,
	"guise": true, "vise": true, "concise's": true, "premise's": true, "franchise's": true,
	"sunrise": true, "uprise": true, "moonrise": true, "expertise's": true,
}

// americanize rewrites British -ise/-isation and -our spellings.
func americanize(w string) string {
	for _, o := range ourWords {
		if strings.HasPrefix(w, o) {
			return o[:len(o)-2] + "r" + w[len(o):]
		}
	}
	for _, suf := range [...]string{"isations", "isation", "ising", "ised", "ises", "iser", "isers", "ise"} {
		if !strings.HasSuffix(w, suf) {
			continue
		}
		stem := w[:len(w)-len(suf)]
		if len(stem) < 3 || iseExceptions[stem+"ise"] {
			return w
		}
		return stem + "iz" + suf[2:]
	}
	return w
}
