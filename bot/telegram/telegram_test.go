package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"github.com/corpusbot/corpusbot/seeds"
)

// People and chats of the tests.
var (
	alice     = tgUser{ID: 1001, FirstName: "Alice", Username: "alice"}
	bob       = tgUser{ID: 1002, FirstName: "Bob"}
	moderator = tgUser{ID: 42, FirstName: "Mo", Username: "mod"}
	otherBot  = tgUser{ID: 555, IsBot: true, FirstName: "Other", Username: "OtherBot"}

	aliceChat = privateChat(alice)
	bobChat   = privateChat(bob)
	modChat   = privateChat(moderator)
	group     = tgChat{ID: -1001234567890, Type: "supergroup", Title: "Newsroom"}
)

func privateChat(u tgUser) tgChat {
	return tgChat{ID: u.ID, Type: "private", FirstName: u.FirstName}
}

// seedIndex is the index of the embedded articles, loaded once.
var seedIndex = sync.OnceValues(func() (*corpus.Index, error) {
	return corpus.Load(context.Background(), seeds.FS())
})

// A harness runs an Adapter against a fakeAPI.
type harness struct {
	t      *testing.T
	fake   *fakeAPI
	eng    *answer.Engine
	bot    *bot.Bot
	rel    *testkit.Reloader[bot.ReloadReport]
	logs   *testkit.Buffer
	a      *Adapter
	cancel context.CancelFunc
	done   chan error

	mu    sync.Mutex      // guards slept
	slept []time.Duration // every wait the adapter asked for
}

type setup struct {
	opts    Options
	botOpts bot.Options
	noRun   bool          // build the adapter but do not start it
	index   *corpus.Index // the articles, when not the seeds
}

// start builds a bot over the seed articles and runs an Adapter serving it
// against a fresh fakeAPI. The cleanup stops the adapter, checks that Run
// returned nil, and that the token never reached the log.
func start(t *testing.T, edit ...func(*setup, *fakeAPI)) *harness {
	t.Helper()
	ix, err := seedIndex()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, fake: newFakeAPI(t), rel: &testkit.Reloader[bot.ReloadReport]{Report: bot.ReloadReport{Articles: 5, Sentences: 123}}, logs: &testkit.Buffer{}, done: make(chan error, 1)}
	h.eng = answer.New(ix, answer.Options{})
	s := setup{
		opts: Options{
			Token: testToken, APIURL: h.fake.URL(), MaxConcurrent: 8,
			MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		},
		botOpts: bot.Options{Moderators: bot.Moderators{TelegramUserIDs: []int64{moderator.ID}}},
	}
	for _, e := range edit {
		e(&s, h.fake)
	}
	if s.index != nil {
		h.eng.Swap(s.index)
	}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.bot = bot.New(s.botOpts, h.eng, h.rel, h.eng.Sources, log)
	h.a, err = New(s.opts, h.bot, log)
	if err != nil {
		t.Fatal(err)
	}
	h.a.sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.slept = append(h.slept, d)
		h.mu.Unlock()
		return sleep(ctx, d)
	}
	t.Cleanup(func() { assertNoToken(t, h.logs.String()) })
	if s.noRun {
		return h
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := waitChan(t, "Run to return", h.done); err != nil {
			t.Errorf("Run returned %v after the context ended; want nil", err)
		}
	})
	return h
}

// assertNoToken fails if text holds the token or its secret half.
func assertNoToken(t *testing.T, text string) {
	t.Helper()
	_, secret, _ := strings.Cut(testToken, ":")
	for _, leak := range []string{testToken, url.PathEscape(testToken), secret} {
		if strings.Contains(text, leak) {
			t.Errorf("the token leaked: %q found in:\n%s", leak, text)
		}
	}
}

// stop ends Run and waits for it, so that every call is recorded.
func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	if err := waitChan(h.t, "Run to return", h.done); err != nil {
		h.t.Errorf("Run = %v; want nil", err)
	}
	h.done <- nil // for the cleanup
}

// expected renders what the bot replies to req, computed without the adapter.
func (h *harness) expected(req bot.Request) string {
	return bot.RenderTelegram(h.bot.Handle(context.Background(), req))
}

func request(from tgUser, chat tgChat, command, text string) bot.Request {
	return bot.Request{Platform: bot.Telegram, UserID: strconv.FormatInt(from.ID, 10),
		ChatID: strconv.FormatInt(chat.ID, 10), Direct: chat.Type == "private", Command: command, Text: text}
}

// checkReplyShape checks what every reply carries besides its text.
func checkReplyShape(t *testing.T, p url.Values, chat tgChat, replyTo int) {
	t.Helper()
	want := map[string]string{
		"chat_id":                     strconv.FormatInt(chat.ID, 10),
		"reply_to_message_id":         strconv.Itoa(replyTo),
		"allow_sending_without_reply": "true",
		"disable_web_page_preview":    "true",
		"parse_mode":                  "HTML",
	}
	for k, v := range want {
		if got := p.Get(k); got != v {
			t.Errorf("sendMessage %s = %q; want %q", k, got, v)
		}
	}
}

