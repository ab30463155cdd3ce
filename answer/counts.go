package answer

import (
	"slices"

	"github.com/corpusbot/corpusbot/corpus"
)

// givesCount reports whether sentence has a number that could answer a
// "how many" question: any number but one that refers back. A number after
// "the" ("the two sides", "the three countries") counts things the text
// has named already rather than reporting a figure, so it only answers when
// what it counts is something the question names ("the three main broadcast
// partners" for "how many partners ...?").
func givesCount(ix *corpus.Index, qr *query, sentence string) bool {
	var toks []corpus.Token // analysed only for a number after "the"
	for start, end := range numbers(sentence) {
		if start >= 2 && sentence[start-1] == '-' && isLetter(sentence[start-2]) && isDigit(sentence[start]) {
			continue // part of a name such as COVID-19
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
func countsQuestionTerm(ix *corpus.Index, qr *query, toks []corpus.Token, end int) bool {
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

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
