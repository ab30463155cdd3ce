package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/bot"
)

func TestFeedbackFileDefaults(t *testing.T) {
	for _, tc := range []struct{ file, dir, want string }{
		{"", "/srv/news/articles", "/srv/news/feedback.jsonl"},
		{"", "/srv/news/articles/", "/srv/news/feedback.jsonl"},
		{"", "seeds", "feedback.jsonl"},
		{"", "", ""},
		{"/var/lib/votes.jsonl", "seeds", "/var/lib/votes.jsonl"},
		{"votes.jsonl", "", "votes.jsonl"},
	} {
		if got := feedbackFile(tc.file, tc.dir); got != tc.want {
			t.Errorf("feedbackFile(%q, %q) = %q; want %q", tc.file, tc.dir, got, tc.want)
		}
	}
	if got := saltFile("", "/a/feedback.jsonl"); got != "/a/feedback.jsonl.salt" {
		t.Errorf("saltFile = %q", got)
	}
	cfg := defaultConfig()
	cfg.Corpus.Dir = t.TempDir()
	cfg.Feedback.Disabled = true
	if fb := feedbackFor(cfg, nil, nil); fb != nil {
		t.Error("feedback.disabled did not turn feedback off")
	}
	cfg = defaultConfig()
	if fb := feedbackFor(cfg, nil, nil); fb != nil {
		t.Error("the embedded corpus collects feedback without feedback.file")
	}

	// A feedback file that cannot be written (here a folder) is a warning
	// at start; a salt that cannot be made turns feedback off with an error.
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg.Feedback.File = t.TempDir()
	if fb := feedbackFor(cfg, nil, log); fb == nil || !strings.Contains(logs.String(), "level=WARN msg=\"the feedback file cannot be written") {
		t.Errorf("unwritable feedback file: feedback %v, log:\n%s", fb, logs.String())
	}
	logs.Reset()
	cfg.Feedback.File = filepath.Join(t.TempDir(), "missing", "feedback.jsonl")
	if fb := feedbackFor(cfg, nil, log); fb != nil || !strings.Contains(logs.String(), "level=ERROR msg=\"feedback is off") {
		t.Errorf("feedback file in a missing folder: feedback %v, log:\n%s", fb, logs.String())
	}
}

func TestLoadSalt(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "feedback.jsonl.salt")
	first, err := loadSalt(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2*saltBytes {
		t.Errorf("new salt %q: %d bytes; want %d hex digits", first, len(first), 2*saltBytes)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("salt file mode %v; want 0600", st.Mode().Perm())
	}
	again, err := loadSalt(p)
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("second load = %q, %v; want the same salt", again, err)
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("tiny\n"), 0o600)
	if _, err := loadSalt(short); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short salt: %v", err)
	}
	if _, err := loadSalt(filepath.Join(dir, "missing", "salt")); err == nil {
		t.Error("a salt in a missing folder loaded")
	}
}

// TestChatVotes rates answers in the console with /good and /bad, then
// exports the 👎 ones.
func TestChatVotes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "votes.jsonl")
	q := "who's laos's defence minister now?"
	in := strings.NewReader("/good\n" + q + "\n/bad\n/good\nhello\n/BAD\n")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"chat", "--feedback", file}, in, &out, &errb); err != nil {
		t.Fatalf("chat: %v (%s)", err, errb.String())
	}
	got := out.String()
	wants := []string{"There is no answer to rate yet", "Khamliang", "(Was this helpful? /good or /bad)",
		"Thanks for the 👎", "already rated", "already rated"}
	at := 0
	for _, w := range wants {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("chat output lacks %q after byte %d:\n%s", w, at, got)
		}
		at += i + len(w)
	}
	if strings.Count(got, "(Was this helpful?") != 1 {
		t.Errorf("small talk was offered a vote:\n%s", got)
	}

	out.Reset()
	if err := run(context.Background(), []string{"feedback", "--export", "--file", file}, nil, &out, &errb); err != nil {
		t.Fatalf("feedback --export: %v (%s)", err, errb.String())
	}
	var e evalQuestion
	if err := json.Unmarshal(out.Bytes(), &e); err != nil || e.Question != q || e.Down != 1 || !e.BotAnswered || e.BotDoc == "" {
		t.Errorf("export = %s (%v); want the question rated 👎", out.String(), err)
	}

	// Without --feedback, the console says how to turn it on.
	out.Reset()
	if err := run(context.Background(), []string{"chat"}, strings.NewReader(q+"\n/bad\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Feedback is off: start the console with --feedback FILE") || strings.Contains(out.String(), "Was this helpful") {
		t.Errorf("chat without --feedback:\n%s", out.String())
	}
}

func writeRecords(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "feedback.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func record(verdict, question string, answered bool, doc string, minute int) string {
	b, _ := json.Marshal(bot.FeedbackRecord{Time: time.Date(2026, 12, 5, 18, minute, 0, 0, time.UTC), Platform: bot.Telegram,
		User: fmt.Sprintf("u%d", minute), Verdict: verdict, Question: question, Answered: answered, Doc: doc,
		Sentence: "S of " + doc})
	return string(b)
}

