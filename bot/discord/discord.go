// Package discord is corpusbot's Discord adapter, over
// github.com/bwmarrin/discordgo (v0.29, Discord API v9). It is the only
// package that imports discordgo.
//
// At start it registers the command table as slash commands (bulk overwrite,
// in one guild or globally), then answers:
//
//   - slash commands (INTERACTION_CREATE): a type 4 response, or a type 5
//     deferral followed by an edit of @original when the reply is not ready
//     within Options.AckAfter;
//   - messages that mention the bot in a guild channel, and every DM
//     (MESSAGE_CREATE): a channel message that references the question.
//
// Every message, response and edit carries allowed_mentions with an empty
// parse list, so text echoed from a question ("@everyone", "<@&role>") pings
// nobody.
//
// # Intents
//
// The bot identifies with GUILDS, GUILD_MESSAGES and DIRECT_MESSAGES, none of
// them privileged. Slash commands need no intent at all. The privileged
// MESSAGE_CONTENT intent is not needed either: Discord sends the content of
// messages that mention the bot and of DMs without it, and those are the only
// messages the bot reads. It would be needed only to read unmentioned
// channel chatter, which the bot ignores by design.
//
// # REST base and discordgo's package state
//
// discordgo computes its endpoints once, as package variables derived from
// https://discord.com/api/v9/. This package never reassigns them: the
// Session's HTTP client rewrites each request under that base to the
// configured api_url (see rewriteURL) and refuses any other URL. The gateway
// URL is the one GET {api_url}gateway returns. Because nothing global is
// changed, any number of Adapters with different api_urls can run in one
// process; the one piece of package state discordgo has left, its Logger, is
// not touched either (sessions are silenced with LogLevel and the adapter logs
// gateway events itself).
//
// # Connecting and reconnecting
//
// Run asks who the bot is (GET users/@me), then opens the gateway. A network
// failure or a 5xx at either step is retried with exponential backoff, from
// a second up to a minute, with jitter, until the context ends; each failed
// attempt is a WARN line with the error and the wait. A rejected token (401,
// or close code 4004) and close codes that retrying cannot fix (4010–4014) end
// Run with an error.
//
// discordgo's own reconnect loop ignores contexts and can be tripped by a race
// between an old heartbeat goroutine and a new connection; it is switched
// off. Run supervises the session instead: after every Disconnect it pauses
// briefly (so that the old connection's heartbeat goroutine cannot close the
// new one), then opens the session again (discordgo resumes when it has a
// session id, and re-identifies when Discord invalidates it), with the same
// backoff, until the context ends. When the context ends, the session is
// closed with a close frame (1000) before its connection is cut.
//
// Connected reports whether the gateway session is up: READY or RESUMED
// received on the live connection.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/corpusbot/corpusbot/bot"
)

// DefaultAPIURL is discordgo's REST base, used when Options.APIURL is empty.
const DefaultAPIURL = "https://discord.com/api/v9/"

// Defaults of Options.
const (
	DefaultAckAfter    = 1500 * time.Millisecond // Discord wants a response within 3 s
	DefaultSendTimeout = 30 * time.Second
	defaultHTTPTimeout = 20 * time.Second // discordgo's own
	closeGrace         = 5 * time.Second  // for the close frame at shutdown
)

// Intents is what the bot identifies with: no privileged intent.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// Errors Run and New return; match them with errors.Is.
var (
	// ErrUnauthorized: Discord rejected the bot token (HTTP 401, or gateway
	// close code 4004).
	ErrUnauthorized = errors.New("discord: the bot token was rejected; check discord.token")
	// ErrGatewayRefused: the gateway closed with a code that retrying cannot
	// fix (invalid or disallowed intents, sharding, API version).
	ErrGatewayRefused = errors.New("discord: the gateway refused the session")
	// ErrRunning: Run was called while the Adapter was already running.
	ErrRunning = errors.New("discord: adapter already running")
	// ErrOutsideAPI: a request was about to leave the configured REST base.
	ErrOutsideAPI = errors.New("discord: request outside the Discord API base refused")
	// ErrConfig: New was given options it cannot use.
	ErrConfig = errors.New("discord: bad options")
)

