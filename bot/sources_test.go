package bot

import (
	"context"
	"fmt"
	"github.com/corpusbot/corpusbot/answer"
	"strings"
	"testing"
	"testing/fstest"
)

// sourcesCorpus has dated, undated and linked articles, and enough of them
// with long titles and links to need pages on every platform.
func sourcesCorpus(n int) fstest.MapFS {
	fsys := fstest.MapFS{
		"old.txt":     {Data: []byte("---\ntitle: Old bridge opens\ndate: 2001-03-04\nsource: Riverton Post\nurl: https://example.com/old?a=1&b=2\n---\nThe old bridge opened to traffic.")},
		"new.txt":     {Data: []byte("---\ntitle: Festival on the river\ndate: 2024-05-02\nurl: javascript:alert(1)\n---\nThe river festival opened with a parade of boats.")},
		"undated.txt": {Data: []byte("Ferry timetable\n\nThe ferry crosses the river every hour.")},
	}
	for i := range n {
		fsys[fmt.Sprintf("filler%03d.txt", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: %s %d\ndate: 2010-01-%02d\nurl: https://example.com/%s\n---\nThe council met about the harbour budget again.",
			strings.Repeat("Harbour budget *talks* ", 8), i, 1+i%28, strings.Repeat("x", 400)))}
	}
	return fsys
}

func sourcesReply(t *testing.T, b *Bot, platform, text string) Reply {
	t.Helper()
	return b.Handle(context.Background(), Request{Platform: platform, UserID: "1", Command: "sources", Text: text})
}

func TestSourcesFiltersAndOrdersNewestFirst(t *testing.T) {
	eng := testEngine(t, sourcesCorpus(0))
	b := New(Options{}, eng, nil, eng.Sources, nil)
	for _, c := range []struct {
		name, words string
		titles      []string
	}{
		{"all", "", []string{"Festival on the river", "Old bridge opens", "Ferry timetable"}},
		{"a word of the text", "river", []string{"Festival on the river", "Ferry timetable"}},
		{"a word of a title, another spelling", "BRIDGES", []string{"Old bridge opens"}},
		{"every word must match", "river parade", []string{"Festival on the river"}},
		{"stop words only", "the of", []string{"Festival on the river", "Old bridge opens", "Ferry timetable"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := sourcesReply(t, b, Console, c.words)
			if rep.Articles == nil {
				t.Fatalf("/sources %s = %+v; want a list", c.words, rep)
			}
			var got []string
			for _, a := range rep.Articles.Articles {
				got = append(got, a.Title)
			}
			if strings.Join(got, "|") != strings.Join(c.titles, "|") {
				t.Errorf("/sources %s lists %q; want %q", c.words, got, c.titles)
			}
		})
	}
	rep := sourcesReply(t, b, Console, "")
	for _, a := range rep.Articles.Articles {
		if want := map[string]string{"Old bridge opens": "https://example.com/old?a=1&b=2"}[a.Title]; a.URL != want {
			t.Errorf("%q links to %q; want %q", a.Title, a.URL, want)
		}
	}
	if txt := RenderText(rep); !strings.Contains(txt, "2. Old bridge opens (2001-03-04, Riverton Post)\n   https://example.com/old?a=1&b=2") ||
		!strings.Contains(txt, "3. Ferry timetable (undated)") {
		t.Errorf("/sources printed:\n%s", txt)
	}
}

func TestSourcesRefusesPolitely(t *testing.T) {
	eng := testEngine(t, sourcesCorpus(0))
	b := New(Options{}, eng, nil, eng.Sources, nil)
	for _, c := range []struct{ name, words, want string }{
		{"no match", "volcano", "No article matches “volcano”"},
		{"page past the end", "page 2", "There is only 1 page; try /sources page 1."},
		{"page zero", "river page 0", "page number from 1"},
		{"page not a number", "river page two", "page number from 1"},
		{"too many words", strings.Repeat("river ", 50), "at most 200 characters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := sourcesReply(t, b, Telegram, c.words)
			if got := RenderText(rep); !strings.Contains(got, c.want) || rep.Articles != nil {
				t.Errorf("/sources %s = %q; want %q", c.words, got, c.want)
			}
		})
	}
}

