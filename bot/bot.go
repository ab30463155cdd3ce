// Package bot is the platform-neutral part of corpusbot's chat adapters: the
// command table, the moderator check, rate and input limits, reloads, and
// rendering a reply for each platform. Adapters (bot/discord, bot/telegram,
// bot/console) translate platform events to Requests and Replies and back.
package bot

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/corpusbot/corpusbot/answer"
)

// Platforms a Request can come from.
const (
	Discord  = "discord"
	Telegram = "telegram"
	Console  = "console"
	HTTP     = "http"
)

// A Request is one command or question from a user, on any platform.
type Request struct {
	Platform string   // Discord, Telegram, Console or HTTP
	UserID   string   // the platform's user id, as a decimal string
	RoleIDs  []string // Discord role ids of the user in the guild, if any
	ChatID   string   // channel or chat the request came from
	Direct   bool     // a private chat or DM rather than a group or channel
	Command  string   // a command name from the table: "ask", "reload", ...; empty means "ask"
	Text     string   // the command's argument: the question for "ask"
	Private  bool     // the user asked for a reply only they can see (Discord's ephemeral)
	Top      int      // citations wanted, up to answer.MaxTop; 0 means the bot's default
	Explain  bool     // break each citation's score into its signals

	// File is a file sent with the command, as /add takes one; nil for none.
	File *Attachment
	// ReplyTo is the id of the bot's message the request replies to (a
	// Telegram reply, a Discord message reply), or "": the question is
	// then read as a follow-up of the one that message answered.
	ReplyTo string
	// Thread is the id of the thread the request was posted in, when it
	// may have been started from one of the bot's answers (Discord gives
	// a thread started from a message that message's id), or "": the
	// question then follows the thread's conversation, which began with
	// that answer.
	Thread string
	// at is when Handle got the request, by Options.Now.
	at time.Time
}

// An ErrorKind classifies what went wrong, so that adapters and tests can
// act on the kind and users see a short, safe message.
type ErrorKind int

const (
	Invalid     ErrorKind = iota + 1 // the request cannot be served as given (empty, oversize, unknown command)
	Forbidden                        // the user may not run this command
	RateLimited                      // the user is asking too fast
	Internal                         // something failed on our side; details are in the log
)

func (k ErrorKind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case Forbidden:
		return "forbidden"
	case RateLimited:
		return "rate-limited"
	case Internal:
		return "internal"
	}
	return "unknown"
}

