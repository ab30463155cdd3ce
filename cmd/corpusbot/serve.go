package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/bot/discord"
	"github.com/corpusbot/corpusbot/bot/httpapi"
	"github.com/corpusbot/corpusbot/bot/telegram"
	"github.com/corpusbot/corpusbot/corpus"
	"github.com/corpusbot/corpusbot/corpus/library"
)

// An adapter runs a bot on one platform until its context ends, and says
// whether it is connected to the platform, for /readyz and the metrics.
type adapter interface {
	Run(ctx context.Context) error
	Connected() bool
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	path := fset.String("config", "", "the YAML config file (see config.example.yaml)")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	if *path == "" || fset.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: corpusbot serve --config FILE")
		return errUsage
	}
	cfg, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return usageError{err} // exit status 2
	}
	return serve(ctx, cfg, stderr)
}

// serve runs what cfg enables until ctx ends, then shuts down within
// cfg.Shutdown.Grace. An adapter that cannot start ends it with an error.
func serve(ctx context.Context, cfg Config, logOut io.Writer) error {
	log := newLogger(cfg, logOut)

	// SIGHUP reloads; ask for it first, so that a SIGHUP sent early is not
	// the default one that ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := bot.NewMetrics(reg)
	api := httpapi.New(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var srv *http.Server
	if cfg.HTTP.Listen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			return fmt.Errorf("http.listen: %w", err)
		}
		srv = &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		log.Info("HTTP listening", "addr", ln.Addr().String())
		wg.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				cancel(fmt.Errorf("http: %w", err))
			}
		})
	}

	// fail stops the HTTP listener when serve cannot start.
	fail := func(err error) error {
		cancel(nil)
		shutdownHTTP(srv, cfg.Shutdown.Grace, log)
		wg.Wait()
		return err
	}
	eng, err := loadServed(ctx, cfg, log)
	if err != nil {
		return fail(err)
	}
	metrics.Watch(eng.Size)
	reloader := bot.NewCorpusReloader(reloadLoader(cfg.Corpus, eng),
		bot.ReloadOptions{Recorder: metrics, Timeout: cfg.Corpus.ReloadTimeout, Log: log})
	metrics.WatchReloads(reloader.Running)
	b := bot.New(bot.Options{
		Moderators: bot.Moderators{
			DiscordUserIDs:  cfg.Moderators.DiscordUserIDs,
			DiscordRoleIDs:  cfg.Moderators.DiscordRoleIDs,
			TelegramUserIDs: cfg.Moderators.TelegramUserIDs,
		},
		Top:         cfg.Answer.Top,
		MaxQuestion: cfg.Answer.MaxQuestion,
		RateLimit:   bot.RateLimit{PerMinute: cfg.RateLimit.PerMinute, Burst: cfg.RateLimit.Burst},
		FollowUps:   cfg.FollowUps.options(),
		Recorder:    metrics,
		Feedback:    feedbackFor(cfg, metrics, log),
		Library:     newLibrary(cfg.Corpus, cfg.Add, eng.Index),
	}, eng, reloader, eng.Sources, log)
	adapters, err := newAdapters(cfg, b, log)
	if err != nil {
		return fail(err)
	}
	for _, name := range slices.Sorted(maps.Keys(adapters)) {
		api.Require(name, adapters[name])
		metrics.WatchAdapter(name, adapters[name].Connected)
	}
	api.SetBot(b) // ready once every adapter is connected
	if len(adapters) == 0 {
		log.Warn("no chat adapter enabled; serving the HTTP API only (set discord.token or telegram.token to chat)")
	}
	done := make(chan struct{}) // closed when every adapter has returned
	var running sync.WaitGroup
	for name, a := range adapters {
		running.Go(func() {
			log.Info("adapter starting", "adapter", name)
			err := a.Run(runCtx)
			switch {
			case err != nil && runCtx.Err() == nil:
				cancel(prefixed(name, err))
			case err != nil:
				log.Warn("adapter stopped with an error", "adapter", name, "err", err)
			default:
				log.Info("adapter stopped", "adapter", name)
			}
		})
	}
	go func() { running.Wait(); close(done) }()

	for runCtx.Err() == nil {
		select {
		case <-runCtx.Done():
		case <-hup:
			go reloadOnSignal(runCtx, reloader, log)
		}
	}

	// Stop: adapters stop taking messages and finish what is in flight,
	// within the grace period.
	cause := context.Cause(runCtx)
	if ctx.Err() != nil {
		cause = nil // a signal to stop, not a failure
		log.Info("shutting down", "grace", cfg.Shutdown.Grace)
	}
	shutdownHTTP(srv, cfg.Shutdown.Grace, log)
	// The adapters drain within the grace period; a little more lets them
	// return on their own.
	select {
	case <-done:
	case <-time.After(cfg.Shutdown.Grace + 2*time.Second):
		log.Warn("adapters did not stop within the grace period; exiting anyway", "grace", cfg.Shutdown.Grace)
	}
	wg.Wait()
	if cause != nil {
		log.Error("stopped", "err", cause)
		return cause
	}
	log.Info("stopped")
	return nil
}

