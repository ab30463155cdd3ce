package discord

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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

// The users of the fake guild.
var (
	alice = fakeUser{ID: "600000000000000001", Name: "alice", Roles: []string{"500000000000000001"}}
	mod   = fakeUser{ID: "600000000000000002", Name: "mo", Roles: []string{"500000000000000001", modRole}}
	other = fakeUser{ID: "600000000000000003", Name: "newsbot", Bot: true}
)

const modRole = "500000000000000009"

var (
	engineOnce sync.Once
	engine     *answer.Engine
	engineErr  error
)

// seedEngine is a real answer engine over the embedded articles.
func seedEngine(t testing.TB) *answer.Engine {
	engineOnce.Do(func() {
		ix, err := corpus.Load(context.Background(), seeds.FS())
		engine, engineErr = answer.New(ix, answer.Options{}), err
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// A harness is an Adapter running against a fakeDiscord.
type harness struct {
	f        *fakeDiscord
	a        *Adapter
	b        *bot.Bot
	logs     *testkit.Buffer
	reloader *testkit.Reloader[bot.ReloadReport]
	cancel   context.CancelFunc
	done     chan error
}

type setup struct {
	guildID   string        // Options.GuildID; "" registers globally
	ackAfter  time.Duration // Options.AckAfter
	reloader  *testkit.Reloader[bot.ReloadReport]
	askGate   chan struct{} // when not nil, every answer waits until it is closed
	botOpts   bot.Options
	tweakFake func(*fakeDiscord)
	engine    *answer.Engine // answers from other articles than the seeds
}

// start runs an Adapter against a new fake and waits until it has
// registered its commands. Cleanup stops it and checks that Run returned nil
// and that the token never reached the log.
func start(t *testing.T, s setup) *harness {
	t.Helper()
	f := newFakeDiscord(t)
	if s.tweakFake != nil {
		s.tweakFake(f)
	}
	h := startOn(t, f, s)
	f.waitCall(t, "command registration", func(c restCall) bool { return c.Method == "PUT" && c.Status == 200 })
	return h
}

func startOn(t *testing.T, f *fakeDiscord, s setup) *harness {
	t.Helper()
	if s.reloader == nil {
		s.reloader = &testkit.Reloader[bot.ReloadReport]{Report: bot.ReloadReport{Articles: 5, Sentences: 120}}
	}
	logs := &testkit.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	eng := seedEngine(t)
	if s.engine != nil {
		eng = s.engine
	}
	var ans bot.Answerer = eng
	if s.askGate != nil {
		ans = gatedAnswerer{eng, s.askGate}
	}
	b := bot.New(s.botOpts, ans, s.reloader, eng.Sources, log)
	a, err := New(Options{Token: f.token, APIURL: f.apiURL(), GuildID: s.guildID, AckAfter: s.ackAfter}, b, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{f: f, a: a, b: b, logs: logs, reloader: s.reloader, cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		h.stop(t)
		if t.Failed() || os.Getenv("DISCORD_TEST_LOG") != "" {
			t.Logf("bot log:\n%s", logs)
		}
		if strings.Contains(logs.String(), f.token) {
			t.Errorf("the bot token reached the log:\n%s", logs.String())
		}
		for _, c := range f.callsWhere(func(restCall) bool { return true }) {
			if strings.Contains(string(c.Body), f.token) {
				t.Errorf("the bot token is in the body of %s %s", c.Method, c.Path)
			}
		}
	})
	return h
}

// stop ends Run and checks it returned nil.
func (h *harness) stop(t testing.TB) {
	t.Helper()
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok && err != nil {
			t.Errorf("Run = %v; want nil after cancel", err)
		}
		if ok {
			close(h.done)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// callback waits for the interaction callback of payload in.
func (h *harness) callback(t testing.TB, in map[string]any) restCall {
	t.Helper()
	path := fmt.Sprintf("interactions/%s/%s/callback", in["id"], in["token"])
	return h.f.waitCall(t, "callback of "+path, func(c restCall) bool { return c.Path == path && c.Status < 300 })
}

// edit waits for the edit of @original of payload in.
func (h *harness) edit(t testing.TB, in map[string]any) restCall {
	t.Helper()
	path := fmt.Sprintf("webhooks/%s/%s/messages/@original", h.f.appID, in["token"])
	return h.f.waitCall(t, "edit of "+path, func(c restCall) bool { return c.Method == "PATCH" && c.Path == path })
}

// replyTo waits for the channel message that references message m.
func (h *harness) replyTo(t testing.TB, m map[string]any) restCall {
	t.Helper()
	return h.f.waitCall(t, "reply to message "+str(m["id"]), func(c restCall) bool {
		return c.Method == "POST" && c.Status == 200 && str(get(c.JSON, "message_reference", "message_id")) == str(m["id"])
	})
}

// ask dispatches /ask from user u and returns the callback.
func (h *harness) ask(t testing.TB, question string, u fakeUser, extra ...map[string]any) (map[string]any, restCall) {
	t.Helper()
	in := h.f.slashCommand("ask", append([]map[string]any{stringOpt("question", question)}, extra...), u, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	return in, h.callback(t, in)
}

func newBot(eng *answer.Engine) *bot.Bot { return bot.New(bot.Options{}, eng, nil, eng.Sources, nil) }

func sinkLogger(s *testkit.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func botOptsWithModRole() bot.Options {
	return bot.Options{Moderators: bot.Moderators{DiscordRoleIDs: []string{modRole}}}
}

// A gatedAnswerer answers once its gate is closed: a slow engine.
type gatedAnswerer struct {
	eng  *answer.Engine
	gate <-chan struct{}
}

func (g gatedAnswerer) Ask(ctx context.Context, question string, o answer.AskOptions) (answer.Result, error) {
	<-g.gate
	return g.eng.Ask(ctx, question, o)
}
