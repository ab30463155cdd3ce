package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var testSalt = []byte("0123456789abcdef-test-salt")

type feedbackSetup struct {
	b     *Bot
	fb    *Feedback
	file  string
	clock *testkit.Clock
	logs  *bytes.Buffer
	reg   *prometheus.Registry
	m     *Metrics
}

// newFeedbackBot is a bot over the test corpus that collects feedback into
// a file in a temporary folder.
func newFeedbackBot(t *testing.T, edit ...func(*FeedbackOptions)) feedbackSetup {
	t.Helper()
	s := feedbackSetup{file: filepath.Join(t.TempDir(), "feedback.jsonl"),
		clock: testkit.NewClock(time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)), logs: &bytes.Buffer{},
		reg: prometheus.NewRegistry()}
	s.m = NewMetrics(s.reg)
	opts := FeedbackOptions{File: s.file, Salt: testSalt, Now: s.clock.Now, Recorder: s.m}
	for _, e := range edit {
		e(&opts)
	}
	fb, err := NewFeedback(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.fb = fb
	eng := testEngine(t, testCorpus())
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.b = New(Options{Feedback: fb, Recorder: s.m}, eng, nil, eng.Sources, log)
	return s
}

func (s feedbackSetup) ask(t *testing.T, platform, user, q string) Reply {
	t.Helper()
	rep := s.b.Handle(context.Background(), Request{Platform: platform, UserID: user, ChatID: user, Direct: true, Command: "ask", Text: q})
	if rep.Answer == nil {
		t.Fatalf("ask %q: no answer: %+v", q, rep)
	}
	return rep
}

func (s feedbackSetup) records(t *testing.T) []FeedbackRecord {
	t.Helper()
	f, err := os.Open(s.file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, bad, err := ReadFeedback(f)
	if err != nil || len(bad) > 0 {
		t.Fatalf("ReadFeedback: %v %v", err, bad)
	}
	return recs
}

func TestVoteIsRecordedOncePerUserWithAHashedID(t *testing.T) {
	s := newFeedbackBot(t)
	rep := s.ask(t, Telegram, "1001", "who is the mayor of Riverton?")
	if rep.FeedbackID == "" || !rep.Answer.Answered {
		t.Fatalf("answer %+v has no feedback id", rep)
	}
	vote := func(user, verdict string) Reply {
		return s.b.Vote(context.Background(), Vote{Platform: Telegram, UserID: user, Data: VoteData(rep.FeedbackID, verdict)})
	}
	if got := vote("1001", VerdictDown); got.Text != voteThanksDown || !got.Private {
		t.Errorf("first vote = %+v; want the private thanks for a 👎", got)
	}
	if got := vote("1001", VerdictUp); got.Text != voteTwice {
		t.Errorf("second vote by the same user = %+v; want %q", got, voteTwice)
	}
	if got := vote("1002", VerdictUp); got.Text != voteThanksUp {
		t.Errorf("another user's vote = %+v; want the thanks for a 👍", got)
	}
	recs := s.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records; want 2 (the second vote of user 1001 changes nothing): %+v", len(recs), recs)
	}
	r := recs[0]
	want := FeedbackRecord{Time: s.clock.Now(), Platform: Telegram, Verdict: VerdictDown, AnswerID: rep.FeedbackID,
		Question: "who is the mayor of Riverton?", Answered: true, Answer: rep.Answer.Answer,
		Doc: rep.Answer.Citations[0].Doc, Title: rep.Answer.Citations[0].Title, Date: rep.Answer.Citations[0].Date,
		Sentence: rep.Answer.Citations[0].Sentence, User: r.User}
	if r != want {
		t.Errorf("record = %+v\nwant %+v", r, want)
	}
	raw, _ := os.ReadFile(s.file)
	if strings.Contains(string(raw), "1001") || len(r.User) != 32 || r.User == recs[1].User {
		t.Errorf("user ids are not hashed apart: %q vs %q in\n%s", r.User, recs[1].User, raw)
	}
	other, _ := NewFeedback(FeedbackOptions{File: s.file, Salt: []byte("another-salt-of-16-bytes")})
	if other.hashUser(Telegram, "1001") == r.User || s.fb.hashUser(Telegram, "1001") != r.User {
		t.Error("the user hash does not depend on the salt alone")
	}
	if st, _ := os.Stat(s.file); st.Mode().Perm() != 0o600 {
		t.Errorf("feedback file mode = %v; want 0600", st.Mode().Perm())
	}
	for _, tc := range []struct {
		verdict string
		want    float64
	}{{VerdictUp, 1}, {VerdictDown, 1}} {
		if got := testutil.ToFloat64(s.m.feedback.WithLabelValues(Telegram, tc.verdict)); got != tc.want {
			t.Errorf("corpusbot_feedback_total{telegram,%s} = %v; want %v", tc.verdict, got, tc.want)
		}
	}
}

