package answer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/corpus"
)

// TestAssociationExperiment measures a learned term-association
// (translation) model for paraphrase, in the spirit of IBM Model 1 and
// translation language models for QA retrieval (Berger & Lafferty 1999;
// Xue, Jeon & Croft 2008), without changing the engine. From the dev
// half's question -> gold-sentence pairs (SQuAD articles 001-024 and
// seeds-dev) it pairs each question term the gold sentence lacks with each
// sentence term the question lacks (the identity is matched already;
// numbers and one-letter terms are left out: "how many" -> a number is the
// type signal's). A pair counts once per question, or, with IBM Model 1
// (setting flag e), by its expected alignment (model1: each question term
// from one of the sentence's terms or from none). A term's associates are
// the sentence terms paired with it in questions of at least minArticles
// articles, at p(b|a) and lift (p(b|a) over b's share of gold sentences)
// of at least minP and minLift, its topK best. Used as query terms at
// weight (times p(b|a) with flag s), as derived terms are; or (flag l) as
// a signal: each of the best assocDepth candidates gets weight times a
// question term's weight and idf for each term it lacks and holds an
// associate of, before the rerank. Associations are learned on three folds
// of articles (foldOf) and measured on the fourth, in turn: P@1, R@3, MRR
// of the ranking (retrieve, signals, rerank; no decide, so P@1 is above
// rankFigures' 0.7554), over the held-out SQuAD dev questions and
// seeds-dev. CORPUSBOT_ASSOCIATION_SETTINGS lists the settings
// (articles/p/lift/k/weight[/flags], comma-separated);
// CORPUSBOT_ASSOCIATION_SHOW=1 prints the last one's table learned on all
// of dev. It runs when CORPUSBOT_ASSOCIATION_EXPERIMENT is set.
//
// Measured (issue 15; SQuAD dev held out P@1 / R@3, seeds-dev P@1), from
// 0.7579 / 0.8873, seeds-dev 0.921:
//   - query terms, counts, 3 articles, p 0.05, lift 5, top 3 (86
//     associations a fold, sound ones such as begin->began, educ->school,
//     old->age, usual->typic beside noise such as keep->two, provid->john,
//     one->san): weight 0.2 0.7584 /
//     0.8876, 0.4 0.7575, 0.8 0.7565; 0.4 scaled 0.7584; seeds 0.921.
//   - the same from 2 articles (680 a fold, noisier): weight 0.2
//     0.7574 (seeds 0.921), 0.4 0.7574 (seeds 0.842), 0.8 0.7512; p 0.02,
//     lift 3, top 5 (901): 0.7581, seeds 0.895. From 1 article (IBM Model
//     1, 5858 a fold): 0.7486, seeds 0.868.
//   - IBM Model 1, query terms, 2 articles, p 0.05 (256 a fold, clean):
//     weight 0.3 0.7584 / 0.8885, 0.6 (p 0.1) 0.7572; seeds 0.921.
//   - as a signal on the sentences lacking the term (flag l): counts, 2
//     articles, lift 5, weight 0.2 0.7597 (seeds 0.895), 0.4 0.7605 (seeds
//     0.868); IBM Model 1, 2 articles, p 0.05, weight 0.3 0.7597 / 0.8880,
//     top 5 weight 0.4 0.7602 / 0.8882 (17 fixed, 4 broken), seeds 0.921:
//     the best that keeps seeds-dev, +0.0023 P@1, the best of 20 settings
//     picked on the same folds.
//
// Not adopted: under the +0.004 P@1 the issue asks for. The ceiling is the
// reason: of the ~1380 held-out questions missed first, the associations
// that keep seeds-dev reach (hold an associate, in the gold sentence, of a
// question term it lacks) only 17-53; the largest tables reach 136 and
// break as many as they fix. SQuAD's remaining paraphrases are mostly
// particular to one article, which a table learned on other articles
// cannot hold; the associations that recur are few, and about a fifth of
// IBM Model 1's are forms of the same word that the stemmer keeps apart
// (becom->becam, begin->began, lead->led, spend->spent, invad->invas,
// percentag->percent), which a word list would cover as well.
func TestAssociationExperiment(t *testing.T) {
	if os.Getenv("CORPUSBOT_ASSOCIATION_EXPERIMENT") == "" {
		t.Skip("set CORPUSBOT_ASSOCIATION_EXPERIMENT=1")
	}
	dir := evalDir(t)
	type pairQ struct {
		TrainQuestion
		Sentence string `json:"sentence"`
	}
	read := func(path string) []pairQ {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var qs []pairQ
		for line := range strings.Lines(string(b)) {
			var q pairQ
			if err := json.Unmarshal([]byte(line), &q); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			qs = append(qs, q)
		}
		return qs
	}
	type item struct {
		q     pairQ
		e     *Engine
		fold  int
		seeds bool
		art   string // set and article, for counting articles
	}
	var items []item
	squad := loadEngine(t, filepath.Join(dir, "squad", "corpus"))
	for n, q := range read(filepath.Join(dir, "squad", "questions.jsonl")) {
		if len(q.Answers) > 0 && hasAnyPrefix(q.Doc, docRange(1, 24)) {
			items = append(items, item{q: q, e: squad, fold: foldOf(q.Doc, n), art: "squad/" + q.Doc})
		}
	}
	seedsEngine := loadEngine(t, "")
	for n, q := range read(filepath.Join(dir, "seeds-dev.jsonl")) {
		if len(q.Answers) > 0 {
			items = append(items, item{q: q, e: seedsEngine, fold: foldOf(q.Doc, n), seeds: true, art: "seeds/" + q.Doc})
		}
	}
	terms := func(text string) []string {
		var ts []string
		for _, tok := range corpus.Analyze(text) {
			if len(tok.Term) > 1 && !isDigit(tok.Term[0]) && !slices.Contains(ts, tok.Term) {
				ts = append(ts, tok.Term)
			}
		}
		return ts
	}
	type pairs struct{ q, s []string }
	ps := make([]pairs, len(items))
	for i, it := range items {
		qt, st := terms(it.q.Question), terms(it.q.Sentence)
		var a, b []string
		for _, x := range qt {
			if !slices.Contains(st, x) {
				a = append(a, x)
			}
		}
		for _, x := range st {
			if !slices.Contains(qt, x) {
				b = append(b, x)
			}
		}
		ps[i] = pairs{a, b}
	}
	learn := func(s assocSetting, fold int) map[string][]association {
		nA := map[string]int{}
		nB := map[string]int{}
		nAB := map[[2]string]float64{}
		arts := map[[2]string]map[string]bool{}
		total := 0
		var train [][2][]string
		for i, it := range items {
			if it.fold == fold {
				continue
			}
			total++
			train = append(train, [2][]string{ps[i].q, ps[i].s})
			for _, b := range ps[i].s {
				nB[b]++
			}
			for _, a := range ps[i].q {
				nA[a]++
				for _, b := range ps[i].s {
					k := [2]string{a, b}
					nAB[k]++
					if arts[k] == nil {
						arts[k] = map[string]bool{}
					}
					arts[k][it.art] = true
				}
			}
		}
		if s.em {
			nAB = model1(train)
		}
		table := map[string][]association{}
		for k, n := range nAB {
			if len(arts[k]) < s.minArticles {
				continue
			}
			p := n / float64(nA[k[0]])
			lift := p / (float64(nB[k[1]]) / float64(total))
			if p >= s.minP && lift >= s.minLift {
				table[k[0]] = append(table[k[0]], association{k[1], p})
			}
		}
		for a, as := range table {
			slices.SortFunc(as, func(x, y association) int {
				return cmp.Or(cmp.Compare(y.p, x.p), strings.Compare(x.term, y.term))
			})
			table[a] = as[:min(len(as), s.topK)]
		}
		return table
	}
	// baseline is each question's rank without associations.
	baseline := make([]int, len(items))
	for i, it := range items {
		baseline[i] = assocRank(it.e, it.q.TrainQuestion, nil, assocSetting{})
	}
	type figures struct {
		metrics
		reached, reachedMissed, fixed, broken int
	}
	measure := func(s assocSetting) (squadF, seedsF figures, size int) {
		for k := range calibrationFolds {
			table := learn(s, k)
			for a := range table {
				size += len(table[a])
			}
			for i, it := range items {
				if it.fold != k {
					continue
				}
				rank := assocRank(it.e, it.q.TrainQuestion, table, s)
				f := &squadF
				if it.seeds {
					f = &seedsF
				}
				f.answerable++
				if reaches(table, ps[i].q, ps[i].s) {
					f.reached++
					if baseline[i] != 1 {
						f.reachedMissed++
					}
				}
				switch {
				case rank == 1 && baseline[i] != 1:
					f.fixed++
				case rank != 1 && baseline[i] == 1:
					f.broken++
				}
				if rank == 1 {
					f.p1++
				}
				if rank >= 1 && rank <= 3 {
					f.r3++
				}
				if rank > 0 {
					f.mrr += 1 / float64(rank)
				}
			}
		}
		return squadF, seedsF, size / calibrationFolds
	}
	settings := []assocSetting{{minArticles: 3, minP: 0.05, minLift: 5, topK: 3}} // weight 0: the baseline
	spec := cmp.Or(os.Getenv("CORPUSBOT_ASSOCIATION_SETTINGS"), "3/0.05/5/3/0.2,2/0.05/5/3/0.4,2/0.05/1/3/0.3/e,2/0.05/5/3/0.4/l,2/0.05/1/5/0.4/el")
	for v := range strings.SplitSeq(spec, ",") {
		f := strings.Split(v, "/")
		if len(f) < 5 {
			t.Fatalf("setting %q: want articles/p/lift/k/weight[/s][e]", v)
		}
		var s assocSetting
		if _, err := fmt.Sscanf(strings.Join(f[:5], " "), "%d %g %g %d %g", &s.minArticles, &s.minP, &s.minLift, &s.topK, &s.weight); err != nil {
			t.Fatalf("setting %q: %v", v, err)
		}
		if len(f) > 5 {
			s.scaled, s.em, s.lacking = strings.Contains(f[5], "s"), strings.Contains(f[5], "e"), strings.Contains(f[5], "l")
		}
		settings = append(settings, s)
	}
	for _, s := range settings {
		sq, se, size := measure(s)
		t.Logf("%+v: %d associations a fold; SQuAD dev held out P@1 %.4f R@3 %.4f MRR %.4f of %d (reach the gold sentence of %d, %d of them missed first before; fixed %d, broken %d); seeds-dev P@1 %.3f R@3 %.3f of %d (fixed %d, broken %d)",
			s, size, sq.P1(), sq.R3(), sq.MRR(), sq.answerable, sq.reached, sq.reachedMissed, sq.fixed, sq.broken,
			se.P1(), se.R3(), se.answerable, se.fixed, se.broken)
	}
	if os.Getenv("CORPUSBOT_ASSOCIATION_SHOW") != "" {
		table := learn(settings[len(settings)-1], -1)
		keys := slices.Sorted(func(yield func(string) bool) {
			for a := range table {
				if !yield(a) {
					return
				}
			}
		})
		for _, a := range keys {
			t.Logf("%s -> %v", a, table[a])
		}
	}
}

