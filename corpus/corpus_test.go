package corpus

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/seeds"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"simple", "One sentence. Another one.", []string{"One sentence.", "Another one."}},
		{"ranks", "Defence Minister Sen. Lieut. Gen. Phan Van Giang met Lt. Gen. Cuong. They talked.",
			[]string{"Defence Minister Sen. Lieut. Gen. Phan Van Giang met Lt. Gen. Cuong.", "They talked."}},
		{"initials and U.S.", "J. R. R. Tolkien visited the U.S. Army base. It rained.",
			[]string{"J. R. R. Tolkien visited the U.S. Army base.", "It rained."}},
		{"decimal", "Growth was 3.5 percent. Prices rose.", []string{"Growth was 3.5 percent.", "Prices rose."}},
		{"quotes", `He said "we agree." Then he left.`, []string{`He said "we agree."`, "Then he left."}},
		{"curly quotes", "It is “great.” Both agreed.", []string{"It is “great.”", "Both agreed."}},
		{"question", "Why? Because it matters!", []string{"Why?", "Because it matters!"}},
		{"lower case after stop", "Made in the U.S. by workers.", []string{"Made in the U.S. by workers."}},
		{"headline", "Vietnam, Laos seek to further boost defence cooperation", []string{"Vietnam, Laos seek to further boost defence cooperation"}},
		{"digit start", "The plan ends in 2024. 2025 starts anew.", []string{"The plan ends in 2024.", "2025 starts anew."}},
		{"punctuation only", " ... ", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range splitSentences(tt.text, 0, len(tt.text), nil) {
				got = append(got, tt.text[s.Start:s.End])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitSentences(%q) = %q; want %q", tt.text, got, tt.want)
			}
		})
	}
}

func terms(text string) []string {
	var out []string
	for _, t := range Analyze(text) {
		out = append(out, t.Term)
	}
	return out
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		a, b string // analysed alike
	}{
		{"Việt Nam", "Vietnam"},
		{"Viet Nam", "vietnam"},
		{"Sơn La", "Son La"},
		{"Đà Nẵng", "da nang"},
		{"defence", "defense"},
		{"organisation", "organization"},
		{"organised", "organized"},
		{"neighbouring", "neighboring"},
		{"stabilise", "stabilize"},
		{"the 2nd exchange", "second exchange"},
		{"Laos's army", "Laos army"},
		{"people’s", "people"},
		{"vn-laos", "vietnam laos"},
	}
	for _, tt := range tests {
		if a, b := terms(tt.a), terms(tt.b); !reflect.DeepEqual(a, b) {
			t.Errorf("Analyze(%q) = %q, Analyze(%q) = %q; want equal", tt.a, a, tt.b, b)
		}
	}
	for _, w := range []string{"exercise", "promise", "precise", "four"} {
		if got := americanize(w); got != w {
			t.Errorf("americanize(%q) = %q; want it unchanged", w, got)
		}
	}
	if got := terms("what is the"); len(got) != 0 {
		t.Errorf("Analyze(%q) = %q; want no terms (all stop words)", "what is the", got)
	}
}

func TestAnalyzeOffsets(t *testing.T) {
	text := "Gen. Phan Văn Giang met Việt Nam’s partners."
	for _, tok := range Analyze(text) {
		if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
			t.Fatalf("token %+v out of range", tok)
		}
	}
	toks := Analyze(text)
	if got := text[toks[3].Start:toks[3].End]; got != "Giang" {
		t.Errorf("fourth token quotes %q; want %q", got, "Giang")
	}
	if got := text[toks[5].Start:toks[5].End]; !strings.HasPrefix(got, "Việt Nam") {
		t.Errorf("merged token quotes %q; want %q", got, "Việt Nam")
	}
}

