package answer

import (
	"fmt"
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// Follow-up questions: "who congratulated him on his appointment?" after
// "When did Giang hold a video call with his Lao counterpart?" is read with
// the earlier question as its context. The query stage adds the terms of the
// context's question that the follow-up lacks (the subject, the event) at
// Weights.Carry of their weight, and the signals stage prefers the article
// of the previous answer (the "previous" row). A question that stands on its
// own (standsAlone) is read without its context.

// A Context is what a follow-up question is read with.
type Context struct {
	// Question is the question that set the topic, as asked: the last one
	// that stood on its own (see Next).
	Question string
	// Doc is the article of the previous answer's first citation
	// (Citation.Doc), or "".
	Doc string
}

// Next returns the context for the question after question, asked with c
// (nil for none) and answered with res. The topic stays c's when res read
// question as a follow-up, and becomes question when it stood on its own;
// the article becomes the one res cites first, or, when it cites none,
// stays c's for a follow-up and is none for a question on its own. Small
// talk and what is not a question (too long, no words) leave c as it is.
// ok is false when there is nothing to carry.
func Next(c *Context, question string, res Result) (next Context, ok bool) {
	notQuestion := res.Refusal != nil && (res.Refusal.Kind == RefusedTooLong || res.Refusal.Kind == RefusedNoWords)
	smallTalk := !res.Answered && res.Refusal == nil && len(res.Citations) == 0
	if notQuestion || smallTalk {
		if c == nil {
			return Context{}, false
		}
		return *c, true
	}
	next = Context{Question: question}
	if res.FollowUp && c != nil {
		next = *c
	}
	if len(res.Citations) > 0 {
		next.Doc = res.Citations[0].Doc
	}
	return next, next.Question != "" || next.Doc != ""
}

// anaphora are the words by which a question points back to what was said
// before it: "who congratulated *him*?", "when was *that*?", "what did
// *they* agree on?". They are stop words, so the analyser drops them: they
// are read from the question's text. "there" is not one: "were there any
// talks?" points back at nothing.
var anaphora = set("he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs",
	"it", "its", "that", "this", "those", "these", "then", "one", "ones",
	"also", "too", "else", "same", "former", "latter")

// openers are first words that tie a question to the one before it: "and
// when was that?", "so who signed?".
var openers = set("and", "so", "but", "also", "then")

// minOwnMass is the weight (the sum of weight times idf over its terms) of
// its own words that makes a question that names nothing and points back
// at nothing stand on its own: "When did the first border defence
// friendship exchange take place?" (13.7) does, "what did the two
// ministers sign at the end?" (8.9) and "where was the meeting held?" (6.1)
// do not. Chosen from 9, 12, 15 and 20 on the dev half of
// testdata/followups.jsonl (TestFollowUps), where 12 and above read every
// question as the set has it.
const minOwnMass = 12.0

// standsAlone reports whether question text, analysed as qr, stands on its
// own rather than following the one before it: it neither opens as a
// follow-up ("and ...") nor points back with a word of anaphora that no
// name of its own comes before ("when did Lich hold talks with his
// counterpart?" points back only to Lich), and it names someone, somewhere
// or some body the corpus names (corpus.Index.IsName: "Who is Laos's
// defence minister now?") or carries minOwnMass of its own words. A rule
// on the weight alone (at 6, 9, 12, 15 or 20) read one to five of the dev
// controls as follow-ups; names alone read a question on the first border
// friendship exchange after one on the Lao minister as a follow-up.
func standsAlone(sn *snapshot, qr *Query, text string) bool {
	if len(qr.terms) == 0 {
		return false
	}
	named := false // a name of the question's own came before this word
	first := true
	for w := range strings.FieldsSeq(text) {
		lw := strings.ToLower(strings.Trim(w, "?!.,;:'\"’‘“”()"))
		lw = strings.TrimSuffix(strings.TrimSuffix(lw, "'s"), "’s")
		if first && openers[lw] {
			return false
		}
		first = false
		if anaphora[lw] && !named {
			return false
		}
		if t, ok := sn.term(corpus.Fold(lw)); ok {
			if id, ok := sn.ix.Lookup(t); ok && sn.ix.IsName(id) {
				named = true
			}
		}
	}
	if named {
		return true
	}
	var mass float64
	for _, t := range qr.terms {
		if t.derivedOf == 0 { // a derived term is no word of the question
			mass += t.weight * t.idf
		}
	}
	return mass >= minOwnMass
}

// follow reads qr, question text asked with context c, as a follow-up
// unless it stands on its own: it adds the terms of c's question that qr
// lacks, at Weights.Carry of their weight, and has the signals prefer c's
// article. It reports whether it did.
func follow(sn *snapshot, qr *Query, text string, c *Context, maxQuestion int) bool {
	if c == nil || standsAlone(sn, qr, text) {
		return false
	}
	prev := articleNamed(sn.ix, c.Doc)
	var carried bool
	if len(c.Question) <= maxQuestion {
		if pt, reply := prepare(Clean(c.Question)); reply == "" && hasWord(pt) {
			pq := parse(sn, pt)
			for _, t := range pq.terms {
				if qr.index(t.id) >= 0 || t.derivedOf > 0 {
					continue // derivedOf would be an index into pq.terms
				}
				// Below 1, a carried term is neither a word as
				// typed (exact) nor a name the article must have
				// (absentName).
				t.weight *= sn.w.Carry
				t.typed, t.carried = "", true
				qr.mask |= 1 << (t.id & 63)
				qr.terms = append(qr.terms, t)
				carried = true
			}
		}
	}
	if prev < 0 && !carried {
		return false
	}
	qr.prevDoc = prev
	qr.followUp = true
	return true
}

// articleNamed returns the number of the article whose Path is path, or -1.
func articleNamed(ix *corpus.Index, path string) int {
	if path == "" {
		return -1
	}
	for i, a := range ix.Articles {
		if a.Path == path {
			return i
		}
	}
	return -1
}

// previousScore is 1 when the sentence is from the article of the previous
// answer, else 0.
func previousScore(v *view) float64 {
	if v.qr.prevDoc >= 0 && int(v.sn.ix.Sentences[v.s].Article) == v.qr.prevDoc {
		return 1
	}
	return 0
}

func previousMax(qs *scoring) float64 {
	if qs.qr.prevDoc >= 0 {
		return 1
	}
	return 0
}

// bare returns why follow-up qr cannot be answered on its topic alone, or
// "": it has no word of its own that the corpus uses, and either has words
// the corpus never uses ("what did he eat?": the corpus is not about
// eating, whatever the topic) or asks for nothing in particular ("why?",
// "and then?"). The terms it carries over would otherwise answer it with
// the topic's own sentence.
func bare(qr *Query) RefusalKind {
	if !qr.followUp {
		return ""
	}
	for _, t := range qr.terms {
		if !t.carried {
			return ""
		}
	}
	switch {
	case len(qr.missing) > 0:
		return RefusedOffTopic
	case qr.kind == kindOther:
		return RefusedWeakMatch
	}
	return ""
}

// followUpRefusal is the refusal of a follow-up that the corpus does not
// answer: the previous answer quoted the corpus on the topic, so it never
// says that the corpus lacks it; it names what was looked in, when known.
func followUpRefusal(sn *snapshot, qr *Query, r *Refusal) {
	if len(telling(qr.missing)) > 0 {
		return // "Nothing in the corpus mentions “X”": true of words it never uses
	}
	if qr.prevDoc < 0 {
		r.message = "I can't find the answer to that follow-up in the articles; try asking it as a whole question."
		return
	}
	a := sn.ix.Articles[qr.prevDoc]
	r.message = fmt.Sprintf("I can't find the answer to that follow-up in “%s”, the article I last quoted, or elsewhere in the articles; try asking it as a whole question.", a.Title)
}
