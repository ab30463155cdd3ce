package discord

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// A fakeDiscord is a local Discord: the REST API under /api/v9/ and a
// websocket gateway, speaking the protocol as discordgo v0.29 expects it
// (HELLO, IDENTIFY/RESUME, READY/RESUMED, heartbeats, dispatches with
// sequence numbers, INVALID_SESSION, RECONNECT). It records what the bot
// sends, and tests wait on those records.
type fakeDiscord struct {
	t       testing.TB
	srv     *httptest.Server
	token   string // the bot token it accepts, without "Bot "
	botID   string
	appID   string
	guildID string

	heartbeatMS     int  // HELLO's heartbeat_interval
	allowPrivileged bool // accept privileged intents in IDENTIFY
	identifyClose   int  // when not 0, IDENTIFY is answered with this close code

	mu           sync.Mutex                  // guards everything below
	changed      chan struct{}               // closed and replaced when anything below changes
	calls        []restCall                  // every REST request, in order
	ops          []gatewayOp                 // every gateway payload the bot sent, in order
	closes       []int                       // close codes the bot sent
	conn         *fakeConn                   // the live, identified or resumed connection
	session      *fakeSession                // the gateway session, nil before IDENTIFY
	handshakes   int                         // READY and RESUMED sent
	limits       []rateLimit                 // 429s to return
	drops        map[string]int              // REST paths (or "gateway connection") whose next n requests are dropped unanswered
	interactions map[string]*fakeInteraction // by token
	sent         map[string]map[string]any   // the messages the bot created, by id, as Discord returns them
	nextID       int64
}

// A restCall is one REST request as the fake saw it.
type restCall struct {
	Method string
	Path   string // below /api/v9/, e.g. "channels/1/messages"
	Auth   string
	Body   []byte
	JSON   any // the body decoded, if it was JSON
	Status int // what the fake answered
	At     time.Time
}

// A gatewayOp is one payload the bot sent on the gateway.
type gatewayOp struct {
	Op  int
	D   map[string]any
	Seq float64 // a HEARTBEAT's d: the last sequence number the bot saw (0 for null)
}

type fakeSession struct {
	id        string
	seq       int64
	events    [][]byte // dispatched payloads, by seq-1, replayed on RESUME
	resumable bool
}

type fakeConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex // guards writes to ws
}

type fakeInteraction struct {
	id      string
	kind    int // 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT
	acked   bool
	edits   int
	user    map[string]any // who invoked it
	channel string         // where
	// original is the response message: created by the type 4 or 5
	// callback, edited by PATCH @original.
	original map[string]any
}

type rateLimit struct {
	method, prefix string
	n              int
	retryAfter     float64 // seconds
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{
		t:            t,
		token:        "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake0.secret-bot-token-do-not-log",
		botID:        "900000000000000001",
		appID:        "900000000000000002",
		guildID:      "800000000000000001",
		heartbeatMS:  500,
		changed:      make(chan struct{}),
		interactions: map[string]*fakeInteraction{},
		sent:         map[string]map[string]any{},
		drops:        map[string]int{},
		nextID:       1300000000000000000,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", f.serveREST)
	mux.HandleFunc("/gw/", f.serveGateway)
	// Never listen beyond the loopback interface.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) apiURL() string { return f.srv.URL + "/api/v9/" }

func (f *fakeDiscord) gatewayURL() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gw"
}

// id returns a new snowflake.
func (f *fakeDiscord) id() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

// bump wakes the waiters; f.mu must be held.
func (f *fakeDiscord) bump() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// waitUntil waits until cond, called with f.mu held, is true.
func (f *fakeDiscord) waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("fake discord: gave up waiting for %s", what)
		}
	}
}

// waitCall waits for a REST call matching pred and returns the first one.
func (f *fakeDiscord) waitCall(t testing.TB, what string, pred func(restCall) bool) restCall {
	t.Helper()
	var got restCall
	f.waitUntil(t, what, func() bool {
		for _, c := range f.calls {
			if pred(c) {
				got = c
				return true
			}
		}
		return false
	})
	return got
}

