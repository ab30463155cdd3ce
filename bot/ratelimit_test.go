package bot

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	type step struct {
		at       time.Duration // after t0
		key      string
		ok, warn bool
	}
	tests := []struct {
		name  string
		rl    RateLimit
		steps []step
	}{
		{"burst then refusals, one warning", RateLimit{PerMinute: 6, Burst: 2}, []step{
			{0, "a", true, false},
			{0, "a", true, false},
			{0, "a", false, true},
			{time.Second, "a", false, false},
			{2 * time.Second, "a", false, false},
			{10 * time.Second, "a", true, false},  // one token back after 10 s
			{11 * time.Second, "a", false, false}, // still within the warning window
			{71 * time.Second, "a", true, false},  // the bucket is full again
			{71 * time.Second, "a", true, false},
			{71 * time.Second, "a", false, true}, // a new window: told once more
		}},
		{"users are apart", RateLimit{PerMinute: 1, Burst: 1}, []step{
			{0, "a", true, false},
			{0, "b", true, false},
			{0, "a", false, true},
			{0, "b", false, true},
		}},
		{"a burst of zero means one", RateLimit{PerMinute: 60}, []step{
			{0, "a", true, false},
			{0, "a", false, true},
			{time.Second, "a", true, false},
		}},
		{"tokens never exceed the burst", RateLimit{PerMinute: 60, Burst: 2}, []step{
			{time.Hour, "a", true, false},
			{time.Hour, "a", true, false},
			{time.Hour, "a", false, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.rl)
			for i, s := range tt.steps {
				ok, warn := l.allow(s.key, t0.Add(s.at))
				if ok != s.ok || warn != s.warn {
					t.Errorf("step %d: allow(%q, t0+%v) = %v, %v; want %v, %v", i, s.key, s.at, ok, warn, s.ok, s.warn)
				}
			}
		})
	}
}

func TestLimiterOff(t *testing.T) {
	if l := newLimiter(RateLimit{}); l != nil {
		t.Errorf("newLimiter(zero) = %v; want nil (no limit)", l)
	}
}

func TestLimiterForgetsIdleUsers(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(RateLimit{PerMinute: 60, Burst: 3})
	for i := range 1000 {
		l.allow(fmt.Sprint(i), t0)
	}
	if n := l.size(); n != 1000 {
		t.Fatalf("size = %d; want 1000", n)
	}
	l.allow("late", t0.Add(2*time.Minute))
	if n := l.size(); n != 1 {
		t.Errorf("size after everyone refilled = %d; want 1", n)
	}
}

// clock is a settable time for the bot.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestHandleRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	rec := &recorder{}
	mods := Moderators{TelegramUserIDs: []int64{7}}
	b := New(Options{Moderators: mods, RateLimit: RateLimit{PerMinute: 2, Burst: 2}, Recorder: rec, Now: clk.now},
		&fakeAnswerer{}, nil, nil, nil)
	ctx := context.Background()
	ask := func(platform, user string) Reply {
		return b.Handle(ctx, Request{Platform: platform, UserID: user, ChatID: "c", Text: "why?"})
	}

	var got []string
	for range 6 {
		rep := ask(Telegram, "1")
		switch {
		case rep.Silent():
			got = append(got, "silent")
		case rep.Err != nil:
			got = append(got, rep.Err.Kind.String())
		default:
			got = append(got, "answer")
		}
	}
	want := fmt.Sprint([]string{"answer", "answer", "rate-limited", "silent", "silent", "silent"})
	if fmt.Sprint(got) != want {
		t.Errorf("six quick questions: %v; want %v", got, want)
	}
	if rep := ask(Telegram, "2"); rep.Answer == nil {
		t.Errorf("another user: %+v; want an answer", rep)
	}
	for i := range 10 {
		if rep := ask(Telegram, "7"); rep.Answer == nil {
			t.Fatalf("moderator's question %d: %+v; want an answer (moderators are exempt)", i, rep)
		}
		if rep := ask(HTTP, "127.0.0.1"); rep.Answer == nil {
			t.Fatalf("HTTP question %d: %+v; want an answer (HTTP is exempt)", i, rep)
		}
	}
	clk.t = clk.t.Add(30 * time.Second) // one token back
	if rep := ask(Telegram, "1"); rep.Answer == nil {
		t.Errorf("after 30 s: %+v; want an answer", rep)
	}
	var limited int
	for _, e := range rec.events {
		if e.Outcome == OutcomeRateLimited {
			limited++
		}
	}
	if limited != 4 {
		t.Errorf("%d rate-limited events; want 4", limited)
	}
}
