package discord

import (
	"context"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// Replies the adapter itself gives.
var (
	// unreadable answers an interaction whose options are not what the
	// command table declares.
	unreadable = bot.Reply{Private: true, Err: &bot.Error{Kind: bot.Invalid,
		Message: "Sorry, I couldn't read that command. Please try again, or see /help."}}
	// broken answers when handling a request panicked.
	broken = bot.Reply{Private: true, Err: &bot.Error{Kind: bot.Internal,
		Message: "Sorry, something went wrong on my side. Please try again later."}}
	// silentNote answers an interaction the bot chose not to answer (a
	// rate-limited user who has been told already): Discord requires a
	// response, and an ephemeral note bothers nobody else.
	silentNote = bot.Reply{Private: true, Text: "I'm not answering that just now; please try again in a little while."}
)

// onInteraction answers a slash command: with a type 4 response when the
// reply is ready within AckAfter, else with a type 5 deferral and then an
// edit of the original response.
func (r *run) onInteraction(ctx context.Context, e *discordgo.InteractionCreate) {
	if e == nil || e.Interaction == nil {
		return
	}
	in := e.Interaction
	if in.Type != discordgo.InteractionApplicationCommand && in.Type != discordgo.InteractionMessageComponent {
		r.a.log.Debug("discord: interaction ignored", "type", int(in.Type), "id", in.ID)
		return
	}
	if !snowflake(in.ID) || !pathToken(in.Token) {
		r.a.log.Warn("discord: interaction without a usable id or token ignored")
		return
	}
	if in.Type == discordgo.InteractionMessageComponent {
		r.onComponent(ctx, in)
		return
	}
	req, ok := interactionRequest(in, r.a.attachment)
	if !ok {
		r.a.log.Info("discord: unreadable interaction", "id", in.ID, "channel", in.ChannelID)
		r.respond(ctx, in, unreadable)
		return
	}
	// Whether a deferred reply will be ephemeral is fixed by the deferral.
	private := req.Private
	if c, ok := bot.Lookup(req.Command); ok && c.ModeratorsOnly {
		private = true
	}

	replyc := make(chan bot.Reply, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				r.a.log.Error("discord: handling a command panicked", "command", req.Command, "panic", fmt.Sprint(p))
				replyc <- broken
			}
		}()
		replyc <- r.a.bot.Handle(ctx, req)
	}()
	t := time.NewTimer(r.a.opts.AckAfter)
	defer t.Stop()
	select {
	case reply := <-replyc:
		if r.respond(ctx, in, reply) {
			r.a.bot.Sent(req, reply, interactionKey(in.ID))
			r.a.log.Debug("discord: interaction answered", "id", in.ID)
		}
	case <-t.C:
		deferred := r.deferResponse(ctx, in, private)
		reply := <-replyc
		if deferred && r.editOriginal(ctx, in, reply) {
			r.a.bot.Sent(req, reply, interactionKey(in.ID))
			r.a.log.Debug("discord: interaction answered", "id", in.ID)
		}
	}
}

// interactionKey names the response to interaction id among the bot's
// messages, for Bot.Sent: a reply to it carries the id in its
// referenced_message's interaction_metadata, not the response's own id,
// which the type 4 callback does not return.
func interactionKey(id string) string { return "interaction:" + id }

// interactionRequest turns a slash command into a request, reading the
// options the command table declares: a string option is the text, the
// boolean "private" asks for an ephemeral reply, an attachment option is
// the request's file, made by files from the resolved attachment. ok is
// false when the interaction has no command data or an option of the wrong
// type, or names an attachment it does not resolve.
func interactionRequest(in *discordgo.Interaction, files func(*discordgo.MessageAttachment) *bot.Attachment) (req bot.Request, ok bool) {
	data, isCmd := in.Data.(discordgo.ApplicationCommandInteractionData)
	if !isCmd || data.Name == "" {
		return bot.Request{}, false
	}
	req = bot.Request{Platform: bot.Discord, ChatID: in.ChannelID, Direct: in.GuildID == "", Command: data.Name}
	if !req.Direct {
		req.Thread = in.ChannelID // a thread started from an answer has its id
	}
	switch {
	case in.Member != nil && in.Member.User != nil:
		req.UserID = in.Member.User.ID
		req.RoleIDs = in.Member.Roles
	case in.User != nil:
		req.UserID = in.User.ID
	}
	cmd, known := bot.Lookup(data.Name)
	if !known {
		return req, true // the bot says it does not know it
	}
	for _, o := range cmd.Options {
		got := data.GetOption(o.Name)
		if got == nil {
			continue
		}
		if o.Attachment {
			att := resolvedAttachment(data, got)
			if att == nil || files == nil {
				return bot.Request{}, false
			}
			req.File = files(att)
			continue
		}
		if o.Bool {
			v, isBool := got.Value.(bool)
			if !isBool || got.Type != discordgo.ApplicationCommandOptionBoolean {
				return bot.Request{}, false
			}
			if o.Name == "private" {
				req.Private = v
			}
			continue
		}
		v, isString := got.Value.(string)
		if !isString || got.Type != discordgo.ApplicationCommandOptionString {
			return bot.Request{}, false
		}
		req.Text = v
	}
	return req, true
}

