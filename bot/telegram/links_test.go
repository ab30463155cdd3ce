package telegram

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/corpus"
)

// linkedIndex indexes two articles with url: front matter, one of them a
// javascript: URL, which is never linked.
func linkedIndex(t *testing.T) *corpus.Index {
	t.Helper()
	ix, err := corpus.Load(context.Background(), fstest.MapFS{
		"summit.txt": {Data: []byte("---\ntitle: Leaders meet in Hanoi\ndate: 2021-05-07\nurl: https://example.com/summit?id=1&lang=en\n---\n" +
			"President Anna Berg met Prime Minister Tom Reyes in Hanoi on May 6, 2021.\n")},
		"storm.txt": {Data: []byte("---\ntitle: Storm hits the coast\nurl: javascript:alert(document.cookie)\n---\n" +
			"A storm hit the coast on Friday and flooded the old market.\n")},
	})
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
	ix := linkedIndex(t)
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
	id2 := h.fake.say(aliceChat, alice, "what flooded the old market?")
	p = h.fake.waitReply(aliceChat.ID, id2)
	if text := p.Get("text"); strings.Contains(text, "<a ") || strings.Contains(text, "javascript") {
		t.Errorf("a javascript: url is linked: %q", text)
	}
	msgs := h.fake.sent(aliceChat.ID)
	if len(msgs) != 2 || len(msgs[0].Links) != 1 || msgs[0].Links[0] != "https://example.com/summit?id=1&lang=en" || len(msgs[1].Links) != 0 {
		t.Errorf("links Telegram read: %+v; want the summit's url in the first reply only", msgs)
	}
}
