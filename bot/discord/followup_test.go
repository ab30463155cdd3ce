package discord

import (
	"strings"
	"testing"
)

// description is the answer of a reply or response: its embed's
// description, or its content; for an answer that is citation [1]'s
// sentence ("See [1]"), or a hedged answer, that citation's field.
func description(body any) string {
	if d := str(get(body, "embeds", "0", "description")); d != "" {
		if strings.HasPrefix(d, `See \[1\]`) || strings.HasPrefix(d, "I'm not sure") {
			return strings.Trim(str(get(body, "embeds", "0", "fields", "0", "value")), "“”> ")
		}
		return d
	}
	return str(get(body, "content"))
}

// sentReply waits for the bot's reply to message m, and for the adapter to
// be done with it, and returns the message the bot created.
func (h *harness) sentReply(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	h.replyTo(t, m)
	h.logs.WaitFor(t, "discord: reply sent", "message="+str(m["id"]))
	var out map[string]any
	h.f.waitUntil(t, "the reply to "+str(m["id"])+" recorded", func() bool {
		for _, s := range h.f.sent {
			if str(get(s, "message_reference", "message_id")) == str(m["id"]) {
				out = clone(s)
				return true
			}
		}
		return false
	})
	return out
}

// TestFollowUpReplies asks, in a guild, a question that mentions the bot,
// then follow-ups as Discord message replies (message_reference and
// referenced_message, the bot's message, and the ping that mentions it):
// they answer from the first answer's article. A reply without the ping
// has no content for a bot without the MESSAGE_CONTENT intent, and is
// ignored. A reply to a slash
// command's response follows that up. The same words mentioning the bot
// without a reply answer from another article, and a reply to someone
// else's message is not for the bot. In a DM the next question follows the
// last without any reply.
func TestFollowUpReplies(t *testing.T) {
	h := start(t, setup{})
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
	check := func(what string, got map[string]any, want string) {
		t.Helper()
		if d := description(got); !strings.HasPrefix(d, want) {
			t.Errorf("%s = %q; want %q…", what, d, want)
		}
	}

	q1 := h.f.message(first, alice, true, true)
	h.f.dispatch(t, "MESSAGE_CREATE", q1)
	answer1 := h.sentReply(t, q1)
	if d := description(answer1); !strings.Contains(d, "September 8") {
		t.Fatalf("answer to %q = %q", first, d)
	}

	pinged := h.f.reply(followUp, alice, answer1, true)
	h.f.dispatch(t, "MESSAGE_CREATE", pinged)
	check("reply to the answer, pinging the bot", h.sentReply(t, pinged), thanked)

	byMo := h.f.reply(followUp, mod, answer1, true)
	h.f.dispatch(t, "MESSAGE_CREATE", byMo)
	check("Mo's reply to the answer", h.sentReply(t, byMo), thanked)

	// Without the ping, Discord sends the reply without its content: it
	// is left alone, not answered with "please ask a question".
	quiet := h.f.reply(followUp, alice, answer1, false)
	h.f.dispatch(t, "MESSAGE_CREATE", quiet)
	h.logs.WaitFor(t, "message ignored", str(quiet["id"]), "content not sent")

	mention := h.f.message(followUp, alice, true, true)
	h.f.dispatch(t, "MESSAGE_CREATE", mention)
	if d := description(h.sentReply(t, mention)); !strings.HasPrefix(d, alone) && !strings.HasPrefix(d, unsure) {
		t.Errorf("a mention without a reply = %q; want %q… or %q…", d, alone, unsure)
	}

	// A slash command's response, then a reply to it.
	in, _ := h.ask(t, first, alice)
	h.logs.WaitFor(t, "discord: interaction answered", "id="+str(in["id"]))
	var original map[string]any
	h.f.waitUntil(t, "the response to /ask", func() bool {
		fi := h.f.interactions[str(in["token"])]
		original = clone(fi.original)
		return original != nil
	})
	toSlash := h.f.reply(followUp, alice, original, true)
	h.f.dispatch(t, "MESSAGE_CREATE", toSlash)
	check("reply to an /ask response", h.sentReply(t, toSlash), thanked)

	// A reply to someone else's message is not for the bot.
	other := h.f.message("lunch?", mod, true, false)
	h.f.dispatch(t, "MESSAGE_CREATE", other)
	ignored := h.f.reply(followUp, alice, other, true)
	h.f.dispatch(t, "MESSAGE_CREATE", ignored)
	h.logs.WaitFor(t, "message ignored", str(ignored["id"]))

	// A DM: the next question follows the last one.
	d1 := h.f.message(first, alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", d1)
	h.sentReply(t, d1)
	d2 := h.f.message(followUp, alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", d2)
	check("next question in a DM", h.sentReply(t, d2), thanked)
	everyMessagePingsNobody(t, h.f)
}

// TestFollowUpThreads asks a question in a guild channel, then questions
// mentioning the bot in a thread started from the answer (Discord gives
// the thread the answer's id): the first follows the answer up, the next
// the thread's last answer. A thread not started from an answer has no
// context.
func TestFollowUpThreads(t *testing.T) {
	h := start(t, setup{})
	q1 := h.f.message("what did Lich and his Lao counterpart discuss by phone in September?", alice, true, true)
	h.f.dispatch(t, "MESSAGE_CREATE", q1)
	answer1 := h.sentReply(t, q1)

	inThread := func(thread, content string) map[string]any {
		m := h.f.message(content, alice, true, true)
		m["channel_id"] = thread
		return m
	}
	t1 := inThread(str(answer1["id"]), "and what did he thank them for?")
	h.f.dispatch(t, "MESSAGE_CREATE", t1)
	if d := description(h.sentReply(t, t1)); !strings.HasPrefix(d, "He thanked the Vietnamese Ministry of National Defence") {
		t.Errorf("first question in the answer's thread = %q; want Chansamone's thanks", d)
	}
	t2 := inThread(str(answer1["id"]), "and when was that?")
	h.f.dispatch(t, "MESSAGE_CREATE", t2)
	if d := description(h.sentReply(t, t2)); !strings.Contains(d, "September 8") {
		t.Errorf("second question in the answer's thread = %q; want September 8", d)
	}
	// A thread started from another message.
	other := inThread("1400000000000000001", "and when was that?")
	h.f.dispatch(t, "MESSAGE_CREATE", other)
	if d := description(h.sentReply(t, other)); strings.Contains(d, "September 8") {
		t.Errorf("question in a thread not started from an answer = %q; want no context", d)
	}
	everyMessagePingsNobody(t, h.f)
}