func TestFeedbackExport(t *testing.T) {
	file := writeRecords(t,
		record("up", "Who leads Laos?", true, "a.txt", 1),
		record("down", "when was the call?", true, "b.txt", 2),
		record("down", "Who leads Laos?", true, "a.txt", 3),
		`{"verdict":"down","quest`, // a torn line
		record("down", "When  was the CALL?", true, "b.txt", 4),
		record("down", "what is the population of peru?", false, "", 5),
		record("up", "how many villages?", true, "c.txt", 6),
	)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"feedback", "--export", "--file", file}, nil, &out, &errb); err != nil {
		t.Fatalf("export: %v (%s)", err, errb.String())
	}
	if !strings.Contains(errb.String(), "line 4") {
		t.Errorf("the torn line is not reported: %q", errb.String())
	}
	var got []evalQuestion
	for line := range strings.Lines(out.String()) {
		var q evalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		var keys map[string]any
		json.Unmarshal([]byte(line), &keys)
		for _, k := range []string{"id", "question", "answers", "doc", "sentence"} { // what score.py reads
			if _, ok := keys[k]; !ok {
				t.Errorf("export line lacks %q: %s", k, line)
			}
		}
		if a, ok := keys["answers"].([]any); !ok || len(a) != 0 {
			t.Errorf("answers = %v; want [] for a person to fill in", keys["answers"])
		}
		got = append(got, q)
	}
	var summary []string
	for _, q := range got {
		summary = append(summary, fmt.Sprintf("%s down=%d up=%d answered=%v doc=%s", q.Question, q.Down, q.Up, q.BotAnswered, q.BotDoc))
	}
	want := []string{
		"when was the call? down=2 up=0 answered=true doc=b.txt",
		"Who leads Laos? down=1 up=1 answered=true doc=a.txt",
		"what is the population of peru? down=1 up=0 answered=false doc=",
	}
	if !slices.Equal(summary, want) {
		t.Errorf("export:\n%s\nwant:\n%s", strings.Join(summary, "\n"), strings.Join(want, "\n"))
	}
	if len(got) == 3 && (got[0].ID == got[1].ID || !strings.HasPrefix(got[0].ID, "fb-")) {
		t.Errorf("ids %q %q", got[0].ID, got[1].ID)
	}

	out.Reset()
	if err := run(context.Background(), []string{"feedback", "--file", file}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); s != "6 votes: 2 👍, 4 👎; 3 questions rated 👎 (export them with --export)\n" {
		t.Errorf("summary = %q", s)
	}
	err := run(context.Background(), []string{"feedback", "--file", filepath.Join(t.TempDir(), "none.jsonl")}, nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "no such file") || exitCode(err) != 1 {
		t.Errorf("missing file: %v", err)
	}
	if err := run(context.Background(), []string{"feedback", "extra"}, nil, &out, &errb); exitCode(err) != 2 {
		t.Errorf("stray argument: %v; want a usage error", err)
	}
}

// TestServeRecordsTelegramVotes runs serve against a small Bot API fake:
// an answer carries 👍/👎, a press is recorded beside the corpus and
// counted in the metrics.
func TestServeRecordsTelegramVotes(t *testing.T) {
	updates := make(chan string, 4)
	markups, answered := make(chan string, 4), make(chan string, 4)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch path.Base(r.URL.Path) {
		case "getMe":
			fmt.Fprint(w, `{"ok":true,"result":{"id":7,"is_bot":true,"first_name":"Corpus","username":"corpus_bot"}}`)
		case "getUpdates":
			select {
			case u := <-updates:
				fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, u)
			case <-time.After(50 * time.Millisecond):
				fmt.Fprint(w, `{"ok":true,"result":[]}`)
			case <-r.Context().Done():
			}
		case "sendMessage":
			markups <- r.PostForm.Get("reply_markup")
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":2,"date":1,"chat":{"id":731002981,"type":"private"},"text":"a"}}`)
		case "answerCallbackQuery":
			answered <- r.PostForm.Get("text")
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(fake.Close)
	dir := testkit.CopySeeds(t)
	cfg := testConfig(dir)
	cfg.Telegram = &TelegramConfig{Token: "123456:vote-test-token", APIURL: fake.URL, PollTimeout: time.Second}
	base, log, stop := startServe(t, cfg)
	file := filepath.Join(filepath.Dir(dir), "feedback.jsonl")
	if !strings.Contains(log.String(), `msg="feedback on" file=`+file) {
		t.Errorf("no 'feedback on' line naming %s:\n%s", file, log)
	}

	// A user id long enough that its hash (32 hex digits) or the time cannot
	// hold it by chance, as "1001" once did.
	chat := `"chat":{"id":731002981,"type":"private","first_name":"Alice"}`
	from := `"from":{"id":731002981,"is_bot":false,"first_name":"Alice"}`
	updates <- `{"update_id":1,"message":{"message_id":1,` + from + `,"date":1,` + chat + `,"text":"who is laos's defence minister now?"}}`
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	select {
	case m := <-markups:
		if err := json.Unmarshal([]byte(m), &kb); err != nil || len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 2 {
			t.Fatalf("reply_markup %q; want a 👍/👎 keyboard", m)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no answer sent; log:\n%s", log)
	}
	down := kb.InlineKeyboard[0][1].CallbackData
	updates <- `{"update_id":2,"callback_query":{"id":"99",` + from + `,"message":{"message_id":2,"date":1,` + chat +
		`,"text":"a"},"chat_instance":"1","data":"` + down + `"}}`
	select {
	case text := <-answered:
		if !strings.Contains(text, "👎") {
			t.Errorf("answerCallbackQuery text %q; want thanks for the 👎", text)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the vote was not answered; log:\n%s", log)
	}
	waitMetric(t, base, `corpusbot_feedback_total{platform="telegram",verdict="down"}`, 1)
	if got := metric(t, base, `corpusbot_feedback_total{platform="telegram",verdict="up"}`); got != 0 {
		t.Errorf("up votes = %v; want 0", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(raw), "\n") != 1 || !strings.Contains(string(raw), `"verdict":"down"`) || strings.Contains(string(raw), "731002981") {
		t.Errorf("feedback file:\n%s", raw)
	}
	if _, err := os.Stat(file + ".salt"); err != nil {
		t.Errorf("no salt file beside the feedback file: %v", err)
	}
}
