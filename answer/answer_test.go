package answer

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/corpus"
)

var (
	seedsOnce   sync.Once
	seedsEngine *Engine
)

func seedEngine(t testing.TB) *Engine {
	seedsOnce.Do(func() { seedsEngine = loadEngine(t, "") })
	return seedsEngine
}

func TestBadInput(t *testing.T) {
	e := seedEngine(t)
	tests := []struct{ name, q string }{
		{"empty", ""},
		{"blank", "   \t\n"},
		{"oversize", strings.Repeat("defence minister ", 6000)},
		{"control characters", "\x00\x01\x1b[31m\x7f"},
		{"invalid UTF-8", "\xff\xfe\xfd"},
		{"stop words only", "what is the"},
		{"punctuation only", "?!?... ---"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.ask(tt.q, AskOptions{Top: 3})
			if res.Answered || res.Answer == "" || len(res.Citations) != 0 {
				t.Errorf("Ask(%.40q) = answered %v, answer %q, %d citations; want a refusal with a message", tt.q, res.Answered, res.Answer, len(res.Citations))
			}
			if len(res.Question) > MaxQuestionBytes {
				t.Errorf("Ask(%.40q) echoed %d bytes of the question", tt.q, len(res.Question))
			}
		})
	}
}

func TestCleanKeepsTextSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"who\x00 is\tthere?", "who is there?"},
		{"\xffhello\u200b world", "hello world"},
		{"  <b>bold</b>  ", "<b>bold</b>"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestRefusalNamesWhatIsMissing(t *testing.T) {
	res := seedEngine(t).ask("What is the population of Peru?", AskOptions{Top: 3})
	if res.Answered || !strings.Contains(res.Answer, "Peru") {
		t.Errorf("Ask(Peru) = %+v; want a refusal naming Peru", res)
	}
}

func TestAnswerResolvesRelativeDates(t *testing.T) {
	res := seedEngine(t).ask("when did giang meet khamliang in vientiane?", AskOptions{Top: 3})
	if !res.Answered || !strings.Contains(res.Answer, "Thursday = 2026-02-05") {
		t.Errorf("answer = %q; want the article's Thursday resolved to 2026-02-05", res.Answer)
	}
	if got := resolveDates("They met on May 6.", "2021-05-10"); got != "May 6 = 2021-05-06" {
		t.Errorf("resolveDates(May 6, 2021-05-10) = %q; want %q", got, "May 6 = 2021-05-06")
	}
	if got := resolveDates("They met on December 30.", "2021-01-04"); got != "December 30 = 2020-12-30" {
		t.Errorf("resolveDates(December 30, 2021-01-04) = %q; want the year before", got)
	}
	if got := resolveDates("They met on May 6.", ""); got != "" {
		t.Errorf("resolveDates without an article date = %q; want none", got)
	}
}

func TestRecencyPrefersNewestArticle(t *testing.T) {
	res := seedEngine(t).ask("who is laos's defence minister now?", AskOptions{Top: 3})
	if !res.Answered || res.Citations[0].Date != "2026-02-05" || !strings.Contains(res.Citations[0].Sentence, "Khamliang") {
		t.Errorf("first citation = %+v; want the 2026 article naming Khamliang", res.Citations)
	}
}

func TestFuzzyNames(t *testing.T) {
	res := seedEngine(t).ask("what did chansamon chanyalat thank vietnam for?", AskOptions{Top: 3})
	if !res.Answered {
		t.Fatalf("refused: %s", res.Answer)
	}
	if d := res.Citations[0].Doc; d != "000_4284e16642b1629c.txt" && d != "001_7ed4a9750f31c40a.txt" {
		t.Errorf("first citation from %s; want a thanks sentence from 000 or 001", d)
	}
}

func TestDeterministic(t *testing.T) {
	e := seedEngine(t)
	q := "what did giang & chansamone sign at the end of the son la talks?"
	a, _ := json.Marshal(e.ask(q, AskOptions{Top: 5}))
	b, _ := json.Marshal(loadEngine(t, "").ask(q, AskOptions{Top: 5}))
	if string(a) != string(b) {
		t.Errorf("two engines over the same corpus answer differently:\n%s\n%s", a, b)
	}
}

func TestTopCapsCitations(t *testing.T) {
	e := seedEngine(t)
	for _, top := range []int{1, 3, 10} {
		if n := len(e.ask("defence cooperation between vietnam and laos", AskOptions{Top: top}).Citations); n > top || n == 0 {
			t.Errorf("Ask(top=%d) gave %d citations", top, n)
		}
	}
}

func TestSwap(t *testing.T) {
	e := loadEngine(t, "")
	old := e.Index()
	other := loadEngine(t, "").Index()
	if got := e.Swap(other); got != old {
		t.Error("Swap did not return the previous index")
	}
	if e.Index() != other {
		t.Error("Swap did not install the new index")
	}
}

// FuzzAsk checks that any question gets a result whose citations are
// sentences of the corpus, at most top of them, and never a panic.
func FuzzAsk(f *testing.F) {
	f.Add("who is laos's defence minister now?", 3)
	f.Add("<b>@everyone</b> \xff", 1)
	f.Add("how many how many", 10)
	f.Add("what year was lich's phone call with chansamone?", 1)
	f.Add("when exactly did khamliang take over as laos defence minister?", 2)
	f.Add("how did chanyalath describe the border friendship exchange?", 3)
	f.Add("how much was the covid aid vn sent laos worth?", 3)
	f.Fuzz(func(t *testing.T, q string, top int) {
		e := seedEngine(t)
		top = top%20 + 1
		if top < 1 {
			top = 1
		}
		res := e.ask(q, AskOptions{Top: top})
		if len(res.Citations) > top {
			t.Fatalf("%d citations for top %d", len(res.Citations), top)
		}
		if res.Answer == "" {
			t.Fatal("empty answer text")
		}
		ix := e.Index()
		for _, c := range res.Citations {
			found := false
			for i := range ix.Sentences {
				if ix.Text(i) == c.Sentence {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("cited %q, which is no sentence of the corpus", c.Sentence)
			}
		}
	})
}

func TestRefusesPlacesTheCorpusNeverMentions(t *testing.T) {
	e := seedEngine(t)
	res := e.ask("did vietnam sign any defense deal with thailand?", AskOptions{Top: 3})
	if res.Answered || !strings.Contains(res.Answer, "thailand") {
		t.Errorf("Ask = %+v; want a refusal naming thailand", res)
	}
	// A place the corpus knows is no reason to refuse.
	if res := e.ask("did vietnam sign a defence protocol with laos?", AskOptions{Top: 3}); !res.Answered {
		t.Errorf("Ask about Laos = %+v; want an answer", res)
	}
}

func TestAnswerDoesNotDependOnTop(t *testing.T) {
	e := seedEngine(t)
	for _, q := range []string{
		"how many clusters of border villages will be built?",
		"how many vietnamese volunteer soldiers' remains have been brought home from laos so far?",
		"who is laos's defence minister now?",
	} {
		one, three := e.ask(q, AskOptions{Top: 1}), e.ask(q, AskOptions{Top: 3})
		if one.Answered != three.Answered || one.Answer != three.Answer {
			t.Errorf("Ask(%q, 1) = %q; Ask(…, 3) = %q; want the same answer", q, one.Answer, three.Answer)
		}
	}
}

func TestCounted(t *testing.T) {
	for q, want := range map[string]string{
		"how many vietnamese volunteer soldiers' remains have been brought home?": "vietnames volunt soldier remain",
		"How many clusters of border villages?":                                   "cluster",
		"how many did they sign?":                                                 "",
		"how many?":                                                               "",
		"what is the capital?":                                                    "",
	} {
		if got := strings.Join(counted(q), " "); got != want {
			t.Errorf("counted(%q) = %q; want %q", q, got, want)
		}
	}
}

func TestAnswerCutsToTheClause(t *testing.T) {
	e := seedEngine(t)
	res := e.ask("how well was the 2020-2024 defence protocol implemented?", AskOptions{Top: 1})
	s := res.Citations[0].Sentence
	if !strings.HasPrefix(res.Answer, "…areas outlined") || !strings.HasSuffix(res.Answer, "targets. [1]") || len(res.Answer) >= len(s) {
		t.Errorf("answer %q; want the clause that answers, cut from %q", res.Answer, s)
	}
	// A short sentence is given whole.
	res = e.ask("who is laos's defence minister now?", AskOptions{Top: 1})
	if !strings.HasPrefix(res.Answer, res.Citations[0].Sentence) {
		t.Errorf("answer %q; want the whole sentence %q", res.Answer, res.Citations[0].Sentence)
	}
}

func TestClauseBreaks(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want [][2]int
	}{
		{"", nil},
		{"no break here, nor here", nil},
		{"a; b", [][2]int{{1, 3}}},
		{"a;b; ", [][2]int{{3, 5}}},
		{"a, saying b", [][2]int{{1, 10}}},
		{"a, sayingb, while c", [][2]int{{10, 18}}},
		{"a, as well as b; c, and said d", [][2]int{{1, 14}, {15, 17}, {18, 29}}},
		{"a, which", nil}, // no space after the word
		{"a,; b", [][2]int{{2, 4}}},
	} {
		if got := clauseBreaks(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("clauseBreaks(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// mapEngine is an engine over the articles given by file name.
func mapEngine(t testing.TB, files map[string]string) *Engine {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return New(ix, Options{})
}

func TestRefocusPassesTheLead(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Ministers hold talks\n\nMinister Anna Berg on Monday held phone talks with her counterpart Carl Dahl in Oslo to discuss fishing quotas.\n\n" +
			"She thanked the coast guard of Norway for its help during the storm.\n\nThe two sides agreed to meet again next spring.",
		"b.txt": "Storm hits the coast\n\nA storm hit the coast on Friday, and boats stayed in port.\n\nThe coast guard rescued two fishermen.",
	})
	res := e.ask("in the phone talks, who did anna berg thank?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Citations[0].Sentence, "She thanked") {
		t.Errorf("first citation = %+v; want the sentence that thanks, not the lead", res.Citations)
	}
	// What the lead alone answers stays first.
	res = e.ask("when did anna berg and carl dahl hold phone talks?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Citations[0].Sentence, "Minister Anna Berg") {
		t.Errorf("first citation = %+v; want the lead", res.Citations)
	}
}

func TestGivesCount(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Talks\n\nThe two sides signed three deals and the three main partners met.",
	})
	sn := e.snap.Load()
	tests := []struct {
		question, sentence string
		want               bool
	}{
		{"how many deals were signed?", "They signed three deals.", true},
		{"how many deals were signed?", "The two sides pledged to keep working towards deals.", false},
		{"how many deals were signed?", "The pact on COVID-19 was signed.", false},
		{"how many partners met?", "Then the three main partners met.", true},
		{"how many partners met?", "The two sides met 12 times.", true},
		{"how much was the aid worth?", "The plan was carried out in 2020.", false},
		{"how much was the aid worth?", "The aid was worth 2020 dollars.", true},
	}
	for _, tt := range tests {
		qr := parse(sn, tt.question)
		if got := givesCount(sn.ix, &qr, tt.sentence); got != tt.want {
			t.Errorf("givesCount(%q, %q) = %v; want %v", tt.question, tt.sentence, got, tt.want)
		}
	}
}

func TestRefusesACountThatRefersBack(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Talks\n\nThe two sides pledged to keep searching for the remains of soldiers.\n\nThey met in May.",
		"b.txt": "Harvest\n\nFarmers brought in 40 tonnes of rice.",
	})
	if res := e.ask("how many soldiers' remains have been found?", AskOptions{Top: 3}); res.Answered || res.Refusal == nil || res.Refusal.Kind != RefusedNoFigure {
		t.Errorf("Ask = %+v; want a refusal (%s): no sentence gives the number", res, RefusedNoFigure)
	}
}

