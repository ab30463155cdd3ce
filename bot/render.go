package bot

import (
	"fmt"
	"html"
	"strings"
)

// Platform limits on a message's text.
const (
	TelegramMaxText       = 4096
	DiscordMaxContent     = 2000
	DiscordMaxDescription = 4096
	DiscordMaxEmbedTotal  = 6000
)

// RenderText renders a reply as plain text, for the console and for
// platforms that reject markup.
func RenderText(r Reply) string {
	switch {
	case r.Err != nil:
		return r.Err.Message
	case r.Answer != nil:
		var b strings.Builder
		b.WriteString(r.Answer.Answer)
		for i, c := range r.Answer.Citations {
			fmt.Fprintf(&b, "\n\n[%d] %s%s\n“%s”", i+1, c.Title, dateSuffix(c.Date), c.Sentence)
		}
		return b.String()
	}
	return r.Text
}

func dateSuffix(date string) string {
	if date == "" {
		return ""
	}
	return " (" + date + ")"
}

// RenderTelegram renders a reply as Telegram HTML (parse_mode HTML) within
// TelegramMaxText characters. Every piece of text is escaped, and whole
// citations are dropped from the end to fit: the result is always
// well-formed.
func RenderTelegram(r Reply) string {
	if r.Answer == nil {
		return clipEscaped(RenderText(r), TelegramMaxText)
	}
	head := "<b>" + html.EscapeString(r.Answer.Answer) + "</b>"
	if !r.Answer.Answered {
		head = html.EscapeString(r.Answer.Answer)
	}
	if runeLen(head) > TelegramMaxText {
		return clipEscaped(r.Answer.Answer, TelegramMaxText)
	}
	out := head
	for i, c := range r.Answer.Citations {
		cite := fmt.Sprintf("\n\n%d. <i>%s</i>%s\n<blockquote>%s</blockquote>", i+1,
			html.EscapeString(c.Title), html.EscapeString(dateSuffix(c.Date)), html.EscapeString(c.Sentence))
		if runeLen(out)+runeLen(cite) > TelegramMaxText {
			break
		}
		out += cite
	}
	return out
}

// clipEscaped escapes s for HTML and cuts it to at most n characters,
// never inside an entity.
func clipEscaped(s string, n int) string {
	var b strings.Builder
	size := 0
	for _, r := range s {
		e := html.EscapeString(string(r))
		if size+len([]rune(e)) > n-1 {
			b.WriteString("…")
			break
		}
		b.WriteString(e)
		size += len([]rune(e))
	}
	return b.String()
}

func runeLen(s string) int { return len([]rune(s)) }

// A DiscordMessage is a reply shaped for Discord: content and embeds, within
// Discord's limits. bot/discord turns it into discordgo's types.
type DiscordMessage struct {
	Content string
	Embeds  []Embed
}

// An Embed is a Discord embed, in the fields corpusbot uses.
type Embed struct {
	Title       string
	Description string
	Fields      []EmbedField
	Footer      string
	Color       int
}

// An EmbedField is one name/value pair of an embed.
type EmbedField struct {
	Name, Value string
}

// RenderDiscord renders a reply for Discord: an answer as an embed (the
// answer, then each citation with title, date and quoted sentence), anything
// else as content. Markdown in quoted text is escaped.
func RenderDiscord(r Reply) DiscordMessage {
	if r.Answer == nil || !r.Answer.Answered {
		return DiscordMessage{Content: clipRunes(EscapeMarkdown(RenderText(r)), DiscordMaxContent)}
	}
	e := Embed{Description: clipRunes(EscapeMarkdown(r.Answer.Answer), DiscordMaxDescription), Color: 0x2b6cb0}
	total := runeLen(e.Description)
	for i, c := range r.Answer.Citations {
		f := EmbedField{
			Name:  clipRunes(fmt.Sprintf("[%d] %s%s", i+1, EscapeMarkdown(c.Title), dateSuffix(c.Date)), 256),
			Value: clipRunes("> "+EscapeMarkdown(c.Sentence), 1024),
		}
		if total+runeLen(f.Name)+runeLen(f.Value) > DiscordMaxEmbedTotal-100 || len(e.Fields) == 25 {
			break
		}
		total += runeLen(f.Name) + runeLen(f.Value)
		e.Fields = append(e.Fields, f)
	}
	return DiscordMessage{Embeds: []Embed{e}}
}

// EscapeMarkdown escapes Discord Markdown so that quoted text shows as typed.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\*_~`|>#[]()-", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clipRunes cuts s to at most n characters, marking the cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	// Never leave a dangling escape.
	if strings.HasSuffix(cut, "\\") && !strings.HasSuffix(cut, "\\\\") {
		cut = cut[:len(cut)-1]
	}
	return cut + "…"
}
