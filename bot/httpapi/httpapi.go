// Package httpapi serves corpusbot over HTTP: health and readiness probes,
// Prometheus metrics, and POST /v1/ask, which answers with the same JSON as
// `corpusbot ask --json`.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/corpusbot/corpusbot/answer"
	"github.com/corpusbot/corpusbot/bot"
)

// MaxBody bounds the body of POST /v1/ask.
const MaxBody = 64 << 10

// A Handler serves the HTTP API. It is ready once SetBot has given it a
// bot, that is once the corpus is loaded, and every part named with Require
// is connected.
type Handler struct {
	bot     atomic.Pointer[bot.Bot]
	metrics http.Handler // nil: no /metrics
	mux     *http.ServeMux

	mu    sync.Mutex // guards parts
	parts []part     // what readiness waits for besides the corpus, in the order required
}

// A Connector is a part of the service that readiness waits for: a chat
// adapter, connected once its platform has accepted it (Telegram answered
// getMe, Discord sent READY).
type Connector interface {
	Connected() bool
}

type part struct {
	name string
	c    Connector
}

// New returns a Handler serving metrics (which may be nil) on /metrics.
func New(metrics http.Handler) *Handler {
	h := &Handler{metrics: metrics, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	h.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if waiting := h.notReady(); waiting != nil {
			writeText(w, http.StatusServiceUnavailable, "not ready: "+strings.Join(waiting, ", "))
			return
		}
		writeText(w, http.StatusOK, "ready")
	})
	if metrics != nil {
		h.mux.Handle("GET /metrics", metrics)
	}
	h.mux.HandleFunc("POST /v1/ask", h.ask)
	return h
}

// SetBot makes the handler answer with b, and report ready once the parts
// it requires are connected.
func (h *Handler) SetBot(b *bot.Bot) { h.bot.Store(b) }

// Require makes readiness wait for c, named name in /readyz's answer
// ("not ready: discord (connecting)"). Call it before SetBot, so that no
// probe in between finds the service ready without c.
func (h *Handler) Require(name string, c Connector) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.parts = append(h.parts, part{name, c})
}

// notReady lists the parts that are not ready, each with what it is doing;
// nil when all are.
func (h *Handler) notReady() []string {
	var waiting []string
	if h.bot.Load() == nil {
		waiting = append(waiting, "corpus (loading)")
	}
	h.mu.Lock()
	parts := h.parts[:len(h.parts):len(h.parts)]
	h.mu.Unlock()
	for _, p := range parts {
		if !p.c.Connected() {
			waiting = append(waiting, p.name+" (connecting)")
		}
	}
	return waiting
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// An askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question string `json:"question"`
	Top      int    `json:"top"`     // 0 or absent: the bot's default
	Explain  bool   `json:"explain"` // break each citation's score into its signals
}

func (h *Handler) ask(w http.ResponseWriter, r *http.Request) {
	b := h.bot.Load()
	if b == nil {
		writeError(w, http.StatusServiceUnavailable, "The corpus is still loading; try again in a moment.")
		return
	}
	// Any Content-Type is taken: curl -d sends a form type with JSON in it.
	var req askRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "The request is too large.")
			return
		}
		writeError(w, http.StatusBadRequest, "The body is not valid JSON of the form {\"question\": \"...\", \"top\": 3}.")
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "The body holds more than one JSON object.")
		return
	}
	if req.Top < 0 || req.Top > answer.MaxTop {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("top must be from 1 to %d.", answer.MaxTop))
		return
	}
	// A question without a word ("?!", or only markup: "<b></b>") is an
	// empty one: the bot refuses it as invalid, and counts it so, but its
	// message is for chat users.
	q, empty := req.Question, !hasWords(req.Question)
	if empty {
		q = ""
	}
	rep := b.Handle(r.Context(), bot.Request{Platform: bot.HTTP, Command: "ask", Text: q, Top: req.Top, Explain: req.Explain})
	switch {
	case empty && rep.Err != nil && rep.Err.Kind == bot.Invalid && blank(req.Question):
		writeError(w, http.StatusBadRequest, `The question is empty: send {"question": "..."} with a question in words.`)
	case empty && rep.Err != nil && rep.Err.Kind == bot.Invalid,
		rep.Answer != nil && rep.Answer.Refusal != nil && rep.Answer.Refusal.Kind == answer.RefusedNoWords:
		writeError(w, http.StatusBadRequest, `The question has no words: send {"question": "..."} with a question in words.`)
	case rep.Answer != nil:
		jsonHeader(w, http.StatusOK)
		rep.Answer.WriteJSON(w)
	case rep.Err != nil && rep.Err.Kind == bot.Invalid:
		writeError(w, http.StatusBadRequest, rep.Err.Message)
	case rep.Err != nil && rep.Err.Kind == bot.RateLimited:
		writeError(w, http.StatusTooManyRequests, rep.Err.Message)
	default:
		writeError(w, http.StatusInternalServerError, "Something went wrong on our side.")
	}
}

// hasWords reports whether s holds a letter or a digit.
func hasWords(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

// blank reports whether s holds nothing to see: spaces and control
// characters at most.
func blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) }) < 0
}

func jsonHeader(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	jsonHeader(w, code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg+"\n")
}
