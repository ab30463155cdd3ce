package corpus

import (
	"net/url"
	"strings"
)

// maxLink is the longest link an article may carry, in bytes.
const maxLink = 2048

// Link returns the article's url: front matter as a link a reply may
// carry, or "" when it is none: an absolute http or https URL with a host
// (ASCII: a name in punycode, an IP address, a port) and no user name or
// password. Every byte outside the letters, digits and
// -._~:/?#[]@!$&*+,;=% is percent-encoded, so the link holds no space,
// quote, bracket or angle bracket that could end it early in HTML or
// Markdown. A javascript: or data: URL, a relative one and a malformed
// one are never linked.
func (a *Article) Link() string {
	return Link(a.URL)
}

// Link returns raw as Article.Link does.
func Link(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxLink {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return ""
	}
	for i := 0; i < len(u.Host); i++ {
		if c := u.Host[i]; !linkSafe(c) || c == '%' {
			return "" // a host name in punycode, an IP address and a port only
		}
	}
	u.Scheme = strings.ToLower(u.Scheme)
	s := u.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if linkSafe(c) {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	if v, err := url.Parse(b.String()); err != nil || v.Host != u.Host {
		return ""
	}
	return b.String()
}

// linkSafe reports whether c may stand in a link as it is.
func linkSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&*+,;=%", c) >= 0
}