// An Error is a failure to show the user: a kind and a short, safe message.
// The cause, if any, is for the log only.
type Error struct {
	Kind    ErrorKind
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Kind.String() + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Kind.String() + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// A Reply is what the bot answers a Request with: exactly one of Answer,
// Text, Articles or Err is set. Silent replies (Reply{}) mean "say nothing", as for a
// rate-limited user who has already been told to slow down.
type Reply struct {
	Answer *answer.Result // an answer with citations
	Text   string         // a plain message: help, a reload report
	// Articles is a page of the article list /sources gives.
	Articles *ArticleList
	Err      *Error // a refusal or failure, with a message for the user
	Private  bool   // show only to the asker where the platform can (ephemeral)
	// FeedbackID names the answer for 👍/👎 buttons (see VoteData); empty
	// when the answer takes no votes.
	FeedbackID string

	article string // the article /add or /remove changed, for the log
	// context is what a question replying to this answer is read with;
	// Bot.Sent remembers it under the id of the message sent.
	context *answer.Context
}

// Silent reports whether the reply says nothing.
func (r Reply) Silent() bool {
	return r.Answer == nil && r.Text == "" && r.Articles == nil && r.Err == nil
}

// An Answerer answers questions; *answer.Engine is one. It fails when
// ctx is done, or when what answers (an external index, a model) does.
type Answerer interface {
	Ask(ctx context.Context, question string, o answer.AskOptions) (answer.Result, error)
}

// A Reloader rebuilds the corpus and swaps it in, reporting what changed;
// *CorpusReloader is one.
type Reloader interface {
	Reload(ctx context.Context) (ReloadReport, error)
}

// Ensure the engine satisfies the interface bot relies on.
var _ Answerer = (*answer.Engine)(nil)

// Outcomes of a request, as Events and log lines report them.
const (
	OutcomeAnswered    = "answered"     // a question answered with citations
	OutcomeUnanswered  = "unanswered"   // a question the corpus does not answer
	OutcomeOK          = "ok"           // any other command that did its job
	OutcomeInvalid     = "invalid"      // refused as given: empty, too long, unknown command
	OutcomeForbidden   = "forbidden"    // a moderator command from someone else
	OutcomeRateLimited = "rate_limited" // over the rate limit (told, or silent)
	OutcomeFailed      = "failed"       // failed on our side, as a reload can
)

// An Event is one request handled, for metrics.
type Event struct {
	Platform string        // one of the platform constants, or "other"
	Command  string        // a command of the table, or "unknown"
	Outcome  string        // one of the Outcome constants
	Latency  time.Duration // from Handle's start to its reply
}

// A Recorder is told what the bot and its reloader did, for metrics.
// Its methods must be safe for concurrent use.
type Recorder interface {
	Handled(e Event)
	Reloaded(ok bool, took time.Duration)
}

// Options configure a Bot. The zero value is usable: answer.DefaultTop
// citations, questions up to answer.MaxQuestion characters, no rate limit.
type Options struct {
	Moderators  Moderators
	Top         int // citations per answer; 0 means answer.DefaultTop, over answer.MaxTop means answer.MaxTop
	MaxQuestion int // characters; 0 means answer.MaxQuestion
	// RateLimit holds off users who ask too fast on Discord and Telegram
	// (moderators, the console and the HTTP API are exempt).
	RateLimit RateLimit
	Recorder  Recorder         // told of every request; nil for none
	Now       func() time.Time // the clock; nil means time.Now
	// Feedback, when set, puts 👍/👎 on answers on Discord, Telegram and
	// the console, and records the votes (see Bot.Vote); nil for none.
	Feedback *Feedback

	// Library adds and removes articles for /add and /remove; nil when the
	// bot serves its built-in articles.
	Library Library

	// FollowUps bound how long and how many conversations are
	// remembered for follow-up questions (context.go).
	FollowUps FollowUps
}

// A Bot serves Requests from any platform. It is safe for concurrent use.
type Bot struct {
	opts     Options
	ans      Answerer
	reloader Reloader
	articles func(words string) []answer.Source // for /sources; may be nil
	limiter  *limiter                           // nil when there is no rate limit
	convs    *conversations                     // what follow-up questions are read with
	log      *slog.Logger
}

// New returns a Bot answering with ans and reloading with rel (nil: /reload
// says there is nothing to reload). sources, when not nil, returns the
// articles now served, for /sources (answer.Engine.Sources). log may be nil.
func New(opts Options, ans Answerer, rel Reloader, sources func(words string) []answer.Source, log *slog.Logger) *Bot {
	if opts.Top <= 0 {
		opts.Top = answer.DefaultTop
	}
	opts.Top = min(opts.Top, answer.MaxTop)
	if opts.MaxQuestion <= 0 {
		opts.MaxQuestion = answer.MaxQuestion
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Bot{opts: opts, ans: ans, reloader: rel, articles: sources,
		limiter: newLimiter(opts.RateLimit), convs: newConversations(opts.FollowUps), log: logger(log)}
}

// Handle routes a request through the rate limit and the command table and
// returns the reply. It logs one line per request and tells the Recorder.
func (b *Bot) Handle(ctx context.Context, r Request) Reply {
	start := b.opts.Now()
	r.at = start
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.Command), "/"))
	if name == "" {
		name = "ask"
	}
	cmd, known := Lookup(name)
	rep, outcome := b.route(ctx, r, name, cmd, known, start)
	took := b.opts.Now().Sub(start)

	label := name
	if !known {
		label = "unknown"
	}
	b.logRequest(r, label, outcome, took, rep)
	if b.opts.Recorder != nil {
		b.opts.Recorder.Handled(Event{Platform: platformLabel(r.Platform), Command: label, Outcome: outcome, Latency: took})
	}
	return rep
}