// An assocSetting is one way to learn and use associations.
type assocSetting struct {
	minArticles int     // the fewest articles whose questions hold a pair
	minP        float64 // the least p(b|a)
	minLift     float64 // the least p(b|a) over b's share of gold sentences
	topK        int     // the most associates of a term
	weight      float64 // an associate's weight, of its question term's
	scaled      bool    // weight times p(b|a)
	em          bool    // counts are IBM Model 1's expected alignments
	// lacking: an associate is not a query term but credits, after the
	// signals and before the rerank, the best assocDepth candidates for
	// each question term they lack and hold an associate of: weight
	// times the term's weight and idf.
	lacking bool
}

// assocDepth is how many candidates a lacking setting rescores.
const assocDepth = 30

// assocRank is the rank (1-10, or 0) of q's first hit in e's ranking with
// the associates of its terms in table used as s says.
func assocRank(e *Engine, q TrainQuestion, table map[string][]association, s assocSetting) int {
	text, reply := prepare(Clean(q.Question))
	if reply != "" || !hasWord(text) {
		return 0
	}
	sn := e.snap.Load()
	ix := sn.ix
	qr := parse(sn, text)
	own := len(qr.terms)
	if s.weight > 0 && !s.lacking {
		for k := range own {
			t := qr.terms[k]
			if t.weight < 1 || t.derivedOf > 0 {
				continue
			}
			for _, as := range table[ix.TermText(t.id)] {
				id, ok := ix.Lookup(as.term)
				if !ok || qr.index(id) >= 0 {
					continue
				}
				w := s.weight
				if s.scaled {
					w *= as.p
				}
				qr.mask |= 1 << (id & 63)
				qr.terms = append(qr.terms, qterm{
					id: id, word: as.term, weight: w,
					idf:  idf(len(ix.Sentences), len(ix.Postings(id))),
					aidf: idf(len(ix.Articles), len(ix.ArticlePostings(id))),
					form: -1,
				})
			}
		}
	}
	if len(qr.terms) == 0 {
		return 0
	}
	sc := getScratch(ix)
	defer sc.release()
	n := max(10, countDepth)
	if s.lacking && s.weight > 0 {
		n = assocDepth
	}
	cs := score(sn, &qr, n, Retriever{sn}.Retrieve(&qr, sc), sc)
	if s.lacking && s.weight > 0 {
		for i := range cs {
			terms := ix.SentenceTerms(cs[i].Sentence)
			for k := range own {
				t := qr.terms[k]
				if t.weight < 1 || t.derivedOf > 0 || slices.Contains(terms, t.id) {
					continue
				}
				best := 0.0
				for _, as := range table[ix.TermText(t.id)] {
					if id, ok := ix.Lookup(as.term); ok && slices.Contains(terms, id) {
						best = max(best, cmp.Or(as.p*b2f(s.scaled), 1))
					}
				}
				cs[i].Score += s.weight * best * t.weight * t.idf
			}
		}
		slices.SortFunc(cs, candidateOrder)
		cs = cs[:min(len(cs), max(10, countDepth))]
	}
	cs = e.rerank.Rerank(sn, &qr, cs)
	var cits []Citation
	for _, c := range cs[:min(len(cs), 10)] {
		a := ix.Articles[ix.Sentences[c.Sentence].Article]
		cits = append(cits, Citation{Doc: a.Path, Title: a.Title, Date: a.Date, Sentence: ix.Text(c.Sentence)})
	}
	return hitRank(q, cits)
}

