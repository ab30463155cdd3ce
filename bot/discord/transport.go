package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// rewritingClient returns a copy of c (nil: a client with discordgo's 20 s
// timeout) whose requests under from, discordgo's EndpointAPI, go to base
// instead; any other URL is refused. c itself is not modified.
func rewritingClient(c *http.Client, from string, base *url.URL) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	if out.Timeout == 0 {
		out.Timeout = defaultHTTPTimeout
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = &rewriter{from: from, to: base, next: next}
	return &out
}

// A rewriter is the RoundTripper that points discordgo at the configured
// REST base. Rewriting requests, rather than reassigning discordgo's
// package-level endpoint variables, keeps every Adapter's base its own and
// leaves no global for concurrent sessions to race on.
type rewriter struct {
	from string   // discordgo's REST base, e.g. https://discord.com/api/v9/
	to   *url.URL // the configured api_url, ending in a slash
	next http.RoundTripper
}

func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	u, err := rewriteURL(req.URL, t.from, t.to)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL = u
	out.Host = u.Host
	return t.next.RoundTrip(out)
}

// rewriteURL maps u, which must lie under from, to the same place under to.
// It is the one place where discordgo's endpoints meet the configured
// api_url.
func rewriteURL(u *url.URL, from string, to *url.URL) (*url.URL, error) {
	s := u.String()
	if !strings.HasPrefix(s, from) {
		return nil, fmt.Errorf("%w: %s://%s", ErrOutsideAPI, u.Scheme, u.Host)
	}
	rest := s[len(from):]
	out, err := url.Parse(to.String() + rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOutsideAPI, err)
	}
	return out, nil
}
