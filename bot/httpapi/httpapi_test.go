package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

func testBot(t testing.TB) (*bot.Bot, *answer.Engine) {
	t.Helper()
	fsys := fstest.MapFS{
		"festival.txt": {Data: []byte("---\ntitle: River festival opens\ndate: 2024-05-02\n---\n" +
			"The river festival opened in Riverton with a parade of boats. The mayor of Riverton, Anna Vell, opened the festival.\n")},
	}
	ix, err := corpus.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	eng := answer.New(ix, answer.Options{})
	// A rate limit the HTTP API must not be subject to.
	return bot.New(bot.Options{MaxQuestion: 200, RateLimit: bot.RateLimit{PerMinute: 1, Burst: 1}}, eng, nil, eng.Sources, nil), eng
}

func do(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

func TestReadiness(t *testing.T) {
	h := New(nil)
	if rec := do(h, "GET", "/healthz", ""); rec.Code != 200 {
		t.Errorf("/healthz before the bot = %d; want 200 (the process is alive)", rec.Code)
	}
	if rec := do(h, "GET", "/readyz", ""); rec.Code != 503 {
		t.Errorf("/readyz before the bot = %d; want 503", rec.Code)
	}
	if rec := do(h, "POST", "/v1/ask", `{"question":"who is the mayor?"}`); rec.Code != 503 {
		t.Errorf("/v1/ask before the bot = %d; want 503", rec.Code)
	}
	if rec := do(h, "GET", "/metrics", ""); rec.Code != 404 {
		t.Errorf("/metrics without a metrics handler = %d; want 404", rec.Code)
	}
	b, _ := testBot(t)
	h.SetBot(b)
	if rec := do(h, "GET", "/readyz", ""); rec.Code != 200 {
		t.Errorf("/readyz with the bot = %d; want 200", rec.Code)
	}
}

// A connector is an adapter's connection state, set by the test.
type connector struct{ up atomic.Bool }

func (c *connector) Connected() bool { return c.up.Load() }

func TestReadinessWaitsForEveryRequiredPart(t *testing.T) {
	h := New(nil)
	discord, telegram := &connector{}, &connector{}
	h.Require("discord", discord)
	h.Require("telegram", telegram)
	ready := func(code int, body string) {
		t.Helper()
		rec := do(h, "GET", "/readyz", "")
		if rec.Code != code || rec.Body.String() != body+"\n" {
			t.Errorf("/readyz = %d %q; want %d %q", rec.Code, rec.Body, code, body)
		}
	}
	ready(503, "not ready: corpus (loading), discord (connecting), telegram (connecting)")
	b, _ := testBot(t)
	h.SetBot(b)
	ready(503, "not ready: discord (connecting), telegram (connecting)")
	telegram.up.Store(true)
	ready(503, "not ready: discord (connecting)")
	discord.up.Store(true)
	ready(200, "ready")
	discord.up.Store(false) // a lost gateway
	ready(503, "not ready: discord (connecting)")
}

// TestAskExplain checks that "explain": true on /v1/ask breaks each
// citation's score into its signals, and that they are absent unasked.
func TestAskExplain(t *testing.T) {
	b, _ := testBot(t)
	h := New(http.NotFoundHandler())
	h.SetBot(b)
	for _, explain := range []bool{true, false} {
		body := fmt.Sprintf(`{"question": "Who is the mayor of Riverton?", "top": 1, "explain": %v}`, explain)
		rec := do(h, "POST", "/v1/ask", body)
		var got answer.Result
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
			t.Fatalf("/v1/ask %s = %d %s", body, rec.Code, rec.Body)
		}
		if len(got.Citations) == 0 || (len(got.Citations[0].Explain) > 0) != explain {
			t.Errorf("/v1/ask %s = %s; want explained: %v", body, rec.Body, explain)
		}
	}
}