func TestRefocusPassesTheSentenceThatSetsTheScene(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Fishing season opens\n\nBoats left the harbour of Tromso on Monday as the season opened.\n\n" +
			"Earlier, harbour master Anna Berg held talks with harbour master Carl Dahl of Bergen about the coast guard patrols.\n\n" +
			"The two agreed to share weather reports.\n\nPrices for cod rose.",
		"b.txt": "Storm hits the coast\n\nA storm hit the coast on Friday, and boats stayed in port.\n\nThe coast guard rescued two fishermen.",
	})
	res := e.ask("what did harbour masters berg and dahl agree on?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Citations[0].Sentence, "The two agreed") {
		t.Errorf("first citation = %+v; want the sentence that agrees, not the one that names them", res.Citations)
	}
	// A follower that does not refer back does not pass it.
	res = e.ask("what did harbour masters berg and dahl discuss about coast guard patrols?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Citations[0].Sentence, "Earlier, harbour master") {
		t.Errorf("first citation = %+v; want the sentence that names them", res.Citations)
	}
}

func TestRefusesWhenTheBestArticleLacksAName(t *testing.T) {
	e := seedEngine(t)
	// The best match is about Chansamone, in an article that never
	// mentions Khamliang.
	res := e.ask("when exactly did khamliang take over as laos defence minister?", AskOptions{Top: 3})
	if res.Answered || !strings.Contains(res.Answer, "Khamliang") {
		t.Errorf("Ask = %+v; want a refusal naming Khamliang", res)
	}
	// Named where the answer is, the same name is no reason to refuse.
	if res := e.ask("who did khamliang meet in hanoi in 2022?", AskOptions{Top: 3}); !res.Answered {
		t.Errorf("Ask about Khamliang in 2022 = %+v; want an answer", res)
	}
	// A capitalising writer's lower-case words are not names.
	const q = "Who met Khamliang?"
	if !capitalisesNames(q) || startsUpper(asTyped(q, "met")) || !startsUpper(asTyped(q, "khamliang")) {
		t.Errorf("capitalisesNames/asTyped misread %q", q)
	}
	if got := asTyped("who is Khamliang's deputy?", "khamliang"); got != "Khamliang's" {
		t.Errorf("asTyped = %q; want the word as the question has it", got)
	}
}