func TestVoteBadInputChangesNothing(t *testing.T) {
	s := newFeedbackBot(t, func(o *FeedbackOptions) { o.MaxAnswers = 2; o.MaxAge = time.Hour })
	first := s.ask(t, Discord, "7", "who is the mayor of Riverton?")
	old := s.ask(t, Discord, "7", "how much will the bridge cost?")
	s.clock.Add(2 * time.Hour)
	fresh := s.ask(t, Discord, "7", "when did the river festival open?") // evicts first
	for _, tc := range []struct {
		name, platform, user, data string
		want                       string
	}{
		{"empty", Discord, "7", "", voteUnreadable},
		{"not ours", Discord, "7", "hello", voteUnreadable},
		{"bad verdict", Discord, "7", "v1:x:" + fresh.FeedbackID, voteUnreadable},
		{"short id", Discord, "7", "v1:u:abc", voteUnreadable},
		{"not base64", Discord, "7", "v1:u:!!!!!!!!!!!!", voteUnreadable},
		{"overlong", Discord, "7", VoteData(fresh.FeedbackID, VerdictUp) + "x", voteUnreadable},
		{"no user", Discord, "", VoteData(fresh.FeedbackID, VerdictUp), voteUnreadable},
		{"unknown id", Discord, "7", VoteData("AAAAAAAAAAAA", VerdictUp), voteUnknown},
		{"evicted", Discord, "7", VoteData(first.FeedbackID, VerdictUp), voteUnknown},
		{"expired", Discord, "7", VoteData(old.FeedbackID, VerdictDown), voteUnknown},
		{"other platform", Telegram, "7", VoteData(fresh.FeedbackID, VerdictUp), voteUnknown},
	} {
		got := s.b.Vote(context.Background(), Vote{Platform: tc.platform, UserID: tc.user, Data: tc.data})
		if got.Err == nil || got.Err.Kind != Invalid || got.Err.Message != tc.want || !got.Private {
			t.Errorf("%s: Vote(%q) = %+v; want a private invalid %q", tc.name, tc.data, got, tc.want)
		}
	}
	if recs := s.records(t); len(recs) != 0 {
		t.Errorf("bad votes were recorded: %+v", recs)
	}
	// The fresh answer still takes its vote.
	if got := s.b.Vote(context.Background(), Vote{Platform: Discord, UserID: "7", Data: VoteData(fresh.FeedbackID, VerdictUp)}); got.Text != voteThanksUp {
		t.Errorf("vote on the fresh answer = %+v", got)
	}
}

func TestUnwritableFeedbackFileIsLoggedAndTheBotGoesOn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	s := newFeedbackBot(t, func(o *FeedbackOptions) { o.File = filepath.Join(dir, "feedback.jsonl") })
	s.file = filepath.Join(dir, "feedback.jsonl")
	rep := s.ask(t, Console, "console", "who is the mayor of Riverton?")
	vote := Vote{Platform: Console, UserID: "console", Data: VoteData(rep.FeedbackID, VerdictDown)}
	got := s.b.Vote(context.Background(), vote)
	if got.Err == nil || got.Err.Kind != Internal || got.Err.Message != voteFailed {
		t.Fatalf("vote into an unwritable file = %+v; want the internal %q", got, voteFailed)
	}
	if !strings.Contains(s.logs.String(), `"msg":"vote not recorded"`) || !strings.Contains(s.logs.String(), "no such file") {
		t.Errorf("the failure is not logged with its cause:\n%s", s.logs)
	}
	if n := testutil.ToFloat64(s.m.feedback.WithLabelValues(Console, VerdictDown)); n != 0 {
		t.Errorf("a failed vote was counted: %v", n)
	}
	if again := s.ask(t, Console, "console", "how much will the bridge cost?"); !again.Answer.Answered {
		t.Errorf("the bot stopped answering: %+v", again)
	}
	// Once the file can be written, the same user's vote goes through.
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if got := s.b.Vote(context.Background(), vote); got.Text != voteThanksDown {
		t.Errorf("retried vote = %+v; want the thanks", got)
	}
	if recs := s.records(t); len(recs) != 1 {
		t.Errorf("%d records; want 1", len(recs))
	}
}

