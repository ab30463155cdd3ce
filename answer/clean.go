package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes a question safe to analyse and to echo: terminal escape
// sequences (ANSI colours, OSC titles) are dropped whole; invalid UTF-8 and
// other control characters become spaces, runs of white space one space.
// Markup (HTML tags, mentions) is kept, for the echo shows what the user
// typed; Ask leaves it out of the question it analyses.
func Clean(s string) string {
	if cleanASCII(s) {
		return s
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(s); {
		if n := escapeLen(s[i:]); n > 0 {
			i += n
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) ||
			unicode.Is(unicode.Cf, r) || (r >= 0xE000 && r <= 0xF8FF) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanASCII reports whether s is printable ASCII with single spaces
// between words only: what Clean leaves as it is.
func cleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		case c < 0x21 || c > 0x7e:
			return false
		}
	}
	return true
}

// escapeLen returns the length of the terminal escape sequence s starts
// with (ECMA-48), or 0:
//
//	ESC [ or CSI (U+009B), parameter and intermediate bytes, a final byte: "\x1b[31m"
//	ESC ] (OSC), ESC P, X, ^ or _, or their C1 forms, a string up to BEL or ST: "\x1b]0;title\a"
//	ESC, intermediate bytes, a final byte: "\x1b(B", "\x1b7"
//
// A sequence cut short by another control character or the end of s ends
// there.
func escapeLen(s string) int {
	var i int
	switch {
	case len(s) == 0:
		return 0
	case s[0] == 0x1b:
		i = 1
		if i == len(s) {
			return i
		}
		switch s[i] {
		case '[':
			return i + 1 + csiLen(s[i+1:])
		case ']', 'P', 'X', '^', '_':
			return i + 1 + stringLen(s[i+1:])
		}
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case s[0] != 0xc2 || len(s) < 2: // C1 controls are U+0080-U+009F, 0xc2 0x80-0x9f in UTF-8
		return 0
	case s[1] == 0x9b: // CSI
		return 2 + csiLen(s[2:])
	case s[1] == 0x9d || s[1] == 0x90 || s[1] == 0x98 || s[1] == 0x9e || s[1] == 0x9f: // OSC, DCS, SOS, PM, APC
		return 2 + stringLen(s[2:])
	}
	return 0
}

// csiLen returns the length of a control sequence's parameter,
// intermediate and final bytes at the start of s.
func csiLen(s string) int {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// stringLen returns the length of a control string at the start of s, its
// terminator (BEL, ESC \ or ST) included.
func stringLen(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0x07:
			return i + 1
		case c == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		case c < 0x20:
			return i
		}
	}
	return len(s)
}

func hasWord(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// plain returns the words a cleaned question asks, without what a chat
// adds around them: a leading Telegram command (/ask, /ask@SomeBot),
// mentions (@everyone, @here, leading @names, Discord's <@123>, <@!123>,
// <@&123>, <#123>, <:emoji:123>, <t:1700000000:R>) and HTML-ish tags,
// whose inner text stays: "<b>Giang</b> signed what?" asks "Giang signed
// what?". A question without any of these is returned as it is.
func plain(q string) string {
	if !strings.HasPrefix(q, "/") && strings.IndexByte(q, '<') < 0 && strings.IndexByte(q, '@') < 0 {
		return q
	}
	s := strings.TrimLeft(q[commandLen(q):], " ")
	for {
		n := mentionLen(s, 0)
		if n == 0 && len(s) > 1 && s[0] == '@' {
			n = nameLen(s[1:])
			if n > 0 {
				n++
			}
		}
		if n == 0 {
			break
		}
		s = strings.TrimLeft(s[n:], " ,:")
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		n := 0
		switch s[i] {
		case '<':
			n = markupLen(s[i:])
		case '@':
			n = mentionLen(s, i)
		}
		if n == 0 {
			out = append(out, s[i])
			i++
			continue
		}
		// A tag between two words parts them ("a<br>b"); one beside
		// punctuation or space adds nothing ("<i>it</i>?"); one before
		// closing punctuation takes its space with it ("who <@1>?").
		before, _ := utf8.DecodeLastRune(out)
		after, _ := utf8.DecodeRuneInString(s[i+n:])
		switch {
		case isWordRune(before) && isWordRune(after):
			out = append(out, ' ')
		case before == ' ' && strings.ContainsRune(".,;:!?)", after):
			out = out[:len(out)-1]
		}
		i += n
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// commandLen returns the length of the Telegram command /ask or
// /ask@SomeBot that q starts with, or 0.
func commandLen(q string) int {
	const cmd = "/ask"
	if len(q) < len(cmd) || !strings.EqualFold(q[:len(cmd)], cmd) {
		return 0
	}
	i := len(cmd)
	if i < len(q) && q[i] == '@' {
		n := nameLen(q[i+1:])
		if n == 0 {
			return 0
		}
		i += 1 + n
	}
	if i < len(q) && q[i] != ' ' {
		return 0
	}
	return i
}

// nameLen returns the length of the user name ([A-Za-z0-9_]) s starts
// with, when a space, punctuation or the end follows it; else 0.
func nameLen(s string) int {
	i := 0
	for i < len(s) && (isASCIIWord(s[i]) || s[i] == '_') {
		i++
	}
	if i < len(s) && (s[i] >= utf8.RuneSelf || isASCIIWord(s[i])) {
		return 0
	}
	return i
}

func isASCIIWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// mentionLen returns the length of the @everyone or @here at s[i:], when
// it stands as a word of its own, or 0.
func mentionLen(s string, i int) int {
	if i > 0 && (isASCIIWord(s[i-1]) || s[i-1] == '_' || s[i-1] >= utf8.RuneSelf) {
		return 0 // an e-mail address, or inside a word
	}
	for _, m := range [...]string{"@everyone", "@here"} {
		if len(s)-i >= len(m) && strings.EqualFold(s[i:i+len(m)], m) {
			if j := i + len(m); j == len(s) || !isASCIIWord(s[j]) && s[j] != '_' && s[j] < utf8.RuneSelf {
				return len(m)
			}
		}
	}
	return 0
}

// maxTag bounds the length of a tag that markupLen recognises.
const maxTag = 200

// markupLen returns the length of the Discord mention or HTML-ish tag that
// s starts with, or 0: <@123>, <@!123>, <@&123>, <#123>, <:name:123>,
// <a:name:123>, <t:123:R>, <b>, </b>, <br/>, <a href="…">.
func markupLen(s string) int {
	if len(s) < 3 || s[0] != '<' {
		return 0
	}
	end := strings.IndexByte(s[1:min(len(s), maxTag)], '>') + 1
	if end <= 1 { // none, or <>
		return 0
	}
	in := s[1:end]
	if strings.IndexByte(in, '<') >= 0 {
		return 0
	}
	switch {
	case in[0] == '@' || in[0] == '#': // a user, role or channel
		id := strings.TrimPrefix(strings.TrimPrefix(in[1:], "!"), "&")
		if id == "" || strings.TrimLeft(id, "0123456789") != "" {
			return 0
		}
	case in[0] == '/':
		if len(in) < 2 || !isASCIIWord(in[1]) {
			return 0
		}
	case in[0] == ':': // a custom emoji, :name:id
		if strings.Count(in, ":") != 2 {
			return 0
		}
	case !isASCIIWord(in[0]) || in[0] <= '9':
		return 0
	}
	return end + 1
}
