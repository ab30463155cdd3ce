package discord

import (
	"context"
	"fmt"
	"slices"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// telegramOnly are commands of the table that make no sense as slash
// commands.
var telegramOnly = []string{"start"}

// Limits of slash command declarations.
const (
	maxCommandDescription = 100
	maxOptionDescription  = 100
)

// applicationCommands is the command table as Discord slash commands.
// Moderator commands are hidden from members without Manage Server
// (default_member_permissions) and still checked against the moderator list
// when used, since a guild can grant them to anyone. When global is set,
// commands also declare where they may be used: moderator commands in guilds
// only, the others in guilds and in DMs with the bot.
func applicationCommands(global bool) []*discordgo.ApplicationCommand {
	var out []*discordgo.ApplicationCommand
	for _, c := range bot.Commands() {
		if slices.Contains(telegramOnly, c.Name) {
			continue
		}
		ac := &discordgo.ApplicationCommand{
			Type:        discordgo.ChatApplicationCommand,
			Name:        c.Name,
			Description: clipText(c.Description, maxCommandDescription),
			Options:     []*discordgo.ApplicationCommandOption{},
		}
		// Discord wants required options first.
		opts := slices.Clone(c.Options)
		slices.SortStableFunc(opts, func(a, b bot.Option) int {
			switch {
			case a.Required == b.Required:
				return 0
			case a.Required:
				return -1
			}
			return 1
		})
		for _, o := range opts {
			t := discordgo.ApplicationCommandOptionString
			switch {
			case o.Bool:
				t = discordgo.ApplicationCommandOptionBoolean
			case o.Attachment:
				t = discordgo.ApplicationCommandOptionAttachment
			}
			ac.Options = append(ac.Options, &discordgo.ApplicationCommandOption{
				Type: t, Name: o.Name, Description: clipText(o.Description, maxOptionDescription), Required: o.Required,
			})
		}
		contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
		if c.ModeratorsOnly {
			perm := int64(discordgo.PermissionManageGuild)
			ac.DefaultMemberPermissions = &perm
			contexts = contexts[:1]
		}
		if global {
			ac.Contexts = &contexts
		}
		out = append(out, ac)
	}
	return out
}

// register bulk-overwrites the application's commands, in the configured
// guild or globally.
func (r *run) register(ctx context.Context, appID string) error {
	guild := r.a.opts.GuildID
	cmds := applicationCommands(guild == "")
	err := r.rest(ctx, func(o ...discordgo.RequestOption) error {
		_, err := r.s.ApplicationCommandBulkOverwrite(appID, guild, cmds, o...)
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: registering slash commands (guild %q): %s", guild, r.redact(err))
	}
	r.a.log.Info("discord: slash commands registered", "count", len(cmds), "guild", guild, "application", appID)
	return nil
}

// clipText cuts s to n characters.
func clipText(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
