package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/seeds"
)

// contextAnswerer answers each question from the article "doc:<question>"
// and records the context it was asked with; it reads every question that
// has a context as a follow-up.
type contextAnswerer struct {
	mu   sync.Mutex        // guards seen
	seen []*answer.Context // the context of each question, in order
}

func (f *contextAnswerer) Ask(ctx context.Context, q string, o answer.AskOptions) (answer.Result, error) {
	f.mu.Lock()
	f.seen = append(f.seen, o.Context)
	f.mu.Unlock()
	return answer.Result{Question: q, Answered: true, Answer: "yes [1]", FollowUp: o.Context != nil,
		Citations: []answer.Citation{{Doc: "doc:" + q, Title: "T", Sentence: "Yes.", Score: 1}}}, nil
}

// last returns the context the last question was asked with.
func (f *contextAnswerer) last() *answer.Context {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[len(f.seen)-1]
}

func TestFollowUpContexts(t *testing.T) {
	ask := func(platform, chat, user string, direct bool, q string) Request {
		return Request{Platform: platform, ChatID: chat, UserID: user, Direct: direct, Text: q}
	}
	topic := &answer.Context{Question: "q1", Doc: "doc:q1"}
	followed := &answer.Context{Question: "q1", Doc: "doc:q2"} // q2 followed q1
	tests := []struct {
		name  string
		first Request
		wait  time.Duration
		next  Request
		want  *answer.Context
	}{
		{"console, next question", ask(Console, "console", "console", true, "q1"), time.Minute, ask(Console, "console", "console", true, "q2"), topic},
		{"private chat, next question", ask(Telegram, "7", "7", true, "q1"), 4 * time.Minute, ask(Telegram, "7", "7", true, "q2"), topic},
		{"private chat, too late", ask(Telegram, "7", "7", true, "q1"), 6 * time.Minute, ask(Telegram, "7", "7", true, "q2"), nil},
		{"another chat", ask(Discord, "1", "9", true, "q1"), time.Minute, ask(Discord, "2", "9", true, "q2"), nil},
		{"another user in the chat", ask(Console, "c", "u1", true, "q1"), time.Minute, ask(Console, "c", "u2", true, "q2"), nil},
		{"another platform, same ids", ask(Telegram, "5", "5", true, "q1"), time.Minute, ask(Discord, "5", "5", true, "q2"), nil},
		{"group, no reply", ask(Telegram, "-100", "7", false, "q1"), time.Minute, ask(Telegram, "-100", "7", false, "q2"), nil},
		{"HTTP", ask(HTTP, "", "", false, "q1"), time.Minute, ask(HTTP, "", "", false, "q2"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)}
			ans := &contextAnswerer{}
			b := New(Options{Now: clk.now}, ans, nil, nil, nil)
			b.Handle(context.Background(), tc.first)
			clk.t = clk.t.Add(tc.wait)
			b.Handle(context.Background(), tc.next)
			if got := ans.last(); !sameContext(got, tc.want) {
				t.Errorf("context of %q = %s; want %s", tc.next.Text, show(got), show(tc.want))
			}
		})
	}
	// A chain: the topic stays the first question's, the article moves on.
	clk := &clock{t: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)}
	ans := &contextAnswerer{}
	b := New(Options{Now: clk.now}, ans, nil, nil, nil)
	for _, q := range []string{"q1", "q2", "q3"} {
		b.Handle(context.Background(), ask(Console, "console", "console", true, q))
	}
	if got := ans.last(); !sameContext(got, followed) {
		t.Errorf("context of q3 = %s; want %s", show(got), show(followed))
	}
}

