package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/corpusbot/corpusbot/answer"
)

// An Option is one argument of a command, as slash commands declare them.
type Option struct {
	Name        string
	Description string
	Bool        bool // a true/false flag; otherwise a string
	Attachment  bool // a file (Discord's attachment option); otherwise a string
	Required    bool
}

// A Command is one entry of the command table. The table drives Discord's
// slash command registration, Telegram's command list, /help and routing.
type Command struct {
	Name           string
	Description    string
	Options        []Option
	ModeratorsOnly bool
	handle         func(b *Bot, ctx context.Context, r Request) (Reply, string)
}

// Usage returns how the command is typed, as /help shows it:
// "/ask <question>", "/sources [words]".
func (c Command) Usage() string {
	s := "/" + c.Name
	for _, o := range c.Options {
		switch {
		case o.Bool:
		case o.Required && !o.Attachment:
			s += " <" + o.Name + ">"
		default:
			s += " [" + o.Name + "]"
		}
	}
	return s
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
		{Name: "sources", Description: "List the articles the bot answers from, newest first",
			Options: []Option{
				{Name: "words", Description: "Only articles with these words; end with \"page 2\" for the next page"},
			},
			handle: (*Bot).sources},
		{Name: "help", Description: "How to use the bot", handle: (*Bot).help},
		{Name: "start", Description: "Start talking to the bot", handle: (*Bot).help},
		{Name: "reload", Description: "Reload the articles (moderators only)", ModeratorsOnly: true, handle: (*Bot).reloadCorpus},
		{Name: "add", Description: "Add an article from a link or an attached .txt or .md file (moderators only)",
			Options: []Option{
				{Name: "url", Description: "The article's web address (http or https)"},
				{Name: "file", Description: "A .txt or .md file holding the article", Attachment: true},
			},
			ModeratorsOnly: true, handle: (*Bot).addArticle},
		{Name: "remove", Description: "Remove an article, by file name or exact title (moderators only)",
			Options:        []Option{{Name: "article", Description: "The article's file name or exact title", Required: true}},
			ModeratorsOnly: true, handle: (*Bot).removeArticle},
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
// Whoever runs the console runs the bot, so the console is always allowed;
// the HTTP API never is.
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
			if strconv.FormatInt(id, 10) == r.UserID {
				return true
			}
		}
	case Console:
		return true
	}
	return false
}

func (b *Bot) ask(ctx context.Context, r Request) (Reply, string) {
	q := answer.Clean(r.Text)
	switch n := len([]rune(q)); {
	case n == 0:
		return Reply{Private: true, Err: &Error{Kind: Invalid,
			Message: "Please ask a question, for example: /ask who is Laos's defence minister now?"}}, OutcomeInvalid
	case n > b.opts.MaxQuestion:
		return Reply{Private: true, Err: &Error{Kind: Invalid,
			Message: fmt.Sprintf("That question is too long (%d characters); please keep it under %d.", n, b.opts.MaxQuestion)}}, OutcomeInvalid
	}
	top := b.opts.Top
	if r.Top > 0 {
		top = min(r.Top, answer.MaxTop)
	}
	now := r.at
	prev := b.convs.context(r, now)
	res, err := b.ans.Ask(ctx, q, answer.AskOptions{Top: top, Explain: r.Explain, Context: prev})
	if err != nil {
		return Reply{Private: true, Err: &Error{Kind: Internal,
			Message: "Something went wrong on our side; please try again.", Cause: err}}, OutcomeFailed
	}
	rep := Reply{Answer: &res, Private: r.Private}
	if f := b.opts.Feedback; f != nil && r.Platform != HTTP && votable(&res) {
		rep.FeedbackID = f.remember(r.Platform, &res)
	}
	if next, ok := answer.Next(prev, q, res); ok {
		b.convs.keepAfter(r, prev, next, now)
		rep.context = &next
	}
	switch {
	case res.Refusal != nil && res.Refusal.Kind == answer.RefusedNoWords:
		// Markup without words ("<b></b>", "@everyone"): refused as given.
		return rep, OutcomeInvalid
	case !res.Answered:
		return rep, OutcomeUnanswered
	}
	return rep, OutcomeAnswered
}

func (b *Bot) help(ctx context.Context, r Request) (Reply, string) {
	var s strings.Builder
	s.WriteString("I answer questions about a set of news articles and quote the sentences my answers come from.\n")
	for _, c := range Commands() {
		if c.Name == "start" {
			continue
		}
		fmt.Fprintf(&s, "\n%s — %s", c.Usage(), c.Description)
	}
	if r.Direct {
		s.WriteString("\n\nHere you can also just type your question.")
	}
	if b.opts.Feedback != nil {
		s.WriteString(feedbackHelp(r.Platform))
	}
	if r.Platform == Discord || r.Platform == Telegram {
		if !r.Direct {
			s.WriteString("\n")
		}
		s.WriteString("\nReply to one of my answers to ask a follow-up, such as \"and when was that?\".")
	}
	return Reply{Text: s.String()}, OutcomeOK
}

func (b *Bot) reloadCorpus(ctx context.Context, r Request) (Reply, string) {
	if b.reloader == nil {
		return Reply{Private: true, Text: "The bot serves its built-in articles; there is nothing to reload from."}, OutcomeOK
	}
	report, err := b.reloader.Reload(ctx)
	var running *RunningError
	var timeout *TimeoutError
	switch {
	case errors.Is(err, ErrNoCorpusDir):
		return Reply{Private: true, Text: "The bot serves its built-in articles; there is nothing to reload from."}, OutcomeOK
	case errors.As(err, &running):
		return Reply{Private: true, Text: "A reload has been running for " + seconds(running.For) +
			"; yours will run when it ends. The current articles are served meanwhile."}, OutcomeOK
	case errors.As(err, &timeout):
		return Reply{Private: true, Err: &Error{Kind: Internal,
			Message: "Reload failed: it took longer than " + seconds(timeout.Limit) +
				"; the previous articles are still being served.", Cause: err}}, OutcomeFailed
	case err != nil:
		return Reply{Private: true, Err: &Error{Kind: Internal,
			Message: "Reload failed; the previous articles are still being served. Reason: " + safeReason(err), Cause: err}}, OutcomeFailed
	}
	return Reply{Private: true, Text: report.String()}, OutcomeOK
}

// plural is n and noun, in the plural unless n is 1: "1 article", "2 articles".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
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
