package discord

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

// linkedEngine answers from articles with url: front matter: the summit's
// a link, the storm's a javascript: URL, which is never linked, and n
// more about the harbour, with long titles and links, to fill pages.
func linkedEngine(t *testing.T, n int) *answer.Engine {
	t.Helper()
	fsys := testkit.LinkedArticles(n, "Harbour budget *talks* ")
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return answer.New(ix, answer.Options{})
}

func TestCitationsLinkFromEmbedFields(t *testing.T) {
	t.Parallel()
	h := start(t, setup{engine: linkedEngine(t, 0)})
	_, cb := h.ask(t, "when did Anna Berg meet Tom Reyes?", alice)
	embeds := list(get(cb.JSON, "data", "embeds"))
	if len(embeds) != 1 {
		t.Fatalf("embeds = %v; want one", embeds)
	}
	if d := str(get(embeds[0], "description")); !strings.HasPrefix(d, "**May 6, 2021** — ") {
		t.Errorf("description = %q; want it to lead with the short answer in bold", d)
	}
	fields := list(get(embeds[0], "fields"))
	if len(fields) == 0 || !strings.HasSuffix(str(get(fields[0], "value")), "\n[example.com](https://example.com/summit?id=1&lang=en)") {
		t.Errorf("fields = %v; want the first to end with a link to its article", fields)
	}
	if fl := int(num(get(cb.JSON, "data", "flags"))); fl&4 != 0 {
		t.Errorf("an answer embed is sent with SUPPRESS_EMBEDS (flags %d), which would hide it", fl)
	}

	_, cb = h.ask(t, "what flooded the old market?", alice)
	if strings.Contains(string(cb.Body), "javascript") || strings.Contains(string(cb.Body), "](") {
		t.Errorf("a javascript: url is linked: %s", cb.Body)
	}
	everyMessagePingsNobody(t, h.f)
}

// TestSourcesPagesWithLinksThatNeverUnfurl walks /sources through every
// page as a slash command (the words option) and as a DM: each page fits a
// message, its links are in angle brackets, and it carries SUPPRESS_EMBEDS.
func TestSourcesPagesWithLinksThatNeverUnfurl(t *testing.T) {
	t.Parallel()
	h := start(t, setup{engine: linkedEngine(t, 40)})
	seen := map[string]bool{}
	for page := 1; page <= 40; page++ {
		in := h.f.slashCommand("sources", []map[string]any{stringOpt("words", fmt.Sprintf("harbour page %d", page))}, alice, true)
		h.f.dispatch(t, "INTERACTION_CREATE", in)
		cb := h.callback(t, in)
		content := str(get(cb.JSON, "data", "content"))
		if fl := int(num(get(cb.JSON, "data", "flags"))); fl&4 == 0 {
			t.Errorf("page %d: flags %d; want SUPPRESS_EMBEDS (4)", page, fl)
		}
		for _, line := range strings.Split(content, "\n") {
			if strings.Contains(line, "https://") && !(strings.HasPrefix(line, "<https://") && strings.HasSuffix(line, ">")) {
				t.Errorf("page %d: a link outside angle brackets: %q", page, line)
			}
			if strings.HasPrefix(line, "<https://") {
				seen[line] = true
			}
		}
		if !strings.Contains(content, fmt.Sprintf("More: /sources harbour page %d", page+1)) {
			break
		}
	}
	if len(seen) != 40 {
		t.Errorf("%d distinct links over all pages; want 40", len(seen))
	}

	dm := h.f.message("/sources hanoi", alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", dm)
	r := h.replyTo(t, dm)
	if c := str(get(r.JSON, "content")); !strings.Contains(c, "Leaders meet in Hanoi (2021-05-07)\n<https://example.com/summit?id=1&lang=en>") {
		t.Errorf("/sources hanoi = %q; want the summit with its link", c)
	}
	if fl := int(num(get(r.JSON, "flags"))); fl&4 == 0 {
		t.Errorf("/sources in a DM: flags %d; want SUPPRESS_EMBEDS (4)", fl)
	}
	everyMessagePingsNobody(t, h.f)
}

func TestSourcesRegisteredWithAnOptionalWordsOption(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	c := h.f.waitCall(t, "bulk overwrite", func(c restCall) bool { return c.Method == "PUT" })
	for _, cmd := range list(c.JSON) {
		if str(get(cmd, "name")) != "sources" {
			continue
		}
		opts := list(get(cmd, "options"))
		if len(opts) != 1 || str(get(opts[0], "name")) != "words" || num(get(opts[0], "type")) != 3 || get(opts[0], "required") == true {
			t.Errorf("sources options = %v; want words (string, optional)", opts)
		}
		return
	}
	t.Errorf("no sources command registered")
}