// callsWhere returns the REST calls matching pred.
func (f *fakeDiscord) callsWhere(pred func(restCall) bool) []restCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []restCall
	for _, c := range f.calls {
		if pred(c) {
			out = append(out, c)
		}
	}
	return out
}

// opsWhere returns the gateway payloads with opcode op.
func (f *fakeDiscord) opsWhere(op int) []gatewayOp {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []gatewayOp
	for _, o := range f.ops {
		if o.Op == op {
			out = append(out, o)
		}
	}
	return out
}

// waitHandshakes waits until n READY or RESUMED have been sent on a live
// connection.
func (f *fakeDiscord) waitHandshakes(t testing.TB, n int) {
	t.Helper()
	f.waitUntil(t, fmt.Sprintf("%d gateway handshakes", n), func() bool { return f.handshakes >= n && f.conn != nil })
}

// limit makes the next n requests whose path starts with prefix answer 429.
func (f *fakeDiscord) limit(method, prefix string, n int, retryAfter float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, rateLimit{method: method, prefix: prefix, n: n, retryAfter: retryAfter})
}

// drop makes the next n requests for path (below /api/v9/, or
// gatewayConnection for the websocket) fail as a network failure does:
// the connection is closed without an answer.
func (f *fakeDiscord) drop(path string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drops[path] += n
}

const gatewayConnection = "gateway connection"

// dropped reports whether the request for path is to be dropped, and
// if so closes its connection; REST drops are recorded with status 0.
func (f *fakeDiscord) dropped(w http.ResponseWriter, path string, call *restCall) bool {
	f.mu.Lock()
	if f.drops[path] == 0 {
		f.mu.Unlock()
		return false
	}
	f.drops[path]--
	if call != nil {
		f.calls = append(f.calls, *call)
	}
	f.bump()
	f.mu.Unlock()
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
	return true
}

// ---- REST ----

func (f *fakeDiscord) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v9/")
	if f.dropped(w, path, &restCall{Method: r.Method, Path: path, At: time.Now()}) {
		return
	}
	call := restCall{Method: r.Method, Path: path, Auth: r.Header.Get("Authorization"), Body: body, At: time.Now()}
	if len(body) > 0 {
		var v any
		if json.Unmarshal(body, &v) == nil {
			call.JSON = v
		}
	}
	status, resp, hdr := f.route(r.Method, path, call)
	call.Status = status
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.bump()
	f.mu.Unlock()
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(resp)
}

func apiError(code int, msg string) map[string]any {
	return map[string]any{"message": msg, "code": code}
}

