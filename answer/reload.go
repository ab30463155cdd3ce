package answer

import (
	"errors"
	"slices"
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// What the engine tells those who serve it about the corpus it answers
// from: the articles, for /sources; their number, for the metrics; and, for
// a reload, a corpus made ready to answer from apart from the one served,
// and what swapping it in changed. The bot reads the corpus through these
// alone.

// A Source is an article the engine answers from.
type Source struct {
	Path   string // the file the article was read from
	Title  string
	Date   string // YYYY-MM-DD, or "" when the article gives none
	Source string // the news agency or site, when the article says
	URL    string // the article's link when it is an http or https URL (Link), or ""
}

// Sources returns the articles of the snapshot the engine answers from now
// that hold every term of words, in their title or their text (words are
// analysed as a question's are), in path order; every article when words
// has no term.
func (e *Engine) Sources(words string) []Source {
	ix := e.snap.Load().ix
	if ix == nil {
		return nil
	}
	keep := make([]bool, len(ix.Articles))
	for i := range keep {
		keep[i] = true
	}
	for _, tok := range corpus.Analyze(words) {
		id, ok := ix.Lookup(tok.Term)
		if !ok {
			return []Source{}
		}
		has := make([]bool, len(ix.Articles))
		for _, p := range ix.ArticlePostings(id) {
			has[p.ID] = true
		}
		for a := range ix.Articles {
			if slices.Contains(ix.ContextTerms(a), id) {
				has[a] = true
			}
		}
		for a := range keep {
			keep[a] = keep[a] && has[a]
		}
	}
	out := []Source{}
	for i, a := range ix.Articles {
		if keep[i] {
			out = append(out, Source{Path: a.Path, Title: a.Title, Date: a.Date, Source: a.Source, URL: a.Link()})
		}
	}
	return out
}

// Link returns url when it is an absolute http or https link that is safe
// to put in a message's markup, or "" (corpus.Link).
func Link(url string) string { return corpus.Link(url) }

// Size returns how many articles and sentences the snapshot the engine
// answers from now holds.
func (e *Engine) Size() (articles, sentences int) {
	ix := e.snap.Load().ix
	if ix == nil {
		return 0, 0
	}
	return len(ix.Articles), len(ix.Sentences)
}

// A Change says what swapping one corpus for another changed.
type Change struct {
	Articles, Sentences int      // in the new corpus
	Added, Removed      []string // article paths
	Changed             []string // article paths whose text changed
	Skipped             []string // files skipped, each "path: why"
	Repaired            []string // files kept with a repair (invalid bytes replaced), each "path: what"
}

// A Prepared is a corpus made ready for an engine to answer from, not yet
// served: Serve swaps it in. Preparing does the work of a swap ahead of it,
// so that a reload that is given up can drop what it prepared.
type Prepared struct {
	e  *Engine
	sn *snapshot
}

// Prepare makes ix ready for e to answer from, without serving it.
func (e *Engine) Prepare(ix *corpus.Index) *Prepared {
	return &Prepared{e: e, sn: newSnapshot(ix, e.opts.Weights)}
}

// Serve makes p's corpus the snapshot for every later question, and
// reports what changed since the one it replaces.
func (p *Prepared) Serve() Change {
	old := p.e.snap.Swap(p.sn)
	return change(old.ix, p.sn.ix)
}

// change reports the articles of ix added, removed and changed since old,
// and the files ix's load skipped or repaired.
func change(old, ix *corpus.Index) Change {
	var c Change
	if ix == nil {
		return c
	}
	c.Articles, c.Sentences = len(ix.Articles), len(ix.Sentences)
	for _, w := range ix.Warnings {
		what := strings.TrimPrefix(w.Error(), "corpus: ")
		var fe *corpus.FileError
		if errors.As(w, &fe) {
			what = fe.Path + ": " + fe.Why
		}
		if errors.Is(w, corpus.ErrRepaired) {
			c.Repaired = append(c.Repaired, what)
		} else {
			c.Skipped = append(c.Skipped, what)
		}
	}
	before := make(map[string]string)
	if old != nil {
		for _, a := range old.Articles {
			before[a.Path] = a.Text
		}
	}
	for _, a := range ix.Articles {
		text, ok := before[a.Path]
		switch {
		case !ok:
			c.Added = append(c.Added, a.Path)
		case text != a.Text:
			c.Changed = append(c.Changed, a.Path)
		}
		delete(before, a.Path)
	}
	if old != nil {
		for _, a := range old.Articles { // in path order, unlike the map
			if _, gone := before[a.Path]; gone {
				c.Removed = append(c.Removed, a.Path)
			}
		}
	}
	return c
}