// prefixed returns err with name as its prefix, unless it has it already:
// the adapters' errors name their package ("telegram: ...").
func prefixed(name string, err error) error {
	if strings.HasPrefix(err.Error(), name+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// loadServed loads the corpus serve starts with.
func loadServed(ctx context.Context, cfg Config, log *slog.Logger) (*answer.Engine, error) {
	start := time.Now()
	eng, err := loadEngine(ctx, cfg.Corpus.Dir, corpus.LoadOptions{MaxFileBytes: cfg.Corpus.MaxFileBytes},
		answer.Options{MaxQuestion: cfg.Answer.MaxQuestion, Thresholds: &answer.Thresholds{Confident: cfg.Answer.Confident, Hedge: cfg.Answer.Hedge}}, log)
	if err != nil {
		return nil, err
	}
	ix := eng.Index()
	from := cfg.Corpus.Dir
	if from == "" {
		from = "(built in)"
	}
	log.Info("corpus loaded", "dir", from, "articles", len(ix.Articles), "sentences", len(ix.Sentences),
		"took_s", time.Since(start).Seconds())
	return eng, nil
}

// newAdapters builds the adapters cfg enables. It does no network I/O.
func newAdapters(cfg Config, b *bot.Bot, log *slog.Logger) (map[string]adapter, error) {
	adapters := map[string]adapter{}
	if cfg.discordOn() {
		d := cfg.Discord
		a, err := discord.New(discord.Options{Token: d.Token, APIURL: d.APIURL, GuildID: d.GuildID, AckAfter: d.AckAfter}, b, log)
		if err != nil {
			return nil, err
		}
		adapters[bot.Discord] = a
	}
	if cfg.telegramOn() {
		t := cfg.Telegram
		opts := telegram.Options{Token: t.Token, APIURL: t.APIURL, PollTimeout: t.PollTimeout,
			MaxConcurrent: t.MaxConcurrent, Drain: cfg.Shutdown.Grace}
		if w := t.Webhook; w != nil {
			opts.Webhook = &telegram.WebhookOptions{Listen: w.Listen, URL: w.URL, Secret: w.Secret}
		}
		a, err := telegram.New(opts, b, log)
		if err != nil {
			return nil, err
		}
		adapters[bot.Telegram] = a
	}
	return adapters, nil
}

// reloadLoader is how serve and chat reload the corpus: the folder cfg.Dir,
// read with cfg's options and prepared for eng; nil for the built-in
// articles, which cannot be reloaded.
func reloadLoader(cfg CorpusConfig, eng *answer.Engine) bot.LoadFunc {
	if cfg.Dir == "" {
		return nil
	}
	opts := corpus.LoadOptions{MaxFileBytes: cfg.MaxFileBytes}
	return func(ctx context.Context) (bot.Loaded, error) {
		ix, err := corpus.LoadDir(ctx, cfg.Dir, opts)
		if err != nil {
			return nil, err
		}
		return eng.Prepare(ix), nil
	}
}

// newLibrary is what /add and /remove change: the folder cfg.Dir; nil for
// the built-in articles.
func newLibrary(cfg CorpusConfig, add AddConfig, index func() *corpus.Index) bot.Library {
	if cfg.Dir == "" {
		return nil
	}
	redirects := add.MaxRedirects
	if redirects == 0 {
		redirects = -1 // library.FetchOptions: 0 is the default, negative none
	}
	return library.New(cfg.Dir, library.Options{
		Fetch: library.FetchOptions{AllowPrivate: add.AllowPrivate, MaxBytes: add.MaxBytes,
			Timeout: add.Timeout, MaxRedirects: redirects},
		MaxFileBytes: cfg.MaxFileBytes,
		Index:        index,
	})
}

// reloadOnSignal reloads the corpus as a moderator's /reload does, and logs
// what came of it.
func reloadOnSignal(ctx context.Context, r *bot.CorpusReloader, log *slog.Logger) {
	log.Info("SIGHUP: reloading the corpus")
	rep, err := r.Reload(ctx)
	var running *bot.RunningError
	switch {
	case errors.Is(err, bot.ErrNoCorpusDir):
		log.Warn("SIGHUP: the bot serves its built-in articles; there is nothing to reload from (set corpus.dir)")
	case errors.As(err, &running):
		log.Warn("SIGHUP: a reload is already running; another will run when it ends", "running_s", running.For.Seconds())
	case err != nil:
		log.Error("reload failed; the previous corpus is still served", "trigger", "SIGHUP", "err", err)
	default:
		log.Info("reload", "trigger", "SIGHUP", "articles", rep.Articles, "sentences", rep.Sentences,
			"added", len(rep.Added), "removed", len(rep.Removed), "changed", len(rep.Changed),
			"skipped", len(rep.Skipped), "repaired", len(rep.Repaired), "took_s", rep.Took.Seconds())
	}
}

// shutdownHTTP stops the HTTP server, letting requests in flight finish
// within grace.
func shutdownHTTP(srv *http.Server, grace time.Duration, log *slog.Logger) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("HTTP requests cut short at shutdown", "err", err)
		srv.Close()
	}
}

// newLogger returns the logger cfg asks for, writing to w, with both bot
// tokens scrubbed from everything it writes.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.Log.Level)) // validated
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if strings.EqualFold(cfg.Log.Format, "json") {
		h = slog.NewJSONHandler(w, opts)
	}
	var secrets []string
	if cfg.Discord != nil {
		secrets = append(secrets, cfg.Discord.Token)
	}
	if cfg.Telegram != nil {
		secrets = append(secrets, cfg.Telegram.Token)
	}
	return slog.New(bot.RedactHandler(h, bot.NewRedactor(secrets...)))
}