func TestStartupCallsAndOffsets(t *testing.T) {
	h := start(t)
	id := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, id)
	// The next poll acknowledges the update just handled.
	var updateID int
	h.fake.mu.Lock()
	updateID = h.fake.nextID - 1
	h.fake.mu.Unlock()
	h.fake.waitFor("a getUpdates acknowledging the update", func() bool {
		for _, c := range h.fake.calls {
			if c.Method == "getUpdates" && c.Params.Get("offset") == strconv.Itoa(updateID+1) {
				return true
			}
		}
		return false
	})
	h.stop()

	calls := h.fake.callsOf("")
	var order []string
	for _, c := range calls[:4] {
		order = append(order, c.Method)
	}
	if got, want := strings.Join(order, " "), "getMe deleteWebhook setMyCommands getUpdates"; got != want {
		t.Errorf("first calls = %s; want %s", got, want)
	}
	var cmds []struct{ Command, Description string }
	if err := json.Unmarshal([]byte(h.fake.callsOf("setMyCommands")[0].Params.Get("commands")), &cmds); err != nil {
		t.Fatal(err)
	}
	table := bot.Commands()
	if len(cmds) != len(table) {
		t.Fatalf("setMyCommands sent %d commands; want %d", len(cmds), len(table))
	}
	for i, c := range table {
		if cmds[i].Command != c.Name || cmds[i].Description != c.Description {
			t.Errorf("command %d = %+v; want %s %q", i, cmds[i], c.Name, c.Description)
		}
	}
	first := h.fake.callsOf("getUpdates")[0].Params
	if first.Get("timeout") != "30" || first.Get("allowed_updates") != `["message","callback_query"]` || first.Get("offset") != "" {
		t.Errorf("first getUpdates params = %v; want timeout 30, allowed_updates [\"message\",\"callback_query\"], no offset", first)
	}
}

func TestPrivateChatCommandsAndQuestions(t *testing.T) {
	h := start(t)
	tests := []struct {
		name, text        string
		command, argument string // the request the bot should see
		contains          string
	}{
		{"start", "/start", "start", "", "/ask"},
		{"help", "/help", "help", "", "/reload"},
		{"sources", "/sources", "sources", "", "articles"},
		{"ask", "/ask who is the Lao defence minister?", "ask", "who is the Lao defence minister?", "<blockquote>"},
		{"ask addressed to the bot", "/ask@ThisBot who is the Lao defence minister?", "ask", "who is the Lao defence minister?", "<blockquote>"},
		{"upper-case command", "/HELP", "help", "", "/sources"},
		{"plain question", "When did the border defence friendship exchange take place?", "ask", "When did the border defence friendship exchange take place?", "<blockquote>"},
		{"empty ask", "/ask", "ask", "", "Please ask a question"},
		{"unknown command", "/frobnicate now", "frobnicate", "now", "I don't know the command /frobnicate"},
		{"hand-made update without entities", "/sources", "sources", "", "articles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []sendOpt
			if strings.HasPrefix(tt.name, "hand-made") {
				opts = append(opts, noEntities())
			}
			id := h.fake.say(aliceChat, alice, tt.text, opts...)
			got := h.fake.waitReply(aliceChat.ID, id)
			checkReplyShape(t, got, aliceChat, id)
			want := h.expected(request(alice, aliceChat, tt.command, tt.argument))
			if got.Get("text") != want {
				t.Errorf("reply to %q = %q; want %q", tt.text, got.Get("text"), want)
			}
			if !strings.Contains(got.Get("text"), tt.contains) {
				t.Errorf("reply to %q = %q; want it to contain %q", tt.text, got.Get("text"), tt.contains)
			}
		})
	}
}

func TestReplyLandsOnTheAskingMessageWithACitation(t *testing.T) {
	h := start(t)
	// Two questions in a row: each reply must go to its own message.
	q1 := "Who is the Lao defence minister?"
	q2 := "When did the first border defence friendship exchange take place?"
	id1 := h.fake.say(aliceChat, alice, q1)
	id2 := h.fake.say(aliceChat, alice, q2)
	for _, q := range []struct {
		id   int
		text string
	}{{id1, q1}, {id2, q2}} {
		got := h.fake.waitReply(aliceChat.ID, q.id)
		checkReplyShape(t, got, aliceChat, q.id)
		res, err := h.eng.Ask(context.Background(), q.text, answer.AskOptions{Top: 3})
		if err != nil || !res.Answered || len(res.Citations) == 0 {
			t.Fatalf("the engine does not answer %q; pick another question", q.text)
		}
		if want := bot.RenderTelegram(bot.Reply{Answer: &res}); got.Get("text") != want {
			t.Errorf("reply to %q = %q; want %q", q.text, got.Get("text"), want)
		}
		quote := "<blockquote>" + htmlEscape(res.Citations[0].Sentence) + "</blockquote>"
		if !strings.Contains(got.Get("text"), "<i>"+htmlEscape(res.Citations[0].Title)+"</i>") || !strings.Contains(got.Get("text"), quote) {
			t.Errorf("reply to %q lacks the numbered citation %q: %q", q.text, quote, got.Get("text"))
		}
	}
}

