package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

const goodQuestion = "Who is Laos's defence minister?"

// noPings checks that a message body lets nothing ping: allowed_mentions
// present, with an empty parse list and no users, roles or replied user.
func noPings(t testing.TB, body any, where string) {
	t.Helper()
	am, ok := get(body, "allowed_mentions").(map[string]any)
	if !ok {
		t.Errorf("%s: no allowed_mentions in %v", where, body)
		return
	}
	parse, isList := am["parse"].([]any)
	if !isList || len(parse) != 0 {
		t.Errorf("%s: allowed_mentions.parse = %v; want []", where, am["parse"])
	}
	if len(list(am["users"])) != 0 || len(list(am["roles"])) != 0 || am["replied_user"] == true {
		t.Errorf("%s: allowed_mentions = %v; want nothing allowed", where, am)
	}
}

// everyMessagePingsNobody checks allowed_mentions on every message,
// response and edit the bot sent.
func everyMessagePingsNobody(t testing.TB, f *fakeDiscord) {
	t.Helper()
	for _, c := range f.callsWhere(func(restCall) bool { return true }) {
		where := c.Method + " " + c.Path
		switch {
		case strings.HasSuffix(c.Path, "/callback") && num(get(c.JSON, "type")) == 4:
			noPings(t, get(c.JSON, "data"), where)
		case c.Method == "PATCH" || (c.Method == "POST" && (strings.HasPrefix(c.Path, "channels/") || strings.HasPrefix(c.Path, "webhooks/"))):
			noPings(t, c.JSON, where)
		}
	}
}

// final is what the user finally sees of an interaction: the type 4
// response, or the edit after a type 5.
type final struct {
	ephemeral bool
	content   string
	embeds    []any
	deferred  bool
}

func (h *harness) final(t testing.TB, in map[string]any) final {
	t.Helper()
	cb := h.callback(t, in)
	ephemeral := int(num(get(cb.JSON, "data", "flags")))&64 != 0
	if num(get(cb.JSON, "type")) == 5 {
		e := h.edit(t, in)
		return final{ephemeral: ephemeral, content: str(get(e.JSON, "content")), embeds: list(get(e.JSON, "embeds")), deferred: true}
	}
	if typ := num(get(cb.JSON, "type")); typ != 4 {
		t.Fatalf("callback type = %v; want 4 or 5", typ)
	}
	return final{ephemeral: ephemeral, content: str(get(cb.JSON, "data", "content")), embeds: list(get(cb.JSON, "data", "embeds"))}
}