// route answers one REST request as Discord would.
func (f *fakeDiscord) route(method, path string, call restCall) (int, any, map[string]string) {
	f.mu.Lock()
	for i := range f.limits {
		l := &f.limits[i]
		if l.n > 0 && l.method == method && strings.HasPrefix(path, l.prefix) {
			l.n--
			f.mu.Unlock()
			ra := strconv.FormatFloat(l.retryAfter, 'f', 3, 64)
			return http.StatusTooManyRequests,
				map[string]any{"message": "You are being rate limited.", "retry_after": l.retryAfter, "global": false},
				map[string]string{"Retry-After": strconv.Itoa(int(l.retryAfter + 1)), "X-RateLimit-Limit": "5",
					"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": ra, "X-RateLimit-Bucket": "fakebucket",
					"X-RateLimit-Scope": "user"}
		}
	}
	f.mu.Unlock()

	authed := call.Auth == "Bot "+f.token
	parts := strings.Split(path, "/")
	switch {
	case method == "GET" && path == "gateway":
		return 200, map[string]any{"url": f.gatewayURL()}, nil
	case method == "GET" && path == "gateway/bot":
		if !authed {
			return 401, apiError(0, "401: Unauthorized"), nil
		}
		return 200, map[string]any{"url": f.gatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}, nil
	case method == "GET" && path == "users/@me":
		if !authed {
			return 401, apiError(0, "401: Unauthorized"), nil
		}
		return 200, f.botUser(), nil
	case method == "PUT" && len(parts) >= 3 && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		if !authed {
			return 401, apiError(0, "401: Unauthorized"), nil
		}
		if parts[1] != f.appID || (len(parts) == 5 && (parts[2] != "guilds" || parts[3] != f.guildID)) || (len(parts) != 3 && len(parts) != 5) {
			return 403, apiError(50001, "Missing Access"), nil
		}
		cmds, ok := call.JSON.([]any)
		if !ok {
			return 400, apiError(50035, "Invalid Form Body"), nil
		}
		out := []any{}
		for _, c := range cmds {
			m, ok := c.(map[string]any)
			if !ok || m["name"] == nil {
				return 400, apiError(50035, "Invalid Form Body"), nil
			}
			m["id"], m["application_id"], m["version"] = f.id(), f.appID, f.id()
			out = append(out, m)
		}
		return 200, out, nil
	case method == "POST" && len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback":
		return f.callback(parts[1], parts[2], call)
	case method == "PATCH" && len(parts) == 5 && parts[0] == "webhooks" && parts[3] == "messages":
		if parts[1] != f.appID {
			return 404, apiError(10015, "Unknown Webhook"), nil
		}
		if err := messageLimits(call.JSON); err != nil {
			return 400, apiError(50035, "Invalid Form Body: "+err.Error()), nil
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		in := f.interactions[parts[2]]
		if in == nil || !in.acked {
			return 404, apiError(10015, "Unknown Webhook"), nil
		}
		in.edits++
		body, _ := call.JSON.(map[string]any)
		for _, k := range []string{"content", "embeds"} {
			if v, ok := body[k]; ok {
				in.original[k] = v
			}
		}
		in.original["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
		return 200, in.original, nil
	case method == "POST" && len(parts) == 3 && parts[0] == "webhooks":
		if parts[1] != f.appID {
			return 404, apiError(10015, "Unknown Webhook"), nil
		}
		if err := messageLimits(call.JSON); err != nil {
			return 400, apiError(50035, "Invalid Form Body: "+err.Error()), nil
		}
		return 200, f.messageFrom(call, ""), nil
	case method == "POST" && len(parts) == 3 && parts[0] == "channels" && parts[2] == "messages":
		if !authed {
			return 401, apiError(0, "401: Unauthorized"), nil
		}
		m, ok := call.JSON.(map[string]any)
		if !ok || (str(m["content"]) == "" && len(list(m["embeds"])) == 0) {
			return 400, apiError(50006, "Cannot send an empty message"), nil
		}
		if err := messageLimits(m); err != nil {
			return 400, apiError(50035, "Invalid Form Body: "+err.Error()), nil
		}
		if int(num(m["flags"]))&64 != 0 {
			return 400, apiError(50035, "Invalid Form Body: flags: EPHEMERAL is for interaction responses"), nil
		}
		return 200, f.messageFrom(call, parts[1]), nil
	}
	return 404, apiError(0, "404: Not Found"), nil
}

// callback handles POST interactions/{id}/{token}/callback.
func (f *fakeDiscord) callback(id, token string, call restCall) (int, any, map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := f.interactions[token]
	switch {
	case in == nil || in.id != id:
		return 404, apiError(10062, "Unknown interaction"), nil
	case in.acked:
		return 400, apiError(40060, "Interaction has already been acknowledged."), nil
	}
	m, ok := call.JSON.(map[string]any)
	if !ok {
		return 400, apiError(50035, "Invalid Form Body"), nil
	}
	switch num(m["type"]) {
	case 4:
		d, _ := m["data"].(map[string]any)
		if str(d["content"]) == "" && len(list(d["embeds"])) == 0 {
			return 400, apiError(50006, "Cannot send an empty message"), nil
		}
		if err := messageLimits(d); err != nil {
			return 400, apiError(50035, "Invalid Form Body: "+err.Error()), nil
		}
	case 5:
	case 6, 7: // DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE: for component interactions only
		if in.kind != 3 {
			return 400, apiError(50035, "Invalid Form Body: interaction response type not valid for this interaction"), nil
		}
		if err := messageLimits(m["data"]); err != nil {
			return 400, apiError(50035, "Invalid Form Body: "+err.Error()), nil
		}
	default:
		return 400, apiError(50035, "Invalid Form Body"), nil
	}
	in.acked = true
	// The response is a message of the bot's, which a user can reply to;
	// it names its interaction in interaction_metadata.
	d, _ := m["data"].(map[string]any)
	f.nextID++
	in.original = f.botMessageLocked(strconv.FormatInt(f.nextID, 10), d, in.channel)
	in.original["type"] = 20 // CHAT_INPUT_COMMAND
	in.original["interaction_metadata"] = map[string]any{"id": in.id, "type": 2, "user": in.user,
		"authorizing_integration_owners": map[string]any{"0": f.guildID}}
	return http.StatusNoContent, nil, nil
}

// messageLimits checks a message body (content and embeds) against
// Discord's limits, counted in characters as Discord counts them.
func messageLimits(body any) error {
	n := func(path ...string) int { return utf8.RuneCountInString(str(get(body, path...))) }
	// The flags a message may be sent with: SUPPRESS_EMBEDS (4), EPHEMERAL
	// (64, interaction responses only) and SUPPRESS_NOTIFICATIONS (4096).
	if fl := int(num(get(body, "flags"))); fl&^(4|64|4096) != 0 {
		return fmt.Errorf("flags: %d holds flags a message cannot be sent with", fl)
	}
	if c := n("content"); c > 2000 {
		return fmt.Errorf("content: %d characters; at most 2000", c)
	}
	embeds := list(get(body, "embeds"))
	if len(embeds) > 10 {
		return fmt.Errorf("%d embeds; at most 10", len(embeds))
	}
	total := 0
	for i := range embeds {
		e := strconv.Itoa(i)
		title, desc, footer := n("embeds", e, "title"), n("embeds", e, "description"), n("embeds", e, "footer", "text")
		if title > 256 || desc > 4096 || footer > 2048 {
			return fmt.Errorf("embed %d: title %d, description %d, footer %d characters", i, title, desc, footer)
		}
		fields := list(get(body, "embeds", e, "fields"))
		if len(fields) > 25 {
			return fmt.Errorf("embed %d: %d fields; at most 25", i, len(fields))
		}
		total += title + desc + footer
		for j := range fields {
			name, value := n("embeds", e, "fields", strconv.Itoa(j), "name"), n("embeds", e, "fields", strconv.Itoa(j), "value")
			if name == 0 || name > 256 || value == 0 || value > 1024 {
				return fmt.Errorf("embed %d field %d: name %d, value %d characters", i, j, name, value)
			}
			total += name + value
		}
	}
	if total > 6000 {
		return fmt.Errorf("embeds: %d characters in all; at most 6000", total)
	}
	return checkComponents(get(body, "components"))
}

// checkComponents checks a message's components as Discord does for
// (non-V2) messages: at most 5 action rows (type 1) at the top, each with
// 1–5 buttons (type 2); a button has a style 1–5, a label or an emoji, and
// a custom_id of 1–100 characters, unique in the message (a link button,
// style 5, has a url instead). Null or absent means none.
func checkComponents(v any) error {
	if v == nil {
		return nil
	}
	rows, ok := v.([]any)
	if !ok || len(rows) > 5 {
		return errors.New("components: not a list of at most 5 action rows")
	}
	ids := map[string]bool{}
	for i, row := range rows {
		if num(get(row, "type")) != 1 {
			return fmt.Errorf("components.%d: top-level components must be action rows (type 1)", i)
		}
		buttons := list(get(row, "components"))
		if len(buttons) == 0 || len(buttons) > 5 {
			return fmt.Errorf("components.%d: an action row holds 1 to 5 components", i)
		}
		for j, b := range buttons {
			where := fmt.Sprintf("components.%d.components.%d", i, j)
			style := num(get(b, "style"))
			id := str(get(b, "custom_id"))
			switch {
			case num(get(b, "type")) != 2:
				return fmt.Errorf("%s: only buttons (type 2) are expected here", where)
			case style < 1 || style > 5:
				return fmt.Errorf("%s: style %v", where, style)
			case str(get(b, "label")) == "" && str(get(b, "emoji", "name")) == "" && str(get(b, "emoji", "id")) == "":
				return fmt.Errorf("%s: a button needs a label or an emoji", where)
			case style == 5 && (str(get(b, "url")) == "" || id != ""):
				return fmt.Errorf("%s: a link button has a url and no custom_id", where)
			case style != 5 && (id == "" || utf8.RuneCountInString(id) > 100):
				return fmt.Errorf("%s: custom_id must be 1 to 100 characters", where)
			case style != 5 && ids[id]:
				return fmt.Errorf("%s: custom_id %q is not unique", where, id)
			}
			ids[id] = true
		}
	}
	return nil
}

func (f *fakeDiscord) botUser() map[string]any {
	return map[string]any{"id": f.botID, "username": "corpusbot", "discriminator": "0", "global_name": nil,
		"avatar": nil, "bot": true, "verified": true, "flags": 0, "mfa_enabled": false}
}

// messageFrom is the message object Discord returns for a sent message.
func (f *fakeDiscord) messageFrom(call restCall, channel string) map[string]any {
	m, _ := call.JSON.(map[string]any)
	id := f.id()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.botMessageLocked(id, m, channel)
}

// botMessageLocked makes the message object of a message the bot sent with
// body m, and records it in f.sent; f.mu must be held.
func (f *fakeDiscord) botMessageLocked(id string, m map[string]any, channel string) map[string]any {
	out := map[string]any{"id": id, "type": 0, "channel_id": channel, "author": f.botUser(),
		"content": str(m["content"]), "embeds": list(m["embeds"]), "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"edited_timestamp": nil, "mentions": []any{}, "mention_roles": []any{}, "attachments": []any{},
		"tts": false, "mention_everyone": false, "pinned": false, "flags": int(num(m["flags"]))}
	if c := list(m["components"]); len(c) > 0 {
		out["components"] = c
	}
	if ref, ok := m["message_reference"].(map[string]any); ok {
		out["type"] = 19
		out["message_reference"] = ref
	}
	f.sent[id] = out
	return out
}

// clone copies a message object one level deep, so that its reader does
// not race with its editor.
func clone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- gateway ----

var upgrader = websocket.Upgrader{}

func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); q.Get("v") != "9" || q.Get("encoding") != "json" {
		http.Error(w, "want ?v=9&encoding=json", http.StatusBadRequest)
		return
	}
	if f.dropped(w, gatewayConnection, nil) {
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeConn{ws: ws}
	defer ws.Close()
	c.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": f.heartbeatMS}, "s": nil, "t": nil})
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			f.mu.Lock()
			if errors.As(err, &ce) {
				f.closes = append(f.closes, ce.Code)
				// Closing with 1000 or 1001 ends the session for good.
				if (ce.Code == 1000 || ce.Code == 1001) && f.conn == c && f.session != nil {
					f.session.resumable = false
				}
			}
			if f.conn == c {
				f.conn = nil
			}
			f.bump()
			f.mu.Unlock()
			return
		}
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			c.close(4002, "Error while decoding payload.")
			return
		}
		var d map[string]any
		json.Unmarshal(p.D, &d)
		var seq float64
		if p.Op == 1 {
			json.Unmarshal(p.D, &seq)
		}
		f.mu.Lock()
		f.ops = append(f.ops, gatewayOp{Op: p.Op, D: d, Seq: seq})
		f.bump()
		f.mu.Unlock()
		switch p.Op {
		case 1: // HEARTBEAT
			c.send(map[string]any{"op": 11, "d": nil, "s": nil, "t": nil})
		case 2: // IDENTIFY
			if !f.identify(c, d) {
				return
			}
		case 6: // RESUME
			f.resume(c, d)
		}
	}
}