func TestGroupAnswersCommandsAndRepliesOnly(t *testing.T) {
	h := start(t)
	question := "Who is the Lao defence minister?"
	answered := map[int]string{} // message id → the question the bot should answer
	ignored := map[int]string{}

	ignored[h.fake.say(group, alice, "Did anyone read the paper today?")] = "chatter"
	ignored[h.fake.say(group, alice, "@ThisBot "+question)] = "a bare mention"
	ignored[h.fake.say(group, bob, "/ask@OtherBot "+question)] = "a command for another bot"
	ignored[h.fake.say(group, bob, "/weather")] = "another bot's bare command"
	ignored[h.fake.say(group, otherBot, "/ask "+question)] = "a command from a bot"
	ignored[h.fake.say(group, alice, "I agree", replyTo(7, &bob))] = "a reply to someone else"
	answered[h.fake.say(group, alice, "/ask@ThisBot "+question)] = question
	answered[h.fake.say(group, bob, "/ask@thisbot "+question)] = question
	answered[h.fake.say(group, bob, "/ask "+question)] = question
	answered[h.fake.say(group, alice, question, replyTo(1, nil))] = question
	unknown := h.fake.say(group, alice, "/frobnicate@ThisBot")
	sentinel := h.fake.say(group, bob, "/help")

	got := h.fake.waitReply(group.ID, sentinel)
	checkReplyShape(t, got, group, sentinel)
	if strings.Contains(got.Get("text"), "just type your question") {
		t.Errorf("/help in a group says questions can be typed: %q", got.Get("text"))
	}
	// Replies in a chat keep their order: everything before the sentinel is done.
	sent := map[string]url.Values{}
	for _, p := range h.fake.sentTo(group.ID) {
		sent[p.Get("reply_to_message_id")] = p
	}
	for id, why := range ignored {
		if p, ok := sent[strconv.Itoa(id)]; ok {
			t.Errorf("the bot answered %s (message %d): %q", why, id, p.Get("text"))
		}
	}
	want := h.expected(request(alice, group, "ask", question))
	for id := range answered {
		p, ok := sent[strconv.Itoa(id)]
		if !ok {
			t.Errorf("message %d got no reply", id)
			continue
		}
		checkReplyShape(t, p, group, id)
		if p.Get("text") != want {
			t.Errorf("reply to message %d = %q; want %q", id, p.Get("text"), want)
		}
	}
	if p := sent[strconv.Itoa(unknown)]; !strings.Contains(p.Get("text"), "I don't know the command /frobnicate") {
		t.Errorf("reply to an unknown command addressed to the bot = %q; want a polite refusal", p.Get("text"))
	}
	if n := len(sent); n != len(answered)+2 {
		t.Errorf("the bot sent %d replies in the group; want %d", n, len(answered)+2)
	}
}

func TestReloadIsForModeratorsOnly(t *testing.T) {
	h := start(t)
	refused := h.fake.say(bobChat, bob, "/reload")
	got := h.fake.waitReply(bobChat.ID, refused)
	if !strings.Contains(got.Get("text"), "only moderators") {
		t.Errorf("a non-moderator's /reload got %q; want a refusal", got.Get("text"))
	}
	if n := h.rel.Calls(); n != 0 {
		t.Fatalf("a non-moderator's /reload reloaded %d times", n)
	}
	groupRefused := h.fake.say(group, alice, "/reload@ThisBot")
	got = h.fake.waitReply(group.ID, groupRefused)
	if !strings.Contains(got.Get("text"), "only moderators") || h.rel.Calls() != 0 {
		t.Errorf("a non-moderator's /reload in a group got %q, %d reloads; want a refusal and none", got.Get("text"), h.rel.Calls())
	}

	ok := h.fake.say(modChat, moderator, "/reload")
	got = h.fake.waitReply(modChat.ID, ok)
	checkReplyShape(t, got, modChat, ok)
	if n := h.rel.Calls(); n != 1 {
		t.Errorf("a moderator's /reload reloaded %d times; want 1", n)
	}
	if want := htmlEscape((bot.ReloadReport{Articles: 5, Sentences: 123}).String()); got.Get("text") != want {
		t.Errorf("a moderator's /reload got %q; want %q", got.Get("text"), want)
	}
	inGroup := h.fake.say(group, moderator, "/reload")
	h.fake.waitReply(group.ID, inGroup)
	if n := h.rel.Calls(); n != 2 {
		t.Errorf("a moderator's /reload in a group: %d reloads in all; want 2", n)
	}
}

func TestFloodControlWaitsRetryAfter(t *testing.T) {
	h := start(t)
	h.fake.fail("sendMessage", floodFault(1))
	id := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, id)

	calls := h.fake.callsOf("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("sendMessage calls = %+v; want a 429 then a success", calls)
	}
	if calls[0].Params.Encode() != calls[1].Params.Encode() {
		t.Errorf("the resend differs: %v then %v", calls[0].Params, calls[1].Params)
	}
	h.mu.Lock()
	slept := append([]time.Duration(nil), h.slept...)
	h.mu.Unlock()
	if len(slept) != 1 || slept[0] != time.Second {
		t.Errorf("the adapter waited %v; want [1s], the retry_after", slept)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("the resend came %v after the 429; want at least retry_after (1s)", gap)
	}
}

