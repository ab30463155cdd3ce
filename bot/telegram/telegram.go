// Package telegram connects a bot.Bot to Telegram through the Bot API, with
// github.com/go-telegram-bot-api/telegram-bot-api/v5.
//
// An Adapter long-polls getUpdates (or, optionally, receives updates on a
// webhook), turns each message into a bot.Request, and answers with
// sendMessage in HTML, as a reply to the asking message. Requests go to
// {APIURL}/bot{token}/{method}, so the adapter works against Telegram, a
// local Bot API server or a test server alike. The token appears in every
// request URL; the adapter removes it from every error it logs or returns.
package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// DefaultAPIURL is where the Bot API lives unless Options.APIURL says otherwise.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults for the zero values of Options.
const (
	DefaultPollTimeout    = 30 * time.Second
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxConcurrent  = 16
	DefaultMinBackoff     = time.Second
	DefaultMaxBackoff     = time.Minute // and the longest backoff Options may ask for
	DefaultSendRetries    = 3
	DefaultDrain          = 10 * time.Second
)

// Errors Run and New return; match them with errors.Is.
var (
	// ErrUnauthorized means Telegram rejected the bot token (401, or 404 for
	// a token of the wrong shape).
	ErrUnauthorized = errors.New("telegram: the bot token was rejected; check telegram.token (or TELEGRAM_TOKEN)")
	// ErrOptions means the Options cannot work; the message names the field.
	ErrOptions = errors.New("telegram: bad options")
)

// Options configure an Adapter. Only Token is required.
type Options struct {
	Token  string       // the bot token from @BotFather
	APIURL string       // Bot API base URL; "" means DefaultAPIURL
	Client *http.Client // nil means a client without a global timeout; every call has its own deadline

	// PollTimeout is the long-poll timeout sent with getUpdates (whole
	// seconds); 0 means DefaultPollTimeout, a negative value short polling.
	PollTimeout time.Duration
	// RequestTimeout bounds every other Bot API call; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration

	// Webhook, when set, receives updates on an HTTP endpoint instead of
	// long polling.
	Webhook *WebhookOptions

	// MaxConcurrent bounds the chats served at once; 0 means DefaultMaxConcurrent.
	// Messages within one chat are always handled one at a time, in order.
	MaxConcurrent int
	// MaxPending bounds the updates received but not yet answered; when it
	// is reached, polling waits. 0 means 64 × MaxConcurrent.
	MaxPending int

	// MinBackoff and MaxBackoff bound the wait, with jitter, between failed
	// connection attempts, failed polls and retries of a failed send; 0
	// means DefaultMinBackoff and DefaultMaxBackoff, and neither may be
	// longer than DefaultMaxBackoff. (A 429's retry_after is waited out in
	// full: Telegram asks for it.)
	MinBackoff, MaxBackoff time.Duration
	// Drain is how long Run, once its context ends, goes on answering the
	// messages already taken; 0 means DefaultDrain.
	Drain time.Duration

	// SendRetries is how often a send that failed on the network (or with a
	// 5xx) is retried before it is given up and logged; 0 means
	// DefaultSendRetries, a negative value no retries.
	SendRetries int
}

// WebhookOptions configure webhook mode: Telegram POSTs each update to URL,
// which a reverse proxy forwards to Listen.
type WebhookOptions struct {
	Listen string // address to serve on, e.g. "127.0.0.1:8443"
	URL    string // public https URL registered with setWebhook; its path is the one served
	Secret string // secret_token: 1–256 of A–Z a–z 0–9 _ -; checked on every request

	// Listener, when set, is served instead of listening on Listen (for
	// tests and socket activation). Run closes it.
	Listener net.Listener
}

// An Adapter serves a bot.Bot on Telegram. Create it with New and start it
// with Run.
type Adapter struct {
	opts   Options
	bot    *bot.Bot
	log    *slog.Logger
	api    *api
	sleep  func(ctx context.Context, d time.Duration) error // waits, or returns ctx.Err(); replaced in tests
	hookTo *url.URL                                         // the webhook's public URL, parsed; nil when polling

	connected atomic.Bool // see Connected
}

