package corpus

import (
	_ "embed"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// Irregular forms: the stemmer keeps "held" apart from "hold", "children"
// from "child", "sought" from "seek"; Term gives a form its base's term.
// irregular.txt is made from WordNet 3.0's exception lists by
// `go run ./cmd/corpusbot-train -wordnet DIR` (WordNetIrregular), DIR being
// Debian's wordnet-base unpacked (see answer/antonyms.go). It keeps
// WordNet's licence notice at its head.

//go:embed irregular.txt
var irregularTxt []byte

// irregularForms maps a folded form to its base.
var irregularForms = parseIrregular(irregularTxt)

// IsIrregular reports whether folded word w is an irregular form that Term
// gives its base's term: "held", not "hold", nor "found".
func IsIrregular(w string) bool {
	_, ok := irregularForms[w]
	return ok
}

// parseIrregular reads irregular.txt: lines "form base"; lines that start
// with # are comments.
func parseIrregular(b []byte) map[string]string {
	m := make(map[string]string)
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 2 && !strings.HasPrefix(f[0], "#") {
			m[f[0]] = f[1]
		}
	}
	return m
}

// WordNetLicence is WordNet 3.0's licence, which asks that it appear on
// all copies of the database and of works made from it.
const WordNetLicence = `WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.

This software and database is being provided to you, the LICENSEE, by
Princeton University under the following license.  By obtaining, using
and/or copying this software and database, you agree that you have
read, understood, and will comply with these terms and conditions.:

Permission to use, copy, modify and distribute this software and
database and its documentation for any purpose and without fee or
royalty is hereby granted, provided that you agree to comply with
the following copyright notice and statements, including the disclaimer,
and that the same appear on ALL copies of the software, database and
documentation, including modifications that you make for internal
use or for distribution.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON
UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR
IMPLIED.  BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON
UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANT-
ABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE
OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT
INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR
OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in
advertising or publicity pertaining to distribution of the software
and/or database.  Title to copyright in this software, database and
any associated documentation shall at all times remain with
Princeton University and LICENSEE agrees to preserve same.
`

// WordNetIrregular makes irregular.txt from WordNet's exception lists of
// nouns and verbs in fsys (noun.exc, verb.exc: "form base..." a line) and
// its lemmas (index.adj, index.adv, index.noun, index.verb): each one-word
// form whose term differs from its (first) base's, but for two kinds of
// form, which would join words that are not one:
//
//   - a form that is a word of its own, a WordNet noun, verb or adverb:
//     "found" (find; to found), "left" (leave; the left), "won" (win; the
//     currency), "saw", "rose", "led";
//   - a form whose term another lemma shares: "lives" (life; live),
//     "bases" (basis; base).
//
// adj.exc and adv.exc are left out: most of their forms are comparatives
// ("bigger", "better"), which the question tells apart from the base. The
// lines are sorted, so the same database gives the same file byte for
// byte.
func WordNetIrregular(fsys fs.FS) ([]byte, error) {
	own := make(map[string]bool)        // nouns, verbs and adverbs
	lemmas := make(map[string][]string) // one-word lemmas by term
	for _, pos := range []string{"adj", "adv", "noun", "verb"} {
		b, err := fs.ReadFile(fsys, "index."+pos)
		if err != nil {
			return nil, fmt.Errorf("wordnet: %w", err)
		}
		for line := range strings.Lines(string(b)) {
			w, _, _ := strings.Cut(line, " ")
			if !letters(w) {
				continue // the licence, or more than one word
			}
			own[w] = own[w] || pos != "adj"
			if t, ok := termWith(w, nil); ok && !slices.Contains(lemmas[t], w) {
				lemmas[t] = append(lemmas[t], w)
			}
		}
	}
	forms := make(map[string]string)
	for _, pos := range []string{"noun", "verb"} {
		b, err := fs.ReadFile(fsys, pos+".exc")
		if err != nil {
			return nil, fmt.Errorf("wordnet: %w", err)
		}
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			if len(f) < 2 || !letters(f[0]) || !letters(f[1]) || own[f[0]] || forms[f[0]] != "" {
				continue
			}
			tf, okF := termWith(f[0], nil)
			tb, okB := termWith(f[1], nil)
			if !okF || !okB || tf == tb || slices.ContainsFunc(lemmas[tf], func(l string) bool { return l != f[0] }) {
				continue
			}
			forms[f[0]] = f[1]
		}
	}
	var out strings.Builder
	notice := "Irregular forms of nouns and verbs and their base, made from WordNet 3.0's\n" +
		"exception lists by go run ./cmd/corpusbot-train -wordnet DIR\n(corpus.WordNetIrregular).\n\n" + WordNetLicence
	for line := range strings.Lines(notice) {
		out.WriteString(strings.TrimRight("# "+line, " \n") + "\n")
	}
	for _, f := range slices.Sorted(maps.Keys(forms)) {
		out.WriteString(f + " " + forms[f] + "\n")
	}
	return []byte(out.String()), nil
}

// letters reports whether w is one word of the letters a to z.
func letters(w string) bool {
	return w != "" && strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}