func TestRejectedHTMLFallsBackToPlainText(t *testing.T) {
	h := start(t)
	h.fake.fail("sendMessage", errFault(400, `Bad Request: can't parse entities: Unsupported start tag "blockquote" at byte offset 250`))
	q := "Who is the Lao defence minister?"
	id := h.fake.say(aliceChat, alice, q)
	h.fake.waitReply(aliceChat.ID, id)

	calls := h.fake.callsOf("sendMessage")
	if len(calls) != 2 || calls[0].Status != 400 || calls[1].Status != 200 {
		t.Fatalf("sendMessage calls = %+v; want a 400 then a success", calls)
	}
	if calls[0].Params.Get("parse_mode") != "HTML" {
		t.Errorf("the first send had parse_mode %q; want HTML", calls[0].Params.Get("parse_mode"))
	}
	plain := calls[1].Params
	if plain.Has("parse_mode") {
		t.Errorf("the fallback kept parse_mode %q", plain.Get("parse_mode"))
	}
	res, err := h.eng.Ask(context.Background(), q, answer.AskOptions{Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := bot.RenderText(bot.Reply{Answer: &res}); plain.Get("text") != want {
		t.Errorf("fallback text = %q; want %q", plain.Get("text"), want)
	}
	if plain.Get("reply_to_message_id") != strconv.Itoa(id) || plain.Get("disable_web_page_preview") != "true" {
		t.Errorf("the fallback lost the reply or the preview setting: %v", plain)
	}
}

func TestSendRetriesNetworkErrors(t *testing.T) {
	h := start(t, func(s *setup, _ *fakeAPI) { s.opts.SendRetries = 2 })

	// One dropped connection: resent, delivered once.
	h.fake.fail("sendMessage", dropFault())
	id := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, id)
	if n := len(h.fake.sentTo(aliceChat.ID)); n != 1 {
		t.Errorf("%d replies delivered after a dropped connection; want 1", n)
	}

	// Failing for good: 1 + SendRetries attempts, then the error is logged
	// and the next message is still answered.
	h.fake.fail("sendMessage", dropFault(), errFault(502, "Bad Gateway"), dropFault())
	lost := h.fake.say(bobChat, bob, "/help")
	next := h.fake.say(bobChat, bob, "/sources")
	h.fake.waitReply(bobChat.ID, next)
	attempts := 0
	for _, c := range h.fake.callsOf("sendMessage") {
		if c.Params.Get("reply_to_message_id") == strconv.Itoa(lost) && c.Params.Get("chat_id") == strconv.FormatInt(bobChat.ID, 10) {
			attempts++
		}
	}
	if attempts != 3 {
		t.Errorf("a failing send was attempted %d times; want 3 (1 + 2 retries)", attempts)
	}
	if !strings.Contains(h.logs.String(), "reply not delivered") {
		t.Errorf("the lost reply was not logged:\n%s", h.logs.String())
	}
}

func TestPollingSurvivesDroppedConnections(t *testing.T) {
	h := start(t)
	h.fake.waitFor("the first poll", func() bool {
		return len(h.fake.calls) > 0 && h.fake.calls[len(h.fake.calls)-1].Method == "getUpdates"
	})
	// The poll now waiting will be answered; the next four fail: two
	// dropped connections, a 502 and a 429 whose retry_after is waited out.
	h.fake.fail("getUpdates", dropFault(), errFault(502, "Bad Gateway"), floodFault(1), dropFault())
	id := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, id)
	later := h.fake.say(aliceChat, alice, "/sources")
	h.fake.waitReply(aliceChat.ID, later)

	failed := 0
	for _, c := range h.fake.callsOf("getUpdates") {
		if c.Status != 200 {
			failed++
		}
	}
	if failed != 4 {
		t.Errorf("%d failed polls; want 4", failed)
	}
	h.mu.Lock()
	slept := slices.Clone(h.slept)
	h.mu.Unlock()
	if !slices.Contains(slept, time.Second) {
		t.Errorf("the adapter waited %v between polls; want the 429's retry_after (1s) among them", slept)
	}
	for _, d := range slept {
		if d != time.Second && d > 10*time.Millisecond {
			t.Errorf("a backoff of %v; want at most MaxBackoff (10ms)", d)
		}
	}
	if n := len(h.fake.sentTo(aliceChat.ID)); n != 2 {
		t.Errorf("%d replies after the failures; want 2, one per message", n)
	}
	if !strings.Contains(h.logs.String(), "getUpdates failed") {
		t.Errorf("the failed polls were not logged:\n%s", h.logs.String())
	}
}

