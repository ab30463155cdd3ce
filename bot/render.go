package bot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/answer"
)

// Platform limits on a message's text. Lengths are measured in UTF-16 code
// units, as the platforms count them; a rendering within these limits in
// UTF-16 is within them in characters too.
const (
	TelegramMaxText       = 4096
	DiscordMaxContent     = 2000
	DiscordMaxTitle       = 256
	DiscordMaxDescription = 4096
	DiscordMaxFields      = 25
	DiscordMaxFieldName   = 256
	DiscordMaxFieldValue  = 1024
	DiscordMaxFooter      = 2048
	DiscordMaxEmbedTotal  = 6000
)

// maxHead is the most of a message an answer's own text may take, leaving
// the rest to its citations.
const maxHead = 1500

// ellipsis marks text that was cut.
const ellipsis = "…"

// RenderText renders a reply as plain text, for the console and for
// platforms that reject markup.
func RenderText(r Reply) string {
	switch {
	case r.Err != nil:
		return r.Err.Message
	case r.Answer != nil:
		var b strings.Builder
		short, rest := AnswerHead(r.Answer)
		if short != "" {
			b.WriteString(short + " — ")
		}
		b.WriteString(rest)
		if r.Answer.Answered {
			b.WriteString("\n" + ConfidenceNote(r.Answer))
		}
		for i, c := range r.Answer.Citations {
			fmt.Fprintf(&b, "\n\n[%d] %s%s\n“%s”", i+1, c.Title, dateSuffix(c.Date), c.Sentence)
			if link := answer.Link(c.URL); link != "" {
				b.WriteString("\n" + link)
			}
		}
		return b.String()
	case r.Articles != nil:
		return textList(r.Articles)
	}
	return r.Text
}

// AnswerHead returns what a reply leads with: the short answer (a name, a
// date, a place, a number), if any, and the answer's text. An answer that
// is citation [1]'s sentence whole gives way to a pointer to it ("See
// [1]", and any dates it resolves), so that the reply quotes the sentence
// once, as the proof under [1].
func AnswerHead(res *answer.Result) (short, rest string) {
	rest = res.Answer
	if len(res.Citations) > 0 && res.Citations[0].Sentence != "" {
		if after, ok := strings.CutPrefix(res.Answer, res.Citations[0].Sentence+" [1]"); ok {
			rest = "See [1]" + after
			if res.ShortAnswer != "" {
				rest = "see [1]" + after
			}
		}
	}
	return res.ShortAnswer, rest
}

// ConfidenceNote says how sure an answer is: "Confidence: 82%", and for a
// hedged one "(not sure)" after it.
func ConfidenceNote(res *answer.Result) string {
	note := fmt.Sprintf("Confidence: %d%%", int(res.Confidence*100+0.5))
	if res.Hedged {
		note += " (not sure)"
	}
	return note
}

func dateSuffix(date string) string {
	if date == "" {
		return ""
	}
	return " (" + date + ")"
}

// RenderTelegram renders a reply as Telegram HTML (parse_mode HTML) within
// TelegramMaxText. Every piece of text is escaped, and only the tags b, i
// and blockquote are used, always closed: the result is always well-formed.
// A long answer keeps whole citations and drops the last ones, saying how
// many; a quote too long even alone is shortened at a word, inside its
// tags. A silent reply renders as "".
func RenderTelegram(r Reply) string {
	switch {
	case r.Err != nil:
		return fitLines(r.Err.Message, TelegramMaxText, EscapeHTML)
	case r.Answer != nil && r.Answer.Answered:
		return telegramAnswer(r.Answer)
	case r.Answer != nil:
		return fitLines(r.Answer.Answer, TelegramMaxText, EscapeHTML)
	case r.Articles != nil:
		return telegramList(r.Articles)
	}
	return fitLines(r.Text, TelegramMaxText, EscapeHTML)
}

