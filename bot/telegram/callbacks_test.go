package telegram

import (
	"encoding/json"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/bot"
)

// withFeedback makes the bot collect feedback into file, on clock.
func withFeedback(t *testing.T, file string, clock *testkit.Clock) func(*setup, *fakeAPI) {
	return func(s *setup, _ *fakeAPI) {
		fb, err := bot.NewFeedback(bot.FeedbackOptions{File: file, Salt: []byte("telegram-test-salt-0123"), Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		s.botOpts.Feedback = fb
	}
}

func readRecords(t *testing.T, file string) []bot.FeedbackRecord {
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

// keyboard checks that msg carries 👍 and 👎 buttons and returns their data.
func keyboard(t *testing.T, msg fakeMessage) (up, down string) {
	t.Helper()
	if msg.Markup == nil || len(msg.Markup.InlineKeyboard) != 1 || len(msg.Markup.InlineKeyboard[0]) != 2 {
		t.Fatalf("message %q has no 👍/👎 keyboard: %+v", msg.Text, msg.Markup)
	}
	row := msg.Markup.InlineKeyboard[0]
	if row[0].Text != "👍" || row[1].Text != "👎" || row[0].CallbackData == nil || row[1].CallbackData == nil {
		t.Fatalf("keyboard %+v; want 👍 then 👎 with callback data", row)
	}
	return *row[0].CallbackData, *row[1].CallbackData
}

func TestAnswersCarryVoteButtonsAndVotesAreRecorded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "feedback.jsonl")
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, withFeedback(t, file, clock))
	f := h.fake

	help := f.say(aliceChat, alice, "/help")
	f.waitReply(aliceChat.ID, help)
	if m := f.lastSent(aliceChat.ID); m.Markup != nil {
		t.Errorf("/help's reply has buttons: %+v", m.Markup)
	}

	q := "who is the defence minister of laos?"
	id := f.say(group, alice, "/ask "+q)
	p := f.waitReply(group.ID, id)
	checkReplyShape(t, p, group, id)
	answer := f.lastSent(group.ID)
	up, down := keyboard(t, answer)

	// Alice says 👎, then changes her mind: the first vote stands.
	if got := f.waitAnswer(f.press(group, alice, answer.ID, down)); !strings.Contains(got, "👎") {
		t.Errorf("answer to alice's 👎 = %q; want thanks", got)
	}
	if got := f.waitAnswer(f.press(group, alice, answer.ID, up)); !strings.Contains(got, "already rated") {
		t.Errorf("answer to alice's second vote = %q; want 'already rated'", got)
	}
	// Bob rates the same answer.
	if got := f.waitAnswer(f.press(group, bob, answer.ID, up)); !strings.Contains(got, "👍") {
		t.Errorf("answer to bob's 👍 = %q; want thanks", got)
	}
	recs := readRecords(t, file)
	if len(recs) != 2 {
		t.Fatalf("%d records; want 2 (alice's 👎, bob's 👍): %+v", len(recs), recs)
	}
	if r := recs[0]; r.Verdict != bot.VerdictDown || r.Platform != bot.Telegram || r.Question != q || r.Doc == "" ||
		r.Sentence == "" || !strings.Contains(answer.Text, r.Sentence) || !r.Time.Equal(clock.Now()) {
		t.Errorf("alice's record = %+v", r)
	}
	if recs[1].Verdict != bot.VerdictUp || recs[0].User == recs[1].User {
		t.Errorf("bob's record = %+v", recs[1])
	}
	raw, _ := os.ReadFile(file)
	if strings.Contains(string(raw), "1001") || strings.Contains(string(raw), "1002") {
		t.Errorf("a raw user id reached the file:\n%s", raw)
	}
	// No vote sent a message: votes are answered with answerCallbackQuery.
	if n := len(f.sentTo(group.ID)); n != 1 {
		t.Errorf("%d messages in the group; want 1, the answer", n)
	}
}

func TestForgedAndExpiredVotesGetAPoliteNote(t *testing.T) {
	file := filepath.Join(t.TempDir(), "feedback.jsonl")
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, withFeedback(t, file, clock))
	f := h.fake
	id := f.say(aliceChat, alice, "who is the defence minister of laos?")
	f.waitReply(aliceChat.ID, id)
	answer := f.lastSent(aliceChat.ID)
	up, _ := keyboard(t, answer)

	for _, tc := range []struct{ name, data, want string }{
		{"garbage", "<b>&amp;", "couldn't read that button"},
		{"empty", "", "couldn't read that button"},
		{"unknown answer", bot.VoteData("AAAAAAAAAAAA", bot.VerdictUp), "no longer take votes"},
		{"overlong", strings.Repeat("v1:u:", 13), "couldn't read that button"},
	} {
		got := f.waitAnswer(f.press(aliceChat, alice, answer.ID, tc.data))
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: answer = %q; want %q", tc.name, got, tc.want)
		}
	}
	clock.Add(bot.DefaultFeedbackAge + time.Minute)
	if got := f.waitAnswer(f.press(aliceChat, alice, answer.ID, up)); !strings.Contains(got, "no longer take votes") {
		t.Errorf("vote on an expired answer: %q", got)
	}
	if recs := readRecords(t, file); len(recs) != 0 {
		t.Errorf("forged or expired votes were recorded: %+v", recs)
	}
	if n := len(f.sentTo(aliceChat.ID)); n != 1 {
		t.Errorf("%d messages sent; want only the answer", n)
	}
}