// Connected reports whether the adapter is connected to Telegram: getMe has
// answered and the bot is set up for updates, and, when polling, the last
// getUpdates did not fail (a 429 is an answer). It is false before Run has
// connected, while polls fail, and once Run has returned.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// setConnected records the connection state, and logs a recovery.
func (a *Adapter) setConnected(up bool) {
	if was := a.connected.Swap(up); up && !was {
		a.log.Info("Bot API reachable", "mode", a.mode())
	}
}

// New returns an Adapter serving b with the given options. It does no
// network I/O; Run connects.
func New(opts Options, b *bot.Bot, log *slog.Logger) (*Adapter, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: no bot to serve", ErrOptions)
	}
	if err := checkToken(opts.Token); err != nil {
		return nil, err
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	base, err := url.Parse(opts.APIURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%w: api_url %q is not an http(s) URL", ErrOptions, opts.APIURL)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = DefaultPollTimeout
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 64 * opts.MaxConcurrent
	}
	if opts.Drain <= 0 {
		opts.Drain = DefaultDrain
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = DefaultMinBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	opts.MinBackoff = min(opts.MinBackoff, DefaultMaxBackoff)
	opts.MaxBackoff = min(max(opts.MaxBackoff, opts.MinBackoff), DefaultMaxBackoff)
	switch {
	case opts.SendRetries == 0:
		opts.SendRetries = DefaultSendRetries
	case opts.SendRetries < 0:
		opts.SendRetries = 0
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{
		opts:  opts,
		bot:   b,
		log:   log.With("adapter", "telegram"),
		api:   newAPI(opts.Token, strings.TrimRight(opts.APIURL, "/"), opts.Client),
		sleep: sleep,
	}
	if w := opts.Webhook; w != nil {
		if a.hookTo, err = checkWebhook(w); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// checkToken accepts tokens that fit in a URL path segment. The error never
// quotes the token.
func checkToken(token string) error {
	if token == "" {
		return fmt.Errorf("%w: no token (telegram.token or TELEGRAM_TOKEN)", ErrOptions)
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ':' || r == '_' || r == '-') {
			return fmt.Errorf("%w: the token holds a character a bot token cannot have", ErrOptions)
		}
	}
	return nil
}

func checkWebhook(w *WebhookOptions) (*url.URL, error) {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: webhook url is not an http(s) URL", ErrOptions)
	}
	if w.Listen == "" && w.Listener == nil {
		return nil, fmt.Errorf("%w: webhook listen address is empty", ErrOptions)
	}
	if n := len(w.Secret); n == 0 || n > 256 {
		return nil, fmt.Errorf("%w: webhook secret must be 1–256 characters", ErrOptions)
	}
	for _, r := range w.Secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return nil, fmt.Errorf("%w: webhook secret may hold only A–Z, a–z, 0–9, _ and -", ErrOptions)
		}
	}
	return u, nil
}

// Run connects to Telegram (getMe, then deleteWebhook when polling, and
// setMyCommands from bot.Commands), then serves updates until ctx ends. It
// returns nil when ctx ends, an error wrapping ErrUnauthorized when the
// token is rejected, or another error that stops it from serving. When ctx
// ends it stops taking updates and answers those already taken, for up to
// Options.Drain, before it returns.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.connected.Store(false)
	me, err := a.connect(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.connected.Store(true)
	a.log.Info("connected", "bot", me.UserName, "id", me.ID, "mode", a.mode())

	// Replies outlive ctx by up to Drain: when ctx ends, polling stops, and
	// the messages already taken are still answered.
	replies, stopReplies := context.WithCancel(context.WithoutCancel(ctx))
	d := newDispatcher(replies, a.opts.MaxConcurrent, a.opts.MaxPending, a.log)
	defer a.drain(d, stopReplies)
	r := router{self: me, document: a.document}
	handle := func(ctx context.Context, u tgbotapi.Update) {
		if u.CallbackQuery != nil {
			if chat, v, ok := routeCallback(u.CallbackQuery); ok {
				id := u.CallbackQuery.ID
				d.submit(ctx, chat, func(ctx context.Context) { a.onCallback(ctx, id, v) })
			}
			return
		}
		m, req, ok := r.route(u)
		if !ok {
			return
		}
		d.submit(ctx, m.Chat.ID, func(ctx context.Context) { a.answer(ctx, m, req) })
	}
	if a.hookTo != nil {
		return a.serveWebhook(ctx, handle)
	}
	return a.poll(ctx, handle)
}