func telegramAnswer(res *answer.Result) string {
	const limit = TelegramMaxText
	var b strings.Builder
	if short, rest := AnswerHead(res); short != "" {
		short = cutWords(short, 200, EscapeHTML)
		b.WriteString("<b>" + short + "</b> — ")
		b.WriteString(cutWords(rest, maxHead-utf16Len(short)-len("<b></b> — "), EscapeHTML))
	} else {
		b.WriteString("<b>")
		b.WriteString(cutWords(rest, maxHead-len("<b></b>"), EscapeHTML))
		b.WriteString("</b>")
	}
	b.WriteString("\n<i>")
	b.WriteString(EscapeHTML(ConfidenceNote(res)))
	b.WriteString("</i>")
	used := utf16Len(b.String())
	for i, c := range res.Citations {
		title := "<i>" + cutWords(c.Title, 200, EscapeHTML) + "</i>"
		if link := answer.Link(c.URL); link != "" {
			title = `<a href="` + EscapeHTML(link) + `">` + title + "</a>"
		}
		head := fmt.Sprintf("\n\n<b>[%d]</b> %s%s\n<blockquote>", i+1, title, EscapeHTML(dateSuffix(c.Date)))
		const tail = "</blockquote>"
		quote := EscapeHTML(c.Sentence)
		left := len(res.Citations) - i - 1
		room := limit - used - utf16Len(head) - len(tail)
		if left > 0 {
			room -= utf16Len(moreNote(left, "<i>", "</i>")) // keep room to say what was dropped
		}
		if utf16Len(quote) > room {
			if i > 0 || room < 40 {
				b.WriteString(moreNote(left+1, "<i>", "</i>"))
				break
			}
			quote = cutWords(c.Sentence, room, EscapeHTML) // the first citation, shortened
		}
		b.WriteString(head)
		b.WriteString(quote)
		b.WriteString(tail)
		used += utf16Len(head) + utf16Len(quote) + len(tail)
	}
	return b.String()
}

// moreNote says that n citations were left out.
func moreNote(n int, open, close string) string {
	if n == 1 {
		return "\n\n" + open + "(1 more citation not shown)" + close
	}
	return fmt.Sprintf("\n\n%s(%d more citations not shown)%s", open, n, close)
}