func loadSeeds(t *testing.T) *Index {
	t.Helper()
	ix, err := Load(context.Background(), seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSeedsMetadata(t *testing.T) {
	ix := loadSeeds(t)
	want := []struct{ path, date, source, titlePrefix string }{
		{"000_4284e16642b1629c.txt", "", "VNA", "Defence Minister Sen. Lieut. Gen Phan Van Giang held a video call"},
		{"001_7ed4a9750f31c40a.txt", "", "VOV", "Vietnam, Laos seek to further boost defence cooperation"},
		{"002_0d8def16ba4cf91c.txt", "2024-10-22", "VNA/VNS", "General Phan Văn Giang"},
		{"003_f88145d531538da3.txt", "2022-06-03", "", "Defense remains key pillar in Vietnam-Laos relations"},
		{"004_8dd0687327b8a675.txt", "2026-02-05", "VNA/VNS", "Politburo member"},
	}
	if len(ix.Articles) != len(want) {
		t.Fatalf("loaded %d articles; want %d", len(ix.Articles), len(want))
	}
	for i, w := range want {
		a := ix.Articles[i]
		if a.Path != w.path || a.Date != w.date || a.Source != w.source || !strings.HasPrefix(a.Title, w.titlePrefix) {
			t.Errorf("article %d = {%q %q %q %q}; want {%q %q %q %q…}", i, a.Path, a.Date, a.Source, a.Title, w.path, w.date, w.source, w.titlePrefix)
		}
	}
}

// No sentence of the seeds may quote page furniture or metadata.
func TestSeedsBoilerplateNeverCited(t *testing.T) {
	ix := loadSeeds(t)
	banned := []string{"Mời quý", "Related", "VOV.VN", "WORDS ON THE STREET", "Photo:", "VNA/VNS", "/.",
		"date 2024", "date 2026", "Jun 03, 2022", "SƠN LA —", "VIENTIANE —", "Hanoi (VNA)", "Thongloun"}
	for i := range ix.Sentences {
		s := ix.Text(i)
		for _, b := range banned {
			if strings.Contains(s, b) {
				t.Errorf("sentence %d quotes %q: %q", i, b, s)
			}
		}
	}
	// The stripped lead still starts at the news.
	first, _ := ix.ArticleSentences(2)
	if got := ix.Text(first); !strings.HasPrefix(got, "General Phan Văn Giang") {
		t.Errorf("lead of 002 = %q; want it to start after the dateline", got)
	}
}

func TestFrontMatter(t *testing.T) {
	fsys := fstest.MapFS{"a.txt": {Data: []byte("---\ntitle: \"Ties deepen\"\ndate: 2025-01-02\nsource: VNA\nurl: https://example.org/x\n---\nThe ministers met. They agreed.\n")}}
	ix, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	a := ix.Articles[0]
	if a.Title != "Ties deepen" || a.Date != "2025-01-02" || a.Source != "VNA" || a.URL != "https://example.org/x" {
		t.Errorf("front matter read as %+v", a)
	}
	if len(ix.Sentences) != 2 || ix.Text(0) != "The ministers met." {
		t.Errorf("sentences = %d, first %q; want 2, %q", len(ix.Sentences), ix.Text(0), "The ministers met.")
	}
	// The title's terms and the year of the date say which article a
	// question means.
	for _, w := range []string{"ties", "2025"} {
		term, _ := Term(w)
		if id, ok := ix.Lookup(term); !ok || !ix.InContext(0, id) {
			t.Errorf("%s is not in the article's context", w)
		}
	}
}

func TestLoadSkipsBadFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"good.txt":       {Data: []byte("A headline\n\nThe talks went well. Both sides agreed.\n")},
		"bad/utf8.txt":   {Data: []byte("Bad \xff\xfe bytes.")},
		"bad/binary.txt": {Data: []byte("PK\x00\x03\x04")},
		"empty.txt":      {Data: []byte("  \n")},
		"punct.txt":      {Data: []byte("... --- !!!\n")},
		"notes.md":       {Data: []byte("Not an article.")},
	}
	ix, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	// Invalid UTF-8 is repaired, not skipped.
	if len(ix.Articles) != 2 || ix.Articles[0].Path != "bad/utf8.txt" || ix.Articles[1].Path != "good.txt" {
		t.Fatalf("articles = %d; want bad/utf8.txt and good.txt", len(ix.Articles))
	}
	var named []string
	for _, w := range ix.Warnings {
		if errors.Is(w, ErrBadFile) == strings.Contains(w.Error(), "utf8.txt") {
			t.Errorf("warning %v wraps ErrBadFile: %v; want it to for skipped files only", w, errors.Is(w, ErrBadFile))
		}
		named = append(named, w.Error())
	}
	all := strings.Join(named, "\n")
	for _, f := range []string{"bad/utf8.txt", "bad/binary.txt", "empty.txt", "punct.txt"} {
		if !strings.Contains(all, f) {
			t.Errorf("warnings %q do not name %s", all, f)
		}
	}
	delete(fsys, "good.txt")
	delete(fsys, "bad/utf8.txt")
	if _, err := Load(context.Background(), fsys); !errors.Is(err, ErrEmpty) {
		t.Errorf("Load(all bad) error = %v; want ErrEmpty", err)
	}
}

