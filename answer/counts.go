package answer

import (
	"slices"
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// givesCount reports whether sentence has a number that could answer a
// "how many" question: any number but a year ("in 2020") or one that refers
// back. A number after "the" ("the two sides", "the three countries")
// counts things the text has named already rather than reporting a figure,
// so it only answers when what it counts is something the question names
// ("the three main broadcast partners" for "how many partners ...?").
func givesCount(ix *corpus.Index, qr *Query, sentence string) bool {
	var toks []corpus.Token // analysed only for a number after "the"
	for start, end := range numbers(sentence) {
		if start >= 2 && sentence[start-1] == '-' && isLetter(sentence[start-2]) && isDigit(sentence[start]) {
			continue // part of a name such as COVID-19
		}
		if isYear(sentence, start, end) {
			continue // a date, not a figure
		}
		if start < 4 || (sentence[start-4:start] != "the " && sentence[start-4:start] != "The ") {
			return true
		}
		if toks == nil {
			toks = corpus.AnalyzeWith(sentence, qr.term)
		}
		if countsQuestionTerm(ix, qr, toks, end) {
			return true
		}
	}
	return false
}

// countsQuestionTerm reports whether one of the three terms after byte end
// of the analysed sentence toks is a term of the question.
func countsQuestionTerm(ix *corpus.Index, qr *Query, toks []corpus.Token, end int) bool {
	i := slices.IndexFunc(toks, func(t corpus.Token) bool { return t.Start >= end })
	if i < 0 {
		return false
	}
	for _, u := range toks[i:min(i+3, len(toks))] {
		for _, t := range qr.terms {
			if ix.TermText(t.id) == u.Term {
				return true
			}
		}
	}
	return false
}

// isYear reports whether the number at sentence[start:end] is a year: four
// digits from 1000 to 2099 after "in", "since" and the like.
func isYear(sentence string, start, end int) bool {
	if end-start != 4 || !allDigits(sentence[start:end]) || sentence[start] != '1' && sentence[start:start+2] != "20" {
		return false
	}
	before := strings.TrimRight(sentence[:start], " ")
	if len(before) == len(sentence[:start]) {
		return false // not a word of its own
	}
	word := strings.ToLower(before[strings.LastIndexByte(before, ' ')+1:])
	return yearBefore[word]
}

// yearBefore are words that put the number after them in time.
var yearBefore = set("in", "since", "by", "from", "until", "till", "during", "before", "after", "of", "early", "late", "mid", "around")

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
