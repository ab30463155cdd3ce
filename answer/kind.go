package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/corpus"
)

// A kind is what a question asks for.
type kind int

const (
	kindOther kind = iota
	kindWhen       // a date or a year
	kindWho        // a person or a body
	kindWhere      // a place
	kindCount      // a number
)

var (
	// What answers each kind, found in a sentence's raw text. The
	// reranker asks this of many sentences, so hasDate, numbers and
	// hasPlace match these patterns by hand; kind_test.go checks that
	// they agree.
	dateRE   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b|\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? [0-9]{1,2}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(century|decade)\b`)
	numberRE = regexp.MustCompile(`(?i)\b([0-9][0-9,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|first|second|third|fourth|fifth)\b`)
	placeRE  = regexp.MustCompile(`\b(in|at|from|near|to|of) (the )?\p{Lu}`)
)

// satisfies reports whether a sentence (of an article dated date) holds the
// kind of thing the question asks for.
func satisfies(k kind, sentence, date string) bool {
	switch k {
	case kindWhen:
		return hasDate(sentence)
	case kindCount:
		return hasNumber(sentence)
	case kindWhere:
		return hasPlace(sentence)
	case kindWho:
		return hasName(sentence)
	}
	return false
}

// hasName reports a capitalised word that does not open the sentence.
func hasName(s string) bool {
	first := true
	for w := range strings.FieldsSeq(s) {
		if !first {
			r0, n := utf8.DecodeRuneInString(w)
			r1, _ := utf8.DecodeRuneInString(w[n:])
			if len(w) > n && unicode.IsUpper(r0) && unicode.IsLower(r1) {
				return true
			}
		}
		first = false
	}
	return false
}

// hasNumber reports a number in s, written in digits or words, that is not
// part of a name such as COVID-19.
func hasNumber(s string) bool {
	for start := range numbers(s) {
		if start >= 2 && s[start-1] == '-' && unicode.IsLetter(rune(s[start-2])) && isDigit(s[start]) {
			continue
		}
		return true
	}
	return false
}

// countsThing reports whether sentence gives a number of one of things
// (index terms): a number followed within three words by the thing, as in
// "60 years" or "five-year". term is corpus.Term or a memo of it.
func countsThing(sentence string, things []string, term func(string) (string, bool)) bool {
	toks := corpus.AnalyzeWith(sentence, term)
	for _, end := range numbers(sentence) {
		for i, t := range toks {
			if t.Start < end {
				continue
			}
			for _, u := range toks[i:min(i+3, len(toks))] {
				if slices.Contains(things, u.Term) {
					return true
				}
			}
			break
		}
	}
	return false
}

// The hand-written matchers below find what dateRE, numberRE and placeRE
// find. Like regexp's \b, they see words as runs of ASCII letters, digits
// and '_'.

func isWordByte(c byte) bool { return wordBytes[c] }

// wordBytes are the bytes of words: ASCII letters, digits and '_'.
var wordBytes = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	return t
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// boundary reports whether \b holds at byte i of s.
func boundary(s string, i int) bool {
	return (i > 0 && isWordByte(s[i-1])) != (i < len(s) && isWordByte(s[i]))
}

// wordEnd returns the end of the run of word bytes that starts at i.
func wordEnd(s string, i int) int {
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	return i
}

var (
	months = set("January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December",
		"Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
	dateWords   = set("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "century", "decade")
	placeWords  = set("in", "at", "from", "near", "to", "of")
	numberWords = set("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
		"million", "billion", "dozen", "dozens", "first", "second", "third", "fourth", "fifth")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// hasDate reports whether dateRE matches s: a year 1000–2099, a month and
// a day ("May 6", "Jan. 6"), a weekday, "century" or "decade", each a whole
// word.
func hasDate(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			continue
		}
		j := wordEnd(s, i)
		w := s[i:j]
		switch {
		case len(w) == 4 && (w[0] == '1' && allDigits(w[1:]) || w[:2] == "20" && allDigits(w[2:])):
			return true
		case !('A' <= w[0] && w[0] <= 'Z' || w[0] == 'c' || w[0] == 'd'):
			// Not a word of dateWords or months, which are
			// capitalised but for "century" and "decade": skip the
			// look-ups, which cost most of the time.
		case dateWords[w]:
			return true
		case months[w]:
			k := j
			if k < len(s) && s[k] == '.' {
				k++
			}
			if k < len(s) && s[k] == ' ' {
				d := k + 1
				e := d
				for e < len(s) && isDigit(s[e]) {
					e++
				}
				if e-d >= 1 && e-d <= 2 && !(e < len(s) && isWordByte(s[e])) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// hasPlace reports whether placeRE matches s: "in", "at", "from", "near",
// "to" or "of", a space, and a capital letter, perhaps after "the ".
func hasPlace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			continue
		}
		j := wordEnd(s, i)
		if j-i <= 4 && j < len(s) && s[j] == ' ' && placeWords[s[i:j]] { // the words have 2 to 4 letters
			rest := s[j+1:]
			if startsUpper(rest) || strings.HasPrefix(rest, "the ") && startsUpper(rest[4:]) {
				return true
			}
		}
		i = j
	}
	return false
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Lu, r)
}

// numbers yields the start and end of each match of numberRE in s, as
// numberRE.FindAllStringIndex(s, -1) gives them: a run of digits, commas
// and full stops that starts with a digit, or a number word.
func numbers(s string) func(yield func(int, int) bool) {
	return func(yield func(int, int) bool) {
		// Under (?i), the Kelvin sign matches k and the long s matches s.
		if strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f") {
			for _, m := range numberRE.FindAllStringIndex(s, -1) {
				if !yield(m[0], m[1]) {
					return
				}
			}
			return
		}
		for i := 0; i < len(s); i++ {
			if !isWordByte(s[i]) || i > 0 && isWordByte(s[i-1]) {
				continue
			}
			if isDigit(s[i]) {
				e := i + 1
				for e < len(s) && (isDigit(s[e]) || s[e] == ',' || s[e] == '.') {
					e++
				}
				for j := e; j > i; j-- { // the longest that ends at \b
					if boundary(s, j) {
						if !yield(i, j) {
							return
						}
						i = j - 1
						break
					}
				}
				continue
			}
			j := wordEnd(s, i)
			var buf [8]byte
			if j-i <= len(buf) {
				w := buf[:j-i]
				for k := range w {
					w[k] = s[i+k] | 0x20 // ASCII letters and digits: lower case
				}
				if numberWords[string(w)] {
					if !yield(i, j) {
						return
					}
				}
			}
			i = j - 1
		}
	}
}