func TestLoadDeterministic(t *testing.T) {
	a, b := loadSeeds(t), loadSeeds(t)
	if !reflect.DeepEqual(a.Sentences, b.Sentences) || !reflect.DeepEqual(a.termText, b.termText) {
		t.Error("two loads of the same corpus differ")
	}
}

func TestSimilar(t *testing.T) {
	ix := loadSeeds(t)
	tests := []struct{ typed, want string }{
		{"chansamon", "chansamon"}, // as 000 spells it
		{"chanyalatt", "chanyalat"},
		{"migrtion", "migrat"},
		{"vilages", "villag"},
		{"khamlaing", "khamliang"},
	}
	for _, tt := range tests {
		var got []string
		for _, id := range ix.Similar(tt.typed) {
			got = append(got, ix.TermText(id))
		}
		found := false
		for _, g := range got {
			found = found || g == tt.want
		}
		if !found {
			t.Errorf("Similar(%q) = %q; want it to include %q", tt.typed, got, tt.want)
		}
	}
	if got := ix.Similar("pho"); len(got) != 0 {
		t.Errorf("Similar(%q) = %v; want none for a short word", "pho", got)
	}
}

// FuzzSplit checks the splitter's spans on any text: in range, ordered,
// trimmed and drawn from the input.
func FuzzSplit(f *testing.F) {
	f.Add("Sen. Lieut. Gen. Giang met U.S. officials. They agreed “fully.” 2025 begins.")
	f.Add("Việt Nam – Laos/. — VNA/VNS")
	f.Add("a. B? c! D")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, s := range splitSentences(text, 0, len(text), nil) {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("span %+v out of order or range (prev end %d, len %d)", s, prev, len(text))
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[s.Start:s.End]) {
				t.Fatalf("span %+v cuts a character", s)
			}
			prev = s.End
		}
	})
}

// FuzzAnalyze checks the analyzer on any text: tokens in range, in order,
// each with a term.
func FuzzAnalyze(f *testing.F) {
	f.Add("Việt Nam’s defence organisation, the 2nd in 2024-25")
	f.Add("\xff\xfe<b>@everyone</b>")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, tok := range Analyze(text) {
			if tok.Start < prev || tok.End <= tok.Start || tok.End > len(text) || tok.Term == "" {
				t.Fatalf("token %+v bad (prev end %d, len %d)", tok, prev, len(text))
			}
			prev = tok.End
		}
	})
}

// FuzzParseArticle checks that any file either yields sentences inside its
// text or nothing, and never panics.
func FuzzParseArticle(f *testing.F) {
	f.Add("---\ntitle: x\n---\nBody. More.")
	f.Add(" date 2024-10-22 SƠN LA — Talks were held. — VNA/VNS")
	f.Fuzz(func(t *testing.T, text string) {
		a, paras := parseArticle("f.txt", text)
		for _, p := range paras {
			if p.Start < 0 || p.End > len(a.Text) || p.Start > p.End {
				t.Fatalf("paragraph %+v out of range %d", p, len(a.Text))
			}
		}
	})
}

func TestNamesAndKin(t *testing.T) {
	ix, err := Load(context.Background(), fstest.MapFS{
		"a.txt": {Data: []byte("Border posts were built.\n\nThe border with Laos is long. Khamliang visited the border posts.\n\nThey met Khamliang in the Sahara.\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(w string) (TermID, bool) {
		t, _ := Term(w)
		return ix.Lookup(t)
	}
	name := func(w string) bool {
		id, ok := lookup(w)
		return ok && ix.IsName(id)
	}
	for w, want := range map[string]bool{"Khamliang": true, "Laos": true, "Sahara": true, "border": false, "posts": false, "visited": false} {
		if got := name(w); got != want {
			t.Errorf("IsName(%s) = %v; want %v", w, got, want)
		}
	}
	sahara, _ := lookup("Sahara")
	if kin := ix.Kin("saharan"); !slices.Contains(kin, sahara) {
		t.Errorf("Kin(saharan) = %v; want Sahara's term %d among them", kin, sahara)
	}
	if kin := ix.Kin("laotian"); len(kin) != 0 {
		t.Errorf("Kin(laotian) = %v; want none (laos differs beyond its last letters)", kin)
	}
}
