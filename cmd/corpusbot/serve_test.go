package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/bot/discord"
	"github.com/corpusbot/corpusbot/bot/telegram"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"github.com/corpusbot/corpusbot/seeds"
)

// TestMain lets the test binary stand in for corpusbot itself, so that a
// test can run it as a process and send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("CORPUSBOT_TEST_MAIN") == "1" {
		os.Args = append([]string{"corpusbot"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// waitLog waits until the log has a line matching re and returns the
// first submatch.
func waitLog(t *testing.T, log *testkit.Buffer, re *regexp.Regexp, errc <-chan error) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(log.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case err := <-errc:
			t.Fatalf("serve returned early: %v\nlog:\n%s", err, log)
		case <-deadline:
			t.Fatalf("no log line matching %s; log:\n%s", re, log)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

var listenRE = regexp.MustCompile(`msg="HTTP listening" addr=(\S+)`)

// startServe runs serve with cfg until the test ends and returns the base
// URL of its HTTP listener.
func startServe(t *testing.T, cfg Config) (base string, log *testkit.Buffer, stop func() error) {
	t.Helper()
	log = &testkit.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, log) }()
	addr := waitLog(t, log, listenRE, errc)
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				err = errors.New("serve did not return after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	base = "http://" + addr
	// The listener answers 503 on /readyz while the corpus loads.
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get(t, base+"/readyz")
		if code == 200 {
			break
		}
		if code != 503 || time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %q; want 503 while loading, then 200", code, body)
		}
		time.Sleep(time.Millisecond)
	}
	return base, log, stop
}

