// Package httpapi serves corpusbot over HTTP: health and readiness probes,
// Prometheus metrics, and POST /v1/ask, which answers with the same JSON as
// `corpusbot ask --json`.
package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/corpusbot/corpusbot/bot"
)

// MaxBody bounds the body of POST /v1/ask.
const MaxBody = 64 << 10

// A Handler serves the HTTP API. It is ready once SetBot has given it a
// bot, that is once the corpus is loaded.
type Handler struct {
	bot     atomic.Pointer[bot.Bot]
	metrics http.Handler // nil: no /metrics
	mux     *http.ServeMux
}

// New returns a Handler serving metrics (which may be nil) on /metrics.
func New(metrics http.Handler) *Handler {
	h := &Handler{metrics: metrics, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	h.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if h.bot.Load() == nil {
			writeText(w, http.StatusServiceUnavailable, "loading the corpus")
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

// SetBot makes the handler answer with b and report ready.
func (h *Handler) SetBot(b *bot.Bot) { h.bot.Store(b) }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// An askRequest is the body of POST /v1/ask.
type askRequest struct {
	Question string `json:"question"`
	Top      int    `json:"top"` // 0 or absent: the bot's default
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
	if req.Top < 0 || req.Top > bot.MaxTop {
		writeError(w, http.StatusBadRequest, "top must be from 1 to 100.")
		return
	}
	rep := b.Handle(r.Context(), bot.Request{Platform: bot.HTTP, Command: "ask", Text: req.Question, Top: req.Top})
	switch {
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