// Privileged intents: GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT.
const privilegedIntents = 1<<1 | 1<<8 | 1<<15

func (f *fakeDiscord) identify(c *fakeConn, d map[string]any) bool {
	if tok := str(d["token"]); tok != "Bot "+f.token && tok != f.token {
		c.close(4004, "Authentication failed.")
		return false
	}
	if f.identifyClose != 0 {
		c.close(f.identifyClose, "Refused by the test.")
		return false
	}
	if int(num(d["intents"]))&privilegedIntents != 0 && !f.allowPrivileged {
		c.close(4014, "Disallowed intent(s).")
		return false
	}
	f.mu.Lock()
	f.nextID++
	s := &fakeSession{id: fmt.Sprintf("session-%d", f.nextID), resumable: true}
	f.session = s
	f.mu.Unlock()
	f.dispatchOn(c, s, "READY", map[string]any{
		"v": 9, "user": f.botUser(), "session_id": s.id, "resume_gateway_url": f.gatewayURL(),
		"session_type": "normal", "guilds": []any{map[string]any{"id": f.guildID, "unavailable": true}},
		"private_channels": []any{}, "application": map[string]any{"id": f.appID, "flags": 0},
		"_trace": []any{"fake-gateway"},
	}, true)
	f.dispatchOn(c, s, "GUILD_CREATE", map[string]any{"id": f.guildID, "name": "Newsroom", "unavailable": false,
		"member_count": 3, "channels": []any{}, "members": []any{}, "roles": []any{}, "threads": []any{},
		"voice_states": []any{}, "presences": []any{}, "emojis": []any{}, "stickers": []any{}}, false)
	return true
}

