package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// api makes Bot API calls through tgbotapi, each with a context and a
// deadline, and with the token scrubbed from every error.
type api struct {
	token    string
	endpoint string // tgbotapi's endpoint pattern: base + "/bot%s/%s"
	fileBase string // the base URL, for file downloads: base + "/file/bot{token}/{path}"
	client   *http.Client
	scrub    *strings.Replacer
}

func newAPI(token, base string, client *http.Client) *api {
	// The endpoint is a fmt pattern: a '%' in the base URL must be doubled.
	endpoint := strings.ReplaceAll(base, "%", "%%") + "/bot%s/%s"
	olds := []string{token, url.PathEscape(token), url.QueryEscape(token)}
	if _, secret, ok := strings.Cut(token, ":"); ok && len(secret) >= 8 {
		olds = append(olds, secret) // the secret half alone is the credential too
	}
	var pairs []string
	for _, o := range olds {
		pairs = append(pairs, o, "<token>")
	}
	return &api{token: token, endpoint: endpoint, fileBase: base, client: client, scrub: strings.NewReplacer(pairs...)}
}

// ctxDoer gives tgbotapi's context-less requests a context.
type ctxDoer struct {
	ctx    context.Context
	client *http.Client
}

func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	return d.client.Do(req.WithContext(d.ctx))
}

// call makes one Bot API call and decodes its result into T. req is nil
// (no parameters), tgbotapi.Params, or a tgbotapi.Chattable.
func call[T any](ctx context.Context, c *api, timeout time.Duration, method string, req any) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A BotAPI literal per call: NewBotAPI would call getMe, and the
	// library's HTTP client interface has no context of its own.
	b := &tgbotapi.BotAPI{Token: c.token, Client: ctxDoer{ctx, c.client}}
	b.SetAPIEndpoint(c.endpoint)
	var (
		resp *tgbotapi.APIResponse
		err  error
	)
	switch r := req.(type) {
	case nil:
		resp, err = b.MakeRequest(method, nil)
	case tgbotapi.Params:
		resp, err = b.MakeRequest(method, r)
	case tgbotapi.Chattable:
		resp, err = b.Request(r)
	default:
		return zero, fmt.Errorf("%s: unsupported request %T", method, req)
	}
	if err != nil {
		return zero, c.wrap(ctx, method, err)
	}
	var out T
	if err := json.Unmarshal(resp.Result, &out); err != nil {
		return zero, c.wrap(ctx, method, fmt.Errorf("decoding the result: %w", err))
	}
	return out, nil
}

// A callError is a failed Bot API call. Its text never holds the token, and
// it unwraps only to values that cannot: the Bot API's own error (code,
// description, retry_after) and the context's error.
type callError struct {
	method string
	text   string          // the cause, scrubbed of the token
	api    *tgbotapi.Error // Telegram answered ok=false; nil otherwise
	ctxErr error           // the call's context ended; nil otherwise
}

// Error is the method and the cause: "getMe: 401 Unauthorized". The
// package's errors that wrap it add the "telegram: " prefix, once.
func (e *callError) Error() string { return e.method + ": " + e.text }

func (e *callError) Unwrap() []error {
	var errs []error
	if e.api != nil {
		errs = append(errs, e.api)
	}
	if e.ctxErr != nil {
		errs = append(errs, e.ctxErr)
	}
	return errs
}

func (c *api) wrap(ctx context.Context, method string, err error) error {
	e := &callError{method: method, text: c.scrub.Replace(err.Error()), ctxErr: ctx.Err()}
	var ae *tgbotapi.Error
	if errors.As(err, &ae) {
		e.api = &tgbotapi.Error{Code: ae.Code, Message: c.scrub.Replace(ae.Message), ResponseParameters: ae.ResponseParameters}
		e.text = fmt.Sprintf("%d %s", ae.Code, e.api.Message)
	}
	return e
}

// apiCode returns the Bot API's error_code for err, or 0 when the call
// failed before Telegram answered (network, decoding, context).
func apiCode(err error) int {
	var ae *tgbotapi.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// apiDescription returns the Bot API's description for err, or "".
func apiDescription(err error) string {
	var ae *tgbotapi.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return ""
}

// retryAfter is how long a 429 asks us to wait; at least a second.
func retryAfter(err error) time.Duration {
	var ae *tgbotapi.Error
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return time.Duration(ae.RetryAfter) * time.Second
	}
	return time.Second
}

// sleep waits d, or until ctx ends, when it returns ctx.Err().
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff yields exponentially growing waits between min and max, each
// with jitter: a random point in its upper half.
type backoff struct {
	min, max, cur time.Duration
}

func (a *Adapter) backoff() *backoff {
	return &backoff{min: a.opts.MinBackoff, max: a.opts.MaxBackoff}
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	half := b.cur / 2
	return half + rand.N(b.cur-half+1)
}

func (b *backoff) reset() { b.cur = 0 }

// decodeJSON decodes exactly one JSON value from r into v.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
