package discord

import (
	"context"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// onMessage answers a DM, or a guild message that mentions the bot or
// replies to one of its messages, with a message that references it. A
// reply to one of the bot's answers is read as its follow-up.
func (r *run) onMessage(ctx context.Context, e *discordgo.MessageCreate) {
	if e == nil || e.Message == nil {
		return
	}
	m := e.Message
	if why := r.ignored(m); why != "" {
		r.a.log.Debug("discord: message ignored", "id", m.ID, "reason", why)
		return
	}
	direct := m.GuildID == ""
	command, text := parseMessage(m.Content, r.botID)
	req := bot.Request{Platform: bot.Discord, UserID: m.Author.ID, ChatID: m.ChannelID, Direct: direct,
		Command: command, Text: text, ReplyTo: r.followsUp(m)}
	if m.Member != nil {
		req.RoleIDs = m.Member.Roles
	}
	if !direct && req.ReplyTo == "" {
		// The channel may be a thread started from one of the bot's
		// answers: such a thread has the answer's id.
		req.Thread = m.ChannelID
	}
	var reply bot.Reply
	if c, ok := bot.Lookup(command); ok && c.ModeratorsOnly && !direct {
		// Its reply is meant for the moderator alone, which only the slash
		// command (ephemeral) or a DM can give.
		reply = bot.Reply{Text: "Please use the /" + c.Name + " slash command; its reply is shown only to you."}
	} else {
		if command == "add" && len(m.Attachments) > 0 && m.Attachments[0] != nil {
			req.File = r.a.attachment(m.Attachments[0]) // "/add" in a DM, with the file attached
		}
		reply = r.a.bot.Handle(ctx, req)
	}
	if reply.Silent() {
		r.a.log.Debug("discord: nothing to say", "id", m.ID)
		return
	}
	if id := r.sendReply(ctx, m, reply); id != "" {
		r.a.bot.Sent(req, reply, id)
		r.a.log.Debug("discord: reply sent", "message", m.ID, "reply", id)
	}
}

// followsUp returns the key of the bot's message that m replies to (its
// message_reference, whose referenced_message the bot wrote), for
// Request.ReplyTo, or "": the message's id, or for a response to a slash
// command, interactionKey of its interaction.
func (r *run) followsUp(m *discordgo.Message) string {
	ref := m.ReferencedMessage
	if m.MessageReference == nil || ref == nil || ref.Author == nil || r.botID == "" || ref.Author.ID != r.botID {
		return ""
	}
	if md := ref.InteractionMetadata; md != nil {
		if snowflake(md.ID) {
			return interactionKey(md.ID)
		}
		return ""
	}
	if !snowflake(ref.ID) {
		return ""
	}
	return ref.ID
}

// ignored says why a message is not for the bot, or "" when it is.
func (r *run) ignored(m *discordgo.Message) string {
	switch {
	case m.Author == nil:
		return "no author"
	case m.Author.ID == r.botID:
		return "own message"
	case m.Author.Bot || m.Author.System:
		return "from a bot"
	case m.WebhookID != "":
		return "from a webhook"
	case m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply:
		return "not a plain message"
	case !snowflake(m.ID) || !snowflake(m.ChannelID):
		return "malformed ids"
	case m.GuildID != "" && !mentions(m, r.botID) && r.followsUp(m) == "":
		return "guild message neither mentioning the bot nor replying to it"
	case m.GuildID != "" && !mentions(m, r.botID) && strings.TrimSpace(m.Content) == "":
		// A reply to the bot with the ping turned off: without the
		// MESSAGE_CONTENT intent Discord sends it with no content.
		return "reply to the bot without a mention, content not sent"
	}
	return ""
}

// mentions reports whether m mentions the user id.
func mentions(m *discordgo.Message, id string) bool {
	if id == "" {
		return false
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+id+">") || strings.Contains(m.Content, "<@!"+id+">")
}

// parseMessage reads a message to the bot: the mentions of the bot are
// removed, and a leading "/name" that names a command of the table selects
// that command, the rest being its text. Otherwise the whole text is a
// question (command "").
func parseMessage(content, botID string) (command, text string) {
	text = strings.TrimSpace(stripMentions(content, botID))
	if rest, ok := strings.CutPrefix(text, "/"); ok {
		name, arg := rest, ""
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			name, arg = rest[:i], rest[i:]
		}
		name = strings.ToLower(name)
		if _, known := bot.Lookup(name); known && name != "" {
			return name, strings.TrimSpace(arg)
		}
	}
	return "", text
}

// stripMentions replaces each mention of the user id, <@id> and <@!id>, by
// a space. Spaces cannot be part of a mention, so the result contains none.
func stripMentions(s, id string) string {
	if !snowflake(id) {
		return s
	}
	s = strings.ReplaceAll(s, "<@!"+id+">", " ")
	return strings.ReplaceAll(s, "<@"+id+">", " ")
}

// sendReply posts the reply in the message's channel, referencing it
// (POST channels/{id}/messages), and returns the id of the message sent,
// or "".
func (r *run) sendReply(ctx context.Context, m *discordgo.Message, reply bot.Reply) string {
	rm := bot.RenderDiscord(reply)
	content, embeds := convert(rm)
	no := false
	send := &discordgo.MessageSend{
		Content: content, Embeds: embeds, AllowedMentions: noMentions(), Flags: suppress(rm), Components: voteButtons(reply),
		Reference: &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: &no},
	}
	sctx, cancel := r.sendContext(ctx)
	defer cancel()
	var sent *discordgo.Message
	err := r.rest(sctx, func(o ...discordgo.RequestOption) error {
		var err error
		sent, err = r.s.ChannelMessageSendComplex(m.ChannelID, send, o...)
		return err
	})
	if err != nil {
		r.a.log.Error("discord: replying to a message", "channel", m.ChannelID, "message", m.ID, "err", r.redact(err))
		return ""
	}
	if sent == nil {
		return ""
	}
	return sent.ID
}
