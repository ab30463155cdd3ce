package bot

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/answer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// renderCases are the replies the golden files hold, one file per case and
// renderer.
func renderCases() map[string]Reply {
	cite := func(n int, sentence string) answer.Citation {
		return answer.Citation{Doc: fmt.Sprintf("%03d.txt", n), Title: fmt.Sprintf("Article <%d> & *friends*", n),
			Date: "2024-10-22", Sentence: sentence, Score: 1.5}
	}
	var many []answer.Citation
	for i := range 30 {
		many = append(many, cite(i+1, strings.Repeat(fmt.Sprintf("Sentence %d says a great deal about border defence. ", i+1), 12)))
	}
	return map[string]Reply{
		"answer": {Answer: &answer.Result{Question: "who signed the <b>protocol</b> @everyone?", Answered: true, Confidence: 0.824,
			Answer: "Giang & Chanyalath signed a protocol on defence cooperation. [1]",
			Citations: []answer.Citation{
				cite(1, "At the end of their talks, Giang & Chanyalath signed a protocol on defence cooperation for the 2025-29 period."),
				cite(2, `He said "<i>cooperation</i>" is *key*, _vital_ and ~~lasting~~ for @everyone and <@&123>.`),
				{Doc: "undated.txt", Title: "Undated", Sentence: "# Not a heading\n> not a quote\n1. not a list"},
			}}},
		"hedged": {Answer: &answer.Result{Question: "how long is the Fir bridge?", Answered: true, Hedged: true, Confidence: 0.213,
			Answer:    "I'm not sure the articles answer this; the closest passages are:",
			Citations: []answer.Citation{cite(1, "The Elm bridge is 300 metres long."), cite(2, "Bridges <b>span</b> rivers.")}}},
		"refusal":   {Answer: &answer.Result{Question: "peru?", Answer: "Nothing in the corpus mentions “peru”."}},
		"error":     {Err: &Error{Kind: Invalid, Message: "That question is too long (10000 characters); please keep it under 1000."}},
		"text":      {Text: "I answer from 2 articles:\n1. A <b> & *B* (2024-10-22)\n2. C_D (undated)"},
		"long":      {Answer: &answer.Result{Question: strings.Repeat("why ", 100), Answered: true, Answer: strings.Repeat("A long answer. ", 200) + "[1]", Citations: many}},
		"oneword":   {Answer: &answer.Result{Question: "x", Answered: true, Answer: "x [1]", Citations: []answer.Citation{cite(1, strings.Repeat("&<>", 3000))}}},
		"silent":    {},
		"badutf8":   {Answer: &answer.Result{Question: "\xff", Answered: true, Answer: "\xffok [1]", Citations: []answer.Citation{cite(1, "bad \xfe bytes")}}},
		"ratelimit": {Private: true, Err: &Error{Kind: RateLimited, Message: "You're asking faster than I can keep up with; please slow down."}},
		"short": {Answer: &answer.Result{Question: "who is Laos's defence minister?", Answered: true, Confidence: 0.871,
			ShortAnswer: "Gen. Khamliang *Outhakaysone* <b>",
			Answer:      "Minister of National Defence of Laos Gen. Khamliang Outhakaysone met Giang. [1] (Thursday = 2026-02-05)",
			Citations: []answer.Citation{
				{Doc: "004.txt", Title: "Talks in Vientiane", Date: "2026-02-05", URL: "https://example.com/news/talks?id=4&lang=en",
					Sentence: "Minister of National Defence of Laos Gen. Khamliang Outhakaysone met Giang."},
				{Doc: "005.txt", Title: "Unsafe link", URL: `javascript:alert("x")`, Sentence: "The link of this article is never shown."},
				{Doc: "006.txt", Title: "Link with brackets", URL: "https://example.com/a_(b)\"<i>", Sentence: "Its link is escaped."},
			}}},
		"quoted": {Answer: &answer.Result{Question: "when did the exchange take place?", Answered: true, Confidence: 0.64,
			Answer: "The first exchange took place on June 2 in Hanoi. [1] (June 2 = 2022-06-02)",
			Citations: []answer.Citation{{Doc: "003.txt", Title: "Border exchange", Date: "2022-06-03",
				Sentence: "The first exchange took place on June 2 in Hanoi."}}}},
		"sources": {Articles: &ArticleList{Words: "defence <b>", Total: 14, Page: 2, Pages: 3, First: 6, Articles: []ArticleInfo{
			{Title: "Talks in *Vientiane*", Date: "2026-02-05", Source: "VNA/VNS", URL: "https://example.com/news/talks?id=4&lang=en"},
			{Title: "Unsafe <link>", Date: "2022-06-03", URL: "javascript:alert(1)"},
			{Title: "1. Undated & unsourced"},
		}}},
	}
}

