package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/corpusbot/corpusbot/answer"
)

// /sources lists the articles the bot answers from: title, date, source
// and link, newest first, filtered by the words given (analysed as a
// question's are: an article matches when it holds every one of them, in
// its title or its text), one page at a time, each page within the
// platform's message limit. "/sources defence page 2" shows the second
// page; a page that has a next one ends with the command that shows it.

// An ArticleList is one page of the articles /sources lists.
type ArticleList struct {
	Words    string        // the words the list is filtered by, cleaned; "" for every article
	Total    int           // the articles that match
	Page     int           // this page's number, from 1
	Pages    int           // the pages in all
	First    int           // the number in the list of this page's first article, from 1
	Articles []ArticleInfo // this page's articles, newest first
}

// An ArticleInfo is one article of an ArticleList.
type ArticleInfo struct {
	Title, Date, Source string
	URL                 string // an http or https link (answer.Link), or ""
}

// Limits of /sources.
const (
	maxSourcesWords = 200 // characters of words; more is refused
	maxPerPage      = 10  // articles on a page, however many would fit
	maxListTitle    = 200 // characters of a title in a list
	maxListSource   = 60  // characters of a source in a list
	maxListLink     = 500 // bytes of a link in a Discord or Telegram list; a longer one is left out
	listSlack       = 20  // of a message's limit, kept free
)

func (b *Bot) sources(ctx context.Context, r Request) (Reply, string) {
	if b.articles == nil {
		return Reply{Text: "The article list is not available."}, OutcomeOK
	}
	words, page, err := sourcesArgs(r.Text)
	if err != nil {
		return Reply{Private: true, Err: err}, OutcomeInvalid
	}
	arts := newestFirst(b.articles(words)) // one snapshot for the whole list
	switch {
	case len(arts) == 0 && words == "":
		return Reply{Text: "There are no articles to answer from yet."}, OutcomeOK
	case len(arts) == 0:
		return Reply{Text: fmt.Sprintf("No article matches “%s”. Try other words, or /sources for them all.", words)}, OutcomeOK
	}
	pages := paginate(r.Platform, words, arts)
	if page > len(pages) {
		return Reply{Private: true, Err: &Error{Kind: Invalid, Message: fmt.Sprintf(
			"There %s only %s; try %s.", map[bool]string{true: "is", false: "are"}[len(pages) == 1],
			plural(len(pages), "page"), sourcesCommand(words, len(pages)))}}, OutcomeInvalid
	}
	first := 0
	for _, p := range pages[:page-1] {
		first += p
	}
	return Reply{Articles: &ArticleList{
		Words: words, Total: len(arts), Page: page, Pages: len(pages), First: first + 1,
		Articles: arts[first : first+pages[page-1]],
	}}, OutcomeOK
}

// sourcesArgs reads /sources' text: words to filter by, then perhaps
// "page N".
func sourcesArgs(text string) (words string, page int, err *Error) {
	text = answer.Clean(text)
	if utf8.RuneCountInString(text) > maxSourcesWords {
		return "", 0, &Error{Kind: Invalid, Message: fmt.Sprintf("Please give /sources at most %d characters of words.", maxSourcesWords)}
	}
	f := strings.Fields(text)
	page = 1
	if n := len(f); n >= 2 && strings.EqualFold(f[n-2], "page") {
		p, perr := strconv.Atoi(f[n-1])
		if perr != nil || p < 1 {
			return "", 0, &Error{Kind: Invalid, Message: "Please give a page number from 1, for example: /sources defence page 2"}
		}
		page, f = p, f[:n-2]
	}
	return strings.Join(f, " "), page, nil
}

// newestFirst returns the articles as /sources lists them: newest first,
// undated last, then by title and path.
func newestFirst(srcs []answer.Source) []ArticleInfo {
	slices.SortFunc(srcs, func(x, y answer.Source) int {
		switch {
		case (x.Date == "") != (y.Date == ""):
			if x.Date == "" {
				return 1
			}
			return -1
		case x.Date != y.Date:
			return cmp.Compare(y.Date, x.Date)
		}
		return cmp.Or(cmp.Compare(x.Title, y.Title), cmp.Compare(x.Path, y.Path))
	})
	out := make([]ArticleInfo, len(srcs))
	for i, a := range srcs {
		out[i] = ArticleInfo{Title: a.Title, Date: a.Date, Source: a.Source, URL: a.URL}
	}
	return out
}

