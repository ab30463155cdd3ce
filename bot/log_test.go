package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A stepClock is a clock that moves on by step each time it is read.
type stepClock struct {
	now  time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// TestQuestionLogGivesLatencyInSeconds: the question's log line gives its
// latency as seconds, a float in a key that says so, in text and JSON logs
// alike; never JSON's bare nanoseconds of a time.Duration.
func TestQuestionLogGivesLatencyInSeconds(t *testing.T) {
	eng := testEngine(t, testCorpus())
	for _, tt := range []struct {
		format string
		want   string
	}{
		{"text", " latency_s=0.0015"},
		{"json", `"latency_s":0.0015`},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var logs bytes.Buffer
			h := slog.Handler(slog.NewTextHandler(&logs, nil))
			if tt.format == "json" {
				h = slog.NewJSONHandler(&logs, nil)
			}
			clock := &stepClock{now: time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC), step: 1500 * time.Microsecond}
			b := New(Options{Now: clock.Now}, eng, nil, nil, slog.New(h))
			b.Handle(context.Background(), Request{Platform: HTTP, Text: "who is the mayor of Riverton?"})
			line := logs.String()
			if !strings.Contains(line, tt.want) {
				t.Errorf("question log line = %s; want %s", line, tt.want)
			}
			if strings.Contains(line, "latency=") || strings.Contains(line, `"latency":`) {
				t.Errorf("question log line = %s; want no latency as a duration", line)
			}
		})
	}
}
