// Package bot is the platform-neutral part of corpusbot's chat adapters: the
// command table, the moderator check, rate and input limits, reloads, and
// rendering a reply for each platform. Adapters (bot/discord, bot/telegram,
// bot/console) translate platform events to Requests and Replies and back.
package bot

import (
	"context"
	"log/slog"

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
// Text or Err is set. Silent replies (Reply{}) mean "say nothing", as for a
// rate-limited user who has already been told to slow down.
type Reply struct {
	Answer  *answer.Result // an answer with citations
	Text    string         // a plain message: help, sources, a reload report
	Err     *Error         // a refusal or failure, with a message for the user
	Private bool           // show only to the asker where the platform can (ephemeral)
}

// Silent reports whether the reply says nothing.
func (r Reply) Silent() bool { return r.Answer == nil && r.Text == "" && r.Err == nil }

// An Answerer answers questions; *answer.Engine is one.
type Answerer interface {
	Ask(question string, top int) answer.Result
}

// A Reloader rebuilds the corpus and swaps it in, reporting what changed.
type Reloader interface {
	Reload(ctx context.Context) (string, error)
}

// Ensure the engine satisfies the interface bot relies on.
var _ Answerer = (*answer.Engine)(nil)

// logger returns l, or a logger that discards everything.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