func TestAsk(t *testing.T) {
	b, eng := testBot(t)
	h := New(http.NotFoundHandler())
	h.SetBot(b)
	for range 3 { // past the rate limit, which the HTTP API is exempt from
		rec := do(h, "POST", "/v1/ask", `{"question": "Who is the mayor of Riverton?", "top": 1}`)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("/v1/ask = %d %s", rec.Code, rec.Body)
		}
		var got answer.Result
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want, err := eng.Ask(context.Background(), "Who is the mayor of Riverton?", answer.AskOptions{Top: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Answered || len(got.Citations) != 1 || got.Citations[0].Sentence != want.Citations[0].Sentence ||
			!strings.Contains(got.Citations[0].Sentence, "Anna Vell") {
			t.Errorf("/v1/ask = %+v; want the engine's answer %+v", got, want)
		}
	}
	// Markup is not escaped into HTML entities: the JSON is ask --json's.
	rec := do(h, "POST", "/v1/ask", `{"question": "<b>@everyone</b> & the mayor?"}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"question":"<b>@everyone</b> & the mayor?"`) {
		t.Errorf("/v1/ask with markup = %d %s", rec.Code, rec.Body)
	}
}

func TestAskBadRequests(t *testing.T) {
	b, _ := testBot(t)
	h := New(nil)
	h.SetBot(b)
	for _, tc := range []struct {
		method, body string
		code         int
		says         string
	}{
		{"POST", `{"question": ""}`, 400, "question is empty"},
		{"POST", `{"question": "  \t "}`, 400, "question is empty"},
		{"POST", `{"question": "?!"}`, 400, "question has no words"},
		{"POST", `{"question": "… — ?"}`, 400, "question has no words"},
		{"POST", `{"question": "` + strings.Repeat("x", 201) + `"}`, 400, "too long"},
		{"POST", `{"question": "\u0000\u0001"}`, 400, "question is empty"},
		{"POST", `{"question": "x"} {"question": "y"}`, 400, "more than one"},
		{"POST", `{"question": 5}`, 400, "not valid JSON"},
		{"POST", `{"q": "x"}`, 400, "not valid JSON"},
		{"POST", ``, 400, "not valid JSON"},
		{"POST", "\xff\xfe", 400, "not valid JSON"},
		{"POST", `{"question": "x", "top": -1}`, 400, "top"},
		{"POST", `{"question": "x", "top": 101}`, 400, "top"},
		{"POST", `{"question": "` + strings.Repeat("x", MaxBody) + `"}`, 413, "too large"},
		{"GET", ``, 405, ""},
	} {
		rec := do(h, tc.method, "/v1/ask", tc.body)
		if rec.Code != tc.code || !strings.Contains(strings.ToLower(rec.Body.String()), strings.ToLower(tc.says)) {
			t.Errorf("%s /v1/ask %.30q = %d %s; want %d saying %q", tc.method, tc.body, rec.Code, rec.Body, tc.code, tc.says)
		}
		if strings.Contains(rec.Body.String(), "/ask") {
			t.Errorf("%s /v1/ask %.30q = %s: chat syntax in an HTTP error", tc.method, tc.body, rec.Body)
		}
	}
}

// A recorder keeps the Events the bot reports.
type recorder struct {
	mu     sync.Mutex // guards events
	events []bot.Event
}

func (r *recorder) Handled(e bot.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) Reloaded(bool, time.Duration) {}

func TestQuestionsWithoutWordsAreInvalid(t *testing.T) {
	_, eng := testBot(t)
	rec := &recorder{}
	h := New(nil)
	h.SetBot(bot.New(bot.Options{Recorder: rec}, eng, nil, eng.Sources, nil))
	qs := []string{"", "?!", "<b></b>", "@everyone <@123>"}
	for _, q := range qs {
		body, _ := json.Marshal(map[string]string{"question": q})
		if res := do(h, "POST", "/v1/ask", string(body)); res.Code != 400 {
			t.Errorf("/v1/ask %s = %d %s; want 400", body, res.Code, res.Body)
		}
	}
	want := bot.Event{Platform: bot.HTTP, Command: "ask", Outcome: bot.OutcomeInvalid}
	if len(rec.events) != len(qs) {
		t.Fatalf("events = %+v; want %d like %+v", rec.events, len(qs), want)
	}
	for _, e := range rec.events {
		e.Latency = 0
		if e != want {
			t.Errorf("event %+v; want %+v", e, want)
		}
	}
}

func FuzzAsk(f *testing.F) {
	f.Add(`{"question": "who is the mayor?", "top": 2}`)
	f.Add(`{"question": "<b>&amp;</b>"}`)
	f.Add(`[]`)
	b, _ := testBot(f)
	h := New(nil)
	h.SetBot(b)
	f.Fuzz(func(t *testing.T, body string) {
		rec := do(h, "POST", "/v1/ask", body)
		switch rec.Code {
		case 200:
			var res answer.Result
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatalf("200 with a body that is not a result: %s", rec.Body)
			}
		case 400, 413:
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%d without an error message: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
