package telegram

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// router decides which updates the bot answers and turns them into requests.
type router struct {
	self tgbotapi.User // the bot itself, from getMe
	// document turns a document sent with /add as its caption into the
	// request's attachment; nil ignores documents.
	document func(*tgbotapi.Document) *bot.Attachment
}

// route returns the message to answer and its request, or ok false for an
// update the bot ignores: anything but a new text message, messages from
// bots, commands for other bots, and, in groups, chatter that is neither a
// command nor a reply to the bot.
func (r router) route(u tgbotapi.Update) (m *tgbotapi.Message, req bot.Request, ok bool) {
	m = u.Message
	if m == nil || m.Chat == nil || m.From == nil || m.From.IsBot {
		return nil, req, false
	}
	text, entities := m.Text, m.Entities
	if m.Document != nil && r.document != nil {
		// A document counts only with a command as its caption.
		text, entities = m.Caption, m.CaptionEntities
		if c, ok := parseCommand(text, entities); !ok || c.Name != "add" {
			return nil, req, false
		}
	}
	if text == "" {
		return nil, req, false
	}
	direct := m.Chat.Type == "private"
	if !direct && m.Chat.Type != "group" && m.Chat.Type != "supergroup" {
		return nil, req, false
	}
	req = bot.Request{
		Platform: bot.Telegram,
		UserID:   strconv.FormatInt(m.From.ID, 10),
		ChatID:   strconv.FormatInt(m.Chat.ID, 10),
		Direct:   direct,
	}
	if r.repliesToMe(m) {
		// A reply to one of the bot's answers follows it up.
		req.ReplyTo = strconv.Itoa(m.ReplyToMessage.MessageID)
	}
	if cmd, isCmd := parseCommand(text, entities); isCmd {
		mine := cmd.Bot == "" || strings.EqualFold(cmd.Bot, r.self.UserName)
		if !mine {
			return nil, req, false
		}
		// In a group a bare command the bot does not know is most likely
		// another bot's: stay quiet. Addressed to us, or in private, the
		// bot says it does not know it.
		if _, known := bot.Lookup(cmd.Name); !known && !direct && cmd.Bot == "" {
			return nil, req, false
		}
		req.Command, req.Text = cmd.Name, cmd.Args
		if m.Document != nil && r.document != nil {
			req.File = r.document(m.Document)
		}
		return m, req, true
	}
	if direct || r.repliesToMe(m) {
		req.Command, req.Text = "ask", m.Text
		return m, req, true
	}
	return nil, req, false
}

func (r router) repliesToMe(m *tgbotapi.Message) bool {
	p := m.ReplyToMessage
	return p != nil && p.From != nil && r.self.ID != 0 && p.From.ID == r.self.ID
}

// A command is a bot command that opens a message: "/ask@ThisBot who?" is
// {Name: "ask", Bot: "ThisBot", Args: "who?"}.
type command struct {
	Name string // lower-cased, without the slash
	Bot  string // the bot it is addressed to, without the @; "" for any
	Args string // the rest of the message, trimmed
}

// maxCommandName is the longest command name Telegram allows.
const maxCommandName = 32

// parseCommand reads the command that opens text from its bot_command
// entity at offset 0; entity offsets and lengths count UTF-16 code units.
// A message that has no entities at all (as hand-made updates may) is read
// by the command syntax alone: /name[@bot] followed by space or the end.
func parseCommand(text string, entities []tgbotapi.MessageEntity) (command, bool) {
	end := -1
	if len(entities) == 0 {
		end = commandEnd(text)
	} else {
		for _, e := range entities {
			if e.Type == "bot_command" && e.Offset == 0 {
				if n, ok := utf16Prefix(text, e.Length); ok {
					end = n
				}
				break
			}
		}
	}
	if end < 2 || text[0] != '/' {
		return command{}, false
	}
	// "/ask@" names no bot: it is not a command for any.
	name, target, addressed := strings.Cut(text[1:end], "@")
	if !validName(name, maxCommandName) || (addressed && !validName(target, 64)) {
		return command{}, false
	}
	rest := text[end:]
	if rest != "" {
		// The command must end at a word boundary: "/ask" in "/asking" is not one.
		if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsSpace(r) {
			return command{}, false
		}
	}
	return command{Name: strings.ToLower(name), Bot: target, Args: strings.TrimSpace(rest)}, true
}

// commandEnd returns the byte length of the /name[@bot] that opens text, or -1.
func commandEnd(text string) int {
	if !strings.HasPrefix(text, "/") {
		return -1
	}
	i := 1
	for i < len(text) && (isNameByte(text[i]) || text[i] == '@') {
		i++
	}
	return i
}

func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// utf16Prefix returns the byte length of the first n UTF-16 code units of
// s, or ok false when s is shorter or n ends inside a character. Invalid
// UTF-8 bytes count as one unit each, as U+FFFD would.
func utf16Prefix(s string, n int) (int, bool) {
	if n < 0 {
		return 0, false
	}
	units, i := 0, 0
	for units < n && i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		units += w
		i += size
	}
	if units != n {
		return 0, false
	}
	return i, true
}
