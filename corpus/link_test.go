package corpus

import (
	"net/url"
	"strings"
	"testing"
)

func TestLink(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"https://example.com/news/a?id=1&x=2", "https://example.com/news/a?id=1&x=2"},
		{"  HTTP://Example.com/a  ", "http://Example.com/a"},
		{"https://example.com/a b", "https://example.com/a%20b"},
		{"https://example.com/a_(b)", "https://example.com/a_%28b%29"},
		{`https://example.com/?q="><script>`, "https://example.com/?q=%22%3E%3Cscript%3E"},
		{"https://example.com/tin-tức", "https://example.com/tin-t%E1%BB%A9c"},
		{"javascript:alert(1)", ""},
		{"JavaScript://example.com/%0Aalert(1)", ""},
		{"data:text/html,<b>x</b>", ""},
		{"ftp://example.com/a", ""},
		{"/relative/path", ""},
		{"example.com/a", ""},
		{"https://user:pass@example.com/", ""},
		{"https:///nohost", ""},
		{"https://example.com/\x00", ""},
		{"", ""},
	} {
		if got := Link(c.raw); got != c.want {
			t.Errorf("Link(%q) = %q; want %q", c.raw, got, c.want)
		}
	}
}

// FuzzLink checks that a link is always an http or https URL that parses
// back, and holds nothing that could end it in HTML or Markdown.
func FuzzLink(f *testing.F) {
	for _, s := range []string{"https://example.com/a?b=c#d", "javascript:alert(1)", "http://[::1]:80/", "https://a.b/<>\"'() "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l := Link(raw)
		if l == "" {
			return
		}
		if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			t.Errorf("Link(%q) = %q: not http or https", raw, l)
		}
		if strings.ContainsAny(l, " \"'<>()\\`\n\r\t") {
			t.Errorf("Link(%q) = %q: holds a character that could end it", raw, l)
		}
		u, err := url.Parse(l)
		if err != nil || u.Host == "" || u.User != nil {
			t.Errorf("Link(%q) = %q: parses as %v, %v", raw, l, u, err)
		}
	})
}