// TestSourcesPagesFitEachPlatform lists 60 articles with long titles and
// links: every page fits its platform's limit, pages follow each other
// without gap or overlap, and each but the last says how to see the next.
func TestSourcesPagesFitEachPlatform(t *testing.T) {
	eng := testEngine(t, sourcesCorpus(60))
	b := New(Options{}, eng, nil, eng.Sources, nil)
	for _, platform := range []string{Discord, Telegram, Console} {
		t.Run(platform, func(t *testing.T) {
			next, pages, seen := 1, 0, 0
			for page := 1; ; page++ {
				rep := sourcesReply(t, b, platform, fmt.Sprintf("harbour page %d", page))
				l := rep.Articles
				if l == nil {
					t.Fatalf("page %d: %+v", page, rep)
				}
				if l.First != next || l.Page != page || len(l.Articles) == 0 || len(l.Articles) > maxPerPage || l.Total != 60 {
					t.Fatalf("page %d: first %d, %d articles of %d; want first %d", page, l.First, len(l.Articles), l.Total, next)
				}
				next += len(l.Articles)
				seen += len(l.Articles)
				pages = l.Pages
				if err := checkTelegramHTML(RenderTelegram(rep)); platform == Telegram && err != nil {
					t.Errorf("page %d: %v", page, err)
				}
				d := RenderDiscord(rep)
				if err := checkDiscord(d); platform == Discord && err != nil {
					t.Errorf("page %d: %v", page, err)
				}
				if !d.SuppressEmbeds {
					t.Errorf("page %d: a Discord list with links does not suppress their previews", page)
				}
				more := fmt.Sprintf("More: /sources harbour page %d", page+1)
				if got := RenderText(rep); strings.Contains(got, more) != (page < l.Pages) {
					t.Errorf("page %d of %d: %q says %q: %v", page, l.Pages, got, more, !(page < l.Pages))
				}
				if page == l.Pages {
					break
				}
			}
			if seen != 60 {
				t.Errorf("%d articles over %d pages; want 60", seen, pages)
			}
			if platform == Discord && pages < 3 {
				t.Errorf("%d pages for Discord; 60 long entries cannot fit fewer than 3 messages of 2,000 characters", pages)
			}
		})
	}
}

func FuzzSourcesArgs(f *testing.F) {
	for _, s := range []string{"", "page 2", "river page 10", "page page 3", "PAGE -1", "x page 99999999999999999999", "<b> page 2"} {
		f.Add(s)
	}
	eng := testEngine(f, sourcesCorpus(12))
	b := New(Options{}, eng, nil, eng.Sources, nil)
	f.Fuzz(func(t *testing.T, text string) {
		for _, platform := range []string{Discord, Telegram} {
			rep := sourcesReply(t, b, platform, text)
			if rep.Silent() {
				t.Fatalf("/sources %q: no reply", text)
			}
			var err error
			if platform == Telegram {
				err = checkTelegramHTML(RenderTelegram(rep))
			} else {
				err = checkDiscord(RenderDiscord(rep))
			}
			if err != nil {
				t.Errorf("/sources %q: %s: %v", text, platform, err)
			}
		}
	})
}

// TestSourcesLongWordsStillFit: the longest words there may be, each a
// character that escapes to two, leave every page within the limits.
func TestSourcesLongWordsStillFit(t *testing.T) {
	fsys := sourcesCorpus(30)
	for name, f := range fsys {
		f.Data = []byte(strings.Replace(string(f.Data), "The council", "The "+strings.Repeat("_", 190)+" council", 1))
		fsys[name] = f
	}
	eng := testEngine(t, fsys)
	b := New(Options{}, eng, nil, eng.Sources, nil)
	words := "council " + strings.Repeat("*", maxSourcesWords-len("council ")-len(" page 2"))
	for _, platform := range []string{Discord, Telegram} {
		rep := sourcesReply(t, b, platform, words+" page 2")
		if rep.Articles == nil {
			t.Fatalf("%s: /sources %s = %+v; want a list", platform, words, rep)
		}
		if err := checkDiscord(RenderDiscord(rep)); platform == Discord && err != nil {
			t.Errorf("Discord: %v", err)
		}
		if err := checkTelegramHTML(RenderTelegram(rep)); platform == Telegram && err != nil {
			t.Errorf("Telegram: %v", err)
		}
	}
}

// TestSourcesOfNoArticles: an index with no article (corpus.Load never
// gives one) lists nothing, saying so.
func TestSourcesOfNoArticles(t *testing.T) {
	eng := testEngine(t, sourcesCorpus(0))
	b := New(Options{}, eng, nil, func(string) []answer.Source { return []answer.Source{} }, nil)
	if got := RenderText(sourcesReply(t, b, Telegram, "")); got != "There are no articles to answer from yet." {
		t.Errorf("/sources of no articles = %q", got)
	}
}