func testConfig(dir string) Config {
	cfg := defaultConfig()
	cfg.Corpus.Dir = dir
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.RateLimit = RateLimitConfig{}
	return cfg
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one sample from /metrics; -1 when it is missing.
func metric(t *testing.T, base, sample string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	for line := range strings.Lines(body) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && name == sample {
			f, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

func waitMetric(t *testing.T, base, sample string, want float64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := metric(t, base, sample)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v; want %v", sample, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// askJSON is what `corpusbot ask --json` prints for q over dir.
func askJSON(t *testing.T, dir, q string, top int) string {
	t.Helper()
	var out, errb bytes.Buffer
	args := []string{"ask", "--json", "--corpus", dir, "--top", strconv.Itoa(top), q}
	if err := run(context.Background(), args, nil, &out, &errb); err != nil {
		t.Fatalf("ask: %v\n%s", err, errb.String())
	}
	return out.String()
}

// TestServeHTTP runs serve end to end with the HTTP listener: probes,
// /v1/ask against ask --json, metrics, SIGHUP reloads that succeed and
// fail, and a clean stop.
func TestServeHTTP(t *testing.T) {
	dir := testkit.CopySeeds(t)
	base, log, stop := startServe(t, testConfig(dir))

	if code, body := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q; want 200 once the corpus is loaded", code, body)
	}

	const q = "who's laos's defence minister now?"
	code, body := post(t, base+"/v1/ask", `{"question": "who's laos's defence minister now?", "top": 2}`)
	if code != 200 {
		t.Fatalf("/v1/ask = %d %s", code, body)
	}
	if want := askJSON(t, dir, q, 2); body != want {
		t.Errorf("/v1/ask body:\n%s\nask --json:\n%s", body, want)
	}
	code, body = post(t, base+"/v1/ask", `{"question": "any good pho place near hoan kiem?"}`)
	var res struct {
		Answered  bool
		Answer    string
		Citations []json.RawMessage
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 || res.Answered {
		t.Errorf("off-topic /v1/ask = %d %s; want 200 and answered false", code, body)
	}
	for _, bad := range []struct {
		body string
		code int
	}{
		{`{"question": ""}`, 400},
		{`{"question": "` + strings.Repeat("why ", 300) + `"}`, 400},
		{`not json`, 400},
		{`{"question": "x", "top": 1000}`, 400},
		{`{"question": "x", "colour": "red"}`, 400},
		{`{"question": "` + strings.Repeat("a", 70000) + `"}`, 413},
	} {
		code, body := post(t, base+"/v1/ask", bad.body)
		var e struct{ Error string }
		if code != bad.code || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("/v1/ask %.40q = %d %s; want %d and an error message", bad.body, code, body, bad.code)
		}
	}

	if got := metric(t, base, `corpusbot_questions_total{outcome="answered",platform="http"}`); got != 1 {
		t.Errorf("answered http questions = %v; want 1", got)
	}
	if got := metric(t, base, `corpusbot_questions_total{outcome="unanswered",platform="http"}`); got != 1 {
		t.Errorf("unanswered http questions = %v; want 1", got)
	}
	if got := metric(t, base, `corpusbot_answer_latency_seconds_count{platform="http"}`); got != 2 {
		t.Errorf("latency samples = %v; want 2", got)
	}
	if got := metric(t, base, "corpusbot_corpus_articles"); got != 5 {
		t.Errorf("articles = %v; want 5", got)
	}

	// A new article, then SIGHUP: it is served.
	article := "---\ntitle: Riverton boat race\ndate: 2026-05-02\n---\nThe Riverton boat race was won by the crew of Lake Ferris in record time.\n"
	if err := os.WriteFile(filepath.Join(dir, "zz_race.txt"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, base, `corpusbot_reloads_total{outcome="ok"}`, 1)
	if got := metric(t, base, "corpusbot_corpus_articles"); got != 6 {
		t.Errorf("articles after the reload = %v; want 6", got)
	}
	_, body = post(t, base+"/v1/ask", `{"question": "who won the Riverton boat race?", "top": 1}`)
	if !strings.Contains(body, `"doc":"zz_race.txt"`) {
		t.Errorf("after the reload: %s; want a citation of zz_race.txt", body)
	}

	// A broken corpus, then SIGHUP: the reload fails, the old index serves.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.WriteFile(filepath.Join(dir, e.Name()), []byte("\xff\xfe\x00\x00binary"), 0o644)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitMetric(t, base, `corpusbot_reloads_total{outcome="failed"}`, 1)
	_, body = post(t, base+"/v1/ask", `{"question": "who won the Riverton boat race?", "top": 1}`)
	if !strings.Contains(body, `"doc":"zz_race.txt"`) {
		t.Errorf("after a failed reload: %s; want the old corpus to answer", body)
	}
	if !strings.Contains(log.String(), "reload failed; the previous corpus is still served") {
		t.Errorf("the failed reload was not logged:\n%s", log)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve after its context ended: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the HTTP listener still answers after serve returned")
	}
	for _, want := range []string{`msg=question platform=http`, `outcome=answered`, `msg="corpus loaded"`, `msg=stopped`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestServeEmbeddedReload: with the built-in articles, SIGHUP says there is
// nothing to reload from and the bot goes on serving.
func TestServeEmbeddedReload(t *testing.T) {
	base, log, _ := startServe(t, testConfig(""))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitLog(t, log, regexp.MustCompile(`(nothing to reload from)`), nil)
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d after SIGHUP; want 200", code)
	}
}

// TestServeRejectedToken: an adapter whose token is refused ends serve
// with a clear error, and the token reaches neither the error nor the log.
func TestServeRejectedToken(t *testing.T) {
	const token = "123456:SECRET-token-never-logged"
	var hits sync.Map
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		if strings.Contains(r.URL.Path, "/bot") {
			io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
	}))
	defer fake.Close()

	for _, tc := range []struct {
		name string
		set  func(*Config)
		want error
		text string // each layer names itself once
	}{
		{"telegram", func(c *Config) { c.Telegram = &TelegramConfig{Token: token, APIURL: fake.URL} }, telegram.ErrUnauthorized,
			"telegram: the bot token was rejected; check telegram.token (or TELEGRAM_TOKEN) (getMe: 401 Unauthorized)"},
		{"discord", func(c *Config) { c.Discord = &DiscordConfig{Token: token, APIURL: fake.URL + "/api/v9/"} }, discord.ErrUnauthorized,
			"discord: the bot token was rejected; check discord.token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("")
			cfg.HTTP.Listen = ""
			tc.set(&cfg)
			var log testkit.Buffer
			errc := make(chan error, 1)
			go func() { errc <- serve(context.Background(), cfg, &log) }()
			var err error
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				t.Fatal("serve went on with a rejected token")
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("serve = %v; want %v", err, tc.want)
			}
			if err != nil && err.Error() != tc.text {
				t.Errorf("serve = %q; want %q", err, tc.text)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(log.String(), "SECRET") {
				t.Errorf("the token leaked:\nerr: %v\nlog:\n%s", err, log.String())
			}
		})
	}
	if _, ok := hits.Load("/bot" + token + "/getMe"); !ok {
		t.Error("the Telegram adapter never called getMe on the fake")
	}
}

// TestServeReadyOnceAdaptersConnect: /readyz is 503, naming the adapter,
// and its gauge 0 until Telegram has answered getMe; then 200 and 1.
func TestServeReadyOnceAdaptersConnect(t *testing.T) {
	answer := make(chan struct{}) // closed to let getMe answer
	asked, polled := make(chan struct{}), make(chan struct{})
	var askedOnce, polledOnce sync.Once
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // read to the end, so that the server sees the client go
		w.Header().Set("Content-Type", "application/json")
		switch path.Base(r.URL.Path) {
		case "getMe":
			askedOnce.Do(func() { close(asked) })
			select {
			case <-answer:
			case <-r.Context().Done():
				return
			}
			io.WriteString(w, `{"ok":true,"result":{"id":7,"is_bot":true,"first_name":"Corpus","username":"corpus_bot"}}`)
		case "getUpdates": // a long poll that lasts until the bot stops
			polledOnce.Do(func() { close(polled) })
			<-r.Context().Done()
		default:
			io.WriteString(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(fake.Close) // after serve has stopped and its poll has ended

	cfg := testConfig("")
	cfg.Telegram = &TelegramConfig{Token: "123456:ready-test-token", APIURL: fake.URL}
	var log testkit.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, &log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve = %v after its context ended; want nil", err)
		}
	})
	base := "http://" + waitLog(t, &log, listenRE, errc)
	gauge := `corpusbot_adapter_connected{platform="telegram"}`
	wait := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s; log:\n%s", what, log.String())
		}
	}

	wait("getMe", asked) // the adapter has started, so the corpus is loaded
	if code, body := get(t, base+"/readyz"); code != 503 || body != "not ready: telegram (connecting)\n" {
		t.Errorf("/readyz while getMe is unanswered = %d %q; want 503 %q", code, body, "not ready: telegram (connecting)")
	}
	if got := metric(t, base, gauge); got != 0 {
		t.Errorf("%s = %v while getMe is unanswered; want 0", gauge, got)
	}
	close(answer)
	wait("getUpdates", polled) // connected: getMe answered, the webhook deleted, polling
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz once polling = %d %q; want 200", code, body)
	}
	if got := metric(t, base, gauge); got != 1 {
		t.Errorf("%s = %v once polling; want 1", gauge, got)
	}
}

