package corpus

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// An Article is one corpus file: its metadata and the spans of its text that
// may be cited.
type Article struct {
	Path   string // file name relative to the corpus root, with forward slashes
	Title  string
	Date   string // YYYY-MM-DD, or empty when the article does not say
	Source string // news agency or site, when the article says
	URL    string
	Text   string // the file's text, as read
}

var (
	// "date 2024-10-22 SƠN LA — ...": a dated lead paragraph.
	dateLeadRE = regexp.MustCompile(`^date (\d{4}-\d{2}-\d{2})\s+`)
	// "SƠN LA — ", "VIENTIANE — ": an upper-case dateline before a dash.
	placeDashRE = regexp.MustCompile(`^[\p{Lu}][\p{Lu}\p{M}.' ]{1,40} [—–-] `)
	// "Hanoi (VNA) - ": a dateline with the agency in brackets.
	agencyLeadRE = regexp.MustCompile(`^[\p{L} ]{2,30} \(([A-Z]{2,10})\) [—–-] `)
	// "Jun 03, 2022 / 09:54" on a line of its own.
	dateLineRE = regexp.MustCompile(`^([A-Z][a-z]{2,8})\.? (\d{1,2}), (\d{4})(?: / \d{1,2}:\d{2})?$`)
	// "— VNA/VNS" closing a paragraph.
	agencyTailRE = regexp.MustCompile(`\s*[—–] ?([A-Z]{2,10}(?:/[A-Z]{2,10})?)\s*$`)
	// Photo captions: "... (Photo: VNA)", "... Photo: QDND"; a line
	// without "Photo: " is none.
	captionRE = regexp.MustCompile(`(?:\(Photo: [^)]*\)|Photo: \S+)\s*$`)
)

// tailMarkers start the page furniture after an article's last paragraph.
var tailMarkers = []string{"Mời quý độc giả", "Related", "Read more", "Read also", "See also"}

// parseArticle reads an article's metadata and the paragraphs that may be
// cited. Metadata becomes fields, never sentence text: a front-matter block
// (---, title:, date:, source:, url:, ---), a "date YYYY-MM-DD" lead, a
// "Jun 03, 2022 / 09:54" line, a headline. Navigation lines, photo captions,
// datelines and the page furniture after the article are left out.
func parseArticle(path, text string) (Article, []span) {
	a := Article{Path: path, Text: text}
	pos := 0
	if fm, end, ok := frontMatter(text); ok {
		a.Title, a.Source, a.URL = fm["title"], fm["source"], fm["url"]
		a.Date = normDate(fm["date"])
		pos = end
	}
	var paras []span
	for pos < len(text) {
		lineEnd := strings.IndexByte(text[pos:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += pos
		}
		s, e := trimSpan(text, pos, lineEnd)
		pos = lineEnd + 1
		if s == e {
			continue
		}
		line := text[s:e]
		if isTail(line) {
			break
		}
		if strings.Contains(line, "Photo: ") && captionRE.MatchString(line) {
			if a.Source == "" && strings.HasPrefix(line, "(Photo:") {
				a.Source = strings.TrimSuffix(strings.TrimPrefix(line, "(Photo: "), ")")
			}
			continue
		}
		header := len(paras) == 0
		if header {
			if m := dateLineRE.FindStringSubmatch(line); m != nil {
				if a.Date == "" {
					a.Date = normDate(line[:strings.Index(line, m[3])+4])
				}
				continue
			}
			if isNavigation(line) {
				continue
			}
			if a.Title == "" && !dateLeadRE.MatchString(line) && isHeadline(line) {
				a.Title = line
				continue
			}
		}
		if m := dateLeadRE.FindStringSubmatchIndex(line); m != nil {
			if a.Date == "" {
				a.Date = line[m[2]:m[3]]
			}
			s += m[1]
		}
		if m := placeDashRE.FindStringIndex(text[s:e]); m != nil && header {
			s += m[1]
		}
		if m := agencyLeadRE.FindStringSubmatchIndex(text[s:e]); m != nil && header {
			if a.Source == "" {
				a.Source = text[s+m[2] : s+m[3]]
			}
			s += m[1]
		}
		if m := agencyTail(text[s:e]); m != nil {
			if a.Source == "" {
				a.Source = text[s+m[2] : s+m[3]]
			}
			e = s + m[0]
		}
		e = s + len(strings.TrimRight(strings.TrimSuffix(text[s:e], "/."), " "))
		if s < e {
			paras = append(paras, span{s, e})
		}
	}
	if strings.Contains(text, "VOV.VN") && a.Source == "" {
		a.Source = "VOV"
	}
	return a, paras
}

// agencyTail is agencyTailRE.FindStringSubmatchIndex(line), quick for the
// many lines with no dash it needs.
func agencyTail(line string) []int {
	if !strings.ContainsAny(line, "—–") {
		return nil
	}
	return agencyTailRE.FindStringSubmatchIndex(line)
}

func isTail(line string) bool {
	for _, m := range tailMarkers {
		if line == m || (len(m) > 10 && strings.HasPrefix(line, m)) {
			return true
		}
	}
	return false
}

// isNavigation reports a line of site navigation: it opens with three or more
// upper-case words and does not read as a sentence.
func isNavigation(line string) bool {
	f := strings.Fields(line)
	if len(f) < 3 || strings.HasSuffix(line, ".") {
		return false
	}
	for _, w := range f[:3] {
		for _, r := range w {
			if unicode.IsLetter(r) && !unicode.IsUpper(r) {
				return false
			}
		}
	}
	return true
}

// isHeadline reports a short line with no closing full stop.
func isHeadline(line string) bool {
	if len(line) > 160 || len(strings.Fields(line)) > 20 {
		return false
	}
	last := line[len(line)-1]
	return last != '.' && last != '"' && last != ':' && last != ';'
}

// frontMatter reads a leading "---" block of "key: value" lines.
func frontMatter(text string) (map[string]string, int, bool) {
	if !strings.HasPrefix(text, "---\n") && !strings.HasPrefix(text, "---\r\n") {
		return nil, 0, false
	}
	pos := strings.IndexByte(text, '\n') + 1
	fm := map[string]string{}
	for pos < len(text) {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		line := strings.TrimSpace(text[pos:end])
		pos = end + 1
		if line == "---" {
			return fm, min(pos, len(text)), true
		}
		k, v, ok := strings.Cut(line, ":")
		if ok {
			v = strings.TrimSpace(v)
			v = strings.Trim(v, `"'`)
			fm[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	return nil, 0, false // no closing line: not front matter
}

// dateLayouts are the date forms normDate accepts.
var dateLayouts = []string{
	"2006-01-02", time.RFC3339, "2006-01-02 15:04", "2006/01/02", "Jan 02, 2006", "Jan 2, 2006",
	"January 2, 2006", "2 January 2006", "02 Jan 2006", "Jan. 2, 2006",
}

// normDate returns s as YYYY-MM-DD, or "" when it is no date it knows.
func normDate(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

func trimSpan(text string, s, e int) (int, int) {
	for s < e && isSpaceByteOrNBSP(text, s) {
		s += spaceLen(text, s)
	}
	for e > s && (text[e-1] == ' ' || text[e-1] == '\t' || text[e-1] == '\r' || text[e-1] == '\n') {
		e--
	}
	return s, e
}

func isSpaceByteOrNBSP(text string, i int) bool {
	return text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || strings.HasPrefix(text[i:], "\u00a0")
}

func spaceLen(text string, i int) int {
	if text[i] == 0xc2 {
		return 2
	}
	return 1
}
