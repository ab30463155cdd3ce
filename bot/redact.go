package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// Redacted is what a secret becomes in a log.
const Redacted = "[REDACTED]"

// A Redactor scrubs known secrets (bot tokens) from text. The Telegram token
// sits in every request URL, so any error that names a URL carries it; pass
// such text through Redact before it reaches a log, or log through
// RedactHandler. The zero value scrubs nothing.
type Redactor struct {
	secrets []string // the secrets and their URL-escaped forms, longest first
}

// NewRedactor returns a Redactor for the non-empty secrets.
func NewRedactor(secrets ...string) *Redactor {
	var all []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		all = append(all, s, url.PathEscape(s), url.QueryEscape(s))
	}
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	return &Redactor{secrets: slices.Compact(all)}
}

// Redact returns s with every secret replaced by Redacted.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return s
}

func (r *Redactor) contains(s string) bool {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// RedactHandler returns a handler that passes records to h with the secrets
// of r scrubbed from the message and from every attribute: strings, errors,
// anything that prints a secret, in groups too.
func RedactHandler(h slog.Handler, r *Redactor) slog.Handler {
	if r == nil || len(r.secrets) == 0 {
		return h
	}
	return &redactHandler{h: h, r: r}
}

type redactHandler struct {
	h slog.Handler
	r *Redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &redactHandler{h: h.h.WithAttrs(clean), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: h.h.WithGroup(name), r: h.r}
}

// attr returns a with the secrets scrubbed from its value.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Redact(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clean := make([]slog.Attr, len(as))
		for i, g := range as {
			clean[i] = h.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case fmt.Stringer:
			s = x.String()
		default:
			s = fmt.Sprintf("%+v", x)
		}
		if h.r.contains(s) {
			return slog.String(a.Key, h.r.Redact(s))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
