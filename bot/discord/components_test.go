package discord

import (
	"encoding/json"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// feedbackSetup is a setup whose bot collects feedback into file.
func feedbackSetup(t *testing.T, file string, clock *testkit.Clock) setup {
	fb, err := bot.NewFeedback(bot.FeedbackOptions{File: file, Salt: []byte("discord-test-salt-0123"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := setup{botOpts: botOptsWithModRole()}
	s.botOpts.Feedback = fb
	return s
}

func records(t *testing.T, file string) []bot.FeedbackRecord {
	t.Helper()
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := bot.ReadFeedback(f)
	if err != nil || len(bad) > 0 {
		t.Fatalf("ReadFeedback: %v %v", err, bad)
	}
	return recs
}

// buttons checks that a message body carries one action row with 👍 and
// 👎 buttons and returns their custom ids.
func buttons(t *testing.T, body any) (up, down string) {
	t.Helper()
	rows := list(get(body, "components"))
	if len(rows) != 1 || len(list(get(rows[0], "components"))) != 2 {
		t.Fatalf("components = %v; want one row of two buttons", get(body, "components"))
	}
	b := list(get(rows[0], "components"))
	if str(get(b[0], "emoji", "name")) != "👍" || str(get(b[1], "emoji", "name")) != "👎" {
		t.Fatalf("buttons = %v; want 👍 then 👎", b)
	}
	return str(get(b[0], "custom_id")), str(get(b[1], "custom_id"))
}

// press dispatches a press of the button customID on msg by u and returns
// the bot's response to it, which must be an ephemeral type 4.
func (h *harness) press(t *testing.T, customID string, msg map[string]any, u fakeUser, inGuild bool) string {
	t.Helper()
	in := h.f.buttonPress(customID, msg, u, inGuild)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	cb := h.callback(t, in)
	if typ, flags := num(get(cb.JSON, "type")), int(num(get(cb.JSON, "data", "flags"))); typ != 4 || flags&64 == 0 {
		t.Fatalf("response to a button press: type %v flags %d; want 4, ephemeral (64)", typ, flags)
	}
	noPings(t, get(cb.JSON, "data"), "vote")
	if len(list(get(cb.JSON, "data", "components"))) != 0 {
		t.Errorf("the vote's response has buttons: %s", cb.Body)
	}
	return str(get(cb.JSON, "data", "content")) + str(get(cb.JSON, "data", "embeds", "0", "description"))
}

// sent is the message object of an interaction response's data or of a
// channel message's body, as Discord would put it in a later interaction.
func (h *harness) sent(body any) map[string]any {
	return h.f.messageFrom(restCall{JSON: body}, "700000000000000001")
}

func TestAnswersCarryVoteButtonsAndVotesAreRecorded(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "feedback.jsonl")
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, feedbackSetup(t, file, clock))

	_, help := h.ask(t, "", alice) // a refusal of an empty question: no buttons
	if c := get(help.JSON, "data", "components"); len(list(c)) != 0 {
		t.Errorf("a refusal of an empty question has buttons: %v", c)
	}
	_, cb := h.ask(t, goodQuestion, alice)
	up, down := buttons(t, get(cb.JSON, "data"))
	msg := h.sent(get(cb.JSON, "data"))

	if got := h.press(t, down, msg, alice, true); !strings.Contains(got, "👎") {
		t.Errorf("response to alice's 👎 = %q; want thanks", got)
	}
	if got := h.press(t, up, msg, alice, true); !strings.Contains(got, "already rated") {
		t.Errorf("response to alice's second vote = %q; want 'already rated'", got)
	}
	if got := h.press(t, up, msg, mod, true); !strings.Contains(got, "👍") {
		t.Errorf("response to mo's 👍 = %q; want thanks", got)
	}
	recs := records(t, file)
	if len(recs) != 2 {
		t.Fatalf("%d records; want 2: %+v", len(recs), recs)
	}
	if r := recs[0]; r.Verdict != bot.VerdictDown || r.Platform != bot.Discord || r.Question != goodQuestion ||
		r.Doc == "" || r.Sentence == "" || strings.Contains(r.User, alice.ID) {
		t.Errorf("alice's record = %+v", r)
	}
	if recs[1].Verdict != bot.VerdictUp || recs[1].User == recs[0].User {
		t.Errorf("mo's record = %+v", recs[1])
	}

	// A DM's answer carries buttons too, and its votes count.
	dm := h.f.message(goodQuestion, alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", dm)
	r := h.replyTo(t, dm)
	up, _ = buttons(t, r.JSON)
	if got := h.press(t, up, h.sent(r.JSON), alice, false); !strings.Contains(got, "👍") {
		t.Errorf("response to a 👍 in a DM = %q", got)
	}
	if n := len(records(t, file)); n != 3 {
		t.Errorf("%d records; want 3", n)
	}
	everyMessagePingsNobody(t, h.f)
}

func TestDeferredAnswerIsEditedWithItsButtons(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	s := feedbackSetup(t, filepath.Join(t.TempDir(), "feedback.jsonl"), testkit.NewClock(time.Now()))
	s.askGate, s.ackAfter = gate, 10*time.Millisecond
	h := start(t, s)
	t.Cleanup(release)
	in := h.f.slashCommand("ask", []map[string]any{stringOpt("question", goodQuestion)}, alice, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if cb := h.callback(t, in); num(get(cb.JSON, "type")) != 5 {
		t.Fatalf("callback %s; want a deferral", cb.Body)
	}
	release()
	e := h.edit(t, in)
	buttons(t, e.JSON)
}

func TestForgedExpiredAndUnsavedVotesGetAPoliteNote(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "later")
	file := filepath.Join(dir, "feedback.jsonl")
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, feedbackSetup(t, file, clock))
	_, cb := h.ask(t, goodQuestion, alice)
	up, _ := buttons(t, get(cb.JSON, "data"))
	msg := h.sent(get(cb.JSON, "data"))

	// The folder is missing: the vote cannot be saved; the bot says so and
	// goes on answering.
	if got := h.press(t, up, msg, alice, true); !strings.Contains(got, "couldn't save your vote") {
		t.Errorf("vote into an unwritable file: %q", got)
	}
	h.logs.WaitFor(t, "vote not recorded", "no such file")
	if _, again := h.ask(t, goodQuestion, mod); len(list(get(again.JSON, "data", "embeds"))) != 1 {
		t.Errorf("the bot stopped answering: %s", again.Body)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, id, want string }{
		{"garbage", "<@&500000000000000009> @everyone", "couldn't read that button"},
		{"unknown answer", bot.VoteData("AAAAAAAAAAAA", bot.VerdictDown), "no longer take votes"},
		{"long", strings.Repeat("v", 100), "couldn't read that button"},
	} {
		if got := h.press(t, tc.id, msg, alice, true); !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.want)
		}
	}
	clock.Add(bot.DefaultFeedbackAge + time.Second)
	if got := h.press(t, up, msg, alice, true); !strings.Contains(got, "no longer take votes") {
		t.Errorf("vote on an expired answer: %q", got)
	}
	if recs := records(t, file); len(recs) != 0 {
		t.Errorf("bad votes were recorded: %+v", recs)
	}
}

