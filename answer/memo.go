package answer

import (
	"strings"
	"sync"

	"github.com/corpusbot/corpusbot/corpus"
)

// memoSize bounds the entries of a memo, and memoKey the bytes of a key it
// keeps: questions are untrusted text.
const (
	memoSize = 1 << 15
	memoKey  = 64
)

// A memo remembers what a function that always gives the same answer for the
// same word gave, for up to memoSize words. It is safe for concurrent use.
type memo[V any] struct {
	mu sync.RWMutex // guards m
	m  map[string]V
}

// get returns f(k), remembered. The value must not hold on to k's memory.
func (m *memo[V]) get(k string, f func(string) V) V {
	if len(k) > memoKey {
		return f(k)
	}
	m.mu.RLock()
	v, ok := m.m[k]
	m.mu.RUnlock()
	if ok {
		return v
	}
	v = f(k)
	m.mu.Lock()
	if m.m == nil {
		m.m = make(map[string]V)
	}
	if len(m.m) < memoSize {
		m.m[strings.Clone(k)] = v
	}
	m.mu.Unlock()
	return v
}

// A termOf is corpus.Term's answer for a word.
type termOf struct {
	term string
	ok   bool
}

// term is corpus.Term, remembered for the words of questions and of the
// sentences their answers are cut from.
func (sn *snapshot) term(word string) (string, bool) {
	t := sn.terms.get(word, func(w string) termOf {
		t, ok := corpus.Term(w)
		return termOf{strings.Clone(t), ok}
	})
	return t.term, t.ok
}

// similar is the index's Similar, remembered for the words of questions.
// The caller must not change the slice.
func (sn *snapshot) similar(word string) []corpus.TermID {
	return sn.sims.get(word, sn.ix.Similar)
}