// Options configure an Adapter.
type Options struct {
	// Token is the bot token, without the "Bot " prefix (one is tolerated).
	Token string
	// APIURL is the REST base, discordgo's EndpointAPI: DefaultAPIURL when
	// empty. Point it at a proxy or a test server; the gateway URL is asked of
	// it (GET {APIURL}gateway).
	APIURL string
	// GuildID registers the slash commands in that guild only (they appear
	// at once); empty registers them globally.
	GuildID string
	// Client makes the REST calls; nil means a client with a 20 s timeout.
	// Its Transport is wrapped, never modified.
	Client *http.Client
	// AckAfter is how long an interaction waits for its reply before it is
	// deferred (type 5) and edited in later; 0 means DefaultAckAfter.
	AckAfter time.Duration
	// SendTimeout bounds the sending of one reply, rate-limit waits included;
	// 0 means DefaultSendTimeout.
	SendTimeout time.Duration
}

// LogValue keeps the token out of logs that print Options.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(slog.String("api_url", o.APIURL), slog.String("guild_id", o.GuildID),
		slog.Bool("token_set", o.Token != ""))
}

// An Adapter connects a bot.Bot to Discord.
type Adapter struct {
	opts   Options
	token  string // without the "Bot " prefix
	bot    *bot.Bot
	log    *slog.Logger
	client *http.Client // REST, rewriting to opts.APIURL

	sleep func(ctx context.Context, d time.Duration) bool // waits out a backoff (see sleep); replaced in tests

	connected atomic.Bool // see Connected

	mu      sync.Mutex // guards running
	running bool       // Run is in progress
}