func (f *fakeDiscord) resume(c *fakeConn, d map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.session
	ok := s != nil && s.resumable && str(d["session_id"]) == s.id &&
		(str(d["token"]) == "Bot "+f.token || str(d["token"]) == f.token)
	from := int64(num(d["seq"]))
	if !ok || from < 0 || from > s.seq {
		c.send(map[string]any{"op": 9, "d": false, "s": nil, "t": nil})
		return
	}
	// Under f.mu, so that no dispatch falls between the replay and the
	// connection becoming live.
	for _, ev := range s.events[from:] {
		c.sendRaw(ev)
	}
	f.dispatchLocked(c, s, "RESUMED", map[string]any{"_trace": []any{"fake-gateway"}}, true)
}

// dispatchOn sends a dispatch (op 0) of session s on c, with the session's
// next sequence number. A handshake (READY, RESUMED) makes c the live
// connection.
func (f *fakeDiscord) dispatchOn(c *fakeConn, s *fakeSession, typ string, d any, handshake bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dispatchLocked(c, s, typ, d, handshake)
}

// dispatchLocked is dispatchOn with f.mu held. Sending under f.mu keeps
// the order on the wire the order of the sequence numbers, and makes a
// handshake's connection live before any later dispatch looks for it (else
// an event dispatched as soon as the bot has read READY would wait for a
// RESUME that never comes).
func (f *fakeDiscord) dispatchLocked(c *fakeConn, s *fakeSession, typ string, d any, handshake bool) {
	s.seq++
	raw, _ := json.Marshal(map[string]any{"op": 0, "s": s.seq, "t": typ, "d": d})
	s.events = append(s.events, raw)
	c.sendRaw(raw)
	if handshake {
		f.conn = c
		f.handshakes++
		f.bump()
	}
}