// TestFollowUpReplies checks that a reply to one of the bot's answers is
// read with that answer's question, in groups too, for as long as
// ReplyWindow, and only in the chat it was sent in.
func TestFollowUpReplies(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)}
	ans := &contextAnswerer{}
	b := New(Options{Now: clk.now, FollowUps: FollowUps{ReplyWindow: time.Hour}}, ans, nil, nil, nil)
	first := Request{Platform: Telegram, ChatID: "-100", UserID: "7", Text: "q1"}
	rep := b.Handle(context.Background(), first)
	b.Sent(first, rep, "42")
	b.Sent(first, Reply{Text: "help text"}, "43") // not an answer: not remembered
	want := &answer.Context{Question: "q1", Doc: "doc:q1"}
	tests := []struct {
		name string
		r    Request
		want *answer.Context
	}{
		{"reply by the asker", Request{Platform: Telegram, ChatID: "-100", UserID: "7", Text: "q2", ReplyTo: "42"}, want},
		{"reply by another user", Request{Platform: Telegram, ChatID: "-100", UserID: "8", Text: "q2", ReplyTo: "42"}, want},
		{"reply in another chat", Request{Platform: Telegram, ChatID: "-200", UserID: "7", Text: "q2", ReplyTo: "42"}, nil},
		{"reply to a message that is not an answer", Request{Platform: Telegram, ChatID: "-100", UserID: "7", Text: "q2", ReplyTo: "43"}, nil},
		{"reply to an unknown message", Request{Platform: Telegram, ChatID: "-100", UserID: "7", Text: "q2", ReplyTo: "44"}, nil},
	}
	for _, tc := range tests {
		b.Handle(context.Background(), tc.r)
		if got := ans.last(); !sameContext(got, tc.want) {
			t.Errorf("%s: context = %s; want %s", tc.name, show(got), show(tc.want))
		}
	}
	clk.t = clk.t.Add(61 * time.Minute)
	b.Handle(context.Background(), tests[0].r)
	if got := ans.last(); got != nil {
		t.Errorf("reply after ReplyWindow: context = %s; want none", show(got))
	}
}

// TestConversationsBounded checks that at most Max conversations are kept,
// the least recently used forgotten first.
func TestConversationsBounded(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)}
	ans := &contextAnswerer{}
	b := New(Options{Now: clk.now, FollowUps: FollowUps{Max: 3}}, ans, nil, nil, nil)
	user := func(i int, q string) Request {
		id := fmt.Sprint(i)
		return Request{Platform: Telegram, ChatID: id, UserID: id, Direct: true, Text: q}
	}
	for i := range 3 {
		b.Handle(context.Background(), user(i, "q1"))
	}
	b.Handle(context.Background(), user(0, "q2")) // user 0 is now the most recently used
	if ans.last() == nil {
		t.Fatal("user 0's follow-up has no context")
	}
	b.Handle(context.Background(), user(3, "q1")) // forgets user 1, the least recently used
	if n := b.convs.len(); n != 3 {
		t.Errorf("%d conversations kept; want 3", n)
	}
	b.Handle(context.Background(), user(1, "q2"))
	if got := ans.last(); got != nil {
		t.Errorf("user 1, forgotten, asked with %s", show(got))
	}
	b.Handle(context.Background(), user(3, "q2"))
	if ans.last() == nil {
		t.Error("user 3's follow-up has no context")
	}
}

// TestFollowUpsOff checks that negative windows turn follow-ups off.
func TestFollowUpsOff(t *testing.T) {
	ans := &contextAnswerer{}
	b := New(Options{FollowUps: FollowUps{Window: -1, ReplyWindow: -1}}, ans, nil, nil, nil)
	r := Request{Platform: Console, ChatID: "console", UserID: "console", Direct: true, Text: "q1"}
	b.Sent(r, b.Handle(context.Background(), r), "1")
	r.Text = "q2"
	b.Handle(context.Background(), r)
	r.ReplyTo = "1"
	b.Handle(context.Background(), r)
	for i, c := range ans.seen {
		if c != nil {
			t.Errorf("question %d asked with %s; want none", i+1, show(c))
		}
	}
}

// TestFollowUpWithSeeds asks issue 16's three questions in the console
// through the bot and the engine: all three cite the article of the video
// call.
func TestFollowUpWithSeeds(t *testing.T) {
	b := New(Options{}, seedsEngine(t), nil, nil, nil)
	for _, q := range []string{
		"When did Giang hold a video call with his Lao counterpart?",
		"who congratulated him on his appointment?",
		"what did they agree on?",
	} {
		rep := b.Handle(context.Background(), Request{Platform: Console, ChatID: "console", UserID: "console", Direct: true, Text: q})
		if rep.Answer == nil || !rep.Answer.Answered || rep.Answer.Citations[0].Doc != "000_4284e16642b1629c.txt" {
			t.Fatalf("%q: %+v; want an answer from 000_4284e16642b1629c.txt", q, rep.Answer)
		}
	}
}