func TestBurstIsAnsweredExactlyOnce(t *testing.T) {
	const users, perUser = 50, 20
	h := start(t)
	questions := []string{"/help", "Who is the Lao defence minister?", "/sources",
		"When did the first border defence friendship exchange take place?", "/ask what did the ministers agree?"}
	type key struct {
		chat int64
		id   int
	}
	asked := map[key]string{}
	// Queue the whole burst before the bot sees any of it: interleave users
	// as a busy Telegram would.
	h.fake.mu.Lock()
	for i := range users * perUser {
		u := tgUser{ID: int64(5000 + i%users), FirstName: "User" + strconv.Itoa(i%users)}
		c := privateChat(u)
		text := questions[i%len(questions)]
		m := h.fake.newMessageLocked(c, u)
		m.Text, m.Entities = text, commandEntities(text)
		body, _ := json.Marshal(m)
		h.fake.pushLocked("message", body)
		asked[key{c.ID, m.MessageID}] = text
	}
	h.fake.mu.Unlock()

	h.fake.waitFor("1,000 replies", func() bool {
		n := 0
		for _, c := range h.fake.calls {
			if c.Method == "sendMessage" && c.Status == 200 {
				n++
			}
		}
		return n >= users*perUser
	})
	h.stop() // every worker is done: nothing more can be sent

	replies := map[key]int{}
	last := map[int64]int{}
	for _, c := range h.fake.callsOf("sendMessage") {
		chat, _ := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
		id, _ := strconv.Atoi(c.Params.Get("reply_to_message_id"))
		k := key{chat, id}
		if _, ok := asked[k]; !ok {
			t.Errorf("a reply to a message never sent: %v", c.Params)
			continue
		}
		replies[k]++
		if id < last[chat] {
			t.Errorf("chat %d: reply to message %d came after the reply to %d", chat, id, last[chat])
		}
		last[chat] = id
	}
	for k, text := range asked {
		if n := replies[k]; n != 1 {
			t.Errorf("message %d in chat %d (%q) answered %d times; want once", k.id, k.chat, text, n)
		}
	}
	if len(replies) != users*perUser {
		t.Errorf("%d messages answered; want %d", len(replies), users*perUser)
	}
	h.fake.mu.Lock()
	maxSend := h.fake.maxSend
	h.fake.mu.Unlock()
	if maxSend > 8 {
		t.Errorf("%d sendMessage calls at once; want at most MaxConcurrent (8)", maxSend)
	}
	t.Logf("1,000 updates from 50 users: 1,000 replies, at most %d sends at once", maxSend)
}

func TestSlowChatDoesNotHoldUpOthers(t *testing.T) {
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	h := start(t, func(s *setup, f *fakeAPI) {
		f.sendHook = func(p url.Values) {
			if p.Get("chat_id") == strconv.FormatInt(aliceChat.ID, 10) {
				blocked <- struct{}{}
				<-release
			}
		}
	})
	slow := h.fake.say(aliceChat, alice, "/help")
	waitChan(t, "alice's reply to reach the server", blocked)
	fast := h.fake.say(bobChat, bob, "/help")
	h.fake.waitReply(bobChat.ID, fast)
	close(release)
	h.fake.waitReply(aliceChat.ID, slow)
}

func TestHostileInputGetsAPoliteEscapedReply(t *testing.T) {
	h := start(t)
	long := strings.Repeat("why ", 2500) // 10,000 characters
	tests := []struct {
		name, text string
		want       string // a phrase of the reply; alternatives separated by |
	}{
		{"10,000 characters", long, "too long"},
		{"10,000 characters after /ask", "/ask " + long, "too long"},
		{"markup and ampersands", "<b>Zorblax</b> & Qwerty &amp; <script>alert(1)</script>?", "Zorblax"},
		{"only markup", "<b></b> & <i>", "corpus|in words"}, // refused, as markup or as no words
		{"an unknown command with markup", "/x_y <b>&amp;", "I don't know the command /x_y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := h.fake.say(aliceChat, alice, tt.text)
			p := h.fake.waitReply(aliceChat.ID, id)
			checkReplyShape(t, p, aliceChat, id) // accepted as HTML, not by the plain-text fallback
			got := p.Get("text")
			if !slices.ContainsFunc(strings.Split(tt.want, "|"), func(w string) bool { return strings.Contains(got, w) }) {
				t.Errorf("reply to %.40q = %q; want it to contain %q", tt.text, got, tt.want)
			}
			checkEscaped(t, got)
		})
	}

	t.Run("invalid UTF-8", func(t *testing.T) {
		// Raw invalid bytes inside the JSON string, as a broken client might send.
		f := h.fake
		f.mu.Lock()
		m := f.newMessageLocked(aliceChat, alice)
		f.mu.Unlock()
		body := []byte(`{"message_id":` + strconv.Itoa(m.MessageID) + `,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},` +
			`"chat":{"id":1001,"type":"private"},"date":1700000000,"text":"who ` + "\xff\xfe<b>\xc3" + ` is & the Lao defence minister?"}`)
		f.pushRaw("message", body)
		p := f.waitReply(aliceChat.ID, m.MessageID)
		checkReplyShape(t, p, aliceChat, m.MessageID)
		got := p.Get("text")
		if !strings.Contains(got, "Lao") && !strings.Contains(got, "corpus") {
			t.Errorf("reply to invalid UTF-8 = %q; want an answer or a polite refusal", got)
		}
		checkEscaped(t, got)
	})
}