func TestRenderGolden(t *testing.T) {
	for name, r := range renderCases() {
		d, err := json.MarshalIndent(RenderDiscord(r), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		for ext, got := range map[string]string{
			"txt":          RenderText(r),
			"telegram":     RenderTelegram(r),
			"discord.json": string(d),
		} {
			path := filepath.Join("testdata", "render", name+"."+ext)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./bot -run Golden -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s:\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		}
	}
}

func TestRenderChecks(t *testing.T) {
	for name, r := range renderCases() {
		if err := checkTelegramHTML(RenderTelegram(r)); err != nil {
			t.Errorf("%s: Telegram: %v", name, err)
		}
		if err := checkDiscord(RenderDiscord(r)); err != nil {
			t.Errorf("%s: Discord: %v", name, err)
		}
	}
}

// TestRenderTrimsWholeCitations: a reply too long for a message keeps whole
// citations, in order, and says how many it left out.
func TestRenderTrimsWholeCitations(t *testing.T) {
	r := renderCases()["long"]
	tg := RenderTelegram(r)
	shown := strings.Count(tg, "<blockquote>")
	m := regexp.MustCompile(`\((\d+) more citations not shown\)`).FindStringSubmatch(tg)
	if m == nil || shown == 0 {
		t.Fatalf("Telegram: %d citations shown and no note of the rest:\n%s", shown, tg)
	}
	if left, _ := strconv.Atoi(m[1]); shown+left != 30 {
		t.Errorf("Telegram: %d shown + %d not shown; want 30", shown, left)
	}
	for i := 1; i <= shown; i++ {
		if !strings.Contains(tg, fmt.Sprintf("<b>[%d]</b>", i)) {
			t.Errorf("Telegram: citation %d missing", i)
		}
	}
	d := RenderDiscord(r)
	e := d.Embeds[0]
	if len(e.Fields) == 0 || len(e.Fields) >= 25 || !strings.Contains(e.Footer, fmt.Sprintf("%d more citations", 30-len(e.Fields))) {
		t.Errorf("Discord: %d fields, footer %q", len(e.Fields), e.Footer)
	}
}

// tagRE matches what may stand between < and > in corpusbot's Telegram HTML.
// An a tag has one attribute, href, a quoted http or https URL with no
// quote, angle bracket or space in it.
var tagRE = regexp.MustCompile(`^<(/?)(b|i|blockquote|a)(?: href="https?://[^"<> ]+")?>`)

// checkTelegramHTML checks s the way Telegram's HTML parse mode would: only
// supported tags, properly nested and closed; only the four named entities;
// no bare < > or &; valid UTF-8; within the length limit.
func checkTelegramHTML(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("invalid UTF-8")
	}
	if n := utf16Len(s); n > TelegramMaxText {
		return fmt.Errorf("%d UTF-16 units, over %d", n, TelegramMaxText)
	}
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			m := tagRE.FindStringSubmatch(s[i:])
			if m == nil {
				return fmt.Errorf("bad tag at %d: %.20q", i, s[i:])
			}
			if (m[2] == "a") != (m[1] == "" && strings.Contains(m[0], "href")) && m[1] == "" {
				return fmt.Errorf("tag %q at %d: only <a> has an href, and it must", m[0], i)
			}
			if m[1] == "" {
				open = append(open, m[2])
			} else {
				if len(open) == 0 || open[len(open)-1] != m[2] {
					return fmt.Errorf("</%s> at %d closes %v", m[2], i, open)
				}
				open = open[:len(open)-1]
			}
			i += len(m[0])
		case '&':
			ok := false
			for _, ent := range []string{"&amp;", "&lt;", "&gt;", "&quot;"} {
				if strings.HasPrefix(s[i:], ent) {
					i += len(ent)
					ok = true
					break
				}
			}
			if !ok {
				return fmt.Errorf("bare & at %d: %.20q", i, s[i:])
			}
		case '>':
			return fmt.Errorf("bare > at %d", i)
		default:
			i++
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("unclosed %v", open)
	}
	return nil
}

