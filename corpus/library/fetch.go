// Package library adds articles to a corpus folder and removes them, for
// the moderators' /add and /remove: it fetches web pages safely, extracts
// their article with a readability parser, reads attached text files, and
// writes and moves files atomically.
package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/html/charset"
)

var (
	// ErrPrivateAddress is a fetch refused because the host resolves to a
	// loopback, private, link-local or otherwise internal address.
	ErrPrivateAddress = errors.New("library: address is private or local")
	// ErrTooLarge is a page or file longer than the limit.
	ErrTooLarge = errors.New("library: too large")
	// ErrTooManyRedirects is a fetch that was redirected too often.
	ErrTooManyRedirects = errors.New("library: too many redirects")
	// ErrBadURL is a link that is not an absolute http or https URL.
	ErrBadURL = errors.New("library: not a http or https link")
	// ErrNotText is a page or file that holds no readable text: binary,
	// or of a type the library does not read.
	ErrNotText = errors.New("library: not text")
	// ErrNoArticle is a page or file with no article text in it.
	ErrNoArticle = errors.New("library: no article text")
	// ErrDuplicate is an article the corpus already holds (same link or
	// same text).
	ErrDuplicate = errors.New("library: already in the corpus")
	// ErrBusy is an /add asked for while another runs.
	ErrBusy = errors.New("library: another article is being added")
	// ErrNotFound is a /remove of an article the corpus folder does not hold.
	ErrNotFound = errors.New("library: no such article")
	// ErrBadName is a /remove of a name that cannot be an article's: a path
	// outside the folder, a hidden file, not a .txt.
	ErrBadName = errors.New("library: not an article name")
)

// Defaults for FetchOptions.
const (
	DefaultMaxBytes     = 5 << 20
	DefaultTimeout      = 20 * time.Second
	DefaultMaxRedirects = 5
	maxURLLength        = 2048
)

// FetchOptions bound what a Fetcher fetches. The zero value is usable.
type FetchOptions struct {
	MaxBytes     int64         // a longer body is refused; 0 means DefaultMaxBytes
	Timeout      time.Duration // for the whole fetch, body included; 0 means DefaultTimeout
	MaxRedirects int           // 0 means DefaultMaxRedirects; negative means none
	// AllowPrivate lets links reach loopback, private and link-local
	// addresses (tests, and intranets). Off, such addresses are refused when
	// the connection is dialled, after the name is resolved, so that a name
	// that resolves to 127.0.0.1 is refused too.
	AllowPrivate bool
	UserAgent    string // "" means "corpusbot"
}

// A Fetcher fetches web pages within its limits. It is safe for
// concurrent use.
type Fetcher struct {
	opts   FetchOptions
	client *http.Client
}

// A Page is a fetched web page.
type Page struct {
	URL         *url.URL // where it was fetched from, after redirects
	ContentType string   // the media type, without parameters
	Body        []byte   // decoded to UTF-8 when the page names another charset
}

// NewFetcher returns a Fetcher with its own HTTP client: no proxy from the
// environment (the address check would see the proxy's), and a dialer that
// checks every address it connects to.
func NewFetcher(opts FetchOptions) *Fetcher {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "corpusbot"
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		return checkAddress(address, opts.AllowPrivate)
	}}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > max(opts.MaxRedirects, 0) {
			return ErrTooManyRedirects
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return ErrBadURL
		}
		return nil
	}}
	return &Fetcher{opts: opts, client: client}
}

// checkAddress refuses address (host:port, as dialled) when it is not a
// public unicast address, unless allowPrivate.
func checkAddress(address string, allowPrivate bool) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrPrivateAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrPrivateAddress, address)
	}
	if allowPrivate || public(ip) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrPrivateAddress, ip)
}

// sharedAddressSpace is 100.64.0.0/10 (RFC 6598), carrier-grade NAT.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// public reports whether ip is a global unicast address outside the
// private, shared and loopback ranges.
func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !sharedAddressSpace.Contains(ip) &&
		!ip.IsLoopback() && !ip.IsLinkLocalUnicast()
}

// ParseURL checks that raw is an absolute http or https link a fetch may
// follow: a host, no user name or password, not too long.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">") // Discord's <link> that does not unfurl
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrBadURL, maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return nil, ErrBadURL
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: a link with a user name or password", ErrBadURL)
	}
	u.Fragment = ""
	return u, nil
}

// Fetch fetches the page at u, within the size, time and redirect limits.
func (f *Fetcher) Fetch(ctx context.Context, u *url.URL) (Page, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9")
	resp, err := f.client.Do(req)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Page{}, &StatusError{Code: resp.StatusCode}
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return Page{}, fmt.Errorf("%w: %d bytes, over %d", ErrTooLarge, resp.ContentLength, f.opts.MaxBytes)
	}
	body, err := readLimited(resp.Body, f.opts.MaxBytes)
	if err != nil {
		return Page{}, err
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	media, _, _ := mime.ParseMediaType(ct)
	if r, err := charset.NewReader(strings.NewReader(string(body)), ct); err == nil && media != "" {
		if dec, err := io.ReadAll(io.LimitReader(r, 4*f.opts.MaxBytes)); err == nil {
			body = dec
		}
	}
	return Page{URL: resp.Request.URL, ContentType: media, Body: body}, nil
}

// A StatusError is a page that answered with another status than 200.
type StatusError struct{ Code int }

func (e *StatusError) Error() string { return fmt.Sprintf("library: the page answered %d", e.Code) }

// readLimited reads r up to limit bytes, and fails with ErrTooLarge as soon
// as r holds more: it never holds more than limit+1 bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}