// checkEscaped checks that a reply's only tags are the renderer's and
// every '&' opens an entity: no text of the user's reaches it as markup.
func checkEscaped(t *testing.T, text string) {
	t.Helper()
	stripped := text
	for _, tag := range []string{"<b>", "</b>", "<i>", "</i>", "<blockquote>", "</blockquote>"} {
		stripped = strings.ReplaceAll(stripped, tag, "")
	}
	if strings.ContainsAny(stripped, "<>") {
		t.Errorf("reply holds markup the renderer did not write: %q", text)
	}
	if _, err := parseTelegramHTML(text); err != nil {
		t.Errorf("reply is not Telegram HTML (%v): %q", err, text)
	}
}

func TestIgnoredUpdatesAreSkippedWithoutError(t *testing.T) {
	h := start(t, func(s *setup, f *fakeAPI) { f.anyKind = true })
	f := h.fake
	edited := f.sayKind("edited_message", aliceChat, &alice, func(m *tgMessage) { m.Text = "/help" })
	sticker := f.sayKind("message", aliceChat, &alice, func(m *tgMessage) { m.Sticker = map[string]any{"file_id": "x", "width": 1, "height": 1} })
	photo := f.sayKind("message", aliceChat, &alice, func(m *tgMessage) {
		m.Photo = []map[string]any{{"file_id": "p", "width": 1, "height": 1}}
		m.Caption = "/ask who?"
	})
	channel := tgChat{ID: -1009, Type: "channel", Title: "Feed"}
	f.sayKind("channel_post", channel, nil, func(m *tgMessage) { m.Text = "/help" })
	f.pushRaw("callback_query", []byte(`{"id":"1","from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat_instance":"c","data":"x"}`))
	f.pushRaw("inline_query", []byte(`{"id":"2","from":{"id":1001,"is_bot":false,"first_name":"Alice"},"query":"who","offset":""}`))
	f.pushRaw("my_chat_member", []byte(`{"chat":{"id":-1,"type":"group"},"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"date":1,`+
		`"old_chat_member":{"status":"left","user":{"id":987654321,"is_bot":true,"first_name":"Corpus"}},`+
		`"new_chat_member":{"status":"member","user":{"id":987654321,"is_bot":true,"first_name":"Corpus"}}}`))
	sentinel := f.say(aliceChat, alice, "/help")
	f.waitReply(aliceChat.ID, sentinel)

	for _, p := range f.sentTo(aliceChat.ID) {
		if id := p.Get("reply_to_message_id"); id == strconv.Itoa(edited) || id == strconv.Itoa(sticker) || id == strconv.Itoa(photo) {
			t.Errorf("the bot answered an update it should ignore: %v", p)
		}
	}
	if n := len(f.callsOf("sendMessage")); n != 1 {
		t.Errorf("%d messages sent; want 1, for the sentinel", n)
	}
	if strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("ignoring updates logged an error:\n%s", h.logs.String())
	}
}

func TestRateLimitedUsersAreToldOnceThenIgnored(t *testing.T) {
	h := start(t, func(s *setup, _ *fakeAPI) {
		s.botOpts.RateLimit = bot.RateLimit{PerMinute: 1, Burst: 1}
	})
	q := "/ask Who is the Lao defence minister?"
	first := h.fake.say(group, bob, q)
	told := h.fake.say(group, bob, q)
	silent := h.fake.say(group, bob, q)
	sentinel := h.fake.say(group, moderator, "/help") // moderators are exempt
	h.fake.waitReply(group.ID, sentinel)

	sent := map[string]string{}
	for _, p := range h.fake.sentTo(group.ID) {
		sent[p.Get("reply_to_message_id")] = p.Get("text")
	}
	if !strings.Contains(sent[strconv.Itoa(first)], "<blockquote>") {
		t.Errorf("first question got %q; want an answer", sent[strconv.Itoa(first)])
	}
	if !strings.Contains(sent[strconv.Itoa(told)], "slow down") {
		t.Errorf("second question got %q; want to be told to slow down", sent[strconv.Itoa(told)])
	}
	if text, ok := sent[strconv.Itoa(silent)]; ok {
		t.Errorf("third question got %q; want silence", text)
	}
}

func TestBadTokenStopsRunWithAClearError(t *testing.T) {
	h := start(t, func(s *setup, f *fakeAPI) {
		f.token = "1:another-token"
		s.noRun = true
	})
	err := h.a.Run(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Run with a rejected token = %v; want ErrUnauthorized", err)
	}
	assertNoToken(t, err.Error())
	// Each layer names itself once.
	if want := "telegram: the bot token was rejected; check telegram.token (or TELEGRAM_TOKEN) (getMe: 401 Unauthorized)"; err.Error() != want {
		t.Errorf("Run with a rejected token = %q; want %q", err, want)
	}
	if h.a.Connected() {
		t.Error("Connected() = true with a rejected token")
	}
	if n := len(h.fake.callsOf("")); n != 1 {
		t.Errorf("%d calls after the token was rejected; want 1 (getMe)", n)
	}
}