func sameContext(a, b *answer.Context) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func show(c *answer.Context) string {
	if c == nil {
		return "none"
	}
	return fmt.Sprintf("%+v", *c)
}

// seedsEngine is an engine over the articles embedded in the binary.
func seedsEngine(t testing.TB) *answer.Engine {
	t.Helper()
	ix, err := corpus.Load(context.Background(), seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	return answer.New(ix, answer.Options{})
}

// TestHelpMentionsFollowUps checks that /help tells chat users how to ask a
// follow-up, and the console and HTTP, which have no replies, nothing.
func TestHelpMentionsFollowUps(t *testing.T) {
	b := New(Options{}, &contextAnswerer{}, nil, nil, nil)
	for _, tc := range []struct {
		platform string
		direct   bool
		want     bool
	}{{Telegram, false, true}, {Telegram, true, true}, {Discord, false, true}, {Console, true, false}, {HTTP, false, false}} {
		rep := b.Handle(context.Background(), Request{Platform: tc.platform, Direct: tc.direct, Command: "help"})
		if got := strings.Contains(rep.Text, "\nReply to one of my answers to ask a follow-up"); got != tc.want {
			t.Errorf("/help on %s (direct %v) mentions follow-ups: %v; want %v:\n%s", tc.platform, tc.direct, got, tc.want, rep.Text)
		}
	}
}

// TestFollowUpThreads checks Discord threads started from an answer: the
// thread has the answer's id, its first question follows the answer up,
// and each later one the thread's last; a thread started from anything
// else, or on Telegram, has no context.
func TestFollowUpThreads(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)}
	ans := &contextAnswerer{}
	b := New(Options{Now: clk.now}, ans, nil, nil, nil)
	first := Request{Platform: Discord, ChatID: "700", UserID: "1", Text: "q1", Thread: "700"}
	b.Sent(first, b.Handle(context.Background(), first), "901")
	if got := ans.last(); got != nil {
		t.Fatalf("q1 in a channel asked with %s", show(got))
	}
	inThread := func(user, q string) Request {
		return Request{Platform: Discord, ChatID: "901", UserID: user, Text: q, Thread: "901"}
	}
	b.Handle(context.Background(), inThread("2", "q2"))
	if got, want := ans.last(), (&answer.Context{Question: "q1", Doc: "doc:q1"}); !sameContext(got, want) {
		t.Errorf("first question in the thread: context %s; want %s", show(got), show(want))
	}
	b.Handle(context.Background(), inThread("3", "q3"))
	if got, want := ans.last(), (&answer.Context{Question: "q1", Doc: "doc:q2"}); !sameContext(got, want) {
		t.Errorf("second question in the thread: context %s; want %s", show(got), show(want))
	}
	b.Handle(context.Background(), Request{Platform: Discord, ChatID: "902", UserID: "2", Text: "q4", Thread: "902"})
	if got := ans.last(); got != nil {
		t.Errorf("question in a thread not started from an answer: context %s", show(got))
	}
	tg := Request{Platform: Telegram, ChatID: "-100", UserID: "1", Text: "q1"}
	b.Sent(tg, b.Handle(context.Background(), tg), "5")
	b.Handle(context.Background(), Request{Platform: Telegram, ChatID: "5", UserID: "1", Text: "q2", Thread: "5"})
	if got := ans.last(); got != nil {
		t.Errorf("Telegram has no threads started from messages, yet: context %s", show(got))
	}
	clk.t = clk.t.Add(DefaultReplyWindow + time.Minute)
	b.Handle(context.Background(), inThread("2", "q5"))
	if got := ans.last(); got != nil {
		t.Errorf("thread after ReplyWindow: context %s", show(got))
	}
}