// sendContext bounds the sending of one reply. It outlives ctx, so that a
// reply computed while the adapter shuts down is still delivered.
func (r *run) sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), r.a.opts.SendTimeout)
}

// respond answers the interaction with a type 4 response, and reports
// whether it was delivered.
func (r *run) respond(ctx context.Context, in *discordgo.Interaction, reply bot.Reply) bool {
	if reply.Silent() {
		reply = silentNote
	}
	m := bot.RenderDiscord(reply)
	content, embeds := convert(m)
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: content, Embeds: embeds, AllowedMentions: noMentions(), Flags: flags(reply.Private) | suppress(m),
			Components: voteButtons(reply),
		},
	}
	sctx, cancel := r.sendContext(ctx)
	defer cancel()
	err := r.rest(sctx, func(o ...discordgo.RequestOption) error { return r.s.InteractionRespond(in, resp, o...) })
	if err != nil {
		r.a.log.Error("discord: responding to an interaction", "id", in.ID, "err", r.redact(err))
		return false
	}
	return true
}

// deferResponse acknowledges the interaction with a type 5 response: Discord
// shows "thinking…" until editOriginal replaces it.
func (r *run) deferResponse(ctx context.Context, in *discordgo.Interaction, private bool) bool {
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags(private)},
	}
	sctx, cancel := r.sendContext(ctx)
	defer cancel()
	err := r.rest(sctx, func(o ...discordgo.RequestOption) error { return r.s.InteractionRespond(in, resp, o...) })
	if err != nil {
		r.a.log.Error("discord: deferring an interaction", "id", in.ID, "err", r.redact(err))
		return false
	}
	return true
}

// editOriginal replaces a deferred response with the reply
// (PATCH webhooks/{application}/{token}/messages/@original), and reports
// whether it was delivered.
func (r *run) editOriginal(ctx context.Context, in *discordgo.Interaction, reply bot.Reply) bool {
	if reply.Silent() {
		reply = silentNote
	}
	content, embeds := convert(bot.RenderDiscord(reply))
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}
	if buttons := voteButtons(reply); buttons != nil {
		edit.Components = &buttons
	}
	// The application id of the interaction names the webhook.
	target := *in
	if !snowflake(target.AppID) {
		target.AppID = r.applicationID()
	}
	sctx, cancel := r.sendContext(ctx)
	defer cancel()
	err := r.rest(sctx, func(o ...discordgo.RequestOption) error {
		_, err := r.s.InteractionResponseEdit(&target, edit, o...)
		return err
	})
	if err != nil {
		r.a.log.Error("discord: editing a deferred response", "id", in.ID, "err", r.redact(err))
		return false
	}
	return true
}

// suppress is flag 4 (SUPPRESS_EMBEDS) for a message whose links must not
// unfurl into previews. An edit of a deferred response cannot carry it
// (discordgo's WebhookEdit has no flags); its links are in angle brackets,
// which Discord never unfurls either.
func suppress(m bot.DiscordMessage) discordgo.MessageFlags {
	if m.SuppressEmbeds {
		return discordgo.MessageFlagsSuppressEmbeds
	}
	return 0
}

// flags is 64 (EPHEMERAL) for a private reply.
func flags(private bool) discordgo.MessageFlags {
	if private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// noMentions lets a message ping nobody: no @everyone, roles or users, not
// even the author of the message replied to.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// convert turns a rendered reply into discordgo's types. A message is never
// empty: Discord refuses those.
func convert(m bot.DiscordMessage) (string, []*discordgo.MessageEmbed) {
	var embeds []*discordgo.MessageEmbed
	for _, e := range m.Embeds {
		me := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: e.Title, Description: e.Description, Color: e.Color}
		for _, f := range e.Fields {
			me.Fields = append(me.Fields, &discordgo.MessageEmbedField{Name: f.Name, Value: f.Value})
		}
		if e.Footer != "" {
			me.Footer = &discordgo.MessageEmbedFooter{Text: e.Footer}
		}
		embeds = append(embeds, me)
	}
	content := m.Content
	if content == "" && len(embeds) == 0 {
		content = "…"
	}
	return content, embeds
}

// snowflake reports whether s looks like a Discord id: it goes into URL
// paths.
func snowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pathToken reports whether an interaction token can go into a URL path
// as it is.
func pathToken(s string) bool {
	if s == "" || len(s) > 1000 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%' || c == '\\' {
			return false
		}
	}
	return true
}