// TestServeProcess runs corpusbot serve as a process: SIGHUP reloads it,
// SIGTERM stops it with exit status 0, and a config that enables nothing
// exits 2 saying what to configure.
func TestServeProcess(t *testing.T) {
	dir := testkit.CopySeeds(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf("corpus:\n  dir: %q\nhttp:\n  listen: 127.0.0.1:0\n", dir)), 0o644)

	cmd := exec.Command(os.Args[0], "serve", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "CORPUSBOT_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log strings.Builder
	next := func(re *regexp.Regexp) string {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("corpusbot exited before logging %s:\n%s", re, log.String())
				}
				log.WriteString(l + "\n")
				if m := re.FindStringSubmatch(l); m != nil {
					return m[len(m)-1]
				}
			case <-timeout:
				t.Fatalf("no line matching %s:\n%s", re, log.String())
			}
		}
	}
	addr := next(listenRE)
	next(regexp.MustCompile(`corpus loaded`))
	cmd.Process.Signal(syscall.SIGHUP)
	next(regexp.MustCompile(`msg=reload trigger=SIGHUP articles=(5)`))
	if code, _ := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	next(regexp.MustCompile(`msg=(stopped)`))
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("corpusbot after SIGTERM: %v; want exit status 0\n%s", err, log.String())
	}

	// Nothing enabled: a non-zero exit that says what to configure.
	os.WriteFile(cfgPath, []byte("corpus:\n  dir: \"\"\n"), 0o644)
	cmd = exec.Command(os.Args[0], "serve", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "CORPUSBOT_TEST_MAIN=1", "DISCORD_TOKEN=", "TELEGRAM_TOKEN=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("serve with nothing enabled: %v; want exit status 2, a configuration error", err)
	}
	if !strings.Contains(string(out), "nothing to serve") || !strings.Contains(string(out), "telegram.token") {
		t.Errorf("serve with nothing enabled said:\n%s\nwant it to say what to configure", out)
	}
}