func TestCommandsRegistered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, guild, path string
	}{
		{"guild", "800000000000000001", "applications/900000000000000002/guilds/800000000000000001/commands"},
		{"global", "", "applications/900000000000000002/commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, setup{guildID: tc.guild})
			c := h.f.waitCall(t, "bulk overwrite", func(c restCall) bool { return c.Method == "PUT" })
			if c.Path != tc.path {
				t.Errorf("bulk overwrite at %s; want %s", c.Path, tc.path)
			}
			if c.Auth != "Bot "+h.f.token {
				t.Errorf("bulk overwrite without the bot's authorization")
			}
			byName := map[string]any{}
			var names []string
			for _, cmd := range list(c.JSON) {
				names = append(names, str(get(cmd, "name")))
				byName[str(get(cmd, "name"))] = cmd
				if num(get(cmd, "type")) != 1 || str(get(cmd, "description")) == "" {
					t.Errorf("command %v: want type 1 (chat input) and a description", cmd)
				}
			}
			if want := []string{"ask", "sources", "help", "reload", "add", "remove"}; !slices.Equal(names, want) {
				t.Errorf("registered %q; want %q", names, want)
			}
			ask := byName["ask"]
			opts := list(get(ask, "options"))
			if len(opts) != 2 ||
				str(get(opts[0], "name")) != "question" || num(get(opts[0], "type")) != 3 || get(opts[0], "required") != true ||
				str(get(opts[1], "name")) != "private" || num(get(opts[1], "type")) != 5 || get(opts[1], "required") == true {
				t.Errorf("ask options = %v; want question (string, required), private (boolean, optional)", opts)
			}
			for _, n := range []string{"reload", "add", "remove"} {
				if got := get(byName[n], "default_member_permissions"); got != "32" {
					t.Errorf("%s default_member_permissions = %v; want \"32\" (Manage Server)", n, got)
				}
			}
			addOpts := list(get(byName["add"], "options"))
			if len(addOpts) != 2 ||
				str(get(addOpts[0], "name")) != "url" || num(get(addOpts[0], "type")) != 3 || get(addOpts[0], "required") == true ||
				str(get(addOpts[1], "name")) != "file" || num(get(addOpts[1], "type")) != 11 || get(addOpts[1], "required") == true {
				t.Errorf("add options = %v; want url (string, optional), file (attachment, type 11, optional)", addOpts)
			}
			for _, n := range []string{"ask", "sources", "help"} {
				if got := get(byName[n], "default_member_permissions"); got != nil {
					t.Errorf("%s default_member_permissions = %v; want none", n, got)
				}
			}
			// Global commands say where they may be used; guild commands cannot.
			for n, want := range map[string]string{"ask": "[0 1]", "help": "[0 1]", "sources": "[0 1]", "reload": "[0]", "add": "[0]", "remove": "[0]"} {
				got := get(byName[n], "contexts")
				switch {
				case tc.guild == "" && fmt.Sprint(got) != want:
					t.Errorf("%s contexts = %v; want %s", n, got, want)
				case tc.guild != "" && got != nil:
					t.Errorf("%s contexts = %v in a guild command; want none", n, got)
				}
			}
			// Identified without privileged intents: GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES.
			ids := h.f.opsWhere(2)
			if len(ids) != 1 || num(ids[0].D["intents"]) != 1|1<<9|1<<12 {
				t.Errorf("IDENTIFY = %v; want one, with intents %d", ids, 1|1<<9|1<<12)
			}
		})
	}
}

func TestAskAnsweredWithEmbedAndCitation(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	res, err := seedEngine(t).Ask(context.Background(), goodQuestion, answer.AskOptions{Top: 3})
	if err != nil || !res.Answered || len(res.Citations) == 0 {
		t.Fatalf("the engine does not answer %q; pick another question", goodQuestion)
	}
	in, cb := h.ask(t, goodQuestion, alice)
	if typ := num(get(cb.JSON, "type")); typ != 4 {
		t.Fatalf("callback type = %v; want 4", typ)
	}
	if flags := num(get(cb.JSON, "data", "flags")); flags != 0 {
		t.Errorf("public /ask has flags %v; want none", flags)
	}
	embeds := list(get(cb.JSON, "data", "embeds"))
	if len(embeds) != 1 {
		t.Fatalf("embeds = %v; want one", embeds)
	}
	if str(get(embeds[0], "description")) == "" {
		t.Errorf("the embed has no answer: %v", embeds[0])
	}
	fields := list(get(embeds[0], "fields"))
	if len(fields) == 0 {
		t.Fatalf("the embed cites nothing: %v", embeds[0])
	}
	name, value := str(get(fields[0], "name")), str(get(fields[0], "value"))
	if !strings.HasPrefix(strings.ReplaceAll(name, "\\", ""), "[1]") || !strings.Contains(name, strings.Fields(res.Citations[0].Title)[0]) {
		t.Errorf("first citation title = %q; want [1] and the title %q", name, res.Citations[0].Title)
	}
	if !strings.HasPrefix(value, "> ") || len(value) < 20 {
		t.Errorf("first citation = %q; want a quoted sentence", value)
	}
	noPings(t, get(cb.JSON, "data"), "ask")
	if c := h.f.callsWhere(func(c restCall) bool { return strings.Contains(c.Path, str(in["token"])) }); len(c) != 1 {
		t.Errorf("%d requests for the interaction; want exactly one response", len(c))
	}
}