// EscapeHTML escapes s for Telegram's HTML parse mode: &, <, > and ", with
// invalid UTF-8 replaced by U+FFFD.
func EscapeHTML(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsAny(s, `&<>"`) {
		return s
	}
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// A DiscordMessage is a reply shaped for Discord: content and embeds, within
// Discord's limits. bot/discord turns it into discordgo's types.
type DiscordMessage struct {
	Content string
	Embeds  []Embed
	// SuppressEmbeds asks Discord not to unfurl the links of Content
	// into previews (message flag 4, SUPPRESS_EMBEDS). It is only set on
	// a message without embeds of its own, which the flag would hide.
	SuppressEmbeds bool `json:",omitempty"`
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

// embedColor is the stripe of an answer's embed; hedgeColor, of a hedged
// one.
const (
	embedColor = 0x2b6cb0
	hedgeColor = 0xd69e2e
)

// RenderDiscord renders a reply for Discord: an answer as an embed (the
// question as title, the answer, then each citation as a numbered field with
// title, date and quoted sentence), anything else as content. Markdown in
// quoted text is escaped; everything fits Discord's limits, dropping whole
// citations from the end (the footer says how many). A silent reply renders
// as the zero DiscordMessage.
func RenderDiscord(r Reply) DiscordMessage {
	switch {
	case r.Err != nil:
		return DiscordMessage{Content: fitLines(r.Err.Message, DiscordMaxContent, EscapeMarkdown)}
	case r.Answer != nil && r.Answer.Answered:
		return DiscordMessage{Embeds: []Embed{discordEmbed(r.Answer)}}
	case r.Answer != nil:
		return DiscordMessage{Content: fitLines(r.Answer.Answer, DiscordMaxContent, EscapeMarkdown)}
	case r.Articles != nil:
		return discordList(r.Articles)
	}
	return DiscordMessage{Content: fitLines(r.Text, DiscordMaxContent, EscapeMarkdown)}
}

func discordEmbed(res *answer.Result) Embed {
	short, rest := AnswerHead(res)
	e := Embed{
		Title:       cutWords(res.Question, DiscordMaxTitle, EscapeMarkdown),
		Description: cutWords(rest, maxHead, EscapeMarkdown),
		Color:       embedColor,
	}
	if short != "" {
		short = "**" + cutWords(short, 200, EscapeMarkdown) + "** — "
		e.Description = short + cutWords(rest, maxHead-utf16Len(short), EscapeMarkdown)
	}
	if res.Hedged {
		e.Color = hedgeColor
	}
	const footerRoom = 80 // for the confidence and the note on dropped citations
	total := utf16Len(e.Title) + utf16Len(e.Description) + footerRoom
	for i, c := range res.Citations {
		if i == DiscordMaxFields {
			break
		}
		link := markdownLink(c.URL)
		f := EmbedField{
			Name:  cutWords(fmt.Sprintf("[%d] %s%s", i+1, c.Title, dateSuffix(c.Date)), DiscordMaxFieldName, EscapeMarkdown),
			Value: "> " + cutWords(c.Sentence, DiscordMaxFieldValue-2-utf16Len(link), EscapeMarkdown) + link,
		}
		n := utf16Len(f.Name) + utf16Len(f.Value)
		if total+n > DiscordMaxEmbedTotal {
			break
		}
		total += n
		e.Fields = append(e.Fields, f)
	}
	e.Footer = ConfidenceNote(res)
	if left := len(res.Citations) - len(e.Fields); left > 0 {
		e.Footer += " · " + strings.TrimSpace(moreNote(left, "", ""))
	}
	return e
}

// markdownLink is a line that links to url in Markdown, naming its host,
// or "" when url is no http or https URL (answer.Link) or would not fit a
// field beside a quote.
func markdownLink(url string) string {
	url = answer.Link(url) // with no space, bracket or angle bracket left in it
	if url == "" || len(url) > DiscordMaxFieldValue/2 {
		return ""
	}
	host := url[strings.Index(url, "//")+2:]
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	return "\n[" + EscapeMarkdown(host) + "](" + url + ")"
}

// EscapeMarkdown escapes what Discord would read as Markdown, so that
// quoted text shows as typed: the emphasis, code, spoiler and link
// characters anywhere (\ * _ ~ ` | [ ] <), and at the start of a line the
// quote, heading and list markers (> # - + and "1."). Hyphens, brackets and
// dots elsewhere are left alone: "2020-24 (est.)" stays as it is.
func EscapeMarkdown(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		rest := s[i+n:]
		switch {
		case strings.ContainsRune("\\*_~`|[]<", r):
			b.WriteByte('\\')
		case lineStart && (r == '>' || r == '#'):
			b.WriteByte('\\')
		case lineStart && (r == '-' || r == '+') && (rest == "" || rest[0] == ' '):
			b.WriteByte('\\')
		case lineStart && r >= '0' && r <= '9':
			if j := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 &&
				strings.HasPrefix(rest[j:], ". ") {
				b.WriteString(s[i : i+n+j])
				b.WriteString(`\. `)
				i += n + j + 2
				lineStart = false
				continue
			}
		}
		b.WriteRune(r)
		switch {
		case r == '\n':
			lineStart = true
		case r != ' ' && r != '\t':
			lineStart = false
		}
		i += n
	}
	return b.String()
}

// fitLines escapes s with esc and, if the result is longer than limit,
// keeps the whole lines that fit and ends with a line "…"; a first line
// too long alone is cut at a word.
func fitLines(s string, limit int, esc func(string) string) string {
	if e := esc(s); utf16Len(e) <= limit {
		return e
	}
	var b strings.Builder
	used := 0
	room := limit - len("\n") - utf16Len(ellipsis)
	for line := range strings.SplitSeq(s, "\n") {
		e := esc(line)
		sep := 0
		if b.Len() > 0 {
			sep = 1
		}
		if used+sep+utf16Len(e) > room {
			break
		}
		if sep > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e)
		used += sep + utf16Len(e)
	}
	if b.Len() == 0 {
		return cutWords(s, limit, esc)
	}
	return b.String() + "\n" + ellipsis
}

// cutWords escapes s with esc and, if the result is longer than limit, cuts
// s at the last word that fits and marks the cut with "…". Only whole
// escapes are kept: the cut never splits an entity or leaves a dangling
// backslash. A single word longer than limit is cut within it.
func cutWords(s string, limit int, esc func(string) string) string {
	e := esc(s)
	if utf16Len(e) <= limit {
		return e
	}
	room := limit - utf16Len(ellipsis)
	if room <= 0 {
		return ""
	}
	// Grow the escaped prefix rune by rune, remembering the last word end.
	used, cut, wordCut := 0, 0, 0
	for i, r := range s {
		n := utf16Len(esc(string(r)))
		if r == utf8.RuneError {
			n = 1
		}
		if used+n > room {
			break
		}
		used += n
		cut = i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			cut = i + 1
		}
		if unicode.IsSpace(r) {
			wordCut = i
		}
	}
	if wordCut > cut/2 {
		cut = wordCut
	}
	prefix := strings.TrimRightFunc(s[:cut], func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' || r == ':' })
	out := esc(prefix)
	for utf16Len(out) > room && prefix != "" { // esc may join across the cut, as markdown line starts do
		_, n := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-n]
		out = esc(prefix)
	}
	return out + ellipsis
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