// An association is a sentence term and its p(b|a) for a question term.
type association struct {
	term string
	p    float64
}

// model1 fits IBM Model 1 to pairs of (question terms, sentence terms),
// each question term generated by one of the sentence's terms or by none
// (""), and returns each (question term, sentence term)'s expected
// alignment count: how many of the question term's occurrences the
// sentence term accounts for.
func model1(pairs [][2][]string) map[[2]string]float64 {
	const rounds = 10
	t := map[[2]string]float64{} // t(a|b), keyed {a, b}; 1 before the first round
	var count map[[2]string]float64
	for range rounds {
		count = map[[2]string]float64{}
		perB := map[string]float64{}
		for _, p := range pairs {
			for _, a := range p[0] {
				bs := append(p[1][:len(p[1]):len(p[1])], "")
				var z float64
				for _, b := range bs {
					z += cmp.Or(t[[2]string{a, b}], 1)
				}
				for _, b := range bs {
					c := cmp.Or(t[[2]string{a, b}], 1) / z
					count[[2]string{a, b}] += c
					perB[b] += c
				}
			}
		}
		t = map[[2]string]float64{}
		for k, c := range count {
			t[k] = c / perB[k[1]]
		}
	}
	return count
}

// reaches reports whether the sentence terms st hold an associate in table
// of one of the question terms qt.
func reaches(table map[string][]association, qt, st []string) bool {
	for _, a := range qt {
		for _, as := range table[a] {
			if slices.Contains(st, as.term) {
				return true
			}
		}
	}
	return false
}
