package library

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
)

// A Draft is an article before it is written: its metadata and its text,
// paragraphs separated by blank lines.
type Draft struct {
	Title  string
	Date   string // YYYY-MM-DD, or empty
	Source string
	URL    string
	Text   string
}

// maxTitle bounds a title, in characters.
const maxTitle = 200

// minPageText is the least text, in characters, a web page's article
// holds: less is a menu or a "loading" shell that readability fell back
// on, not an article (Readability.js itself wants 500 to be sure).
const minPageText = 250

// FromHTML extracts the article of an HTML page fetched from pageURL with
// the readability parser: its title, publication date, site name and text.
func FromHTML(page []byte, pageURL *url.URL) (Draft, error) {
	art, err := readability.FromReader(bytes.NewReader(page), pageURL)
	if err != nil || art.Node == nil {
		return Draft{}, ErrNoArticle
	}
	var text strings.Builder
	if err := art.RenderText(&text); err != nil {
		return Draft{}, ErrNoArticle
	}
	d := Draft{Title: art.Title(), Source: art.SiteName(), Text: text.String()}
	if t, err := art.PublishedTime(); err == nil {
		d.Date = isoDate(t)
	}
	if pageURL != nil {
		d.URL = pageURL.String()
		if d.Source == "" {
			d.Source = strings.TrimPrefix(pageURL.Hostname(), "www.")
		}
	}
	d, err = d.clean()
	if err == nil && utf8.RuneCountInString(d.Text) < minPageText {
		return Draft{}, ErrNoArticle
	}
	return d, err
}

// FromText reads an attached .txt or .md file: front matter, if any, gives
// its metadata; a Markdown file's first heading its title, else the first
// line. Binary data (NUL bytes, invalid UTF-8) is ErrNotText.
func FromText(name string, data []byte) (Draft, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return Draft{}, ErrNotText
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	var d Draft
	if fm, rest, ok := splitFrontMatter(text); ok {
		d.Title, d.Date, d.Source, d.URL = fm["title"], fm["date"], fm["source"], fm["url"]
		text = rest
	}
	markdown := strings.EqualFold(path.Ext(name), ".md")
	if markdown {
		text = plainMarkdown(text, &d.Title)
	}
	if d.Title == "" {
		first, rest, _ := strings.Cut(strings.TrimLeft(text, " \t\n"), "\n")
		if first = strings.TrimSpace(first); first != "" && utf8.RuneCountInString(first) <= maxTitle && !strings.HasSuffix(first, ".") {
			d.Title, text = first, rest
		}
	}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(path.Base(name), path.Ext(name))
	}
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(d.Date)); err == nil {
		d.Date = isoDate(t)
	} else {
		d.Date = ""
	}
	d.Text = text
	return d.clean()
}

// isoDate is t's date, when it is a plausible publication date.
func isoDate(t time.Time) string {
	if t.Year() < 1800 || t.Year() > 9999 {
		return ""
	}
	return t.Format("2006-01-02")
}

// splitFrontMatter reads a leading ---/key: value/--- block.
func splitFrontMatter(text string) (map[string]string, string, bool) {
	if !strings.HasPrefix(text, "---\n") {
		return nil, text, false
	}
	block, rest, ok := strings.Cut(text[4:], "\n---")
	if !ok {
		return nil, text, false
	}
	if after, ok := strings.CutPrefix(rest, "\n"); ok {
		rest = after
	} else if rest != "" {
		return nil, text, false
	}
	fm := map[string]string{}
	for line := range strings.SplitSeq(block, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			fm[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return fm, rest, true
}

var (
	mdLink     = regexp.MustCompile(`!?\[([^\]\n]*)\]\([^)\n]*\)`)
	mdEmphasis = regexp.MustCompile(`(\*\*|__|\*|` + "`" + `)([^*_` + "`" + `\n]+)(\*\*|__|\*|` + "`" + `)`)
)

// plainMarkdown turns Markdown into plain paragraphs: headings lose their
// #s (the first becomes the title when there is none), links and images
// keep their text, emphasis marks go.
func plainMarkdown(text string, title *string) string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(line)
		if h := strings.TrimLeft(t, "#"); h != t && (h == "" || h[0] == ' ') {
			h = mdEmphasis.ReplaceAllString(mdLink.ReplaceAllString(strings.TrimSpace(h), "$1"), "$2")
			if *title == "" && h != "" {
				*title = h
				continue
			}
			out = append(out, "", h, "")
			continue
		}
		if strings.HasPrefix(t, "```") {
			continue
		}
		t = mdLink.ReplaceAllString(line, "$1")
		t = mdEmphasis.ReplaceAllString(t, "$2")
		out = append(out, t)
	}
	return strings.Join(out, "\n")
}

// clean makes the draft safe to write: one-line metadata without control
// characters, paragraphs of collapsed spaces separated by one blank line.
// A draft left without text is ErrNoArticle.
func (d Draft) clean() (Draft, error) {
	d.Title = clipRunes(oneLine(d.Title), maxTitle)
	d.Source = clipRunes(oneLine(d.Source), 100)
	d.URL = oneLine(d.URL)
	var paras []string
	for para := range strings.SplitSeq(strings.ReplaceAll(d.Text, "\r", "\n"), "\n") {
		if p := oneLine(para); p != "" {
			paras = append(paras, p)
		}
	}
	d.Text = strings.Join(paras, "\n\n")
	if d.Text == "" {
		return Draft{}, ErrNoArticle
	}
	if d.Title == "" {
		d.Title = "Untitled"
	}
	return d, nil
}

// oneLine collapses s's white space and drops control characters.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Render is the draft as a corpus file: front matter (title, date, source,
// url), a blank line, then the text.
func (d Draft) Render() string {
	var s strings.Builder
	s.WriteString("---\n")
	for _, kv := range [][2]string{{"title", d.Title}, {"date", d.Date}, {"source", d.Source}, {"url", d.URL}} {
		if kv[1] != "" {
			s.WriteString(kv[0] + ": " + kv[1] + "\n")
		}
	}
	s.WriteString("---\n\n")
	s.WriteString(d.Text)
	s.WriteString("\n")
	return s.String()
}