func TestUnwritableFeedbackFileKeepsTheBotAnswering(t *testing.T) {
	file := filepath.Join(t.TempDir(), "no", "such", "folder", "feedback.jsonl")
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, withFeedback(t, file, clock))
	f := h.fake
	id := f.say(aliceChat, alice, "who is the defence minister of laos?")
	f.waitReply(aliceChat.ID, id)
	_, down := keyboard(t, f.lastSent(aliceChat.ID))
	if got := f.waitAnswer(f.press(aliceChat, alice, f.lastSent(aliceChat.ID).ID, down)); !strings.Contains(got, "couldn't save your vote") {
		t.Errorf("answer to a vote that cannot be saved = %q", got)
	}
	next := f.say(aliceChat, alice, "when did the video call take place?")
	f.waitReply(aliceChat.ID, next)
	keyboard(t, f.lastSent(aliceChat.ID))
	if !strings.Contains(h.logs.String(), "vote not recorded") {
		t.Errorf("the failed write is not logged:\n%s", h.logs)
	}
}

func TestVoteKeyboardIsValidMarkup(t *testing.T) {
	kb := voteKeyboard("AAAAAAAAAAAA")
	m, err := checkMarkup(kb)
	if err != nil {
		t.Fatalf("checkMarkup(%s): %v", kb, err)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(kb), &back); err != nil || len(m.InlineKeyboard[0]) != 2 {
		t.Errorf("voteKeyboard = %s", kb)
	}
}

func TestPlainTextFallbackKeepsTheVoteButtons(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC))
	h := start(t, withFeedback(t, filepath.Join(t.TempDir(), "feedback.jsonl"), clock))
	h.fake.fail("sendMessage", errFault(400, `Bad Request: can't parse entities: Unsupported start tag "blockquote" at byte offset 250`))
	id := h.fake.say(aliceChat, alice, "Who is the Lao defence minister?")
	h.fake.waitReply(aliceChat.ID, id)
	calls := h.fake.callsOf("sendMessage")
	if len(calls) != 2 || calls[1].Params.Has("parse_mode") {
		t.Fatalf("sendMessage calls = %+v; want an HTML one refused, then plain text", calls)
	}
	if calls[1].Params.Get("reply_markup") != calls[0].Params.Get("reply_markup") {
		t.Errorf("the fallback changed the keyboard: %q then %q", calls[0].Params.Get("reply_markup"), calls[1].Params.Get("reply_markup"))
	}
	keyboard(t, h.fake.lastSent(aliceChat.ID))
}

func TestVotesThroughTheWebhook(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "feedback.jsonl")
	h := start(t, withFeedback(t, file, testkit.NewClock(time.Now())), func(s *setup, _ *fakeAPI) {
		s.opts.Webhook = &WebhookOptions{Listener: ln, URL: "https://bot.example/tg/hook", Secret: webhookSecret}
	})
	f := h.fake
	hook := "http://" + ln.Addr().String() + "/tg/hook"
	id, msg := f.compose(aliceChat, alice, "Who is the Lao defence minister?")
	if got := postUpdate(t, http.MethodPost, hook, webhookSecret, updateJSON(8001, "message", msg)); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	f.waitReply(aliceChat.ID, id)
	answer := f.lastSent(aliceChat.ID)
	up, _ := keyboard(t, answer)
	qid, body := f.composeQuery(aliceChat, alice, answer.ID, up)
	if got := postUpdate(t, http.MethodPost, hook, webhookSecret, updateJSON(8002, "callback_query", body)); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	if got := f.waitAnswer(qid); !strings.Contains(got, "👍") {
		t.Errorf("answer to a 👍 through the webhook = %q", got)
	}
	if recs := readRecords(t, file); len(recs) != 1 || recs[0].Verdict != bot.VerdictUp {
		t.Errorf("records = %+v; want one 👍", recs)
	}
}

// FuzzCallbackQuery feeds callback_query updates through the library's
// decoding and the adapter's routing: nothing panics, and a vote is read
// only from a query with an id and a sender, as that sender.
func FuzzCallbackQuery(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"callback_query":{"id":"9","from":{"id":1001,"is_bot":false,"first_name":"A"},"chat_instance":"c","data":"v1:u:AAAAAAAAAAAA"}}`,
		`{"update_id":1,"callback_query":{"id":"9","from":{"id":5},"message":{"message_id":2,"date":1,"chat":{"id":-100,"type":"supergroup"}},"data":"x"}}`,
		`{"update_id":1,"callback_query":{"id":"","data":"v1:d:AAAAAAAAAAAA"}}`,
		`{"update_id":1,"callback_query":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := decodeUpdate(raw)
		if err != nil || u.CallbackQuery == nil {
			return
		}
		chat, v, ok := routeCallback(u.CallbackQuery)
		if !ok {
			return
		}
		q := u.CallbackQuery
		if q.ID == "" || q.From == nil || v.Platform != bot.Telegram || v.UserID != strconv.FormatInt(q.From.ID, 10) || v.Data != q.Data {
			t.Errorf("routeCallback(%s) = %d, %+v", raw, chat, v)
		}
		if q.Message == nil && chat != q.From.ID {
			t.Errorf("chat %d for a query without a message; want the sender's %d", chat, q.From.ID)
		}
	})
}
