package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A span is a byte range [Start, End) of an article's text.
type span struct{ Start, End int }

// splitSentences splits one paragraph of news text, text[start:end], into
// sentences. A sentence ends at '.', '?' or '!' (after any closing quotes or
// brackets) when white space and then an upper-case letter, a digit or an
// opening quote follow, unless the full stop closes an abbreviation, a rank
// or an initial (Sen. Lieut. Gen. U.S. J.). The end of the paragraph ends a
// sentence too, so a headline needs no full stop. Spans are trimmed of white
// space; empty ones are dropped.
func splitSentences(text string, start, end int, dst []span) []span {
	from := start
	for i := start; i < end; {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r != '.' && r != '?' && r != '!' {
			i += n
			continue
		}
		j := i + n
		// A run of terminators and closing punctuation: ?!, ." ...
		for j < end {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if !strings.ContainsRune(".?!\"'”’)]", r2) {
				break
			}
			j += n2
		}
		k := j
		for k < end {
			r2, n2 := utf8.DecodeRuneInString(text[k:])
			if !unicode.IsSpace(r2) {
				break
			}
			k += n2
		}
		if k == j || k >= end {
			i = j
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[k:])
		opens := next == '"' || next == '“' || next == '‘' || next == '(' || next == '\''
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || opens) {
			i = j
			continue
		}
		if r == '.' && isAbbrev(text[from:i]) {
			i = j
			continue
		}
		dst = appendTrimmed(text, from, j, dst)
		from = k
		i = k
	}
	return appendTrimmed(text, from, end, dst)
}

func appendTrimmed(text string, s, e int, dst []span) []span {
	for s < e {
		r, n := utf8.DecodeRuneInString(text[s:])
		if !unicode.IsSpace(r) {
			break
		}
		s += n
	}
	for e > s {
		r, n := utf8.DecodeLastRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= n
	}
	// A sentence needs a word to be worth citing.
	for _, r := range text[s:e] {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return append(dst, span{s, e})
		}
	}
	return dst
}

// isAbbrev reports whether the text before a full stop ends in an
// abbreviation that does not end a sentence.
func isAbbrev(before string) bool {
	w := before
	if i := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' }); i >= 0 {
		_, n := utf8.DecodeRuneInString(before[i:])
		w = before[i+n:]
	}
	if w == "" {
		return false
	}
	// Initials and dotted forms: J. R. R., U.S., e.g.
	if r, n := utf8.DecodeRuneInString(w); n == len(w) && unicode.IsUpper(r) {
		return true
	}
	if strings.Contains(w, ".") {
		return true
	}
	return abbreviations[strings.ToLower(w)]
}

// abbreviations that a full stop follows inside a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true,
	"st": true, "mt": true, "ft": true, "no": true, "nos": true, "vs": true, "v": true,
	"sen": true, "rep": true, "gov": true, "lt": true, "lieut": true, "gen": true, "col": true,
	"maj": true, "capt": true, "cmdr": true, "adm": true, "sgt": true, "cpl": true, "pvt": true,
	"brig": true, "hon": true, "rev": true, "pres": true, "supt": true, "insp": true,
	"inc": true, "co": true, "corp": true, "ltd": true, "dept": true, "est": true, "approx": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "fig": true, "vol": true,
	"ca": true, "cf": true, "al": true, "etc": false,
}
