package telegram

import (
	"html"
	"strings"
	"testing"
)

// sentReplyTo returns the id and plain text of the message the bot sent in
// chat in reply to message id, waiting for it.
func (f *fakeAPI) sentReplyTo(chat tgChat, id int) (int, string) {
	f.t.Helper()
	p := f.waitReply(chat.ID, id)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.sentTexts[chat.ID] {
		if m.Text == p.Get("text") {
			return m.ID, m.Text
		}
	}
	f.t.Fatalf("no message sent in chat %d replying to %d", chat.ID, id)
	return 0, ""
}

// firstLine is the answer of a rendered reply, its first line, in bold:
// its text, unescaped; for an answer that is citation [1]'s sentence
// ("See [1]"), or a hedged answer, that citation's quote.
func firstLine(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	if line == "<b>See [1]</b>" || strings.HasPrefix(line, "<b>I'm not sure") {
		_, quote, _ := strings.Cut(text, "<blockquote>")
		quote, _, _ = strings.Cut(quote, "</blockquote>")
		return html.UnescapeString(quote)
	}
	return html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(line, "<b>"), "</b>"))
}

// TestFollowUpReplies asks, in a group, a question, then a follow-up as a
// Telegram reply to the bot's answer (reply_to_message, the bot's own
// message): it answers from the first answer's article. The same words
// asked without the reply, by /ask or replying to someone else's message,
// answer from another article. In a private chat the next question follows
// the last without any reply.
func TestFollowUpReplies(t *testing.T) {
	h := start(t)
	const (
		first    = "what did Lich and his Lao counterpart discuss by phone in September?"
		followUp = "and what did he thank them for?"
		thanked  = "He thanked the Vietnamese Ministry of National Defence" // Lich's phone talks, 001
		alone    = "Chanyalat congratulated Giang"                          // the video call, 000
		// The words alone are ambiguous (the best two sentences, of
		// two articles, score 4.29 and 4.23): the engine answers from
		// the video call or, when the confidence model (retrained with
		// each ranking change) puts them under its hedge threshold,
		// refuses as unsure. Either way not from the phone talks.
		unsure = "The articles do not seem to answer this"
	)
	notFollowedUp := func(reply string) bool {
		return strings.HasPrefix(firstLine(reply), alone) || strings.HasPrefix(firstLine(reply), unsure)
	}
	q1 := h.fake.say(group, alice, "/ask "+first)
	answer1, text1 := h.fake.sentReplyTo(group, q1)
	if !strings.Contains(text1, "September 8") {
		t.Fatalf("answer to %q = %q", first, text1)
	}

	reply := h.fake.say(group, alice, followUp, replyTo(answer1, nil))
	if _, got := h.fake.sentReplyTo(group, reply); !strings.HasPrefix(firstLine(got), thanked) {
		t.Errorf("follow-up replying to the answer = %q; want %q…", firstLine(got), thanked)
	}
	// Bob replies to the same answer: the answer is the chat's.
	byBob := h.fake.say(group, bob, "/ask "+followUp, replyTo(answer1, nil))
	if _, got := h.fake.sentReplyTo(group, byBob); !strings.HasPrefix(firstLine(got), thanked) {
		t.Errorf("Bob's /ask replying to the answer = %q; want %q…", firstLine(got), thanked)
	}
	// Not a reply: a group has no implicit follow-ups.
	plain := h.fake.say(group, alice, "/ask "+followUp)
	if _, got := h.fake.sentReplyTo(group, plain); !notFollowedUp(got) {
		t.Errorf("/ask without a reply = %q; want %q… or %q…", firstLine(got), alone, unsure)
	}

	// A private chat: the next question follows the last one.
	p1 := h.fake.say(aliceChat, alice, first)
	h.fake.sentReplyTo(aliceChat, p1)
	p2 := h.fake.say(aliceChat, alice, followUp)
	if _, got := h.fake.sentReplyTo(aliceChat, p2); !strings.HasPrefix(firstLine(got), thanked) {
		t.Errorf("next question in a private chat = %q; want %q…", firstLine(got), thanked)
	}
	// Another user's private chat knows nothing of Alice's.
	b1 := h.fake.say(bobChat, bob, followUp)
	if _, got := h.fake.sentReplyTo(bobChat, b1); !notFollowedUp(got) {
		t.Errorf("Bob's first question = %q; want %q… or %q…", firstLine(got), alone, unsure)
	}
}