// dispatch sends an event to the bot on the live connection; if there is
// none, the event waits in the session for a RESUME to replay it.
func (f *fakeDiscord) dispatch(t testing.TB, typ string, d any) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	s, c := f.session, f.conn
	if s == nil {
		t.Fatal("fake discord: dispatch before IDENTIFY")
	}
	s.seq++
	raw, err := json.Marshal(map[string]any{"op": 0, "s": s.seq, "t": typ, "d": d})
	if err != nil {
		t.Fatal(err)
	}
	s.events = append(s.events, raw)
	if c != nil {
		c.sendRaw(raw) // under f.mu: see dispatchLocked
	}
}

// sendOp sends a bare opcode (7 RECONNECT, 9 INVALID_SESSION, …) on the live
// connection.
func (f *fakeDiscord) sendOp(t testing.TB, op int, d any) {
	t.Helper()
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	if c == nil {
		t.Fatal("fake discord: no live connection")
	}
	c.send(map[string]any{"op": op, "d": d, "s": nil, "t": nil})
}

// closeLive closes the live connection with a close code, as Discord does on
// errors (4000 unknown error, 4009 session timed out, …).
func (f *fakeDiscord) closeLive(t testing.TB, code int, text string) {
	t.Helper()
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.bump()
	f.mu.Unlock()
	if c == nil {
		t.Fatal("fake discord: no live connection")
	}
	c.close(code, text)
}

