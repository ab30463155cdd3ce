package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
)

// article returns the text of a corpus file with front matter.
func article(title, date, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte("---\ntitle: " + title + "\ndate: " + date + "\n---\n" + body + "\n")}
}

// testCorpus is a small corpus about a river festival.
func testCorpus() fstest.MapFS {
	return fstest.MapFS{
		"festival.txt": article("River festival opens", "2024-05-02",
			"The river festival opened on Thursday in Riverton with a parade of boats. The mayor of Riverton, Anna Vell, opened the festival."),
		"bridge.txt": article("New bridge for Riverton", "2023-11-20",
			"Riverton will build a new bridge across the Slow River by 2026. The bridge will cost 40 million dollars."),
	}
}

func testEngine(t testing.TB, fsys fstest.MapFS) *answer.Engine {
	t.Helper()
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return answer.New(ix, answer.Options{})
}

// fakeAnswerer records the questions it is asked.
type fakeAnswerer struct {
	mu        sync.Mutex // guards questions
	questions []string
}

func (f *fakeAnswerer) Ask(ctx context.Context, q string, o answer.AskOptions) (answer.Result, error) {
	f.mu.Lock()
	f.questions = append(f.questions, q)
	f.mu.Unlock()
	return answer.Result{Question: q, Answered: true, Answer: "yes [1]",
		Citations: []answer.Citation{{Doc: "a.txt", Title: "A", Sentence: "Yes.", Score: 1}}}, nil
}

// recorder keeps the events it is told of.
type recorder struct {
	mu      sync.Mutex // guards events and reloads
	events  []Event
	reloads []bool
}

func (r *recorder) Handled(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) Reloaded(ok bool, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reloads = append(r.reloads, ok)
}

func (r *recorder) reloadsSeen() []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reloads)
}

// logLines parses the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func kindOf(r Reply) ErrorKind {
	if r.Err == nil {
		return 0
	}
	return r.Err.Kind
}

func TestRouting(t *testing.T) {
	mods := Moderators{TelegramUserIDs: []int64{42}}
	rel := &testkit.Reloader[ReloadReport]{Report: ReloadReport{Articles: 2, Sentences: 4}}
	eng := testEngine(t, testCorpus())
	b := New(Options{Moderators: mods}, eng, rel, eng.Sources, nil)
	tests := []struct {
		name     string
		req      Request
		kind     ErrorKind // 0: no error
		contains string    // in RenderText of the reply
	}{
		{"question without command", Request{Platform: Telegram, UserID: "1", Text: "who is the mayor of Riverton?"}, 0, "Anna Vell"},
		{"ask", Request{Platform: Telegram, UserID: "1", Command: "ask", Text: "who is the mayor of Riverton?"}, 0, "Anna Vell"},
		{"command with slash and capitals", Request{Platform: Telegram, UserID: "1", Command: "/ASK", Text: "how much will the bridge cost?"}, 0, "40 million"},
		{"unanswerable", Request{Platform: Discord, UserID: "1", Text: "what is the population of Peru?"}, 0, "Peru"},
		{"empty question", Request{Platform: Telegram, UserID: "1", Command: "ask", Text: "  \t "}, Invalid, "Please ask"},
		{"sources", Request{Platform: Telegram, UserID: "1", Command: "sources"}, 0, "2 articles"},
		{"help", Request{Platform: Discord, UserID: "1", Command: "help"}, 0, "/ask <question>"},
		{"start in a private chat", Request{Platform: Telegram, UserID: "1", Command: "start", Direct: true}, 0, "just type your question"},
		{"unknown command", Request{Platform: Telegram, UserID: "1", Command: "frobnicate"}, Invalid, "/frobnicate"},
		{"reload by a moderator", Request{Platform: Telegram, UserID: "42", Command: "reload"}, 0, "Reloaded 2 articles"},
		{"reload by someone else", Request{Platform: Telegram, UserID: "43", Command: "reload"}, Forbidden, "only moderators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := b.Handle(context.Background(), tt.req)
			if got := kindOf(rep); got != tt.kind {
				t.Errorf("Handle(%+v) kind = %v; want %v (%q)", tt.req, got, tt.kind, RenderText(rep))
			}
			if got := RenderText(rep); !strings.Contains(got, tt.contains) {
				t.Errorf("Handle(%+v) = %q; want it to contain %q", tt.req, got, tt.contains)
			}
		})
	}
	if rel.Calls() != 1 {
		t.Errorf("reloader called %d times; want 1 (the moderator's)", rel.Calls())
	}
}