// Connected reports whether the bot is connected to the gateway: Discord
// has answered IDENTIFY with READY (or RESUME with RESUMED) and the
// connection has not been lost since. It is false before Run connects,
// while it reconnects, and once Run has returned.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// New returns an Adapter for b. It checks the options and does no network
// I/O; Run connects. log may be nil; the token never reaches it.
func New(opts Options, b *bot.Bot, log *slog.Logger) (*Adapter, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	if token == "" {
		return nil, fmt.Errorf("%w: discord.token is empty", ErrConfig)
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return nil, fmt.Errorf("%w: discord.token contains white space", ErrConfig)
	}
	if b == nil {
		return nil, fmt.Errorf("%w: no bot", ErrConfig)
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	base, err := parseBase(opts.APIURL)
	if err != nil {
		return nil, err
	}
	opts.APIURL = base.String()
	if opts.AckAfter <= 0 {
		opts.AckAfter = DefaultAckAfter
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = DefaultSendTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = slog.New(bot.RedactHandler(log.Handler(), bot.NewRedactor(token)))
	return &Adapter{opts: opts, token: token, bot: b, log: log, sleep: sleep,
		client: rewritingClient(opts.Client, discordgo.EndpointAPI, base)}, nil
}

// parseBase checks an api_url and gives it a trailing slash.
func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: discord.api_url %q must be an http(s) URL such as %s", ErrConfig, s, DefaultAPIURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// Run connects to Discord, registers the slash commands and answers until ctx
// ends, then closes the session and waits for replies under way. It returns
// nil when ctx ends, ErrUnauthorized when the token is rejected, and other
// errors when the session cannot start or the gateway refuses it for good.
func (a *Adapter) Run(ctx context.Context) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return ErrRunning
	}
	a.running = true
	a.mu.Unlock()
	defer func() {
		a.connected.Store(false)
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
	}()

	r := a.newRun(ctx)
	me, err := r.whoAmI(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	r.botID = me.ID
	r.addHandlers(ctx)
	a.log.Info("discord: connecting", "api_url", a.opts.APIURL, "bot_user", me.ID)
	if err := r.connect(ctx); err != nil {
		r.shutdown()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer r.shutdown()

	appID := r.applicationID()
	if err := r.register(ctx, appID); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return r.supervise(ctx)
}

// A run is one Run of an Adapter: its session and the state its handlers
// share.
type run struct {
	a     *Adapter
	s     *discordgo.Session
	botID string // the bot's user id, set before the session opens

	disconnected chan struct{} // signalled (buffer 1) on every Disconnect event
	hangUp       func()        // closes every gateway connection of the run at once, cleanly or not

	mu       sync.Mutex     // guards stopping and the Add side of inflight
	stopping bool           // no new events are handled
	inflight sync.WaitGroup // events being handled
}

func (a *Adapter) newRun(ctx context.Context) *run {
	s, _ := discordgo.New("Bot " + a.token) // never fails
	s.Client = a.client
	// The connections outlive ctx until shutdown has said goodbye with a
	// close frame; only then, or when an Open is abandoned, are they cut.
	conns, hangUp := context.WithCancel(context.WithoutCancel(ctx))
	s.Dialer = gatewayDialer(conns)
	s.UserAgent = "DiscordBot (https://github.com/corpusbot/corpusbot, 1) discordgo/" + discordgo.VERSION
	s.LogLevel = -1 // silent: discordgo would log with the standard logger; gateway events are logged below
	s.ShouldReconnectOnError = false
	s.ShouldReconnectVoiceOnSessionError = false
	s.ShouldRetryOnRateLimit = false // retried below, with the context
	s.StateEnabled = false
	s.Identify.Intents = Intents
	return &run{a: a, s: s, disconnected: make(chan struct{}, 1), hangUp: hangUp}
}

// gatewayDialer returns a websocket dialer whose connections close when ctx
// ends, so that Open and reads blocked on the gateway return.
func gatewayDialer(ctx context.Context) *websocket.Dialer {
	var d net.Dialer
	return &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 20 * time.Second,
		NetDialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			dctx, cancel := context.WithCancel(dctx)
			defer cancel()
			stop := context.AfterFunc(ctx, cancel)
			defer stop()
			c, err := d.DialContext(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &ctxConn{Conn: c, stop: context.AfterFunc(ctx, func() { c.Close() })}, nil
		},
	}
}

// A ctxConn is a gateway connection closed when the run's context ends.
type ctxConn struct {
	net.Conn
	stop func() bool
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// whoAmI asks for the bot's own user: it checks the token before the gateway
// is involved. Failures that may pass (the network, a 5xx, a rate limit
// that outlasted rest's retries) are retried with backoff until ctx ends,
// when it returns ctx's error.
func (r *run) whoAmI(ctx context.Context) (*discordgo.User, error) {
	for attempt := 0; ; attempt++ {
		var me *discordgo.User
		err := r.rest(ctx, func(o ...discordgo.RequestOption) (err error) {
			me, err = r.s.User("@me", o...)
			return err
		})
		switch status := statusOf(err); {
		case err == nil && (me == nil || me.ID == ""):
			return nil, errors.New("discord: users/@me returned no user id")
		case err == nil:
			return me, nil
		case status == http.StatusUnauthorized:
			return nil, ErrUnauthorized
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case status != 0 && status < 500 && status != http.StatusTooManyRequests:
			return nil, fmt.Errorf("discord: asking who the bot is: %s", r.redact(err))
		}
		wait := backoff(attempt)
		r.a.log.Warn("discord: connection failed; retrying", "step", "users/@me", "attempt", attempt+1,
			"retry_in_s", wait.Seconds(), "err", r.redact(err))
		if !r.a.sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// applicationID is the application id READY announced, or the bot's user id
// (the same for every application created since 2019).
func (r *run) applicationID() string {
	r.s.State.RLock()
	defer r.s.State.RUnlock()
	if app := r.s.State.Ready.Application; app != nil && app.ID != "" {
		return app.ID
	}
	return r.botID
}

// addHandlers subscribes to the events the bot acts on. discordgo calls each
// handler in a goroutine of its own.
func (r *run) addHandlers(ctx context.Context) {
	r.s.AddHandler(func(_ *discordgo.Session, e *discordgo.InteractionCreate) {
		r.handle(func() { r.onInteraction(ctx, e) })
	})
	r.s.AddHandler(func(_ *discordgo.Session, e *discordgo.MessageCreate) {
		r.handle(func() { r.onMessage(ctx, e) })
	})
	r.s.AddHandler(func(_ *discordgo.Session, e *discordgo.Ready) {
		if e != nil && e.User != nil {
			r.a.log.Info("discord: ready", "user", e.User.ID, "session", e.SessionID != "")
		}
	})
	r.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		r.a.log.Info("discord: session resumed")
	})
	r.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) {
		r.a.log.Debug("discord: gateway connected")
	})
	r.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		r.a.log.Debug("discord: gateway disconnected")
		select {
		case r.disconnected <- struct{}{}:
		default:
		}
	})
}