func (c *fakeConn) send(v any) {
	raw, _ := json.Marshal(v)
	c.sendRaw(raw)
}

func (c *fakeConn) sendRaw(raw []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	c.ws.WriteMessage(websocket.TextMessage, raw) // a dead connection is the bot's to notice
}

func (c *fakeConn) close(code int, text string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(5*time.Second))
	c.ws.Close()
}

// ---- payloads ----

// A user of the fake guild.
type fakeUser struct {
	ID, Name string
	Roles    []string
	Bot      bool
}

func (u fakeUser) object() map[string]any {
	m := map[string]any{"id": u.ID, "username": u.Name, "discriminator": "0", "global_name": u.Name,
		"avatar": nil, "public_flags": 0}
	if u.Bot {
		m["bot"] = true
	}
	return m
}

func (u fakeUser) member(withUser bool) map[string]any {
	roles := []any{}
	for _, r := range u.Roles {
		roles = append(roles, r)
	}
	m := map[string]any{"roles": roles, "joined_at": "2025-03-01T10:00:00.000000+00:00", "nick": nil,
		"avatar": nil, "deaf": false, "mute": false, "flags": 0, "pending": false, "premium_since": nil,
		"communication_disabled_until": nil}
	if withUser {
		m["user"] = u.object()
		m["permissions"] = "2248473465835073"
	}
	return m
}

// slashCommand builds an APPLICATION_COMMAND interaction (type 2) and lets
// the fake accept its callback. In a guild it carries member (with roles);
// in a DM, user.
func (f *fakeDiscord) slashCommand(name string, options []map[string]any, u fakeUser, inGuild bool) map[string]any {
	id, token := f.id(), "aW50ZXJhY3Rpb246"+f.id()+":Zm9vYmFy_tok-"+strconv.Itoa(len(name))
	f.mu.Lock()
	f.interactions[token] = &fakeInteraction{id: id, kind: 2, user: u.object()}
	f.mu.Unlock()
	opts := []any{}
	for _, o := range options {
		opts = append(opts, o)
	}
	in := map[string]any{
		"id": id, "application_id": f.appID, "type": 2, "token": token, "version": 1,
		"data":   map[string]any{"id": "1100000000000000001", "name": name, "type": 1, "options": opts},
		"locale": "en-US", "app_permissions": "2248473465835073", "entitlements": []any{},
	}
	defer func() {
		f.mu.Lock()
		f.interactions[token].channel = str(in["channel_id"])
		f.mu.Unlock()
	}()
	if inGuild {
		ch := "700000000000000001"
		in["guild_id"], in["channel_id"], in["guild_locale"] = f.guildID, ch, "en-US"
		in["channel"] = map[string]any{"id": ch, "type": 0, "guild_id": f.guildID, "name": "general"}
		in["member"] = u.member(true)
		in["context"] = 0
		in["authorizing_integration_owners"] = map[string]any{"0": f.guildID}
	} else {
		ch := "710000000000000001"
		in["channel_id"] = ch
		in["channel"] = map[string]any{"id": ch, "type": 1, "recipients": []any{u.object()}}
		in["user"] = u.object()
		in["context"] = 1
		in["authorizing_integration_owners"] = map[string]any{"0": "0"}
	}
	return in
}