func TestVoteButtonsFitDiscord(t *testing.T) {
	rep := bot.Reply{FeedbackID: "AAAAAAAAAAAA"}
	if voteButtons(bot.Reply{}) != nil {
		t.Error("a reply without a feedback id has buttons")
	}
	var body map[string]any
	raw := mustJSON(t, map[string]any{"components": voteButtons(rep)})
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	if err := checkComponents(body["components"]); err != nil {
		t.Errorf("voteButtons = %s: %v", raw, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzComponent feeds MESSAGE_COMPONENT payloads through discordgo's
// decoding and the adapter's reading: nothing panics, and a vote carries
// data only from a button, as the member or user who pressed it.
func FuzzComponent(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","type":3,"token":"t","data":{"custom_id":"v1:u:AAAAAAAAAAAA","component_type":2},"member":{"user":{"id":"2"}}}`,
		`{"id":"1","type":3,"token":"t","data":{"custom_id":"x","component_type":3,"values":["a"]},"user":{"id":"5"}}`,
		`{"id":"1","type":3,"token":"t","data":null}`,
		`{"type":3,"member":{"user":null},"user":{"id":"7"},"data":{"custom_id":"v1:d:AAAAAAAAAAAA","component_type":2}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e discordgo.InteractionCreate
		_ = json.Unmarshal(raw, &e)
		if e.Interaction == nil || e.Type != discordgo.InteractionMessageComponent {
			return
		}
		v := componentVote(e.Interaction)
		data, isButton := e.Data.(discordgo.MessageComponentInteractionData)
		isButton = isButton && data.ComponentType == discordgo.ButtonComponent
		if v.Platform != bot.Discord || (v.Data != "" && (!isButton || v.Data != data.CustomID)) {
			t.Errorf("componentVote(%s) = %+v", raw, v)
		}
		if m := e.Member; m != nil && m.User != nil && v.UserID != m.User.ID {
			t.Errorf("vote by %q; want the member %q", v.UserID, m.User.ID)
		}
	})
}