// paginate splits arts into pages that each fit a message of platform:
// it returns how many articles each page holds.
func paginate(platform, words string, arts []ArticleInfo) []int {
	// The heading and the next-page line at their longest: with the
	// largest page numbers there can be.
	widest := &ArticleList{Words: words, Total: len(arts), Page: len(arts), Pages: len(arts) + 1}
	budget, size := 1<<30, func(ArticleInfo) int { return 0 }
	switch platform {
	case Discord:
		budget = DiscordMaxContent - listSlack - utf16Len(EscapeMarkdown(listHeading(widest))+EscapeMarkdown(listNext(widest)))
		size = func(a ArticleInfo) int { return utf16Len(discordListLine(len(arts), a)) }
	case Telegram:
		budget = TelegramMaxText - listSlack - utf16Len(EscapeHTML(listHeading(widest))+EscapeHTML(listNext(widest)))
		size = func(a ArticleInfo) int { return utf16Len(telegramListLine(len(arts), a)) }
	}
	var pages []int
	n, used := 0, 0
	for _, a := range arts {
		s := size(a)
		if n == maxPerPage || n > 0 && used+s > budget {
			pages = append(pages, n)
			n, used = 0, 0
		}
		n++
		used += s
	}
	return append(pages, n)
}

// sourcesCommand is the command that shows page of the list of words.
func sourcesCommand(words string, page int) string {
	if words == "" {
		return fmt.Sprintf("/sources page %d", page)
	}
	return fmt.Sprintf("/sources %s page %d", words, page)
}

// listHeading is the first line of an article list.
func listHeading(l *ArticleList) string {
	var s string
	if l.Words == "" {
		s = "I answer from " + plural(l.Total, "article")
	} else {
		s = fmt.Sprintf("%s %s “%s”", plural(l.Total, "article"), map[bool]string{true: "matches", false: "match"}[l.Total == 1], l.Words)
	}
	if l.Pages > 1 {
		s += fmt.Sprintf(" (page %d of %d)", l.Page, l.Pages)
	}
	return s + ", newest first:"
}

// listNext is the line that says how to see the next page, or "".
func listNext(l *ArticleList) string {
	if l.Page >= l.Pages {
		return ""
	}
	return "\n\nMore: " + sourcesCommand(l.Words, l.Page+1)
}

// listMeta is an article's date and source, as a list shows them.
func listMeta(a ArticleInfo) string {
	date := a.Date
	if date == "" {
		date = "undated"
	}
	if a.Source != "" {
		return " (" + date + ", " + clip(a.Source, maxListSource) + ")"
	}
	return " (" + date + ")"
}

func textList(l *ArticleList) string {
	var b strings.Builder
	b.WriteString(listHeading(l))
	for i, a := range l.Articles {
		fmt.Fprintf(&b, "\n%d. %s%s", l.First+i, a.Title, listMeta(a))
		if link := answer.Link(a.URL); link != "" {
			b.WriteString("\n   " + link)
		}
	}
	b.WriteString(listNext(l))
	return b.String()
}

func telegramListLine(n int, a ArticleInfo) string {
	title := cutWords(a.Title, maxListTitle, EscapeHTML)
	if link := answer.Link(a.URL); link != "" && len(link) <= maxListLink {
		title = `<a href="` + EscapeHTML(link) + `">` + title + "</a>"
	}
	return fmt.Sprintf("\n%d. %s%s", n, title, EscapeHTML(listMeta(a)))
}

func telegramList(l *ArticleList) string {
	var b strings.Builder
	b.WriteString(EscapeHTML(listHeading(l)))
	for i, a := range l.Articles {
		b.WriteString(telegramListLine(l.First+i, a))
	}
	b.WriteString(EscapeHTML(listNext(l)))
	return b.String()
}

// discordListLine is one article of a list in Discord Markdown: its link in
// angle brackets, which Discord never unfurls into a preview.
func discordListLine(n int, a ArticleInfo) string {
	s := fmt.Sprintf("\n%d\\. %s%s", n, cutWords(a.Title, maxListTitle, EscapeMarkdown), EscapeMarkdown(listMeta(a)))
	if link := answer.Link(a.URL); link != "" && len(link) <= maxListLink {
		s += "\n<" + link + ">"
	}
	return s
}

func discordList(l *ArticleList) DiscordMessage {
	var b strings.Builder
	b.WriteString(EscapeMarkdown(listHeading(l)))
	links := false
	for i, a := range l.Articles {
		line := discordListLine(l.First+i, a)
		links = links || strings.Contains(line, "\n<http")
		b.WriteString(line)
	}
	b.WriteString(EscapeMarkdown(listNext(l)))
	return DiscordMessage{Content: b.String(), SuppressEmbeds: links}
}