// buttonPress builds a MESSAGE_COMPONENT interaction (type 3): user u
// pressed the button with customID on message msg (a message object the
// bot sent), and lets the fake accept its callback. Discord relays the
// custom_id the client sends; tests forge it.
func (f *fakeDiscord) buttonPress(customID string, msg map[string]any, u fakeUser, inGuild bool) map[string]any {
	id, token := f.id(), "aW50ZXJhY3Rpb246"+f.id()+":YnV0dG9u_tok"
	f.mu.Lock()
	f.interactions[token] = &fakeInteraction{id: id, kind: 3}
	f.mu.Unlock()
	in := map[string]any{
		"id": id, "application_id": f.appID, "type": 3, "token": token, "version": 1,
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
		"message": msg, "locale": "en-US", "app_permissions": "2248473465835073", "entitlements": []any{},
	}
	if inGuild {
		ch := "700000000000000001"
		in["guild_id"], in["channel_id"], in["guild_locale"] = f.guildID, ch, "en-US"
		in["channel"] = map[string]any{"id": ch, "type": 0, "guild_id": f.guildID, "name": "general"}
		in["member"] = u.member(true)
		in["context"] = 0
	} else {
		ch := "710000000000000001"
		in["channel_id"] = ch
		in["channel"] = map[string]any{"id": ch, "type": 1, "recipients": []any{u.object()}}
		in["user"] = u.object()
		in["context"] = 1
	}
	return in
}

func stringOpt(name, v string) map[string]any {
	return map[string]any{"name": name, "type": 3, "value": v}
}

func boolOpt(name string, v bool) map[string]any {
	return map[string]any{"name": name, "type": 5, "value": v}
}

// message builds a MESSAGE_CREATE payload. In a guild it carries guild_id
// and a partial member; mentionBot puts the bot in mentions and prefixes the
// content with <@bot>.
func (f *fakeDiscord) message(content string, u fakeUser, inGuild, mentionBot bool) map[string]any {
	m := map[string]any{
		"id": f.id(), "type": 0, "content": content, "author": u.object(),
		"timestamp": "2026-11-24T19:00:00.000000+00:00", "edited_timestamp": nil, "tts": false,
		"mention_everyone": false, "mentions": []any{}, "mention_roles": []any{}, "attachments": []any{},
		"embeds": []any{}, "pinned": false, "flags": 0, "components": []any{}, "nonce": f.id(),
	}
	if inGuild {
		m["channel_id"], m["guild_id"] = "700000000000000001", f.guildID
		m["member"] = u.member(false)
	} else {
		m["channel_id"] = "710000000000000001"
	}
	if mentionBot {
		bot := f.botUser()
		bot["member"] = fakeUser{}.member(false)
		m["mentions"] = []any{bot}
		m["content"] = "<@" + f.botID + "> " + content
	}
	return m
}

// reply builds a MESSAGE_CREATE payload of a message reply (type 19) from
// u to the message to, as Discord sends it: message_reference names to,
// referenced_message holds it, and when ping is set (the client's default,
// "@ON") to's author is among the mentions, though the content does not
// mention it. Without the ping the bot is not mentioned, and Discord sends
// the content empty to a bot without the MESSAGE_CONTENT intent, as this
// one identifies.
func (f *fakeDiscord) reply(content string, u fakeUser, to map[string]any, ping bool) map[string]any {
	inGuild := str(to["channel_id"]) != "710000000000000001"
	m := f.message(content, u, inGuild, false)
	m["type"] = 19
	ref := map[string]any{"type": 0, "message_id": to["id"], "channel_id": m["channel_id"]}
	if inGuild {
		ref["guild_id"] = f.guildID
	}
	m["message_reference"] = ref
	m["referenced_message"] = to
	author, _ := to["author"].(map[string]any)
	switch {
	case ping:
		m["mentions"] = []any{author}
	case inGuild && str(author["id"]) == f.botID:
		m["content"] = ""
	}
	return m
}

// ---- JSON helpers ----

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) float64 {
	n, _ := v.(float64)
	return n
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// get walks a decoded JSON value along keys and indices ("0", "1", …).
func get(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