func TestHelpListsTheCommandTable(t *testing.T) {
	b := New(Options{}, &fakeAnswerer{}, nil, nil, nil)
	help := RenderText(b.Handle(context.Background(), Request{Platform: Console, Command: "help"}))
	for _, c := range Commands() {
		if c.Name == "start" {
			continue
		}
		if !strings.Contains(help, "/"+c.Name) || !strings.Contains(help, c.Description) {
			t.Errorf("/help = %q; want it to list /%s: %s", help, c.Name, c.Description)
		}
		if got, ok := Lookup(c.Name); !ok || got.Name != c.Name {
			t.Errorf("Lookup(%q) = %v, %v; want the command", c.Name, got.Name, ok)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error(`Lookup("nope") found a command`)
	}
}

func TestModeratorsAllows(t *testing.T) {
	m := Moderators{DiscordUserIDs: []string{"100"}, DiscordRoleIDs: []string{"900"}, TelegramUserIDs: []int64{7}}
	tests := []struct {
		name string
		req  Request
		want bool
	}{
		{"discord moderator user", Request{Platform: Discord, UserID: "100"}, true},
		{"discord moderator role", Request{Platform: Discord, UserID: "5", RoleIDs: []string{"1", "900"}}, true},
		{"discord other user", Request{Platform: Discord, UserID: "5", RoleIDs: []string{"1"}}, false},
		{"discord empty user and role", Request{Platform: Discord, UserID: "", RoleIDs: []string{""}}, false},
		{"discord id on telegram", Request{Platform: Telegram, UserID: "100"}, false},
		{"telegram moderator", Request{Platform: Telegram, UserID: "7"}, true},
		{"telegram id on discord", Request{Platform: Discord, UserID: "7"}, false},
		{"telegram other", Request{Platform: Telegram, UserID: "8"}, false},
		{"console", Request{Platform: Console}, true},
		{"http", Request{Platform: HTTP, UserID: "100"}, false},
		{"unknown platform", Request{Platform: "irc", UserID: "100"}, false},
	}
	for _, tt := range tests {
		if got := m.Allows(tt.req); got != tt.want {
			t.Errorf("%s: Allows(%+v) = %v; want %v", tt.name, tt.req, got, tt.want)
		}
	}
}

func TestRefusedReloadChangesNothingAndIsLogged(t *testing.T) {
	var logs bytes.Buffer
	eng := testEngine(t, testCorpus())
	before := eng.Index()
	changed := testCorpus()
	changed["new.txt"] = article("New", "2024-01-01", "A new article arrived today in Riverton.")
	rel := NewCorpusReloader(prepared(eng, loadFS(changed)), ReloadOptions{})
	rec := &recorder{}
	b := New(Options{Moderators: Moderators{DiscordRoleIDs: []string{"900"}}, Recorder: rec}, eng, rel, eng.Sources,
		slog.New(slog.NewJSONHandler(&logs, nil)))

	rep := b.Handle(context.Background(), Request{Platform: Discord, UserID: "5", RoleIDs: []string{"1"}, ChatID: "c1", Command: "reload"})
	if kindOf(rep) != Forbidden || !rep.Private {
		t.Fatalf("reload by a non-moderator = %+v; want a private Forbidden reply", rep)
	}
	if eng.Index() != before {
		t.Error("the index changed after a refused reload")
	}
	var found bool
	for _, l := range logLines(t, &logs) {
		if l["msg"] == "moderator command refused" && l["level"] == "WARN" && l["user"] == "5" && l["command"] == "reload" {
			found = true
		}
	}
	if !found {
		t.Errorf("log = %s; want a warning naming the user and the command", logs.String())
	}
	if len(rec.events) != 1 || rec.events[0].Outcome != OutcomeForbidden || rec.events[0].Command != "reload" {
		t.Errorf("events = %+v; want one forbidden reload", rec.events)
	}
}

func TestInputLimits(t *testing.T) {
	fa := &fakeAnswerer{}
	b := New(Options{MaxQuestion: 30}, fa, nil, nil, nil)
	ctx := context.Background()

	rep := b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Text: strings.Repeat("why ", 10)})
	if kindOf(rep) != Invalid || !strings.Contains(rep.Err.Message, "too long") {
		t.Errorf("long question: %+v; want Invalid, too long", rep)
	}
	if len(fa.questions) != 0 {
		t.Errorf("the answerer was asked %q; want nothing asked", fa.questions)
	}

	b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Text: "who\x00is\x1b[31m the\u200b\tmayor?\r\n"})
	if len(fa.questions) != 1 {
		t.Fatalf("asked %q; want one question", fa.questions)
	}
	// What becomes of the ANSI escape's "[31m" is answer.Clean's business.
	if q := fa.questions[0]; strings.ContainsAny(q, "\x00\x1b\u200b\t\r\n") || !strings.HasPrefix(q, "who is ") || !strings.HasSuffix(q, " the mayor?") {
		t.Errorf("question asked = %q; want control characters stripped", q)
	}

	// Thirty characters exactly are fine, counted as characters, not bytes.
	b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Text: strings.Repeat("é", 30)})
	if len(fa.questions) != 2 {
		t.Errorf("a question of 30 characters was refused")
	}
}