func TestSynonymStandsInForAWordTheCorpusLacks(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"a.txt": "Talks\n\nLaos remembers with gratitude the support of Vietnam. Vietnam and Laos met in 2026 to plan more.",
	})
	sn := e.snap.Load()
	qr := parse(sn, "what is laos grateful to vietnam for?")
	if len(qr.missing) != 0 {
		t.Errorf("missing = %q; want grateful's synonym to stand in", qr.missing)
	}
	k := slices.IndexFunc(qr.terms, func(t qterm) bool { return t.word == "gratitude" })
	if k < 0 || qr.terms[k].weight != 1 {
		t.Fatalf("terms = %+v; want gratitude at full weight", qr.terms)
	}
	if res := e.ask("what is laos grateful to vietnam for?", AskOptions{Top: 1}); !res.Answered || !strings.Contains(res.Citations[0].Sentence, "gratitude") {
		t.Errorf("Ask = %+v; want the gratitude sentence", res)
	}
}

func TestYearFromTheArticle(t *testing.T) {
	e := seedEngine(t)
	// 001 is undated and dates the phone talks "September 8".
	res := e.ask("what year was lich's phone call with chansamone?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Answer, "2020") || len(res.Citations) < 2 ||
		!strings.Contains(res.Citations[0].Sentence, "2020") || !strings.Contains(res.Citations[1].Sentence, "September 8") {
		t.Errorf("Ask = %+v; want 2020 from the article, then the September 8 sentence", res)
	}
	// A dated article gives the year itself.
	res = e.ask("what year was the border defence friendship exchange in son la?", AskOptions{Top: 3})
	if !res.Answered || strings.Contains(res.Answer, "going by the year") {
		t.Errorf("Ask = %+v; want an answer from the dated article", res)
	}
	for text, want := range map[string]string{"in 2020.": "2020", "COVID-19 in 12020": "", "the 1990s": "", "1888 and 1999": "1888"} {
		if got := firstYear(text); got != want {
			t.Errorf("firstYear(%q) = %q; want %q", text, got, want)
		}
	}
}

func TestRefocusPassesTheLeadForWhatWasSaid(t *testing.T) {
	e := seedEngine(t)
	res := e.ask("how did chanyalath describe the border friendship exchange?", AskOptions{Top: 3})
	if !res.Answered || !strings.HasPrefix(res.Citations[0].Sentence, "Chanyalath highlighted") {
		t.Errorf("Ask = %+v; want Chanyalath's words before the lead that names him", res)
	}
	for q, want := range map[string]bool{
		"how did chanyalath describe the exchange?":        true,
		"what did giang say about the border?":             true,
		"which minister did a phone call with chansamone?": false,
	} {
		if _, got := questionWords(q); got != want {
			t.Errorf("questionWords(%q) asks what was said: %v; want %v", q, got, want)
		}
	}
	if reportsSpeech("General Giang held talks with General Chansamone.") || !reportsSpeech("The exchange, he said, was useful.") {
		t.Error("reportsSpeech misreads a sentence")
	}
}

func TestSelectBest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 130; n++ {
		cs := make([]cand, n)
		for i := range cs {
			// Few distinct scores, so that ties go by sentence.
			cs[i] = cand{sent: r.IntN(1000)*n + i, score: float64(r.IntN(8))}
		}
		want := slices.Clone(cs)
		slices.SortFunc(want, byScore)
		for _, k := range []int{1, n / 2, n} {
			if k == 0 {
				continue
			}
			got := slices.Clone(cs)
			worst := selectBest(got, k)
			slices.SortFunc(got[:k], byScore)
			if !slices.Equal(got[:k], want[:k]) || worst != want[k-1] {
				t.Fatalf("n=%d k=%d: selectBest kept %v, worst %v; want %v, worst %v", n, k, got[:k], worst, want[:k], want[k-1])
			}
		}
	}
}