// TestServeReloadTimeLimit: a SIGHUP reload that passes corpus.reload_timeout
// fails, saying so, with a warning, and the old corpus keeps serving. The
// limit is a nanosecond, so it has passed before the load starts.
func TestServeReloadTimeLimit(t *testing.T) {
	cfg := testConfig(testkit.CopySeeds(t))
	cfg.Corpus.ReloadTimeout = time.Nanosecond
	base, log, _ := startServe(t, cfg)
	if got := metric(t, base, "corpusbot_reload_in_progress"); got != 0 {
		t.Errorf("corpusbot_reload_in_progress before a reload = %v; want 0", got)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitMetric(t, base, `corpusbot_reloads_total{outcome="failed"}`, 1)
	waitLog(t, log, regexp.MustCompile(`level=ERROR msg="reload failed; the previous corpus is still served" trigger=SIGHUP err="bot: reload (took longer than)`), nil)
	waitLog(t, log, regexp.MustCompile(`level=(WARN) msg="reload passed its time limit`), nil)
	if got := metric(t, base, "corpusbot_corpus_articles"); got != 5 {
		t.Errorf("articles after the reload = %v; want the 5 served before", got)
	}
	waitMetric(t, base, "corpusbot_reload_in_progress", 0)
	if got := metric(t, base, "corpusbot_reload_running_seconds"); got != 0 {
		t.Errorf("corpusbot_reload_running_seconds after the reload = %v; want 0", got)
	}
}

// TestReloadOnSignalWhileRunning: a SIGHUP while a reload runs does not
// wait for it; the log says a reload is running and another will follow.
func TestReloadOnSignalWhileRunning(t *testing.T) {
	ix, err := corpus.Load(context.Background(), seeds.FS())
	if err != nil {
		t.Fatal(err)
	}
	eng := answer.New(ix, answer.Options{})
	started, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	r := bot.NewCorpusReloader(func(ctx context.Context) (bot.Loaded, error) {
		once.Do(func() { close(started) })
		<-gate
		ix, err := corpus.Load(ctx, seeds.FS())
		if err != nil {
			return nil, err
		}
		return eng.Prepare(ix), nil
	}, bot.ReloadOptions{})
	first := make(chan error)
	go func() { _, err := r.Reload(context.Background()); first <- err }()
	<-started
	var log testkit.Buffer
	reloadOnSignal(context.Background(), r, slog.New(slog.NewTextHandler(&log, nil)))
	if !strings.Contains(log.String(), `level=WARN msg="SIGHUP: a reload is already running; another will run when it ends"`) {
		t.Errorf("log:\n%s\nwant a warning that a reload is already running", log.String())
	}
	close(gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// TestServeReloadUsesCorpusOptions: a reload reads corpus.dir with the
// config's corpus.max_file_bytes: a bigger file is skipped, and the reload
// log line counts it.
func TestServeReloadUsesCorpusOptions(t *testing.T) {
	dir := testkit.CopySeeds(t)
	cfg := testConfig(dir)
	cfg.Corpus.MaxFileBytes = 10000 // the seeds are under 5 KB each
	big := "---\ntitle: Long\ndate: 2026-05-02\n---\n" + strings.Repeat("The Riverton boat race drew a large crowd. ", 300)
	if err := os.WriteFile(filepath.Join(dir, "zz_big.txt"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	base, log, _ := startServe(t, cfg)
	if got := metric(t, base, "corpusbot_corpus_articles"); got != 5 {
		t.Errorf("articles at start = %v; want 5, the big file skipped", got)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitLog(t, log, regexp.MustCompile(`msg=reload trigger=SIGHUP articles=5 .* (skipped=1) `), nil)
	if got := metric(t, base, "corpusbot_corpus_articles"); got != 5 {
		t.Errorf("articles after the reload = %v; want 5, the big file skipped", got)
	}
}

// TestServeEngineHonoursMaxQuestion: answer.max_question is the engine's
// limit too, so a question the bot takes is not refused as too long after.
func TestServeEngineHonoursMaxQuestion(t *testing.T) {
	cfg := defaultConfig()
	cfg.Answer.MaxQuestion = 3 * answer.MaxQuestion
	eng, err := loadServed(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	q := strings.Repeat("laos ", 2*answer.MaxQuestion/5) + "defence minister?"
	res, err := eng.Ask(context.Background(), q, answer.AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Refusal != nil && res.Refusal.Kind == answer.RefusedTooLong {
		t.Errorf("a question of %d characters, under answer.max_question %d, was refused as too long", len(q), cfg.Answer.MaxQuestion)
	}
}

// TestServeThresholds: answer.confident and answer.hedge reach the engine:
// with a hedge threshold no answer reaches, /v1/ask refuses a question it
// otherwise answers, and with a confident one none reaches, it hedges.
func TestServeThresholds(t *testing.T) {
	dir := testkit.CopySeeds(t)
	for _, tc := range []struct {
		confident, hedge float64
		answered, hedged bool
	}{
		{1, 1, false, false},
		{1, 0, true, true},
	} {
		cfg := testConfig(dir)
		cfg.Answer.Confident, cfg.Answer.Hedge = tc.confident, tc.hedge
		base, _, stop := startServe(t, cfg)
		code, body := post(t, base+"/v1/ask", `{"question": "who's laos's defence minister now?"}`)
		var res struct {
			Answered   bool
			Hedged     bool
			Confidence float64
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 || res.Answered != tc.answered || res.Hedged != tc.hedged || res.Confidence <= 0 {
			t.Errorf("confident %v, hedge %v: /v1/ask = %d %s; want answered %v, hedged %v, a confidence", tc.confident, tc.hedge, code, body, tc.answered, tc.hedged)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
}
