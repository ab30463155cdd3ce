package telegram

import (
	"context"
	"encoding/json"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// allowedUpdates are the kinds of update the bot asks Telegram for:
// messages, and the callback queries of its 👍/👎 buttons.
var allowedUpdates = []string{"message", "callback_query"}

// maxCallbackText is the longest text answerCallbackQuery shows.
const maxCallbackText = 200

// voteKeyboard is the reply_markup of an answer that takes votes: an
// inline keyboard with 👍 and 👎, whose callback_data names the answer.
func voteKeyboard(id string) string {
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	}
	kb := struct {
		InlineKeyboard [][]button `json:"inline_keyboard"`
	}{[][]button{{
		{Text: "👍", CallbackData: bot.VoteData(id, bot.VerdictUp)},
		{Text: "👎", CallbackData: bot.VoteData(id, bot.VerdictDown)},
	}}}
	b, _ := json.Marshal(kb) // plain strings: never fails
	return string(b)
}

// routeCallback returns the chat to queue a callback query on (that of the
// message its button is on, else the user's) and the vote it carries, or
// ok false for a query the bot cannot answer (no id or no sender).
func routeCallback(q *tgbotapi.CallbackQuery) (chat int64, v bot.Vote, ok bool) {
	if q == nil || q.ID == "" || q.From == nil {
		return 0, v, false
	}
	chat = q.From.ID
	if q.Message != nil && q.Message.Chat != nil {
		chat = q.Message.Chat.ID
	}
	return chat, bot.Vote{Platform: bot.Telegram, UserID: strconv.FormatInt(q.From.ID, 10), Data: q.Data}, true
}

// onCallback records the vote of a button press and answers the callback
// query (answerCallbackQuery) with a short notice, which also stops the
// button's spinner. Every query is answered, forged or not.
func (a *Adapter) onCallback(ctx context.Context, id string, v bot.Vote) {
	reply := a.bot.Vote(ctx, v)
	text := bot.RenderText(reply)
	if len([]rune(text)) > maxCallbackText {
		text = string([]rune(text)[:maxCallbackText-1]) + "…"
	}
	_, err := call[bool](ctx, a.api, a.opts.RequestTimeout, "answerCallbackQuery", tgbotapi.Params{
		"callback_query_id": id,
		"text":              text,
	})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("answerCallbackQuery failed", "err", err)
	}
}
