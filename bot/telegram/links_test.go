package telegram

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

// linkedIndex indexes two articles with url: front matter, one of them a
// javascript: URL, which is never linked, and n more about the harbour.
func linkedIndex(t *testing.T, n int) *corpus.Index {
	t.Helper()
	fsys := testkit.LinkedArticles(n, "Harbour budget <talks> & ")
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// sent returns the messages the fake accepted for chat.
func (f *fakeAPI) sent(chat int64) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeMessage(nil), f.sentTexts[chat]...)
}

func TestCitationsLinkToTheirArticlesWithoutPreviews(t *testing.T) {
	ix := linkedIndex(t, 0)
	h := start(t, func(s *setup, _ *fakeAPI) { s.index = ix })
	id1 := h.fake.say(aliceChat, alice, "when did Anna Berg meet Tom Reyes?")
	p := h.fake.waitReply(aliceChat.ID, id1)
	checkReplyShape(t, p, aliceChat, id1) // disable_web_page_preview: true
	text := p.Get("text")
	for _, want := range []string{
		"<b>May 6, 2021</b> — ",
		`<a href="https://example.com/summit?id=1&amp;lang=en"><i>Leaders meet in Hanoi</i></a>`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("reply %q lacks %q", text, want)
		}
	}
	// Bob asks in his own chat, so that the question is not read as a
	// follow-up of Alice's, citing her article.
	id2 := h.fake.say(bobChat, bob, "what flooded the old market?")
	p = h.fake.waitReply(bobChat.ID, id2)
	if text := p.Get("text"); strings.Contains(text, "<a ") || strings.Contains(text, "javascript") {
		t.Errorf("a javascript: url is linked: %q", text)
	}
	msgs := append(h.fake.sent(aliceChat.ID), h.fake.sent(bobChat.ID)...)
	if len(msgs) != 2 || len(msgs[0].Links) != 1 || msgs[0].Links[0] != "https://example.com/summit?id=1&lang=en" || len(msgs[1].Links) != 0 {
		t.Errorf("links Telegram read: %+v; want the summit's url in the first reply only", msgs)
	}
}

// TestSourcesPagesWithLinks walks /sources through every page: each is
// accepted by Telegram (within 4,096 characters, well-formed HTML), links
// its articles, sends no preview, and all but the last name the next.
func TestSourcesPagesWithLinks(t *testing.T) {
	ix := linkedIndex(t, 40)
	h := start(t, func(s *setup, _ *fakeAPI) { s.index = ix })
	links := map[string]bool{}
	pages := 0
	for page := 1; page <= 40; page++ {
		id := h.fake.say(aliceChat, alice, fmt.Sprintf("/sources harbour page %d", page))
		p := h.fake.waitReply(aliceChat.ID, id)
		checkReplyShape(t, p, aliceChat, id)
		pages++
		msgs := h.fake.sent(aliceChat.ID)
		for _, l := range msgs[len(msgs)-1].Links {
			links[l] = true
		}
		if !strings.Contains(p.Get("text"), fmt.Sprintf("More: /sources harbour page %d", page+1)) {
			break
		}
	}
	if len(links) != 40 || pages < 2 {
		t.Errorf("%d distinct links over %d pages; want 40 over more than one", len(links), pages)
	}
	id := h.fake.say(aliceChat, alice, "/sources hanoi")
	if text := h.fake.waitReply(aliceChat.ID, id).Get("text"); !strings.Contains(text,
		`1. <a href="https://example.com/summit?id=1&amp;lang=en">Leaders meet in Hanoi</a> (2021-05-07)`) {
		t.Errorf("/sources hanoi = %q; want the summit, linked", text)
	}
	id = h.fake.say(aliceChat, alice, "/sources storm")
	if text := h.fake.waitReply(aliceChat.ID, id).Get("text"); strings.Contains(text, "<a ") || !strings.Contains(text, "Storm hits the coast") {
		t.Errorf("/sources storm = %q; want the storm, not linked", text)
	}
}
