package bot

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/corpusbot/corpusbot/internal/testkit"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	if got := testutil.ToFloat64(prometheus.Collector(gaugeOf(t, reg, "corpusbot_corpus_articles"))); got != 0 {
		t.Errorf("articles before Watch = %v; want 0", got)
	}
	eng := testEngine(t, testCorpus())
	m.Watch(eng.Size)
	sw := &switchFS{}
	sw.set(testCorpus())
	rel := NewCorpusReloader(prepared(eng, loadFS(sw)), ReloadOptions{Recorder: m})
	b := New(Options{Recorder: m, RateLimit: RateLimit{PerMinute: 1, Burst: 1}}, eng, rel, eng.Sources, nil)
	ctx := context.Background()
	tg := func(cmd, text string) Request {
		return Request{Platform: Telegram, UserID: "7", ChatID: "7", Direct: true, Command: cmd, Text: text}
	}
	b.Handle(ctx, tg("ask", "who is the mayor of Riverton?")) // answered
	b.Handle(ctx, tg("ask", "what about peru?"))              // rate limited, told
	b.Handle(ctx, tg("ask", "what about peru?"))              // rate limited, silent
	b.Handle(ctx, Request{Platform: HTTP, Command: "ask", Text: "what is the population of peru?"})
	b.Handle(ctx, Request{Platform: HTTP, Command: "ask", Text: ""})
	b.Handle(ctx, Request{Platform: Console, Command: "reload"})
	sw.set(fstest.MapFS{}) // no usable article: the reload fails
	b.Handle(ctx, Request{Platform: Console, Command: "reload"})

	for _, tc := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.questions.WithLabelValues(Telegram, OutcomeAnswered), 1},
		{m.questions.WithLabelValues(Telegram, OutcomeRateLimited), 2},
		{m.questions.WithLabelValues(HTTP, OutcomeUnanswered), 1},
		{m.questions.WithLabelValues(HTTP, OutcomeInvalid), 1},
		{m.rateLimited.WithLabelValues(Telegram), 2},
		{m.requests.WithLabelValues(Console, "reload", OutcomeOK), 1},
		{m.requests.WithLabelValues(Console, "reload", OutcomeFailed), 1},
		{m.reloads.WithLabelValues("ok"), 1},
		{m.reloads.WithLabelValues("failed"), 1},
		{gaugeOf(t, reg, "corpusbot_corpus_articles"), 2},
		{gaugeOf(t, reg, "corpusbot_corpus_sentences"), float64(len(eng.Index().Sentences))},
	} {
		if got := testutil.ToFloat64(tc.c); got != tc.want {
			t.Errorf("%v = %v; want %v", tc.c, got, tc.want)
		}
	}
	// Two answered or unanswered questions were timed; refusals were not.
	if n := testutil.CollectAndCount(m.latency); n != 2 {
		t.Errorf("latency series = %d; want 2 (telegram and http)", n)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

// gaugeOf finds a registered collector by metric name.
func gaugeOf(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	return collectorFunc(func(ch chan<- prometheus.Metric) {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name {
				ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, "copy", nil, nil),
					prometheus.GaugeValue, mf.GetMetric()[0].GetGauge().GetValue())
				return
			}
		}
		t.Fatal(errors.New("no metric " + name))
	})
}

type collectorFunc func(chan<- prometheus.Metric)

func (f collectorFunc) Describe(ch chan<- *prometheus.Desc) {}
func (f collectorFunc) Collect(ch chan<- prometheus.Metric) { f(ch) }

// TestReloadGauges: while a reload runs, corpusbot_reload_in_progress is 1
// and corpusbot_reload_running_seconds says for how long, read at scrape
// time; both are 0 otherwise.
func TestReloadGauges(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	eng := testEngine(t, testCorpus())
	clk := newSyncClock()
	g := newGatedLoad(testCorpus())
	r := NewCorpusReloader(prepared(eng, g.load), ReloadOptions{Recorder: m, Now: clk.now})
	gauges := func() [2]float64 {
		return [2]float64{
			testutil.ToFloat64(gaugeOf(t, reg, "corpusbot_reload_in_progress")),
			testutil.ToFloat64(gaugeOf(t, reg, "corpusbot_reload_running_seconds")),
		}
	}
	if got := gauges(); got != [2]float64{0, 0} {
		t.Errorf("before WatchReloads: in progress, seconds = %v; want 0 0", got)
	}
	m.WatchReloads(r.Running)
	if got := gauges(); got != [2]float64{0, 0} {
		t.Errorf("before a reload: in progress, seconds = %v; want 0 0", got)
	}
	done := make(chan error)
	go func() { _, err := r.Reload(context.Background()); done <- err }()
	testkit.WaitFor(t, func() bool { return g.loads.Load() == 1 })
	clk.add(42 * time.Second)
	if got := gauges(); got != [2]float64{1, 42} {
		t.Errorf("during a reload: in progress, seconds = %v; want 1 42", got)
	}
	clk.add(time.Minute)
	if got := gauges(); got != [2]float64{1, 102} {
		t.Errorf("a minute later: in progress, seconds = %v; want 1 102", got)
	}
	close(g.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := gauges(); got != [2]float64{0, 0} {
		t.Errorf("after the reload: in progress, seconds = %v; want 0 0", got)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}