func TestAskPrivateIsEphemeral(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	for _, private := range []bool{true, false} {
		_, cb := h.ask(t, goodQuestion, alice, boolOpt("private", private))
		flags := int(num(get(cb.JSON, "data", "flags")))
		if got := flags&64 != 0; got != private {
			t.Errorf("private=%v: flags = %d; want ephemeral %v", private, flags, private)
		}
	}
	everyMessagePingsNobody(t, h.f)
}

func TestMentionsInQuestionsPingNobody(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	q := "@everyone @here <@&500000000000000001> <@600000000000000003> who is Laos's defence minister?"
	_, cb := h.ask(t, q, alice)
	noPings(t, get(cb.JSON, "data"), "ask callback")

	// The same by message, and a question that cannot be answered, whose reply may echo it.
	for _, content := range []string{q, "@everyone <@&500000000000000001> zzzz qqqq"} {
		m := h.f.message(content, alice, true, true)
		h.f.dispatch(t, "MESSAGE_CREATE", m)
		reply := h.replyTo(t, m)
		noPings(t, reply.JSON, "message reply")
	}
	everyMessagePingsNobody(t, h.f)
}

func TestReloadNeedsAModeratorRole(t *testing.T) {
	t.Parallel()
	h := start(t, setup{botOpts: botOptsWithModRole()})

	in := h.f.slashCommand("reload", nil, alice, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	refused := h.final(t, in)
	if !refused.ephemeral || refused.content == "" {
		t.Errorf("refusal = %+v; want an ephemeral message", refused)
	}
	if n := h.reloader.Calls(); n != 0 {
		t.Fatalf("a member without the moderator role reloaded (%d reloads)", n)
	}

	in = h.f.slashCommand("reload", nil, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	done := h.final(t, in)
	if n := h.reloader.Calls(); n != 1 {
		t.Fatalf("the moderator's /reload ran %d reloads; want 1", n)
	}
	if !done.ephemeral || done.content == "" || done.content == refused.content {
		t.Errorf("reload report = %+v; want an ephemeral report unlike the refusal %q", done, refused.content)
	}
	everyMessagePingsNobody(t, h.f)
}

func TestSlowReloadIsDeferredThenEdited(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	h := start(t, setup{botOpts: botOptsWithModRole(), reloader: &testkit.Reloader[bot.ReloadReport]{Report: bot.ReloadReport{Articles: 5, Sentences: 120}, Gate: gate}, ackAfter: 10 * time.Millisecond})

	in := h.f.slashCommand("reload", nil, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	cb := h.callback(t, in) // the reload is held at the gate: the bot must defer
	if typ, flags := num(get(cb.JSON, "type")), int(num(get(cb.JSON, "data", "flags"))); typ != 5 || flags&64 == 0 {
		t.Fatalf("callback type %v flags %d; want 5 (deferred) and ephemeral", typ, flags)
	}
	close(gate)
	e := h.edit(t, in)
	if str(get(e.JSON, "content")) == "" {
		t.Errorf("edit of @original = %s; want the reload report", e.Body)
	}
	noPings(t, e.JSON, "edit")
}

func TestSlowPrivateAskIsDeferredEphemeralThenEdited(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	h := start(t, setup{askGate: gate, ackAfter: 10 * time.Millisecond})
	t.Cleanup(release) // runs before the harness stops, should the test fail early

	in := h.f.slashCommand("ask", []map[string]any{stringOpt("question", goodQuestion), boolOpt("private", true)}, alice, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	cb := h.callback(t, in) // the answer is held at the gate: the bot must defer
	if typ, flags := num(get(cb.JSON, "type")), int(num(get(cb.JSON, "data", "flags"))); typ != 5 || flags&64 == 0 {
		t.Fatalf("callback type %v flags %d; want 5 (deferred) and 64 (ephemeral)", typ, flags)
	}
	release()
	e := h.edit(t, in)
	embeds := list(get(e.JSON, "embeds"))
	if len(embeds) != 1 || len(list(get(embeds[0], "fields"))) == 0 {
		t.Errorf("edit of @original = %s; want the answer embed with citations", e.Body)
	}
	noPings(t, e.JSON, "edit")
	if c := h.f.callsWhere(func(c restCall) bool { return strings.Contains(c.Path, str(in["token"])) }); len(c) != 2 {
		t.Errorf("%d requests for the interaction; want the deferral and one edit", len(c))
	}
}

func TestMessagesMentionsAndDMs(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})

	// A mention in a channel: answered, mention stripped, referenced.
	m := h.f.message("/help", alice, true, true)
	h.f.dispatch(t, "MESSAGE_CREATE", m)
	r := h.replyTo(t, m)
	if r.Path != "channels/700000000000000001/messages" || r.Auth != "Bot "+h.f.token {
		t.Errorf("reply sent to %s", r.Path)
	}
	if ref := get(r.JSON, "message_reference"); str(get(ref, "channel_id")) != "700000000000000001" || str(get(ref, "guild_id")) != h.f.guildID {
		t.Errorf("message_reference = %v; want the asking message's channel and guild", ref)
	}
	if c := str(get(r.JSON, "content")); !strings.Contains(c, "/ask") {
		t.Errorf("reply to \"<@bot> /help\" = %q; want the help text", c)
	}

	// A question in a DM: answered with the citations, referenced.
	dm := h.f.message(goodQuestion, alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", dm)
	r = h.replyTo(t, dm)
	if r.Path != "channels/710000000000000001/messages" {
		t.Errorf("DM reply sent to %s", r.Path)
	}
	if len(list(get(r.JSON, "embeds"))) != 1 {
		t.Errorf("DM reply = %s; want the answer embed", r.Body)
	}

	// Ignored: chatter without a mention, other bots, the bot itself.
	self := fakeUser{ID: h.f.botID, Name: "corpusbot", Bot: true}
	ignored := []struct {
		m      map[string]any
		reason string
	}{
		{h.f.message(goodQuestion, alice, true, false), "guild message neither mentioning the bot nor replying to it"},
		{h.f.message(goodQuestion, other, false, false), "from a bot"},
		{h.f.message(goodQuestion, other, true, true), "from a bot"},
		{h.f.message(goodQuestion, self, true, true), "own message"},
	}
	for _, ig := range ignored {
		h.f.dispatch(t, "MESSAGE_CREATE", ig.m)
		h.logs.WaitFor(t, "message ignored", str(ig.m["id"]), ig.reason)
	}
	// A DM sent after them is answered; none of them ever was.
	last := h.f.message("/sources", alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", last)
	h.replyTo(t, last)
	for _, ig := range ignored {
		id := str(ig.m["id"])
		if c := h.f.callsWhere(func(c restCall) bool { return str(get(c.JSON, "message_reference", "message_id")) == id }); len(c) != 0 {
			t.Errorf("message %s (%s) was answered", id, ig.reason)
		}
	}
	everyMessagePingsNobody(t, h.f)
}

func TestReconnectResumeAndReidentify(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	f := h.f
	f.waitHandshakes(t, 1)
	f.mu.Lock()
	session := f.session.id
	f.mu.Unlock()
	// READY is 1 and GUILD_CREATE 2: close once the bot has seen both, as
	// its heartbeat says, so that RESUME has a known sequence to send.
	f.waitUntil(t, "a heartbeat with sequence 2", func() bool {
		return slices.ContainsFunc(f.ops, func(o gatewayOp) bool { return o.Op == 1 && o.Seq >= 2 })
	})

	// Discord drops the connection with 4000 (unknown error): resume.
	f.closeLive(t, 4000, "Unknown error.")
	f.waitHandshakes(t, 2)
	// Discord asks for a reconnect (op 7): resume again.
	f.sendOp(t, 7, nil)
	f.waitHandshakes(t, 3)

	resumes := f.opsWhere(6)
	if len(resumes) != 2 {
		t.Fatalf("%d RESUMEs; want 2", len(resumes))
	}
	for _, r := range resumes {
		if str(r.D["session_id"]) != session || num(r.D["seq"]) < 2 {
			t.Errorf("RESUME of session %v at sequence %v; want session %s and the last sequence seen, at least 2",
				r.D["session_id"], r.D["seq"], session)
		}
		if str(r.D["token"]) != "Bot "+f.token {
			t.Errorf("RESUME without the token")
		}
	}
	if n := len(f.opsWhere(2)); n != 1 {
		t.Errorf("%d IDENTIFYs after resumable reconnects; want 1", n)
	}
	f.mu.Lock()
	closes := slices.Clone(f.closes)
	f.mu.Unlock()
	if !slices.Contains(closes, 1012) {
		t.Errorf("close codes from the bot = %v; want 1012 after op 7 (1000 would end the session)", closes)
	}
	_, cb := h.ask(t, goodQuestion, alice)
	if len(list(get(cb.JSON, "data", "embeds"))) != 1 {
		t.Errorf("after resuming: %s; want the answer", cb.Body)
	}

	// Discord invalidates the session (op 9, not resumable): identify anew.
	f.sendOp(t, 9, false)
	f.waitHandshakes(t, 4)
	if n := len(f.opsWhere(2)); n != 2 {
		t.Errorf("%d IDENTIFYs after INVALID_SESSION; want 2", n)
	}
	_, cb = h.ask(t, goodQuestion, alice)
	if len(list(get(cb.JSON, "data", "embeds"))) != 1 {
		t.Errorf("after re-identifying: %s; want the answer", cb.Body)
	}
	if beats := f.opsWhere(1); len(beats) == 0 {
		t.Errorf("no heartbeats")
	}
}

func TestEventsWhileDisconnectedAreReplayed(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.f.waitHandshakes(t, 1)
	h.f.closeLive(t, 4000, "Unknown error.")
	// Dispatched with no live connection: the fake keeps it for RESUME.
	in := h.f.slashCommand("ask", []map[string]any{stringOpt("question", goodQuestion)}, alice, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if f := h.final(t, in); len(f.embeds) != 1 {
		t.Errorf("replayed /ask: %+v; want the answer", f)
	}
}

func TestRateLimitRespected(t *testing.T) {
	t.Parallel()
	const retryAfter = 0.3
	h := start(t, setup{})
	h.f.limit("POST", "channels/", 1, retryAfter)
	m := h.f.message(goodQuestion, alice, false, false)
	h.f.dispatch(t, "MESSAGE_CREATE", m)
	h.replyTo(t, m)
	posts := h.f.callsWhere(func(c restCall) bool { return c.Method == "POST" && strings.HasPrefix(c.Path, "channels/") })
	if len(posts) != 2 || posts[0].Status != 429 || posts[1].Status != 200 {
		t.Fatalf("posts = %d; want a 429 then a 200", len(posts))
	}
	if gap := posts[1].At.Sub(posts[0].At); gap < time.Duration(retryAfter*float64(time.Second)) {
		t.Errorf("retried after %v; Discord asked for %vs", gap, retryAfter)
	}
	h.logs.WaitFor(t, "rate limited")

	// The same for an interaction response.
	h.f.limit("POST", "interactions/", 1, retryAfter)
	in, _ := h.ask(t, goodQuestion, alice)
	cbs := h.f.callsWhere(func(c restCall) bool { return strings.Contains(c.Path, str(in["token"])) })
	if len(cbs) != 2 || cbs[0].Status != 429 || cbs[1].Status >= 300 {
		t.Fatalf("%d callbacks; want a 429 then a success", len(cbs))
	}
	if gap := cbs[1].At.Sub(cbs[0].At); gap < time.Duration(retryAfter*float64(time.Second)) {
		t.Errorf("callback retried after %v; Discord asked for %vs", gap, retryAfter)
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	logs := &testkit.Buffer{}
	eng := seedEngine(t)
	const wrong = "d3JvbmcgdG9rZW4.wrong.token-value"
	a, err := New(Options{Token: wrong, APIURL: f.apiURL()}, newBot(eng), sinkLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(context.Background())
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Run with a wrong token = %v; want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Errorf("the token leaked: %v\n%s", err, logs)
	}
	if ops := f.opsWhere(2); len(ops) != 0 {
		t.Errorf("identified with a rejected token")
	}
	if n := len(f.callsWhere(func(restCall) bool { return true })); n != 1 {
		t.Errorf("%d requests with a rejected token; want 1, not retried", n)
	}
}

// TestConnectionFailuresAreRetried: network failures asking who the bot is
// and opening the gateway, at start and on a reconnect, are retried with
// backoff and logged; Connected() is true only while the session is up.
func TestConnectionFailuresAreRetried(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	f.drop("users/@me", 2)
	f.drop(gatewayConnection, 2)
	logs := &testkit.Buffer{}
	a, err := New(Options{Token: f.token, APIURL: f.apiURL()}, newBot(seedEngine(t)), sinkLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	type wait struct {
		d  time.Duration
		up bool // Connected() during the wait
	}
	waits := make(chan wait, 10)
	a.sleep = func(ctx context.Context, d time.Duration) bool {
		waits <- wait{d, a.Connected()}
		return ctx.Err() == nil // no wait: the test goes on at once
	}
	if a.Connected() {
		t.Fatal("Connected() = true before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	f.waitCall(t, "command registration", func(c restCall) bool { return c.Method == "PUT" && c.Status == 200 })
	if !a.Connected() {
		t.Error("Connected() = false after READY")
	}
	var got []wait // every backoff came before READY, so before the registration
	for len(waits) > 0 {
		got = append(got, <-waits)
	}
	if len(got) != 4 {
		t.Errorf("%d backoffs; want 4, one after each of 2 failed users/@me and 2 failed gateway connections", len(got))
	}
	for i, w := range got {
		if w.up || w.d < 500*time.Millisecond || w.d > time.Minute {
			t.Errorf("backoff %d: %v, connected %v; want 0.5s–1m, not connected", i, w.d, w.up)
		}
	}
	for _, step := range []string{"step=users/@me attempt=1", "step=users/@me attempt=2", "step=gateway attempt=1", "step=gateway attempt=2"} {
		logs.WaitFor(t, `level=WARN msg="discord: connection failed; retrying" `+step+" retry_in_s=", "err=")
	}

	// The connection is lost and the first attempt to reconnect fails.
	f.drop(gatewayConnection, 1)
	f.closeLive(t, 4000, "Unknown error.")
	if w := waitChan(t, "a backoff after a failed reconnect", waits); w.up {
		t.Error("Connected() = true while reconnecting")
	}
	logs.WaitFor(t, "discord: gateway reconnected")
	if !a.Connected() {
		t.Error("Connected() = false after the reconnect")
	}
	cancel()
	if err := waitChan(t, "Run to return", done); err != nil {
		t.Errorf("Run = %v; want nil", err)
	}
	if a.Connected() {
		t.Error("Connected() = true after Run returned")
	}
	if strings.Contains(logs.String(), f.token) {
		t.Errorf("the token reached the log:\n%s", logs)
	}
}

func waitChan[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(60 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

func TestGatewayRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code int
		want error
	}{
		{4004, ErrUnauthorized},
		{4014, ErrGatewayRefused},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			t.Parallel()
			// REST accepts the token; the gateway closes IDENTIFY with the code.
			f := newFakeDiscord(t)
			f.identifyClose = tc.code
			a, err := New(Options{Token: f.token, APIURL: f.apiURL()}, newBot(seedEngine(t)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Run(context.Background()); !errors.Is(err, tc.want) {
				t.Errorf("Run with gateway close %d = %v; want %v", tc.code, err, tc.want)
			}
		})
	}
}

func TestMalformedAndOversizeInput(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	f := h.f
	long := strings.Repeat("why ", 1500)

	for _, tc := range []struct {
		name string
		in   map[string]any
	}{
		{"oversize question", f.slashCommand("ask", []map[string]any{stringOpt("question", long)}, alice, true)},
		{"no question", f.slashCommand("ask", nil, alice, true)},
		{"empty question", f.slashCommand("ask", []map[string]any{stringOpt("question", "   ")}, alice, true)},
		{"question of the wrong type", f.slashCommand("ask", []map[string]any{{"name": "question", "type": 4, "value": 42}}, alice, true)},
		{"private of the wrong type", f.slashCommand("ask", []map[string]any{stringOpt("question", "hi"), {"name": "private", "type": 5, "value": "yes"}}, alice, true)},
		{"unknown command", f.slashCommand("frobnicate", nil, alice, true)},
		{"dm without user", withoutKey(f.slashCommand("help", nil, alice, false), "user")},
		{"data not an object", withKey(f.slashCommand("ask", nil, alice, true), "data", "garbage")},
	} {
		f.dispatch(t, "INTERACTION_CREATE", tc.in)
		got := h.final(t, tc.in)
		if got.content == "" || len([]rune(got.content)) > 2000 || strings.Contains(got.content, long) {
			t.Errorf("%s: reply %+v; want a short polite message", tc.name, got)
		}
	}

	for _, tc := range []struct {
		name string
		m    map[string]any
	}{
		{"oversize DM", f.message(long, alice, false, false)},
		{"bare mention", f.message("", alice, true, true)},
		{"moderator command by mention", f.message("/reload", mod, true, true)},
	} {
		f.dispatch(t, "MESSAGE_CREATE", tc.m)
		r := h.replyTo(t, tc.m)
		if c := str(get(r.JSON, "content")); c == "" || strings.Contains(c, long) {
			t.Errorf("%s: reply %q; want a short polite message", tc.name, c)
		}
	}
	if n := h.reloader.Calls(); n != 0 {
		t.Errorf("a /reload by message reloaded")
	}

	// Events the bot does not act on, and broken ones: no reply, no crash.
	component := f.slashCommand("ask", nil, alice, true)
	component["type"] = 3
	for _, ev := range []struct {
		typ string
		d   any
	}{
		{"INTERACTION_CREATE", component},
		{"INTERACTION_CREATE", nil},
		{"INTERACTION_CREATE", map[string]any{"type": 2}},
		{"MESSAGE_CREATE", nil},
		{"MESSAGE_CREATE", withoutKey(f.message("hi", alice, false, false), "author")},
		{"MESSAGE_CREATE", withKey(f.message("hi", alice, false, false), "channel_id", "../../users/@me")},
		{"MESSAGE_CREATE", []any{"not", "an", "object"}},
		{"SOMETHING_NEW", map[string]any{"x": 1}},
	} {
		f.dispatch(t, ev.typ, ev.d)
	}
	// Still alive and answering.
	in, cb := h.ask(t, goodQuestion, alice)
	if len(list(get(cb.JSON, "data", "embeds"))) != 1 {
		t.Errorf("after malformed input: %v; want the answer", in)
	}
	for _, c := range f.callsWhere(func(c restCall) bool { return c.Status >= 400 && c.Status != 429 }) {
		t.Errorf("the fake refused %s %s: %d %s", c.Method, c.Path, c.Status, c.Body)
	}
	everyMessagePingsNobody(t, f)
}

func TestTwoAdaptersInOneProcess(t *testing.T) {
	t.Parallel()
	h1, h2 := start(t, setup{}), start(t, setup{guildID: "800000000000000001"})
	for _, h := range []*harness{h1, h2} {
		m := h.f.message(goodQuestion, alice, false, false)
		h.f.dispatch(t, "MESSAGE_CREATE", m)
		h.replyTo(t, m)
	}
	// Each fake saw one registration: its own.
	for i, h := range []*harness{h1, h2} {
		if n := len(h.f.callsWhere(func(c restCall) bool { return c.Method == "PUT" })); n != 1 {
			t.Errorf("fake %d saw %d registrations; want 1", i+1, n)
		}
	}
}

func TestRunTwiceAtOnce(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	if err := h.a.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v; want ErrRunning", err)
	}
}

func withoutKey(m map[string]any, k string) map[string]any {
	delete(m, k)
	return m
}

func withKey(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

func TestRunOpensTheSessionAndClosesItWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	f := newFakeDiscord(t)
	a, err := New(Options{Token: f.token, APIURL: f.apiURL()}, newBot(seedEngine(t)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.callsWhere(func(restCall) bool { return true }); len(calls) != 0 {
		t.Fatalf("New made %d requests; want none before Run", len(calls))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	f.waitCall(t, "command registration", func(c restCall) bool { return c.Method == "PUT" && c.Status == 200 }) // after Open
	if c := f.callsWhere(func(c restCall) bool { return c.Method == "GET" && strings.HasPrefix(c.Path, "gateway") }); len(c) == 0 {
		t.Errorf("the gateway URL was not asked of the REST API")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v after the context ended; want nil", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return after the context ended")
	}
	f.waitUntil(t, "the bot to close the gateway with 1000", func() bool { return f.conn == nil && slices.Contains(f.closes, 1000) })
	if discordgo.EndpointAPI != DefaultAPIURL || discordgo.EndpointGateway != DefaultAPIURL+"gateway" {
		t.Errorf("discordgo's endpoints were reassigned: %s, %s", discordgo.EndpointAPI, discordgo.EndpointGateway)
	}
}

// A question as long as the bot accepts gets a reply within Discord's
// limits (the fake refuses anything larger, as Discord does).
func TestLongQuestionRepliesFitDiscordLimits(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	q := goodQuestion + strings.Repeat(" defence minister Laos", 43)
	if n := len([]rune(q)); n > 1000 {
		t.Fatalf("the question has %d characters; the bot accepts 1000", n)
	}
	in := h.f.slashCommand("ask", []map[string]any{stringOpt("question", q)}, alice, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if got := h.final(t, in); len(got.embeds) != 1 {
		t.Errorf("/ask with a %d-character question: %+v; want the answer embed", len([]rune(q)), got)
	}
	m := h.f.message(q, alice, true, true)
	h.f.dispatch(t, "MESSAGE_CREATE", m)
	if r := h.replyTo(t, m); len(list(get(r.JSON, "embeds"))) != 1 {
		t.Errorf("mention with a long question: %s; want the answer embed", r.Body)
	}
	for _, c := range h.f.callsWhere(func(c restCall) bool { return c.Status >= 400 }) {
		t.Errorf("the fake refused %s %s: %d %s", c.Method, c.Path, c.Status, c.Body)
	}
}

// A question the engine is not sure the articles answer gets a hedged
// embed: amber, the hedge as its description, the confidence in its
// footer, the closest passages as its fields.
func TestHedgedAnswerEmbed(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	const q = "how did the meeting go?"
	res, err := seedEngine(t).Ask(context.Background(), q, answer.AskOptions{Top: 3})
	if err != nil || !res.Hedged {
		t.Fatalf("the engine does not hedge %q (confidence %v); pick another question", q, res.Confidence)
	}
	_, cb := h.ask(t, q, alice)
	embeds := list(get(cb.JSON, "data", "embeds"))
	if len(embeds) != 1 {
		t.Fatalf("embeds = %v; want one", embeds)
	}
	e := embeds[0]
	if d := str(get(e, "description")); d != "I'm not sure the articles answer this; the closest passages are:" {
		t.Errorf("description %q; want the hedge", d)
	}
	if f, want := str(get(e, "footer", "text")), fmt.Sprintf("Confidence: %d%% (not sure)", int(res.Confidence*100+0.5)); f != want {
		t.Errorf("footer %q; want %q", f, want)
	}
	if c := num(get(e, "color")); c != 0xd69e2e {
		t.Errorf("color %v; want amber (0xd69e2e)", c)
	}
	if len(list(get(e, "fields"))) == 0 {
		t.Errorf("the hedged embed quotes no passage: %v", e)
	}
}
