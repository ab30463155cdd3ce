package bot

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is a Recorder that keeps Prometheus metrics: requests and
// questions by platform and outcome, answer latency, reloads by outcome and
// the one at work, rate-limited requests, the size of the corpus served,
// and whether each chat adapter is connected.
type Metrics struct {
	reg           prometheus.Registerer // for the adapters' gauges, registered as they are watched
	requests      *prometheus.CounterVec
	questions     *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	rateLimited   *prometheus.CounterVec
	reloads       *prometheus.CounterVec
	reloadSeconds prometheus.Histogram
	feedback      *prometheus.CounterVec
	edits         *prometheus.CounterVec
	size          atomic.Pointer[func() (articles, sentences int)]
	reloadRunning atomic.Pointer[func() (time.Duration, bool)]
}

// NewMetrics returns Metrics registered with reg. The corpus gauges read 0
// until Watch names the corpus to report on, the reload gauges until
// WatchReloads names the reloader.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corpusbot_requests_total",
			Help: "Requests handled, by platform, command and outcome.",
		}, []string{"platform", "command", "outcome"}),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corpusbot_questions_total",
			Help: "Questions (the ask command), by platform and outcome: answered, unanswered, invalid, rate_limited.",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corpusbot_answer_latency_seconds",
			Help:    "Time to answer a question, by platform.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"platform"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corpusbot_rate_limited_total",
			Help: "Requests refused for asking too fast, by platform.",
		}, []string{"platform"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corpusbot_reloads_total",
			Help: "Corpus reloads, by outcome: ok or failed.",
		}, []string{"outcome"}),
		reloadSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "corpusbot_reload_duration_seconds",
			Help:    "Time to load a corpus and swap it in.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
		}),
		edits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "corpusbot_corpus_edits_total",
			Help: "Moderators' /add and /remove, by command and outcome: ok, invalid (refused as given), forbidden, failed.",
		}, []string{"command", "outcome"}),
	}
	articles := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corpusbot_corpus_articles",
		Help: "Articles in the corpus served.",
	}, func() float64 { a, _ := m.corpusSize(); return float64(a) })
	sentences := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corpusbot_corpus_sentences",
		Help: "Sentences in the corpus served.",
	}, func() float64 { _, n := m.corpusSize(); return float64(n) })
	m.feedback = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "corpusbot_feedback_total",
		Help: "Votes on answers recorded in the feedback file, by platform and verdict (up, down).",
	}, []string{"platform", "verdict"})
	reg.MustRegister(m.requests, m.questions, m.latency, m.rateLimited, m.reloads, m.reloadSeconds, articles, sentences, m.feedback)
	for _, p := range []string{Discord, Telegram, Console, HTTP} {
		for _, o := range []string{OutcomeAnswered, OutcomeUnanswered} {
			m.questions.WithLabelValues(p, o) // show zeros rather than nothing
		}
	}
	for _, p := range []string{Discord, Telegram, Console} {
		for _, v := range []string{VerdictUp, VerdictDown} {
			m.feedback.WithLabelValues(p, v)
		}
	}
	inProgress := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corpusbot_reload_in_progress",
		Help: "1 while a reload is at work (including one past its time limit whose load has not returned), else 0.",
	}, func() float64 {
		if _, ok := m.reloadTook(); ok {
			return 1
		}
		return 0
	})
	runningSeconds := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "corpusbot_reload_running_seconds",
		Help: "How long the reload at work has run, in seconds; 0 when none is.",
	}, func() float64 {
		took, _ := m.reloadTook()
		return took.Seconds()
	})
	reg.MustRegister(inProgress, runningSeconds, m.edits)
	for _, c := range []string{"add", "remove"} {
		m.edits.WithLabelValues(c, OutcomeOK)
	}
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	m.reg = reg
	return m
}

// Watch makes the corpus gauges report the size of the corpus served, as
// size (answer.Engine.Size) gives it.
func (m *Metrics) Watch(size func() (articles, sentences int)) { m.size.Store(&size) }

// WatchReloads makes the reload gauges report on running, such as a
// CorpusReloader's Running.
func (m *Metrics) WatchReloads(running func() (took time.Duration, ok bool)) {
	m.reloadRunning.Store(&running)
}

// WatchAdapter makes the gauge corpusbot_adapter_connected{platform} report
// connected, such as an adapter's Connected: 1 while it is connected, 0
// before it connects and while it reconnects. The gauge is read when
// scraped, so it follows every connect and disconnect. Watch each platform
// once.
func (m *Metrics) WatchAdapter(platform string, connected func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "corpusbot_adapter_connected",
		Help:        "1 while the chat adapter is connected to its platform (Telegram answered getMe, Discord sent READY), else 0.",
		ConstLabels: prometheus.Labels{"platform": platform},
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	}))
}

func (m *Metrics) reloadTook() (time.Duration, bool) {
	f := m.reloadRunning.Load()
	if f == nil {
		return 0, false
	}
	return (*f)()
}

func (m *Metrics) corpusSize() (articles, sentences int) {
	f := m.size.Load()
	if f == nil {
		return 0, 0
	}
	return (*f)()
}

// Handled counts a request.
func (m *Metrics) Handled(e Event) {
	m.requests.WithLabelValues(e.Platform, e.Command, e.Outcome).Inc()
	if e.Outcome == OutcomeRateLimited {
		m.rateLimited.WithLabelValues(e.Platform).Inc()
	}
	if e.Command == "add" || e.Command == "remove" {
		m.edits.WithLabelValues(e.Command, e.Outcome).Inc()
	}
	if e.Command == "ask" {
		m.questions.WithLabelValues(e.Platform, e.Outcome).Inc()
		if e.Outcome == OutcomeAnswered || e.Outcome == OutcomeUnanswered {
			m.latency.WithLabelValues(e.Platform).Observe(e.Latency.Seconds())
		}
	}
}

// Reloaded counts a reload.
func (m *Metrics) Reloaded(ok bool, took time.Duration) {
	outcome := "ok"
	if !ok {
		outcome = "failed"
	}
	m.reloads.WithLabelValues(outcome).Inc()
	m.reloadSeconds.Observe(took.Seconds())
}

// Voted counts a vote recorded.
func (m *Metrics) Voted(platform, verdict string) {
	m.feedback.WithLabelValues(platform, verdict).Inc()
}

var (
	_ Recorder         = (*Metrics)(nil)
	_ FeedbackRecorder = (*Metrics)(nil)
)
