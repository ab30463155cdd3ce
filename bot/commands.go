package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/corpus"
)

// An Option is one argument of a command, as slash commands declare them.
type Option struct {
	Name        string
	Description string
	Bool        bool // a true/false flag; otherwise a string
	Required    bool
}

// A Command is one entry of the command table. The table drives Discord's
// slash command registration, Telegram's command list, /help and routing.
type Command struct {
	Name           string
	Description    string
	Options        []Option
	ModeratorsOnly bool
	handle         func(b *Bot, ctx context.Context, r Request) Reply
}

// Commands returns the command table, in the order /help lists it.
func Commands() []Command {
	return []Command{
		{Name: "ask", Description: "Ask a question about the articles",
			Options: []Option{
				{Name: "question", Description: "Your question", Required: true},
				{Name: "private", Description: "Only you see the answer", Bool: true},
			},
			handle: (*Bot).ask},
		{Name: "sources", Description: "List the articles the bot answers from", handle: (*Bot).sources},
		{Name: "help", Description: "How to use the bot", handle: (*Bot).help},
		{Name: "start", Description: "Start talking to the bot", handle: (*Bot).help},
		{Name: "reload", Description: "Reload the articles (moderators only)", ModeratorsOnly: true, handle: (*Bot).reloadCorpus},
	}
}

// Lookup returns the command named name.
func Lookup(name string) (Command, bool) {
	for _, c := range Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// Moderators are the users who may run moderator commands.
type Moderators struct {
	DiscordUserIDs  []string
	DiscordRoleIDs  []string
	TelegramUserIDs []int64
}

// Allows reports whether the request's user is a moderator on its platform.
func (m Moderators) Allows(r Request) bool {
	switch r.Platform {
	case Discord:
		if r.UserID != "" && slices.Contains(m.DiscordUserIDs, r.UserID) {
			return true
		}
		for _, role := range r.RoleIDs {
			if role != "" && slices.Contains(m.DiscordRoleIDs, role) {
				return true
			}
		}
	case Telegram:
		for _, id := range m.TelegramUserIDs {
			if fmt.Sprint(id) == r.UserID {
				return true
			}
		}
	case Console:
		return true // whoever runs the console runs the bot
	}
	return false
}

// Options configure a Bot.
type Options struct {
	Moderators  Moderators
	Top         int // citations per answer; 0 means 3
	MaxQuestion int // characters; 0 means DefaultMaxQuestion
}

// DefaultMaxQuestion is the longest question accepted, in characters.
const DefaultMaxQuestion = 1000

// A Bot serves Requests from any platform.
type Bot struct {
	opts     Options
	ans      Answerer
	reloader Reloader
	index    func() *corpus.Index // for /sources; may be nil
	log      *slog.Logger
}

// New returns a Bot answering with ans and reloading with rel (nil: /reload
// says there is nothing to reload). index, when not nil, returns the corpus
// now served, for /sources.
func New(opts Options, ans Answerer, rel Reloader, index func() *corpus.Index, log *slog.Logger) *Bot {
	if opts.Top <= 0 {
		opts.Top = 3
	}
	if opts.MaxQuestion <= 0 {
		opts.MaxQuestion = DefaultMaxQuestion
	}
	return &Bot{opts: opts, ans: ans, reloader: rel, index: index, log: logger(log)}
}

// Handle routes a request through the command table and returns the reply.
func (b *Bot) Handle(ctx context.Context, r Request) Reply {
	name := r.Command
	if name == "" {
		name = "ask"
	}
	cmd, ok := Lookup(name)
	if !ok {
		return Reply{Err: &Error{Kind: Invalid, Message: fmt.Sprintf("I don't know the command /%s. Try /help.", clip(name, 32))}}
	}
	if cmd.ModeratorsOnly && !b.opts.Moderators.Allows(r) {
		b.log.Warn("moderator command refused", "command", name, "platform", r.Platform, "user", r.UserID)
		return Reply{Private: true, Err: &Error{Kind: Forbidden, Message: "Sorry, only moderators may use /" + name + "."}}
	}
	return cmd.handle(b, ctx, r)
}

func (b *Bot) ask(ctx context.Context, r Request) Reply {
	q := answer.Clean(r.Text)
	switch n := len([]rune(q)); {
	case n == 0:
		return Reply{Err: &Error{Kind: Invalid, Message: "Please ask a question, for example: /ask who is Laos's defence minister now?"}}
	case n > b.opts.MaxQuestion:
		return Reply{Err: &Error{Kind: Invalid, Message: fmt.Sprintf("That question is too long (%d characters); please keep it under %d.", n, b.opts.MaxQuestion)}}
	}
	start := time.Now()
	res := b.ans.Ask(q, b.opts.Top)
	b.log.Info("question", "platform", r.Platform, "chat", r.ChatID, "answered", res.Answered, "latency", time.Since(start))
	return Reply{Answer: &res, Private: r.Private}
}

func (b *Bot) sources(ctx context.Context, r Request) Reply {
	if b.index == nil {
		return Reply{Text: "The article list is not available."}
	}
	ix := b.index()
	var s strings.Builder
	fmt.Fprintf(&s, "I answer from %d articles:\n", len(ix.Articles))
	for i, a := range ix.Articles {
		date := a.Date
		if date == "" {
			date = "undated"
		}
		fmt.Fprintf(&s, "%d. %s (%s)\n", i+1, a.Title, date)
	}
	return Reply{Text: strings.TrimRight(s.String(), "\n")}
}

func (b *Bot) help(ctx context.Context, r Request) Reply {
	var s strings.Builder
	s.WriteString("I answer questions about a set of news articles and quote the sentences my answers come from.\n")
	for _, c := range Commands() {
		if c.Name == "start" {
			continue
		}
		fmt.Fprintf(&s, "/%s — %s\n", c.Name, c.Description)
	}
	if r.Direct {
		s.WriteString("Here you can also just type your question.")
	}
	return Reply{Text: strings.TrimRight(s.String(), "\n")}
}

func (b *Bot) reloadCorpus(ctx context.Context, r Request) Reply {
	if b.reloader == nil {
		return Reply{Private: true, Text: "The bot serves its built-in articles; there is no corpus folder to reload from."}
	}
	report, err := b.reloader.Reload(ctx)
	if err != nil {
		b.log.Error("reload failed", "user", r.UserID, "platform", r.Platform, "err", err)
		return Reply{Private: true, Err: &Error{Kind: Internal, Message: "Reload failed; the previous articles are still being served. " + safeReason(err), Cause: err}}
	}
	b.log.Info("reloaded", "user", r.UserID, "platform", r.Platform, "report", report)
	return Reply{Private: true, Text: report}
}

// safeReason is the part of a reload error a moderator may see.
func safeReason(err error) string {
	return clip(err.Error(), 300)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
