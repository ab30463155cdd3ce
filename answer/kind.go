package answer

import (
	"regexp"

	"github.com/corpusbot/corpusbot/corpus"
	"strings"
	"unicode"
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
	whenRE  = regexp.MustCompile(`(?i)\b(when|what (year|date|day|month|time)|which (year|date|day|month)|since when|how long ago)\b`)
	whoRE   = regexp.MustCompile(`(?i)\b(who|whom|whose|whos|who's)\b`)
	whereRE = regexp.MustCompile(`(?i)\b(where|which (province|city|country|place|region|town))\b`)
	countRE = regexp.MustCompile(`(?i)\bhow (many|much)\b`)

	// What answers each kind, found in a sentence's raw text.
	dateRE   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b|\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? [0-9]{1,2}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(century|decade)\b`)
	numberRE = regexp.MustCompile(`(?i)\b([0-9][0-9,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?|first|second|third|fourth|fifth)\b`)
	placeRE  = regexp.MustCompile(`\b(in|at|from|near|to|of) (the )?\p{Lu}`)
)

// classify reads what a question asks for from its wording.
func classify(q string) kind {
	switch {
	case countRE.MatchString(q):
		return kindCount
	case whenRE.MatchString(q):
		return kindWhen
	case whereRE.MatchString(q):
		return kindWhere
	case whoRE.MatchString(q):
		return kindWho
	}
	return kindOther
}

// satisfies reports whether a sentence (of an article dated date) holds the
// kind of thing the question asks for.
func satisfies(k kind, sentence, date string) bool {
	switch k {
	case kindWhen:
		return dateRE.MatchString(sentence)
	case kindCount:
		return hasNumber(sentence)
	case kindWhere:
		return placeRE.MatchString(sentence)
	case kindWho:
		return hasName(sentence)
	}
	return false
}

// hasName reports a capitalised word that does not open the sentence.
func hasName(s string) bool {
	first := true
	for _, w := range strings.Fields(s) {
		if !first {
			r := []rune(w)
			if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
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
	for _, m := range numberRE.FindAllStringIndex(s, -1) {
		if m[0] >= 2 && s[m[0]-1] == '-' && unicode.IsLetter(rune(s[m[0]-2])) && s[m[0]] >= '0' && s[m[0]] <= '9' {
			continue
		}
		return true
	}
	return false
}

// countedRE finds what a "how many" question counts: the word after it.
var countedRE = regexp.MustCompile(`(?i)\bhow many ([\pL\pN']+)`)

// counted returns the index term of what a "how many" question counts, or
// "" when it has none.
func counted(q string) string {
	m := countedRE.FindStringSubmatch(q)
	if m == nil {
		return ""
	}
	t, _ := corpus.Term(corpus.Fold(m[1]))
	return t
}

// countsThing reports whether sentence gives a number of thing (an index
// term): a number followed within three words by the thing, as in "60 years"
// or "five-year". With no thing, any number will do.
func countsThing(sentence, thing string) bool {
	if thing == "" {
		return hasNumber(sentence)
	}
	toks := corpus.Analyze(sentence)
	for _, m := range numberRE.FindAllStringIndex(sentence, -1) {
		for i, t := range toks {
			if t.Start < m[1] {
				continue
			}
			for _, u := range toks[i:min(i+3, len(toks))] {
				if u.Term == thing {
					return true
				}
			}
			break
		}
	}
	return false
}