// TestDefaultMaxQuestionIsAnswers: with no limit set, the bot takes
// answer.MaxQuestion characters and refuses one more.
func TestDefaultMaxQuestionIsAnswers(t *testing.T) {
	fa := &fakeAnswerer{}
	b := New(Options{}, fa, nil, nil, nil)
	ctx := context.Background()
	b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Text: strings.Repeat("é", answer.MaxQuestion)})
	if len(fa.questions) != 1 {
		t.Errorf("a question of answer.MaxQuestion characters was refused")
	}
	rep := b.Handle(ctx, Request{Platform: Telegram, UserID: "1", Text: strings.Repeat("é", answer.MaxQuestion+1)})
	if kindOf(rep) != Invalid || len(fa.questions) != 1 {
		t.Errorf("a question of answer.MaxQuestion+1 characters: %+v; want Invalid, not asked", rep)
	}
}

func TestTopIsCapped(t *testing.T) {
	eng := testEngine(t, testCorpus())
	b := New(Options{Top: 1}, eng, nil, nil, nil)
	ctx := context.Background()
	q := "Riverton bridge festival"
	if rep := b.Handle(ctx, Request{Platform: HTTP, Text: q}); len(rep.Answer.Citations) != 1 {
		t.Errorf("default top: %d citations; want 1", len(rep.Answer.Citations))
	}
	if rep := b.Handle(ctx, Request{Platform: HTTP, Text: q, Top: 3}); len(rep.Answer.Citations) < 2 {
		t.Errorf("top 3: %d citations; want more than 1", len(rep.Answer.Citations))
	}
}

func TestRecorderAndQuestionLog(t *testing.T) {
	var logs bytes.Buffer
	rec := &recorder{}
	eng := testEngine(t, testCorpus())
	b := New(Options{Recorder: rec}, eng, nil, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	ctx := context.Background()
	b.Handle(ctx, Request{Platform: Telegram, ChatID: "-100", UserID: "1", Text: "who is the mayor of Riverton?"})
	b.Handle(ctx, Request{Platform: Discord, ChatID: "c", UserID: "1", Text: "what is the population of Peru?"})
	b.Handle(ctx, Request{Platform: "irc", UserID: "1", Command: "<script>"})

	want := []Event{
		{Platform: Telegram, Command: "ask", Outcome: OutcomeAnswered},
		{Platform: Discord, Command: "ask", Outcome: OutcomeUnanswered},
		{Platform: "other", Command: "unknown", Outcome: OutcomeInvalid},
	}
	if len(rec.events) != len(want) {
		t.Fatalf("events = %+v; want %d", rec.events, len(want))
	}
	for i, w := range want {
		got := rec.events[i]
		got.Latency = 0
		if got != w {
			t.Errorf("event %d = %+v; want %+v", i, got, w)
		}
	}
	lines := logLines(t, &logs)
	if len(lines) != 3 {
		t.Fatalf("log has %d lines; want one a request:\n%s", len(lines), logs.String())
	}
	l := lines[0]
	if l["msg"] != "question" || l["platform"] != Telegram || l["chat"] != "-100" || l["outcome"] != OutcomeAnswered || l["latency_s"] == nil {
		t.Errorf("question log line = %v; want platform, chat, outcome, latency_s", l)
	}
}

func TestSourcesCountsArticles(t *testing.T) {
	one := testCorpus()
	delete(one, "bridge.txt")
	for _, tt := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"one", one, "I answer from 1 article, newest first:\n"},
		{"two", testCorpus(), "I answer from 2 articles, newest first:\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eng := testEngine(t, tt.fsys)
			b := New(Options{}, eng, nil, eng.Sources, nil)
			rep := b.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "sources"})
			if got := RenderText(rep); !strings.HasPrefix(got, tt.want) {
				t.Errorf("/sources = %q; want it to begin %q", got, tt.want)
			}
		})
	}
}

// failingAnswerer fails every question, as an external index might.
type failingAnswerer struct{}

func (failingAnswerer) Ask(ctx context.Context, q string, o answer.AskOptions) (answer.Result, error) {
	return answer.Result{}, errors.New("index unreachable")
}

// TestAskFailureIsInternal checks that an answerer's failure reaches the
// user as a short internal error, its cause kept for the log.
func TestAskFailureIsInternal(t *testing.T) {
	b := New(Options{}, failingAnswerer{}, nil, nil, nil)
	rep := b.Handle(context.Background(), Request{Platform: Console, Text: "who is the mayor?"})
	if rep.Answer != nil || rep.Err == nil || rep.Err.Kind != Internal || strings.Contains(rep.Err.Message, "unreachable") {
		t.Errorf("Handle = %+v; want an internal error that does not show the cause", rep)
	}
}