// checkDiscord checks a message against Discord's limits.
func checkDiscord(m DiscordMessage) error {
	check := func(what, s string, limit int) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%s: invalid UTF-8", what)
		}
		if n := utf16Len(s); n > limit {
			return fmt.Errorf("%s: %d UTF-16 units, over %d", what, n, limit)
		}
		return nil
	}
	if err := check("content", m.Content, DiscordMaxContent); err != nil {
		return err
	}
	for _, e := range m.Embeds {
		total := utf16Len(e.Title) + utf16Len(e.Description) + utf16Len(e.Footer)
		if len(e.Fields) > DiscordMaxFields {
			return fmt.Errorf("%d fields", len(e.Fields))
		}
		for _, err := range []error{check("title", e.Title, DiscordMaxTitle), check("description", e.Description, DiscordMaxDescription),
			check("footer", e.Footer, DiscordMaxFooter)} {
			if err != nil {
				return err
			}
		}
		for _, f := range e.Fields {
			if err := check("field name", f.Name, DiscordMaxFieldName); err != nil {
				return err
			}
			if err := check("field value", f.Value, DiscordMaxFieldValue); err != nil {
				return err
			}
			if f.Name == "" || f.Value == "" {
				return fmt.Errorf("empty field %+v", f)
			}
			total += utf16Len(f.Name) + utf16Len(f.Value)
		}
		if total > DiscordMaxEmbedTotal {
			return fmt.Errorf("embed of %d units, over %d", total, DiscordMaxEmbedTotal)
		}
	}
	return nil
}

// unescapeMarkdown undoes EscapeMarkdown's backslashes.
func unescapeMarkdown(s string) string {
	return regexp.MustCompile(`\\(.)`).ReplaceAllString(s, "$1")
}

func TestEscapeMarkdownRoundTrip(t *testing.T) {
	for _, s := range []string{"*a* _b_ ~c~ `d` |e| [f](g) <@1> \\", "# h\n> q\n- l\n+ m\n12. n", "2020-24 (est.)"} {
		e := EscapeMarkdown(s)
		if got := unescapeMarkdown(e); got != s {
			t.Errorf("EscapeMarkdown(%q) = %q, which reads back as %q", s, e, got)
		}
		if strings.ContainsAny(strings.NewReplacer(`\*`, "", `\_`, "", `\~`, "", "\\`", "", `\|`, "", `\[`, "", `\]`, "", `\<`, "", `\\`, "").Replace(e), "*_~`|[]<") {
			t.Errorf("EscapeMarkdown(%q) = %q leaves Markdown unescaped", s, e)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("who?", "An answer & <b> [1]", "Title *x*", "A <i>sentence</i> & @everyone.", uint8(3), true)
	f.Add("", "", "", "", uint8(0), false)
	f.Add(strings.Repeat("q", 300), strings.Repeat("&", 2000), strings.Repeat("<", 300), strings.Repeat("é&<", 800), uint8(40), true)
	f.Add("\xff", "\xfe\xff", "\x00", "a\nb\n# c", uint8(1), true)
	f.Fuzz(func(t *testing.T, q, ans, title, sentence string, n uint8, answered bool) {
		res := &answer.Result{Question: q, Answered: answered, Answer: ans}
		for i := range int(n % 50) {
			res.Citations = append(res.Citations, answer.Citation{Title: title, Date: "2024-01-02",
				Sentence: sentence + strings.Repeat(" more", i)})
		}
		for _, r := range []Reply{{Answer: res}, {Text: ans}, {Err: &Error{Kind: Invalid, Message: sentence}}} {
			tg := RenderTelegram(r)
			if err := checkTelegramHTML(tg); err != nil {
				t.Fatalf("Telegram: %v\n%q", err, tg)
			}
			d := RenderDiscord(r)
			if err := checkDiscord(d); err != nil {
				t.Fatalf("Discord: %v\n%+v", err, d)
			}
			if !utf8.ValidString(RenderText(r)) && utf8.ValidString(q+ans+title+sentence) {
				t.Fatalf("plain text turned valid input invalid")
			}
		}
	})
}