func TestRunWaitsOutAnUnreachableAPIUntilTheContextEnds(t *testing.T) {
	h := start(t, func(s *setup, f *fakeAPI) { s.noRun = true })
	h.fake.fail("getMe", dropFault(), errFault(502, "Bad Gateway"), errFault(500, "Internal Server Error"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.a.Run(ctx) }()
	h.fake.waitFor("a poll after getMe failed three times", func() bool {
		for _, c := range h.fake.calls {
			if c.Method == "getUpdates" {
				return true
			}
		}
		return false
	})
	cancel()
	if err := waitChan(t, "Run to return", done); err != nil {
		t.Errorf("Run = %v after the context ended; want nil", err)
	}
	if n := len(h.fake.callsOf("getMe")); n != 4 {
		t.Errorf("getMe called %d times; want 4 (3 failures, then success)", n)
	}
}

// TestConnectionStateAndFailedAttempts: Connected() is false until getMe
// has answered, false while polls fail, true again as soon as one succeeds,
// and false once Run returns; each failed attempt is a WARN line with the
// error and the wait before the next.
func TestConnectionStateAndFailedAttempts(t *testing.T) {
	h := start(t, func(s *setup, f *fakeAPI) { s.noRun = true })
	type wait struct {
		d  time.Duration
		up bool // Connected() during the wait
	}
	waits := make(chan wait, 10)
	h.a.sleep = func(ctx context.Context, d time.Duration) error {
		waits <- wait{d, h.a.Connected()}
		return ctx.Err() // no wait: the test goes on at once
	}
	h.fake.fail("getMe", dropFault(), errFault(502, "Bad Gateway"))
	if h.a.Connected() {
		t.Fatal("Connected() = true before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.a.Run(ctx) }()
	for range 2 {
		if w := waitChan(t, "a wait after a failed getMe", waits); w.up || w.d <= 0 || w.d > 10*time.Millisecond {
			t.Errorf("after a failed getMe: wait %v, connected %v; want 1–10ms, not connected", w.d, w.up)
		}
	}
	h.fake.waitFor("the first poll", func() bool {
		return slices.ContainsFunc(h.fake.calls, func(c fakeCall) bool { return c.Method == "getUpdates" })
	})
	if !h.a.Connected() {
		t.Error("Connected() = false once getMe has answered and the bot polls")
	}

	// The poll now waiting is answered with a message; the next is dropped.
	h.fake.fail("getUpdates", dropFault())
	h.fake.waitReply(aliceChat.ID, h.fake.say(aliceChat, alice, "/help"))
	if w := waitChan(t, "a wait after a failed poll", waits); w.up {
		t.Error("Connected() = true after a failed poll")
	}
	next := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, next)
	if !h.a.Connected() {
		t.Error("Connected() = false after a poll succeeded again")
	}
	polls := h.fake.callsOf("getUpdates")
	for i, c := range polls[1:] {
		if to := c.Params.Get("timeout"); polls[i].Status == 0 && to != "" && to != "0" {
			t.Errorf("the poll after a failed one has timeout %s; want 0 (or none), to see at once that the API is back", to)
		}
	}
	cancel()
	if err := waitChan(t, "Run to return", done); err != nil {
		t.Errorf("Run = %v; want nil", err)
	}
	if h.a.Connected() {
		t.Error("Connected() = true after Run returned")
	}
	logs := h.logs.String()
	for _, want := range []string{
		`level=WARN msg="Bot API unreachable at startup; retrying" adapter=telegram method=getMe retry_in_s=0.0`,
		`err="getMe: 502 Bad Gateway"`,
		`level=WARN msg="getUpdates failed; retrying" adapter=telegram retry_in_s=0.0`,
		`msg="Bot API reachable" adapter=telegram mode=polling`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
}

func TestBackoffIsCappedAtAMinute(t *testing.T) {
	a, err := New(Options{Token: testToken, MinBackoff: 2 * time.Hour, MaxBackoff: time.Hour}, bot.New(bot.Options{}, nil, nil, nil, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	bo := a.backoff()
	for i := range 20 {
		if d := bo.next(); d < 30*time.Second || d > time.Minute {
			t.Errorf("wait %d = %v; want 30s–1m", i, d)
		}
	}
	a, _ = New(Options{Token: testToken}, bot.New(bot.Options{}, nil, nil, nil, nil), nil)
	bo = a.backoff()
	var waits []time.Duration
	for range 10 {
		waits = append(waits, bo.next())
	}
	if waits[0] > time.Second || slices.Max(waits) > time.Minute || waits[9] < 30*time.Second {
		t.Errorf("default waits %v; want from at most 1s up to 30s–1m", waits)
	}
}

func TestTokenNeverAppearsInLogs(t *testing.T) {
	h := start(t, func(s *setup, _ *fakeAPI) { s.opts.SendRetries = 1 })
	// Errors whose text carries the request URL (and so the token):
	// dropped connections on polls and sends, a non-JSON answer, a 5xx.
	h.fake.fail("getUpdates", dropFault(), errFault(500, "Internal Server Error"))
	h.fake.fail("sendMessage", dropFault(), dropFault(), errFault(403, "Forbidden: bot was blocked by the user"))
	// One chat, so the messages are answered in turn: the first reply
	// fails twice, the second once, the third is delivered.
	h.fake.say(aliceChat, alice, "/help")
	h.fake.say(aliceChat, alice, "/sources")
	last := h.fake.say(aliceChat, alice, "/help")
	h.fake.waitReply(aliceChat.ID, last)
	h.stop()
	logs := h.logs.String()
	for _, want := range []string{"getUpdates failed", "sendMessage failed", "reply not delivered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q: the error paths were not exercised:\n%s", want, logs)
		}
	}
	if !strings.Contains(logs, "/bot<token>/") {
		t.Errorf("the log shows no redacted URL; the test does not exercise URL-bearing errors:\n%s", logs)
	}
	assertNoToken(t, logs)
}

func TestNewValidatesOptions(t *testing.T) {
	b := bot.New(bot.Options{}, nil, nil, nil, nil)
	tests := []struct {
		name string
		opts Options
	}{
		{"no token", Options{}},
		{"token with a slash", Options{Token: "12:ab/cd"}},
		{"api url without scheme", Options{Token: testToken, APIURL: "api.telegram.org"}},
		{"webhook without secret", Options{Token: testToken, Webhook: &WebhookOptions{Listen: "127.0.0.1:0", URL: "https://bot.example/hook"}}},
		{"webhook secret with spaces", Options{Token: testToken, Webhook: &WebhookOptions{Listen: "127.0.0.1:0", URL: "https://bot.example/hook", Secret: "a b"}}},
		{"webhook without url", Options{Token: testToken, Webhook: &WebhookOptions{Listen: "127.0.0.1:0", Secret: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts, b, nil)
			if !errors.Is(err, ErrOptions) {
				t.Fatalf("New(%s) = %v; want ErrOptions", tt.name, err)
			}
			assertNoToken(t, err.Error())
		})
	}
	if _, err := New(Options{Token: testToken}, b, nil); err != nil {
		t.Errorf("New with only a token = %v; want nil", err)
	}
	if _, err := New(Options{Token: testToken}, nil, nil); !errors.Is(err, ErrOptions) {
		t.Errorf("New without a bot = %v; want ErrOptions", err)
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestShutdownFinishesReplies: a reply in flight when Run's context ends is
// still delivered, and Run returns once it is.
func TestShutdownFinishesReplies(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	h := start(t, func(s *setup, f *fakeAPI) {
		f.sendHook = func(url.Values) {
			entered <- struct{}{}
			<-release
		}
	})
	id := h.fake.say(aliceChat, alice, "who is laos's defence minister now?")
	waitChan(t, "the reply to be on its way", entered)
	h.cancel()
	select {
	case err := <-h.done:
		t.Fatalf("Run returned (%v) with a reply in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := waitChan(t, "Run to return", h.done); err != nil {
		t.Errorf("Run = %v; want nil", err)
	}
	h.done <- nil // for the cleanup
	if got := h.fake.sentTo(aliceChat.ID); len(got) != 1 || got[0].Get("reply_to_message_id") != strconv.Itoa(id) {
		t.Errorf("sent %v; want the one reply to message %d", got, id)
	}
}

// TestShutdownDrainBound: a reply that cannot be delivered is abandoned
// after Drain, and Run returns.
func TestShutdownDrainBound(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{}, 1)
	h := start(t, func(s *setup, f *fakeAPI) {
		s.opts.Drain = 20 * time.Millisecond
		f.sendHook = func(url.Values) {
			entered <- struct{}{}
			<-release
		}
	})
	h.fake.say(aliceChat, alice, "who is laos's defence minister now?")
	waitChan(t, "the reply to be on its way", entered)
	h.stop()
	if !strings.Contains(h.logs.String(), "abandoning") {
		t.Errorf("the abandoned reply was not logged:\n%s", h.logs.String())
	}
}

// A question the engine is not sure the articles answer gets a hedged
// reply: it says so, gives its confidence and quotes the closest passages.
func TestHedgedReplySaysItIsNotSure(t *testing.T) {
	h := start(t)
	const q = "how did the meeting go?"
	res, err := h.eng.Ask(context.Background(), q, answer.AskOptions{Top: 3})
	if err != nil || !res.Hedged {
		t.Fatalf("the engine does not hedge %q (confidence %v); pick another question", q, res.Confidence)
	}
	id := h.fake.say(aliceChat, alice, q)
	got := h.fake.waitReply(aliceChat.ID, id)
	checkReplyShape(t, got, aliceChat, id)
	text := got.Get("text")
	for _, want := range []string{"<b>I'm not sure the articles answer this; the closest passages are:</b>",
		fmt.Sprintf("<i>Confidence: %d%% (not sure)</i>", int(res.Confidence*100+0.5)),
		"<blockquote>" + htmlEscape(res.Citations[0].Sentence) + "</blockquote>"} {
		if !strings.Contains(text, want) {
			t.Errorf("hedged reply %q lacks %q", text, want)
		}
	}
	if got.Get("parse_mode") != "HTML" {
		t.Errorf("parse_mode %q; want HTML", got.Get("parse_mode"))
	}
}