// drain waits up to Drain for the replies in flight, then abandons the
// rest.
func (a *Adapter) drain(d *dispatcher, stop context.CancelFunc) {
	defer stop()
	done := make(chan struct{})
	go func() { d.wait(); close(done) }()
	t := time.NewTimer(a.opts.Drain)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("replies still in flight at shutdown; abandoning them", "drain", a.opts.Drain)
		stop()
		<-done
	}
}

func (a *Adapter) mode() string {
	if a.hookTo != nil {
		return "webhook"
	}
	return "polling"
}

// connect checks the token with getMe, retrying transient failures, and
// prepares the bot: webhook or polling, command list.
func (a *Adapter) connect(ctx context.Context) (tgbotapi.User, error) {
	var me tgbotapi.User
	err := a.retryStartup(ctx, "getMe", func(ctx context.Context) error {
		var err error
		me, err = call[tgbotapi.User](ctx, a.api, a.opts.RequestTimeout, "getMe", nil)
		return err
	})
	if err != nil {
		return me, err
	}
	if a.hookTo == nil {
		err = a.retryStartup(ctx, "deleteWebhook", func(ctx context.Context) error {
			_, err := call[bool](ctx, a.api, a.opts.RequestTimeout, "deleteWebhook", tgbotapi.DeleteWebhookConfig{})
			return err
		})
	} else {
		err = a.retryStartup(ctx, "setWebhook", func(ctx context.Context) error {
			_, err := call[bool](ctx, a.api, a.opts.RequestTimeout, "setWebhook", tgbotapi.Params{
				"url":             a.hookTo.String(),
				"secret_token":    a.opts.Webhook.Secret,
				"allowed_updates": `["message","callback_query"]`,
			})
			return err
		})
	}
	if err != nil {
		return me, err
	}
	// A command list Telegram refuses is worth a warning, not an outage.
	if _, err := call[bool](ctx, a.api, a.opts.RequestTimeout, "setMyCommands", commandList()); err != nil && ctx.Err() == nil {
		a.log.Warn("setMyCommands failed; the command menu may be stale", "err", err)
	}
	return me, ctx.Err()
}