func TestWhichRepliesTakeVotes(t *testing.T) {
	s := newFeedbackBot(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  Request
		want bool
	}{
		{"answer", Request{Platform: Discord, UserID: "1", Text: "who is the mayor of Riverton?"}, true},
		{"refusal", Request{Platform: Discord, UserID: "1", Text: "what is the population of peru?"}, true},
		{"small talk", Request{Platform: Discord, UserID: "1", Text: "hello"}, false},
		{"no words", Request{Platform: Discord, UserID: "1", Text: "???"}, false},
		{"http", Request{Platform: HTTP, Text: "who is the mayor of Riverton?"}, false},
		{"help", Request{Platform: Discord, UserID: "1", Command: "help"}, false},
	} {
		rep := s.b.Handle(ctx, tc.req)
		if got := rep.FeedbackID != ""; got != tc.want {
			t.Errorf("%s: feedback id %q; want one: %v (%+v)", tc.name, rep.FeedbackID, tc.want, rep.Answer)
		}
	}
	for _, tc := range []struct{ platform, want string }{
		{Telegram, "Rate an answer with the 👍 or 👎 under it"},
		{Console, "Rate the last answer with /good or /bad."},
	} {
		if help := s.b.Handle(ctx, Request{Platform: tc.platform, UserID: "1", Command: "help"}); !strings.Contains(help.Text, tc.want) {
			t.Errorf("/help on %s = %q; want %q", tc.platform, help.Text, tc.want)
		}
	}
	off := New(Options{}, testEngine(t, testCorpus()), nil, nil, nil)
	if help := off.Handle(ctx, Request{Platform: Telegram, Command: "help"}); strings.Contains(help.Text, "Rate") {
		t.Errorf("/help without feedback speaks of votes: %q", help.Text)
	}
	if rep := off.Handle(ctx, Request{Platform: Discord, UserID: "1", Text: "who is the mayor of Riverton?"}); rep.FeedbackID != "" {
		t.Errorf("a bot without feedback gave a feedback id")
	}
	if got := off.Vote(ctx, Vote{Platform: Discord, UserID: "1", Data: VoteData("AAAAAAAAAAAA", VerdictUp)}); got.Text != voteOff {
		t.Errorf("vote on a bot without feedback = %+v", got)
	}
}

func TestConcurrentVotesAppendWholeLines(t *testing.T) {
	s := newFeedbackBot(t)
	rep := s.ask(t, Discord, "1", "who is the mayor of Riverton?")
	var wg sync.WaitGroup
	const n = 40
	for i := range n {
		wg.Go(func() {
			s.b.Vote(context.Background(), Vote{Platform: Discord, UserID: fmt.Sprint(i % (n / 2)), Data: VoteData(rep.FeedbackID, VerdictUp)})
		})
	}
	wg.Wait()
	raw, err := os.ReadFile(s.file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != n/2 {
		t.Errorf("%d lines; want %d (one per user)", len(lines), n/2)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("torn line %q", l)
		}
	}
}

func TestVoteData(t *testing.T) {
	id := newAnswerID()
	for _, v := range []string{VerdictUp, VerdictDown} {
		d := VoteData(id, v)
		if len(d) > 64 {
			t.Errorf("VoteData = %q: %d bytes, over Telegram's 64", d, len(d))
		}
		gotID, gotV, ok := ParseVote(d)
		if !ok || gotID != id || gotV != v || !IsVoteData(d) {
			t.Errorf("ParseVote(%q) = %q, %q, %v; want %q, %q", d, gotID, gotV, ok, id, v)
		}
	}
}