// handle runs f unless the run is stopping, and keeps any panic in f from
// taking the process down.
func (r *run) handle(f func()) {
	r.mu.Lock()
	if r.stopping {
		r.mu.Unlock()
		return
	}
	r.inflight.Add(1)
	r.mu.Unlock()
	defer r.inflight.Done()
	defer func() {
		if p := recover(); p != nil {
			r.a.log.Error("discord: event handler panicked", "panic", r.redact(fmt.Errorf("%v", p)))
		}
	}()
	f()
}

// open opens the session, giving up when ctx ends.
func (r *run) open(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- r.s.Open() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		// Cutting the connection makes Open return soon (or within the HTTP
		// client's timeout while it asks for the gateway URL).
		r.hangUp()
		<-errc
		return ctx.Err()
	}
}

// connect opens the gateway session, retrying with backoff until it is
// open, ctx ends (it returns ctx's error), or the gateway refuses the
// session for good (ErrUnauthorized, ErrGatewayRefused). Open returns once
// READY or RESUMED has come: the adapter is then connected.
func (r *run) connect(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		err := r.open(ctx)
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) { // already open: a late Disconnect of an older connection
			r.a.connected.Store(true)
			if attempt > 0 {
				r.a.log.Info("discord: gateway connected", "attempts", attempt+1)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if fatal := gatewayError(err); errors.Is(fatal, ErrUnauthorized) || errors.Is(fatal, ErrGatewayRefused) {
			return fatal
		}
		wait := backoff(attempt)
		r.a.log.Warn("discord: connection failed; retrying", "step", "gateway", "attempt", attempt+1,
			"retry_in_s", wait.Seconds(), "err", r.redact(err))
		if !r.a.sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// supervise reopens the session after every disconnect until ctx ends.
func (r *run) supervise(ctx context.Context) error {
	for {
		if !r.awaitLoss(ctx) {
			return nil
		}
		if err := r.connect(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		r.a.log.Info("discord: gateway reconnected")
	}
}

// awaitLoss waits for a Disconnect, then for settle, and reports whether
// ctx is still live.
//
// discordgo's heartbeat goroutine of the old connection may be about to
// fail its write and call Session.Close, which closes whatever connection
// the session holds by then with 1000: Discord ends the session, and events
// in flight are dropped (wsapi.go, heartbeat). It needs microseconds; the
// pause lets it act before a new connection exists.
//
// Its Close, and the reader's, each signal the same loss, so the signals
// that came meanwhile are dropped: no connection was opened since. One left
// behind would start an Open while a later close (on op 7) holds the
// session's lock through its 1 s linger; the Open would connect the moment
// the lock is free, with no pause for the heartbeat goroutine, which then
// closes the new connection.
func (r *run) awaitLoss(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-r.disconnected:
		r.a.connected.Store(false)
	}
	if !sleep(ctx, settle()) {
		return false
	}
	for {
		select {
		case <-r.disconnected:
		default:
			return true
		}
	}
}

// settle is the pause before reconnecting after a disconnect: 100–200 ms.
func settle() time.Duration { return 100*time.Millisecond + rand.N(100*time.Millisecond) }

// backoff is the wait before reconnect attempt n+1: 1 s doubling to 1 min,
// with jitter.
func backoff(n int) time.Duration {
	d := time.Minute
	if n < 6 {
		d = time.Second << n
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx ends, reporting whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// gatewayError turns Open's error into one of the package's when the
// gateway's close code says retrying is pointless.
func gatewayError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return fmt.Errorf("%w (gateway close %d %s)", ErrUnauthorized, ce.Code, ce.Text)
		case 4010, 4011, 4012, 4013, 4014:
			return fmt.Errorf("%w: close %d %s", ErrGatewayRefused, ce.Code, ce.Text)
		}
	}
	if isStatus(err, http.StatusUnauthorized) {
		return ErrUnauthorized
	}
	return fmt.Errorf("discord: opening the gateway: %w", err)
}

// shutdown stops handling events, closes the session and waits for the
// replies under way.
func (r *run) shutdown() {
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	// Close sends a close frame (1000: Discord ends the session and shows
	// the bot offline at once); a frame that cannot be written in time must
	// not hold the shutdown up.
	cut := time.AfterFunc(closeGrace, r.hangUp)
	if err := r.s.Close(); err != nil {
		r.a.log.Debug("discord: closing the session", "err", r.redact(err))
	}
	cut.Stop()
	r.hangUp()
	r.inflight.Wait()
	r.a.log.Info("discord: stopped")
}
