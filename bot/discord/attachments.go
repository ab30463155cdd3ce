package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

// attachment is the request's attachment for a slash command's attachment
// option (type 11), resolved from the interaction's data: its Open
// downloads the file from the URL Discord gives (its CDN), without the
// bot's token.
func (a *Adapter) attachment(att *discordgo.MessageAttachment) *bot.Attachment {
	link := att.URL
	return &bot.Attachment{Name: att.Filename, Size: int64(att.Size), Open: func(ctx context.Context) (io.ReadCloser, error) {
		return a.download(ctx, link)
	}}
}

// download GETs link, an attachment's URL, with Options.Client, never
// with the REST client (which carries the API base, and refuses other
// hosts).
func (a *Adapter) download(ctx context.Context, link string) (io.ReadCloser, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("discord: the attachment has no usable URL")
	}
	client := a.opts.Client // not a.client: that one refuses what is not the API
	if client == nil {
		client = http.DefaultClient // Download bounds the request
	}
	body, err := bot.Download(ctx, client, u.String())
	if err != nil {
		return nil, fmt.Errorf("discord: downloading an attachment: %w", err)
	}
	return body, nil
}

// resolvedAttachment is the attachment an attachment option names, from
// the interaction's resolved data; nil when it is not there.
func resolvedAttachment(data discordgo.ApplicationCommandInteractionData, o *discordgo.ApplicationCommandInteractionDataOption) *discordgo.MessageAttachment {
	id, isString := o.Value.(string)
	if !isString || o.Type != discordgo.ApplicationCommandOptionAttachment || data.Resolved == nil {
		return nil
	}
	att := data.Resolved.Attachments[id]
	if att == nil || att.URL == "" {
		return nil
	}
	return att
}
