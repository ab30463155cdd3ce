package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// voteButtons are the components of an answer that takes votes: one
// action row with a 👍 and a 👎 button, whose custom_id names the answer.
// Nil when the reply takes no votes.
func voteButtons(reply bot.Reply) []discordgo.MessageComponent {
	if reply.FeedbackID == "" {
		return nil
	}
	button := func(emoji, verdict string) discordgo.Button {
		return discordgo.Button{Style: discordgo.SecondaryButton, Emoji: &discordgo.ComponentEmoji{Name: emoji},
			CustomID: bot.VoteData(reply.FeedbackID, verdict)}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		button("👍", bot.VerdictUp), button("👎", bot.VerdictDown),
	}}}
}

// onComponent answers a button press (an interaction of type 3): the vote
// is recorded and the voter alone is told so, with an ephemeral type 4
// response. Every press is answered, forged or not, as Discord requires.
func (r *run) onComponent(ctx context.Context, in *discordgo.Interaction) {
	reply := r.a.bot.Vote(ctx, componentVote(in))
	reply.Private = true
	r.respond(ctx, in, reply)
}

// componentVote reads the vote of a button press: the presser (the guild
// member, or the DM's user) and the button's custom_id. A press of
// anything but a button carries no data, which Bot.Vote refuses.
func componentVote(in *discordgo.Interaction) bot.Vote {
	v := bot.Vote{Platform: bot.Discord}
	switch {
	case in.Member != nil && in.Member.User != nil:
		v.UserID = in.Member.User.ID
	case in.User != nil:
		v.UserID = in.User.ID
	}
	if data, ok := in.Data.(discordgo.MessageComponentInteractionData); ok && data.ComponentType == discordgo.ButtonComponent {
		v.Data = data.CustomID
	}
	return v
}