func (b *Bot) route(ctx context.Context, r Request, name string, cmd Command, known bool, now time.Time) (Reply, string) {
	if b.limiter != nil && rateLimited(r) && !b.opts.Moderators.Allows(r) {
		ok, warn := b.limiter.allow(r.Platform+":"+userKey(r), now)
		switch {
		case ok:
		case warn:
			return Reply{Private: true, Err: &Error{Kind: RateLimited,
				Message: "You're asking faster than I can keep up with; please slow down and try again in a minute."}}, OutcomeRateLimited
		default:
			return Reply{}, OutcomeRateLimited
		}
	}
	if !known {
		return Reply{Private: true, Err: &Error{Kind: Invalid,
			Message: "I don't know the command /" + clip(name, 32) + ". Try /help."}}, OutcomeInvalid
	}
	if cmd.ModeratorsOnly && !b.opts.Moderators.Allows(r) {
		return Reply{Private: true, Err: &Error{Kind: Forbidden,
			Message: "Sorry, you are not allowed to use /" + name + ": only moderators may. Nothing was changed."}}, OutcomeForbidden
	}
	return cmd.handle(b, ctx, r)
}

// logRequest writes the one log line of a request. Refusals of moderator
// commands are warnings; repeated rate-limit refusals are debug lines, so a
// flood of messages does not flood the log.
func (b *Bot) logRequest(r Request, command, outcome string, took time.Duration, rep Reply) {
	attrs := []slog.Attr{
		slog.String("platform", r.Platform),
		slog.String("chat", r.ChatID),
		slog.String("command", command),
		slog.String("outcome", outcome),
		slog.Float64("latency_s", took.Seconds()), // seconds: text and JSON logs alike, not JSON's bare nanoseconds
	}
	level, msg := slog.LevelInfo, "request"
	switch {
	case command == "ask":
		msg = "question"
	case outcome == OutcomeForbidden:
		level, msg = slog.LevelWarn, "moderator command refused"
		attrs = append(attrs, slog.String("user", r.UserID))
	case command == "reload":
		msg = "reload"
		attrs = append(attrs, slog.String("user", r.UserID))
	case command == "add" || command == "remove":
		msg = "corpus " + command
		attrs = append(attrs, slog.String("user", r.UserID))
		if rep.article != "" {
			attrs = append(attrs, slog.String("article", rep.article))
		}
		switch {
		case r.File != nil:
			attrs = append(attrs, slog.String("file", clip(r.File.Name, 200)))
		case command == "add":
			attrs = append(attrs, slog.String("url", clip(strings.TrimSpace(r.Text), 300)))
		}
	}
	switch {
	case outcome == OutcomeRateLimited && rep.Silent():
		level, msg = slog.LevelDebug, "rate limited, silently"
		attrs = append(attrs, slog.String("user", r.UserID))
	case outcome == OutcomeRateLimited:
		attrs = append(attrs, slog.String("user", r.UserID))
	case outcome == OutcomeFailed:
		level = slog.LevelError
	}
	if rep.Err != nil && rep.Err.Cause != nil {
		attrs = append(attrs, slog.Any("err", rep.Err.Cause))
	}
	b.log.LogAttrs(context.Background(), level, msg, attrs...)
}

// rateLimited reports whether r's platform is subject to the rate limit.
func rateLimited(r Request) bool {
	return r.Platform != Console && r.Platform != HTTP && userKey(r) != ""
}

// userKey identifies the asker for the rate limit: the user, or failing
// that the chat.
func userKey(r Request) string {
	if r.UserID != "" {
		return "u" + r.UserID
	}
	if r.ChatID != "" {
		return "c" + r.ChatID
	}
	return ""
}

func platformLabel(p string) string {
	switch p {
	case Discord, Telegram, Console, HTTP:
		return p
	}
	return "other"
}

// logger returns l, or a logger that discards everything.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
