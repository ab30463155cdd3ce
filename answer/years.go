package answer

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/corpusbot/corpusbot/corpus"
)

// A sentence may date what it reports by day and month alone ("on
// September 8 held phone talks"), leaving the year to the article's date.
// When the article has no date, the year the article itself first names is
// the best evidence the corpus has of the year, and a question that asks
// for the year is answered with it, saying so.

// monthDayYearRE finds a month and a day, and the year when one follows.
var monthDayYearRE = regexp.MustCompile(`\b(?:January|February|March|April|May|June|July|August|September|October|November|December) [0-9]{1,2}\b(?:,? [0-9]{4}\b)?`)

// articleYear returns, for a question that asks for a year and whose best
// sentence s dates by day and month only in an article with no date, the
// first sentence of s's article that names a year, the year, and the day
// s gives; ok is false otherwise.
func articleYear(ix *corpus.Index, qr *Query, s int) (sent int, year, day string, ok bool) {
	if !qr.asksYear {
		return 0, "", "", false
	}
	a := int(ix.Sentences[s].Article)
	if ix.Articles[a].Date != "" {
		return 0, "", "", false
	}
	text := ix.Text(s)
	for _, m := range monthDayYearRE.FindAllString(text, -1) {
		if len(m) > 4 && allDigits(m[len(m)-4:]) {
			return 0, "", "", false // the sentence gives the year itself
		}
		if day == "" {
			day = m
		}
	}
	if day == "" || firstYear(text) != "" {
		return 0, "", "", false
	}
	first, end := ix.ArticleSentences(a)
	for i := first; i < end; i++ {
		if y := firstYear(ix.Text(i)); y != "" {
			return i, y, day, true
		}
	}
	return 0, "", "", false
}

// firstYear returns the first year, 1000–2099, that text names as a word
// of its own, or "".
func firstYear(text string) string {
	for i := 0; i < len(text); i++ {
		if !isWordByte(text[i]) {
			continue
		}
		j := wordEnd(text, i)
		if w := text[i:j]; len(w) == 4 && (w[0] == '1' && allDigits(w[1:]) || w[:2] == "20" && allDigits(w[2:])) {
			return w
		}
		i = j
	}
	return ""
}

// withFirst returns cs with a candidate for sentence s, at score, first and
// any other candidate for s dropped.
func withFirst(cs []Candidate, s int, score float64) []Candidate {
	cs = slices.DeleteFunc(cs, func(c Candidate) bool { return c.Sentence == s })
	return slices.Insert(cs, 0, Candidate{Sentence: s, Score: score})
}

// yearAnswer is the answer text when the year comes from elsewhere in the
// article. The sentence that reports what was asked about follows as the
// second citation, when more than one is asked for.
func yearAnswer(year, day string) string {
	return fmt.Sprintf("%s, going by the year its article names [1]; the report itself gives %s without a year.", year, day)
}
