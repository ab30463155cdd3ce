package answer

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/corpusbot/corpusbot/corpus"
)

// Antonyms, as index terms: the confidence doubts a sentence that holds the
// opposite of a word of the question and not the word ("the smallest" for
// "the largest"). antonyms.txt is made from WordNet 3.0 by
// `go run ./cmd/corpusbot-train -wordnet DIR` (WordNetAntonyms), DIR being
// Debian's wordnet-base unpacked:
//
//	apt-get download wordnet-base && dpkg -x wordnet-base_*.deb /tmp/wordnet
//	go run ./cmd/corpusbot-train -wordnet /tmp/wordnet/usr/share/wordnet
//
// The file keeps WordNet's licence notice at its head.

//go:embed antonyms.txt
var antonymsTxt []byte

// antonyms maps an index term to the terms of its antonyms.
var antonyms = parseAntonyms(antonymsTxt)

// parseAntonyms reads antonyms.txt: lines of two terms, each the other's
// antonym; lines that start with # are comments.
func parseAntonyms(b []byte) map[string][]string {
	m := make(map[string][]string)
	for line := range strings.Lines(string(b)) {
		a, c, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(a, "#") {
			continue
		}
		m[a], m[c] = append(m[a], c), append(m[c], a)
	}
	return m
}

// wordNetNotice is WordNet's licence, which asks that it appear on all
// copies of the database and of works made from it.
const wordNetNotice = `Antonym pairs as index terms, made from WordNet 3.0 by
go run ./cmd/corpusbot-train -wordnet DIR (answer.WordNetAntonyms).

` + corpus.WordNetLicence

// WordNetAntonyms makes antonyms.txt from WordNet's database files in
// fsys (data.adj, data.adv, data.noun, data.verb and adj.exc): each pair of
// one-word lemmas that WordNet marks antonyms ("!"), as index terms, and
// for adjectives their comparatives and superlatives too (adj.exc's, or
// made by rule for the short ones: larger and smaller, largest and smallest). The pairs are
// sorted, so the same database gives the same file byte for byte.
func WordNetAntonyms(fsys fs.FS) ([]byte, error) {
	exc, err := adjectiveForms(fsys)
	if err != nil {
		return nil, err
	}
	pairs := make(map[[2]string]bool)
	add := func(a, b string) {
		if corpus.IsIrregular(a) || corpus.IsIrregular(b) {
			return // a participle ("written", "spoken"): its term is the verb's
		}
		ta, okA := corpus.Term(a)
		tb, okB := corpus.Term(b)
		if !okA || !okB || ta == tb {
			return
		}
		if ta > tb {
			ta, tb = tb, ta
		}
		pairs[[2]string{ta, tb}] = true
	}
	for _, pos := range []string{"adj", "adv", "noun", "verb"} {
		name := "data." + pos
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("wordnet: %w", err)
		}
		words := make(map[string][]string) // by synset offset
		type ptr struct{ from, to string }
		var ants []ptr
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, " ") {
				continue // the licence
			}
			data, _, _ := strings.Cut(line, " | ")
			f := strings.Fields(data)
			if len(f) < 4 {
				return nil, fmt.Errorf("wordnet: %s: a line without its words: %.40q", name, line)
			}
			var n int
			if _, err := fmt.Sscanf(f[3], "%x", &n); err != nil || len(f) < 5+2*n {
				return nil, fmt.Errorf("wordnet: %s: a bad word count: %.40q", name, line)
			}
			for i := range n {
				w, _, _ := strings.Cut(f[4+2*i], "(") // "galore(ip)"
				words[f[0]] = append(words[f[0]], strings.ToLower(w))
			}
			var np int
			if _, err := fmt.Sscanf(f[4+2*n], "%d", &np); err != nil || len(f) < 5+2*n+4*np {
				return nil, fmt.Errorf("wordnet: %s: a bad pointer count: %.40q", name, line)
			}
			for i := range np {
				p := f[5+2*n+4*i:]
				if p[0] != "!" || len(p[3]) != 4 {
					continue
				}
				var src, dst int
				fmt.Sscanf(p[3][:2], "%x", &src)
				fmt.Sscanf(p[3][2:], "%x", &dst)
				if src < 1 || src > n {
					continue
				}
				ants = append(ants, ptr{words[f[0]][src-1], p[1] + "#" + fmt.Sprint(dst)})
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("wordnet: %s: %w", name, err)
		}
		for _, a := range ants {
			off, num, _ := strings.Cut(a.to, "#")
			var dst int
			fmt.Sscanf(num, "%d", &dst)
			ws := words[off]
			if dst < 1 || dst > len(ws) {
				continue
			}
			from, to := a.from, ws[dst-1]
			if !oneWord(from) || !oneWord(to) {
				continue
			}
			add(from, to)
			if pos == "adj" && short(from, exc) && short(to, exc) {
				fa, fb := inflect(from, exc), inflect(to, exc)
				add(fa[0], fb[0])
				add(fa[1], fb[1])
			}
		}
	}
	keys := make([][2]string, 0, len(pairs))
	for p := range pairs {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
	var out bytes.Buffer
	for line := range strings.Lines(wordNetNotice) {
		out.WriteString(strings.TrimRight("# "+line, " \n") + "\n")
	}
	for _, p := range keys {
		out.WriteString(p[0] + " " + p[1] + "\n")
	}
	return out.Bytes(), nil
}

// adjectiveForms reads adj.exc: the irregular comparatives and
// superlatives, by their adjective, as [comparative, superlative].
func adjectiveForms(fsys fs.FS) (map[string][2]string, error) {
	b, err := fs.ReadFile(fsys, "adj.exc")
	if err != nil {
		return nil, fmt.Errorf("wordnet: %w", err)
	}
	m := make(map[string][2]string)
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 2 || f[0] == f[1] {
			continue
		}
		forms := m[f[1]]
		switch {
		case strings.HasSuffix(f[0], "er") && forms[0] == "":
			forms[0] = f[0]
		case strings.HasSuffix(f[0], "est") && forms[1] == "":
			forms[1] = f[0]
		}
		m[f[1]] = forms
	}
	return m, nil
}

// inflect returns adjective a's comparative and superlative: adj.exc's,
// or by rule (large: larger, largest; happy: happier, happiest).
func inflect(a string, exc map[string][2]string) [2]string {
	forms := exc[a]
	stem := a
	switch {
	case strings.HasSuffix(a, "e"):
		stem = a[:len(a)-1]
	case strings.HasSuffix(a, "y") && len(a) > 2 && !strings.ContainsAny(a[len(a)-2:len(a)-1], "aeiou"):
		stem = a[:len(a)-1] + "i"
	}
	if forms[0] == "" {
		forms[0] = stem + "er"
	}
	if forms[1] == "" {
		forms[1] = stem + "est"
	}
	return forms
}

// short reports whether adjective a compares with -er and -est: it has
// irregular forms, or it has at most six letters (large, small; not
// "abaxial").
func short(a string, exc map[string][2]string) bool {
	_, ok := exc[a]
	return ok || len(a) <= 6
}

// oneWord reports whether a lemma is one word of letters.
func oneWord(w string) bool {
	return w != "" && strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}