func TestQuestionOnlyNamingTheSubjectGetsTheLead(t *testing.T) {
	e := mapEngine(t, map[string]string{
		"immune.txt": "---\ntitle: Immune system\n---\n" +
			"The immune system is a network of cells and organs that protects the body against disease. " +
			"It has an innate and an adaptive part. The immune system of a newborn is still weak.\n",
		"rail.txt": "---\ntitle: Railways\n---\n" +
			"The signal system failed twice in the storm. Trains ran late all week.\n",
	})
	// Every word of the question is in the title, so no sentence of the
	// article scores on its own: its lead must still be a candidate.
	res := e.ask("What is the immune system?", AskOptions{Top: 3})
	if !res.Answered || len(res.Citations) == 0 || !strings.HasPrefix(res.Citations[0].Sentence, "The immune system is a network") {
		t.Errorf("Ask = %+v; want the immune system article's lead first", res)
	}
	// The lead's score from a question that touched it must not stay
	// in the working memory for this one.
	e.ask("network of cells and organs that protects the body against disease", AskOptions{Top: 3})
	if again := e.ask("What is the immune system?", AskOptions{Top: 3}); !reflect.DeepEqual(again.Citations, res.Citations) {
		t.Errorf("Ask after another question = %+v; first %+v", again.Citations, res.Citations)
	}
}