// retryStartup runs f until it succeeds, fails for good, or ctx ends. Each
// failed attempt is logged with what comes next: a rejected token and other
// refusals (4xx) end it; a network failure or a 5xx is retried after a
// backoff growing to MaxBackoff; a 429 after the wait Telegram asks for.
func (a *Adapter) retryStartup(ctx context.Context, what string, f func(context.Context) error) error {
	bo := a.backoff()
	for {
		err := f(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		switch code := apiCode(err); {
		case code == http.StatusUnauthorized || (code == http.StatusNotFound && what == "getMe"):
			return fmt.Errorf("%w (%v)", ErrUnauthorized, err)
		case code == http.StatusTooManyRequests:
			wait := retryAfter(err)
			a.log.Warn("flood control at startup; retrying", "method", what, "retry_in_s", wait.Seconds(), "err", err)
			if a.sleep(ctx, wait) != nil {
				return ctx.Err()
			}
			continue
		case code != 0 && code < 500:
			return fmt.Errorf("telegram: %w", err)
		}
		wait := bo.next()
		a.log.Warn("Bot API unreachable at startup; retrying", "method", what, "retry_in_s", wait.Seconds(), "err", err)
		if a.sleep(ctx, wait) != nil {
			return ctx.Err()
		}
	}
}

// commandList is setMyCommands' argument: the command table, in order.
func commandList() tgbotapi.SetMyCommandsConfig {
	var cmds []tgbotapi.BotCommand
	for _, c := range bot.Commands() {
		cmds = append(cmds, tgbotapi.BotCommand{Command: c.Name, Description: c.Description})
	}
	return tgbotapi.NewSetMyCommands(cmds...)
}

// poll long-polls getUpdates until ctx ends, acknowledging each batch with
// the next call's offset. The poll after a failed one is short (timeout 0),
// so that a connection that works again shows at once, not when the long
// poll ends.
func (a *Adapter) poll(ctx context.Context, handle func(context.Context, tgbotapi.Update)) error {
	timeout := int(a.opts.PollTimeout / time.Second)
	if a.opts.PollTimeout > 0 {
		timeout = max(timeout, 1)
	} else {
		timeout = 0
	}
	callTimeout := time.Duration(timeout)*time.Second + a.opts.RequestTimeout
	offset := 0
	bo := a.backoff()
	for ctx.Err() == nil {
		cfg := tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: timeout, AllowedUpdates: allowedUpdates}
		if !a.connected.Load() {
			cfg.Timeout = 0
		}
		raws, err := call[[]json.RawMessage](ctx, a.api, callTimeout, "getUpdates", cfg)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			var wait time.Duration
			switch code := apiCode(err); code {
			case http.StatusUnauthorized:
				return fmt.Errorf("%w (%v)", ErrUnauthorized, err)
			case http.StatusTooManyRequests:
				wait = retryAfter(err)
			default:
				a.setConnected(false)
				wait = bo.next()
			}
			a.log.Warn("getUpdates failed; retrying", "retry_in_s", wait.Seconds(), "err", err)
			if a.sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		bo.reset()
		a.setConnected(true)
		for _, raw := range raws {
			u, err := decodeUpdate(raw)
			if u.UpdateID < offset {
				continue // already handled: Telegram resent it
			}
			offset = u.UpdateID + 1
			if err != nil {
				// One update we cannot read must not block the ones after it.
				a.log.Warn("skipping an undecodable update", "update", u.UpdateID, "err", err)
				continue
			}
			handle(ctx, u)
		}
	}
	return nil
}

// decodeUpdate decodes one update. When the update as a whole does not
// decode, it still returns its update_id if that can be read, so that the
// poll can move past it.
func decodeUpdate(raw json.RawMessage) (tgbotapi.Update, error) {
	var u tgbotapi.Update
	err := json.Unmarshal(raw, &u)
	if err != nil {
		var id struct {
			UpdateID int `json:"update_id"`
		}
		json.Unmarshal(raw, &id) // best effort; 0 when unreadable
		u = tgbotapi.Update{UpdateID: id.UpdateID}
	}
	return u, err
}

// serveWebhook receives updates on the webhook until ctx ends.
func (a *Adapter) serveWebhook(ctx context.Context, handle func(context.Context, tgbotapi.Update)) error {
	w := a.opts.Webhook
	ln := w.Listener
	if ln == nil {
		var err error
		if ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", w.Listen); err != nil {
			return fmt.Errorf("telegram: webhook: %w", err)
		}
	}
	path := a.hookTo.EscapedPath()
	if path == "" {
		path = "/"
	}
	srv := &http.Server{
		Handler:           a.webhookHandler(ctx, path, handle),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("webhook listening", "addr", ln.Addr().String(), "path", path)
	select {
	case err := <-errc:
		return fmt.Errorf("telegram: webhook: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		a.log.Warn("webhook shutdown", "err", err)
	}
	return nil
}

// webhookHandler accepts Telegram's POSTs on path that carry the secret.
func (a *Adapter) webhookHandler(ctx context.Context, path string, handle func(context.Context, tgbotapi.Update)) http.Handler {
	seen := newRecent(4096)
	secret := []byte(a.opts.Webhook.Secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")); subtle.ConstantTimeCompare(got, secret) != 1 {
			a.log.Warn("webhook request without the right secret token", "remote", r.RemoteAddr)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var u tgbotapi.Update
		if err := decodeJSON(http.MaxBytesReader(w, r.Body, 1<<20), &u); err != nil {
			a.log.Warn("webhook: undecodable update", "err", err)
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if seen.add(u.UpdateID) {
			handle(ctx, u) // waits when MaxPending is reached: Telegram then slows down
		}
		w.WriteHeader(http.StatusOK)
	})
}
