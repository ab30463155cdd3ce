package telegram

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// maxFloodWaits bounds how many 429s one reply waits out before it is
// given up.
const maxFloodWaits = 5

// answer handles one routed message: asks the bot, then sends the reply.
func (a *Adapter) answer(ctx context.Context, m *tgbotapi.Message, req bot.Request) {
	reply := a.bot.Handle(ctx, req)
	if reply.Silent() || ctx.Err() != nil {
		return
	}
	if reply.Err != nil {
		a.log.Info("request refused", "chat", m.Chat.ID, "user", req.UserID, "command", req.Command, "kind", reply.Err.Kind.String())
	}
	msg := outMessage{chatID: m.Chat.ID, replyTo: m.MessageID, text: bot.RenderTelegram(reply), html: true}
	if reply.FeedbackID != "" {
		msg.markup = voteKeyboard(reply.FeedbackID)
	}
	if strings.TrimSpace(msg.text) == "" {
		a.log.Warn("empty reply not sent", "chat", m.Chat.ID, "command", req.Command)
		return
	}
	if id := a.send(ctx, msg, reply); id != 0 {
		a.bot.Sent(req, reply, strconv.Itoa(id))
	}
}

// send delivers msg: as plain text when Telegram cannot parse its HTML,
// after the wait Telegram asks for on 429, to the new chat id when a group
// became a supergroup, and retrying network failures a bounded number of
// times. What cannot be delivered is logged. It returns the id of the
// message sent, or 0.
func (a *Adapter) send(ctx context.Context, msg outMessage, reply bot.Reply) int {
	bo := a.backoff()
	floods, failures := 0, 0
	for {
		sent, err := call[tgbotapi.Message](ctx, a.api, a.opts.RequestTimeout, "sendMessage", msg.params())
		if err == nil {
			return sent.MessageID
		}
		if ctx.Err() != nil {
			return 0
		}
		code, desc := apiCode(err), strings.ToLower(apiDescription(err))
		switch {
		case code == http.StatusBadRequest && msg.html && strings.Contains(desc, "can't parse entities"):
			a.log.Warn("Telegram rejected the reply's HTML; sending it as plain text", "chat", msg.chatID, "err", err)
			msg.html = false
			msg.text = clipUTF16(bot.RenderText(reply), bot.TelegramMaxText)
			continue
		case code == http.StatusBadRequest && migratedTo(err) != 0:
			a.log.Info("group became a supergroup; replying there", "chat", msg.chatID, "to", migratedTo(err))
			msg.chatID = migratedTo(err)
			continue
		case code == http.StatusTooManyRequests && floods < maxFloodWaits:
			floods++
			wait := retryAfter(err)
			a.log.Warn("flood control; waiting before resending", "chat", msg.chatID, "retry_in_s", wait.Seconds())
			if a.sleep(ctx, wait) != nil {
				return 0
			}
			continue
		case (code == 0 || code >= 500) && failures < a.opts.SendRetries:
			failures++
			wait := bo.next()
			a.log.Warn("sendMessage failed; retrying", "chat", msg.chatID, "attempt", failures, "retry_in_s", wait.Seconds(), "err", err)
			if a.sleep(ctx, wait) != nil {
				return 0
			}
			continue
		}
		a.log.Error("reply not delivered", "chat", msg.chatID, "err", err)
		return 0
	}
}

// An outMessage is a reply to send with sendMessage.
type outMessage struct {
	chatID  int64
	replyTo int    // the message replied to
	text    string // HTML when html is set, else plain text
	html    bool
	markup  string // reply_markup (JSON), or ""
}

// params are sendMessage's parameters, as tgbotapi's MessageConfig would
// send them, minus its "entities":null.
func (o outMessage) params() tgbotapi.Params {
	p := tgbotapi.Params{
		"chat_id":                     strconv.FormatInt(o.chatID, 10),
		"text":                        o.text,
		"disable_web_page_preview":    "true",
		"allow_sending_without_reply": "true",
	}
	p.AddNonZero("reply_to_message_id", o.replyTo)
	p.AddNonEmpty("reply_markup", o.markup)
	if o.html {
		p["parse_mode"] = tgbotapi.ModeHTML
	}
	return p
}

func migratedTo(err error) int64 {
	var ae *tgbotapi.Error
	if errors.As(err, &ae) {
		return ae.MigrateToChatID
	}
	return 0
}

// clipUTF16 cuts s to at most n UTF-16 code units (Telegram's measure of
// length), marking the cut with an ellipsis.
func clipUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if units+w > n {
			// Make room for the ellipsis (one unit).
			cut := s[:i]
			for utf16Len(cut) > n-1 {
				_, size := utf8.DecodeLastRuneInString(cut)
				cut = cut[:len(cut)-size]
			}
			return cut + "…"
		}
		units += w
	}
	return s
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++
		}
	}
	return n
}