// TestWidePostings asks every seed sentence, as a question, of a snapshot
// whose postings are packed in 64 bits, as those of a corpus with too many
// sentences or term-frequency codes for 32 are, and expects the results of
// the 32-bit packing the seeds get.
func TestWidePostings(t *testing.T) {
	narrow := seedEngine(t)
	ix := narrow.Index()
	sn := newSnapshot(ix, narrow.opts.Weights)
	if sn.post32 == nil || sn.post64 != nil {
		t.Fatalf("the seeds' postings are not packed in 32 bits")
	}
	mask := uint32(1)<<sn.postShift - 1
	sn.post64 = make([]uint64, len(sn.post32))
	for i, e := range sn.post32 {
		sn.post64[i] = uint64(e>>sn.postShift)<<32 | uint64(e&mask)
	}
	sn.post32, sn.postShift = nil, 32
	wide := &Engine{opts: narrow.opts, rerank: narrow.rerank}
	wide.snap.Store(sn)
	for i := range ix.Sentences {
		q := ix.Text(i)
		want, got := narrow.ask(q, AskOptions{Top: 5}), wide.ask(q, AskOptions{Top: 5})
		if !reflect.DeepEqual(got.Citations, want.Citations) || got.Answer != want.Answer {
			t.Fatalf("Ask(%.60q) with 64-bit postings = %q %v; with 32-bit ones %q %v", q, got.Answer, got.Citations, want.Answer, want.Citations)
		}
	}
}

// TestAnswerDoesNotDependOnEarlierQuestions asks every seed sentence, as a
// question, in turn and then in reverse: the scores of the sentences one
// question touches are left in the pooled working memory for the next, and
// must not leak into its answer.
func TestAnswerDoesNotDependOnEarlierQuestions(t *testing.T) {
	e := seedEngine(t)
	ix := e.Index()
	first := make([]Result, len(ix.Sentences))
	for i := range ix.Sentences {
		first[i] = e.ask(ix.Text(i), AskOptions{Top: 5})
	}
	for i := len(ix.Sentences) - 1; i >= 0; i-- {
		got, want := e.ask(ix.Text(i), AskOptions{Top: 5}), first[i]
		if !reflect.DeepEqual(got.Citations, want.Citations) || got.Answer != want.Answer {
			t.Fatalf("Ask(%.60q) after other questions = %q %v; before them %q %v", ix.Text(i), got.Answer, got.Citations, want.Answer, want.Citations)
		}
	}
}

// TestWeightsAreTheEngines checks that an Engine's weights are those it was
// made with, all of them, the ones baked into its snapshot's postings
// included: changing the Weights passed to New afterwards changes nothing,
// and an Engine made with other weights scores otherwise.
func TestWeightsAreTheEngines(t *testing.T) {
	ix := seedEngine(t).Index()
	const q = "who did the laos defence minister meet?"
	w := DefaultWeights
	e := New(ix, Options{Weights: &w})
	before := e.ask(q, AskOptions{Top: 3})
	w.K1Sentence, w.BSentence, w.Exact = 2, 0.9, 3
	if after := e.ask(q, AskOptions{Top: 3}); !reflect.DeepEqual(after, before) {
		t.Errorf("after changing the Weights given to New, Ask = %+v; want %+v", after, before)
	}
	other := New(ix, Options{Weights: &w}).ask(q, AskOptions{Top: 3})
	if len(other.Citations) == 0 || len(before.Citations) == 0 || other.Citations[0].Score == before.Citations[0].Score {
		t.Errorf("other weights score %+v; want other scores than %+v", other.Citations, before.Citations)
	}
}