func TestReadFeedback(t *testing.T) {
	in := `{"time":"2026-12-05T18:00:00Z","platform":"telegram","user":"ab","verdict":"down","question":"who?"}

{"verdict":"sideways","question":"who?"}
{"verdict":"up","question":""}
{"verdict":"up","question":"what?"} {"x":1}
{"time":"2026-12-05T18:01:00Z","platform":"discord","user":"cd","verdict":"up","question":"when?"}
{"verdict":"down","quest`
	recs, bad, err := ReadFeedback(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Question != "who?" || recs[1].Platform != "discord" {
		t.Errorf("records = %+v; want the two good ones", recs)
	}
	var lines []string
	for _, e := range bad {
		lines = append(lines, strings.SplitN(e.Error(), ":", 2)[0])
	}
	if got := strings.Join(lines, ","); got != "line 3,line 4,line 5,line 7" {
		t.Errorf("bad lines = %s; want line 3,line 4,line 5,line 7 (%v)", got, bad)
	}
	long := `{"verdict":"up","question":"` + strings.Repeat("x", MaxFeedbackLine) + `"}` + "\n" + `{"verdict":"up","question":"ok"}`
	recs, bad, _ = ReadFeedback(strings.NewReader(long))
	if len(recs) != 1 || len(bad) != 1 || !strings.Contains(bad[0].Error(), "longer than") {
		t.Errorf("overlong line: %d records, bad %v", len(recs), bad)
	}
}

func FuzzParseVote(f *testing.F) {
	f.Add(VoteData("AAAAAAAAAAAA", VerdictUp))
	f.Add("v1:d:abcdefghijkl")
	f.Add("v1:u:abc")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		id, verdict, ok := ParseVote(data)
		if !ok {
			return
		}
		if VoteData(id, verdict) != data || len(data) > 64 {
			t.Errorf("ParseVote(%q) = %q, %q, ok; VoteData gives back %q", data, id, verdict, VoteData(id, verdict))
		}
	})
}

func FuzzReadFeedback(f *testing.F) {
	f.Add(`{"verdict":"up","question":"who?"}` + "\n" + `{"verdict":"x"}`)
	f.Add("\n\n{")
	f.Fuzz(func(t *testing.T, in string) {
		recs, bad, err := ReadFeedback(strings.NewReader(in))
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		if lines := strings.Count(in, "\n") + 1; len(recs)+len(bad) > lines {
			t.Errorf("%d records and %d bad lines from %d lines", len(recs), len(bad), lines)
		}
		for _, r := range recs {
			if (r.Verdict != VerdictUp && r.Verdict != VerdictDown) || strings.TrimSpace(r.Question) == "" {
				t.Errorf("accepted a bad record %+v", r)
			}
		}
	})
}

// BenchmarkHandleFeedback is a question with and without feedback: the
// cost of remembering an answer for its votes.
func BenchmarkHandleFeedback(b *testing.B) {
	eng := testEngine(b, testCorpus())
	fb, err := NewFeedback(FeedbackOptions{File: filepath.Join(b.TempDir(), "f.jsonl"), Salt: testSalt})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Platform: Telegram, UserID: "1", ChatID: "1", Command: "ask", Text: "who is the mayor of Riverton?"}
	for _, tc := range []struct {
		name string
		fb   *Feedback
	}{{"off", nil}, {"on", fb}} {
		bt := New(Options{Feedback: tc.fb}, eng, nil, nil, nil)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bt.Handle(context.Background(), req)
			}
		})
	}
}

// BenchmarkVote records votes: a hash, a file append and an fsync each.
func BenchmarkVote(b *testing.B) {
	eng := testEngine(b, testCorpus())
	fb, err := NewFeedback(FeedbackOptions{File: filepath.Join(b.TempDir(), "f.jsonl"), Salt: testSalt})
	if err != nil {
		b.Fatal(err)
	}
	bt := New(Options{Feedback: fb}, eng, nil, nil, nil)
	rep := bt.Handle(context.Background(), Request{Platform: Telegram, UserID: "1", Command: "ask", Text: "who is the mayor of Riverton?"})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if r := bt.Vote(context.Background(), Vote{Platform: Telegram, UserID: fmt.Sprint(i), Data: VoteData(rep.FeedbackID, VerdictDown)}); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}
