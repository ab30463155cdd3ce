package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// fakeAPI is a Bot API server for tests, on 127.0.0.1. It speaks the Bot
// API's JSON (ok/result, error_code/description/parameters), long-polls
// getUpdates with offsets, checks sendMessage the way Telegram does (chat,
// text, reply, HTML entities, length), and records every call. Faults can
// be scripted per method: an error answer, or a dropped connection.
type fakeAPI struct {
	t     testing.TB
	srv   *httptest.Server
	token string
	me    tgUser

	mu        sync.Mutex              // guards the fields below
	calls     []fakeCall              // every call, in arrival order
	updates   []fakeUpdate            // not yet confirmed by an offset
	nextID    int                     // the next update_id
	msgIDs    map[int64]int           // the last message id per chat
	messages  map[int64]map[int]bool  // message ids per chat
	chats     map[int64]tgChat        // chats seen in updates
	faults    map[string][]fakeFault  // scripted answers per method, consumed in order
	sending   int                     // sendMessage calls being served now
	maxSend   int                     // the most sendMessage calls served at once
	changed   chan struct{}           // closed and replaced on every change
	allowed   []string                // allowed_updates of the last getUpdates that set them
	anyKind   bool                    // deliver every kind of update, whatever allowed_updates says
	sendHook  func(p url.Values)      // called with each sendMessage's parameters before it is answered
	webhook   url.Values              // the last setWebhook parameters
	sentTexts map[int64][]fakeMessage // messages the bot sent, per chat
	queries   map[string]*fakeQuery   // callback queries sent to the bot, by id
	nextQuery int                     // the next callback query id
	files     map[string]*fakeFile    // documents users sent, by file_id (fake_documents_test.go)
}

// A fakeQuery is a callback query sent to the bot, and its answer.
type fakeQuery struct {
	answered bool
	text     string // answerCallbackQuery's text
}

// A fakeCall is one request the bot made.
type fakeCall struct {
	Method string
	Params url.Values
	Status int // HTTP status answered; 0 for a dropped connection
	At     time.Time
}

// A fakeFault is a scripted answer: an error or a dropped connection.
type fakeFault struct {
	status     int
	desc       string
	retryAfter int
	drop       bool
}

type fakeUpdate struct {
	id   int
	kind string // "message", "edited_message", ...: the update's field
	raw  []byte // the whole update object
}

type fakeMessage struct {
	ID        int
	Text      string
	ParseMode string
	Markup    *tgMarkup // reply_markup, when the message has an inline keyboard
	Links     []string  // the href of each <a> of an HTML text, as Telegram reads it: a text_link entity's url
}

// Telegram's objects, as the wire has them.
type (
	tgUser struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		Username  string `json:"username,omitempty"`
	}
	tgChat struct {
		ID        int64  `json:"id"`
		Type      string `json:"type"`
		Title     string `json:"title,omitempty"`
		FirstName string `json:"first_name,omitempty"`
	}
	tgEntity struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	}
	tgMessage struct {
		MessageID int         `json:"message_id"`
		From      *tgUser     `json:"from,omitempty"`
		Date      int64       `json:"date"`
		Chat      tgChat      `json:"chat"`
		Text      string      `json:"text,omitempty"`
		Entities  []tgEntity  `json:"entities,omitempty"`
		ReplyTo   *tgMessage  `json:"reply_to_message,omitempty"`
		Sticker   interface{} `json:"sticker,omitempty"`
		Photo     interface{} `json:"photo,omitempty"`
		Caption   string      `json:"caption,omitempty"`
		Markup    *tgMarkup   `json:"reply_markup,omitempty"`

		// Documents: the caption is the text of a message with a file.
		CaptionEntities []tgEntity  `json:"caption_entities,omitempty"`
		Document        *tgDocument `json:"document,omitempty"`
	}
	// tgMarkup is an InlineKeyboardMarkup.
	tgMarkup struct {
		InlineKeyboard [][]tgButton `json:"inline_keyboard"`
	}
	// tgButton is an InlineKeyboardButton; exactly one optional field is set.
	tgButton struct {
		Text         string  `json:"text"`
		CallbackData *string `json:"callback_data,omitempty"`
		URL          *string `json:"url,omitempty"`
	}
	// tgCallbackQuery is a CallbackQuery.
	tgCallbackQuery struct {
		ID           string     `json:"id"`
		From         tgUser     `json:"from"`
		Message      *tgMessage `json:"message,omitempty"`
		ChatInstance string     `json:"chat_instance"`
		Data         string     `json:"data,omitempty"`
	}
)

const (
	testToken    = "123456789:AAHtestSECRETtoken_value-0123456789"
	testBotID    = 987654321
	testBotName  = "ThisBot"
	fakeWaitFail = 30 * time.Second // a safety net for waits that should end far sooner
)

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{
		t:         t,
		token:     testToken,
		me:        tgUser{ID: testBotID, IsBot: true, FirstName: "Corpus", Username: testBotName},
		nextID:    1000,
		msgIDs:    map[int64]int{},
		messages:  map[int64]map[int]bool{},
		chats:     map[int64]tgChat{},
		faults:    map[string][]fakeFault{},
		changed:   make(chan struct{}),
		sentTexts: map[int64][]fakeMessage{},
		queries:   map[string]*fakeQuery{},
		nextQuery: 4400000000000000001,
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Listener = ln
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base URL to give the adapter as APIURL.
func (f *fakeAPI) URL() string { return f.srv.URL }

// notifyLocked wakes every waiter; f.mu must be held.
func (f *fakeAPI) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// fail scripts the next calls of method to fail with faults, in order.
func (f *fakeAPI) fail(method string, faults ...fakeFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], faults...)
}

// errFault is Telegram's error answer with the given code and description.
func errFault(status int, desc string) fakeFault { return fakeFault{status: status, desc: desc} }

// floodFault is a 429 asking to retry after n seconds.
func floodFault(n int) fakeFault {
	return fakeFault{status: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", n), retryAfter: n}
}

// dropFault closes the connection without an answer.
func dropFault() fakeFault { return fakeFault{drop: true} }

// pushRaw queues an update of the given kind whose body (the JSON object
// under kind) is raw, and returns its update_id.
func (f *fakeAPI) pushRaw(kind string, raw []byte) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pushLocked(kind, raw)
}

func (f *fakeAPI) pushLocked(kind string, body []byte) int {
	id := f.nextID
	f.nextID++
	f.updates = append(f.updates, fakeUpdate{id: id, kind: kind, raw: updateJSON(id, kind, body)})
	f.notifyLocked()
	return id
}

// updateJSON is the update object {"update_id": id, kind: body}.
func updateJSON(id int, kind string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"update_id":%d,%q:`, id, kind)
	b.Write(body)
	b.WriteByte('}')
	return b.Bytes()
}

// A sendOpt adjusts a message a user sends.
type sendOpt func(*tgMessage)

// replyTo makes the message a reply to message id of the same chat, sent
// by from (nil: the bot).
func replyTo(id int, from *tgUser) sendOpt {
	return func(m *tgMessage) {
		if from == nil {
			u := tgUser{ID: testBotID, IsBot: true, FirstName: "Corpus", Username: testBotName}
			from = &u
		}
		m.ReplyTo = &tgMessage{MessageID: id, From: from, Chat: m.Chat, Date: m.Date, Text: "earlier"}
	}
}

// noEntities sends the text without the entities Telegram would add.
func noEntities() sendOpt { return func(m *tgMessage) { m.Entities = nil } }

// say queues a message from user in chat, with the bot_command entity
// Telegram would mark, and returns its message id.
func (f *fakeAPI) say(chat tgChat, from tgUser, text string, opts ...sendOpt) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, body := f.composeLocked(chat, from, text, opts...)
	f.pushLocked("message", body)
	return id
}

// compose makes a message from user in chat, as say does, without queueing
// it: for the webhook, which the test posts to itself. It returns the
// message id and the message object.
func (f *fakeAPI) compose(chat tgChat, from tgUser, text string, opts ...sendOpt) (int, []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.composeLocked(chat, from, text, opts...)
}

func (f *fakeAPI) composeLocked(chat tgChat, from tgUser, text string, opts ...sendOpt) (int, []byte) {
	m := f.newMessageLocked(chat, from)
	m.Text = text
	m.Entities = commandEntities(text)
	for _, o := range opts {
		o(&m)
	}
	body, err := json.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	return m.MessageID, body
}

// sayKind queues an update of kind (message, edited_message, channel_post)
// holding m, completed with an id, date and sender, and returns its message id.
func (f *fakeAPI) sayKind(kind string, chat tgChat, from *tgUser, edit func(*tgMessage)) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var m tgMessage
	if from != nil {
		m = f.newMessageLocked(chat, *from)
	} else {
		m = f.newMessageLocked(chat, tgUser{})
		m.From = nil
	}
	edit(&m)
	body, err := json.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	f.pushLocked(kind, body)
	return m.MessageID
}

func (f *fakeAPI) newMessageLocked(chat tgChat, from tgUser) tgMessage {
	f.chats[chat.ID] = chat
	f.msgIDs[chat.ID]++
	id := f.msgIDs[chat.ID]
	if f.messages[chat.ID] == nil {
		f.messages[chat.ID] = map[int]bool{}
	}
	f.messages[chat.ID][id] = true
	return tgMessage{MessageID: id, From: &from, Date: time.Now().Unix(), Chat: chat}
}

var commandRE = regexp.MustCompile(`^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?`)

// commandEntities marks a command that opens text, as Telegram does, with
// offsets and lengths in UTF-16 code units.
func commandEntities(text string) []tgEntity {
	m := commandRE.FindString(text)
	if m == "" {
		return nil
	}
	if rest := text[len(m):]; rest != "" && !strings.ContainsAny(rest[:1], " \n\t") {
		return nil
	}
	return []tgEntity{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(m)))}}
}

// callsOf returns the recorded calls of method (all calls when "").
func (f *fakeAPI) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitFor blocks until cond, checked under f.mu after every change, holds.
func (f *fakeAPI) waitFor(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.NewTimer(fakeWaitFail)
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
			f.t.Fatalf("gave up waiting for %s; calls so far: %s", what, f.summary())
		}
	}
}

// waitReply waits for the bot's answered sendMessage replying to message
// id in chat, and returns its parameters.
func (f *fakeAPI) waitReply(chat int64, id int) url.Values {
	f.t.Helper()
	var got url.Values
	f.waitFor(fmt.Sprintf("a reply to message %d in chat %d", id, chat), func() bool {
		for _, c := range f.calls {
			if c.Method == "sendMessage" && c.Status == 200 && c.Params.Get("chat_id") == strconv.FormatInt(chat, 10) &&
				c.Params.Get("reply_to_message_id") == strconv.Itoa(id) {
				got = c.Params
				return true
			}
		}
		return false
	})
	return got
}

// sentTo returns the sendMessage calls answered 200 for chat.
func (f *fakeAPI) sentTo(chat int64) []url.Values {
	var out []url.Values
	for _, c := range f.callsOf("sendMessage") {
		if c.Status == 200 && c.Params.Get("chat_id") == strconv.FormatInt(chat, 10) {
			out = append(out, c.Params)
		}
	}
	return out
}

func (f *fakeAPI) summary() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	counts := map[string]int{}
	for _, c := range f.calls {
		counts[fmt.Sprintf("%s %d", c.Method, c.Status)]++
	}
	fmt.Fprintf(&b, "%v; pending updates %d; the last calls:", counts, len(f.updates))
	for _, c := range f.calls[max(0, len(f.calls)-10):] {
		fmt.Fprintf(&b, "\n  %s %d %.300v", c.Method, c.Status, c.Params)
	}
	return b.String()
}

// serve answers one Bot API request: POST or GET /bot{token}/{method}.
func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/bot") {
		f.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" {
		writeAPI(w, 404, apiError(404, "Not Found", 0))
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeAPI(w, 400, apiError(400, "Bad Request: "+err.Error(), 0))
		return
	}
	if token != f.token {
		f.record(method, params, 401)
		writeAPI(w, 401, apiError(401, "Unauthorized", 0))
		return
	}
	f.mu.Lock()
	var fault *fakeFault
	if q := f.faults[method]; len(q) > 0 {
		fault = &q[0]
		f.faults[method] = q[1:]
	}
	f.mu.Unlock()
	if fault != nil {
		if fault.drop {
			f.record(method, params, 0)
			hj, ok := w.(http.Hijacker)
			if !ok {
				f.t.Error("fake: cannot hijack the connection")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		f.record(method, params, fault.status)
		writeAPI(w, fault.status, apiError(fault.status, fault.desc, fault.retryAfter))
		return
	}
	switch method {
	case "getMe":
		f.answer(w, method, params, f.me)
	case "deleteWebhook":
		f.mu.Lock()
		f.webhook = nil
		f.mu.Unlock()
		f.answerDesc(w, method, params, true, "Webhook is already deleted")
	case "setWebhook":
		f.setWebhook(w, params)
	case "getWebhookInfo":
		f.mu.Lock()
		hook := f.webhook.Get("url")
		f.mu.Unlock()
		f.answer(w, method, params, map[string]any{"url": hook, "has_custom_certificate": false, "pending_update_count": 0})
	case "setMyCommands":
		f.setMyCommands(w, params)
	case "getUpdates":
		f.getUpdates(w, r, params)
	case "sendMessage":
		f.sendMessage(w, params)
	case "answerCallbackQuery":
		f.answerCallbackQuery(w, params)
	case "getFile":
		f.getFile(w, params)
	default:
		f.record(method, params, 404)
		writeAPI(w, 404, apiError(404, "Not Found: method not found", 0))
	}
}

func (f *fakeAPI) record(method string, p url.Values, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{Method: method, Params: p, Status: status, At: time.Now()})
	f.notifyLocked()
}

func (f *fakeAPI) answer(w http.ResponseWriter, method string, p url.Values, result any) {
	f.answerDesc(w, method, p, result, "")
}

func (f *fakeAPI) answerDesc(w http.ResponseWriter, method string, p url.Values, result any, desc string) {
	body := map[string]any{"ok": true, "result": result}
	if desc != "" {
		body["description"] = desc
	}
	f.record(method, p, 200)
	writeAPI(w, 200, body)
}

func (f *fakeAPI) badRequest(w http.ResponseWriter, method string, p url.Values, desc string) {
	f.record(method, p, 400)
	writeAPI(w, 400, apiError(400, "Bad Request: "+desc, 0))
}

func apiError(code int, desc string, retryAfter int) map[string]any {
	e := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		e["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	return e
}

func writeAPI(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// readParams reads a request's parameters the ways the Bot API accepts
// them: query string, form-encoded or JSON body.
func readParams(r *http.Request) (url.Values, error) {
	p := r.URL.Query()
	if r.Method == http.MethodGet {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded", "":
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.PostForm {
			p[k] = v
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, err
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				p.Set(k, s)
			} else {
				p.Set(k, string(v))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v
		}
	default:
		return nil, fmt.Errorf("unsupported content type %q", ct)
	}
	return p, nil
}

var commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (f *fakeAPI) setMyCommands(w http.ResponseWriter, p url.Values) {
	var cmds []struct {
		Command     string `json:"command"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal([]byte(p.Get("commands")), &cmds); err != nil {
		f.badRequest(w, "setMyCommands", p, "can't parse commands JSON object")
		return
	}
	for _, c := range cmds {
		if !commandNameRE.MatchString(c.Command) {
			f.badRequest(w, "setMyCommands", p, "BOT_COMMAND_INVALID")
			return
		}
		if n := len([]rune(c.Description)); n < 3 || n > 256 {
			f.badRequest(w, "setMyCommands", p, "BOT_COMMAND_DESCRIPTION_INVALID")
			return
		}
	}
	f.answer(w, "setMyCommands", p, true)
}

func (f *fakeAPI) setWebhook(w http.ResponseWriter, p url.Values) {
	u, err := url.Parse(p.Get("url"))
	if err != nil || u.Host == "" {
		f.badRequest(w, "setWebhook", p, "bad webhook: invalid URL")
		return
	}
	f.mu.Lock()
	f.webhook = p
	f.mu.Unlock()
	f.answerDesc(w, "setWebhook", p, true, "Webhook was set")
}

// getUpdates confirms the updates below offset and returns up to limit
// later ones, waiting up to timeout seconds for one to arrive.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, p url.Values) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	f.mu.Lock()
	if f.webhook.Get("url") != "" {
		f.mu.Unlock()
		f.record("getUpdates", p, 409)
		writeAPI(w, 409, apiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0))
		return
	}
	if a := p.Get("allowed_updates"); a != "" {
		var kinds []string
		if err := json.Unmarshal([]byte(a), &kinds); err != nil {
			f.mu.Unlock()
			f.badRequest(w, "getUpdates", p, "can't parse allowed updates")
			return
		}
		f.allowed = kinds
	}
	if offset > 0 {
		f.updates = slices.DeleteFunc(f.updates, func(u fakeUpdate) bool { return u.id < offset })
	}
	f.calls = append(f.calls, fakeCall{Method: "getUpdates", Params: p, Status: 200, At: time.Now()})
	f.notifyLocked()
	f.mu.Unlock()

	wait := time.NewTimer(time.Duration(timeout) * time.Second)
	defer wait.Stop()
	for {
		f.mu.Lock()
		var batch [][]byte
		for _, u := range f.updates {
			if len(batch) == limit {
				break
			}
			if u.id >= offset && (f.anyKind || len(f.allowed) == 0 || slices.Contains(f.allowed, u.kind)) {
				batch = append(batch, u.raw)
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if len(batch) > 0 || timeout == 0 {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, bytes.Join(batch, []byte(",")))
			return
		}
		select {
		case <-ch:
		case <-wait.C:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

// sendMessage checks a message the way Telegram does and records it.
func (f *fakeAPI) sendMessage(w http.ResponseWriter, p url.Values) {
	f.mu.Lock()
	f.sending++
	f.maxSend = max(f.maxSend, f.sending)
	hook := f.sendHook
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.sending--
		f.mu.Unlock()
	}()
	if hook != nil {
		hook(p)
	}
	chatID, err := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	f.mu.Lock()
	chat, known := f.chats[chatID]
	f.mu.Unlock()
	if err != nil || !known {
		f.badRequest(w, "sendMessage", p, "chat not found")
		return
	}
	text := p.Get("text")
	if !utf8.ValidString(text) {
		f.badRequest(w, "sendMessage", p, "text must be encoded in UTF-8")
		return
	}
	plain := text
	switch mode := p.Get("parse_mode"); mode {
	case "":
	case "HTML":
		if plain, err = parseTelegramHTML(text); err != nil {
			f.badRequest(w, "sendMessage", p, "can't parse entities: "+err.Error())
			return
		}
	default:
		f.badRequest(w, "sendMessage", p, "unsupported parse_mode")
		return
	}
	switch n := len(utf16.Encode([]rune(strings.TrimSpace(plain)))); {
	case n == 0:
		f.badRequest(w, "sendMessage", p, "message text is empty")
		return
	case n > 4096:
		f.badRequest(w, "sendMessage", p, "message is too long")
		return
	}
	var markup *tgMarkup
	if raw := p.Get("reply_markup"); raw != "" {
		if markup, err = checkMarkup(raw); err != nil {
			f.badRequest(w, "sendMessage", p, err.Error())
			return
		}
	}
	f.mu.Lock()
	replyID, _ := strconv.Atoi(p.Get("reply_to_message_id"))
	if replyID != 0 && !f.messages[chatID][replyID] && p.Get("allow_sending_without_reply") != "true" {
		f.mu.Unlock()
		f.badRequest(w, "sendMessage", p, "replied message not found")
		return
	}
	f.msgIDs[chatID]++
	id := f.msgIDs[chatID]
	f.messages[chatID][id] = true
	var links []string
	if p.Get("parse_mode") == "HTML" {
		for _, m := range hrefRE.FindAllStringSubmatch(text, -1) {
			links = append(links, html.UnescapeString(m[1]))
		}
	}
	f.sentTexts[chatID] = append(f.sentTexts[chatID], fakeMessage{ID: id, Text: text, ParseMode: p.Get("parse_mode"), Links: links, Markup: markup})
	f.mu.Unlock()
	f.answer(w, "sendMessage", p, tgMessage{
		MessageID: id, From: &f.me, Date: time.Now().Unix(), Chat: chat, Text: plain, Markup: markup,
	})
}

// hrefRE finds the links of an HTML text: <a href="...">.
var hrefRE = regexp.MustCompile(`<a href="([^"]*)">`)

// parseTelegramHTML checks text as Telegram's HTML parse mode does, and
// returns its plain text. Tags: b strong i em u ins s strike del a code
// pre span tg-spoiler blockquote; entities: &lt; &gt; &amp; &quot; and
// numeric ones. Tags must nest.
func parseTelegramHTML(text string) (string, error) {
	allowed := map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
		"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true, "span": true,
		"tg-spoiler": true, "blockquote": true, "tg-emoji": true}
	var out strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch c := text[i]; c {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			tag = strings.TrimPrefix(tag, "/")
			name, _, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			if !allowed[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, last(open), name)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("character entity expected at byte offset %d", i)
			}
			ent := text[i+1 : i+end]
			switch {
			case ent == "lt":
				out.WriteByte('<')
			case ent == "gt":
				out.WriteByte('>')
			case ent == "amp":
				out.WriteByte('&')
			case ent == "quot":
				out.WriteByte('"')
			case strings.HasPrefix(ent, "#"):
				n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(ent, "#"), "x"), map[bool]int{true: 16, false: 10}[strings.HasPrefix(ent, "#x")], 32)
				if err != nil || n <= 0 {
					return "", fmt.Errorf("bad character entity at byte offset %d", i)
				}
				out.WriteRune(rune(n))
			default:
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", ent, i)
			}
			i += end + 1
		case '>':
			return "", fmt.Errorf("unexpected end of tag at byte offset %d", i)
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", last(open))
	}
	return out.String(), nil
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// waitChan receives from ch, with the safety net.
func waitChan[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(fakeWaitFail):
		t.Fatalf("gave up waiting for %s", what)
	}
	var zero T
	return zero
}

// checkMarkup checks reply_markup as Telegram does for an inline keyboard:
// JSON, rows of buttons, each with a text and exactly one action; a
// callback_data of 1–64 bytes.
func checkMarkup(raw string) (*tgMarkup, error) {
	var m tgMarkup
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.InlineKeyboard == nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			switch {
			case b.Text == "":
				return nil, fmt.Errorf("text buttons are unallowed in the inline keyboard")
			case (b.CallbackData == nil) == (b.URL == nil):
				return nil, fmt.Errorf("can't find field \"callback_data\" or \"url\"")
			case b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64):
				return nil, fmt.Errorf("BUTTON_DATA_INVALID")
			}
		}
	}
	return &m, nil
}

// press queues a callback query from user on the bot's message id in chat,
// carrying data, and returns the query's id. Telegram relays whatever data
// a client sends (MTProto clients can send any bytes), so data need not be
// a button's: tests forge it.
func (f *fakeAPI) press(chat tgChat, from tgUser, messageID int, data string) string {
	id, body := f.composeQuery(chat, from, messageID, data)
	f.pushRaw("callback_query", body)
	return id
}

// composeQuery makes the callback query press would queue, without queueing
// it (for the webhook), and returns its id and the CallbackQuery object.
func (f *fakeAPI) composeQuery(chat tgChat, from tgUser, messageID int, data string) (string, []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var msg *tgMessage
	for _, m := range f.sentTexts[chat.ID] {
		if m.ID == messageID {
			msg = &tgMessage{MessageID: m.ID, From: &f.me, Date: time.Now().Unix(), Chat: chat, Text: m.Text, Markup: m.Markup}
		}
	}
	if msg == nil {
		f.t.Fatalf("fake: press on message %d, which the bot did not send in chat %d", messageID, chat.ID)
	}
	id := strconv.Itoa(f.nextQuery)
	f.nextQuery++
	f.queries[id] = &fakeQuery{}
	body, err := json.Marshal(tgCallbackQuery{ID: id, From: from, Message: msg, ChatInstance: "-77" + strconv.FormatInt(chat.ID, 10), Data: data})
	if err != nil {
		f.t.Fatal(err)
	}
	return id, body
}

// lastSent returns the last message the bot sent in chat.
func (f *fakeAPI) lastSent(chat int64) fakeMessage {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	sent := f.sentTexts[chat]
	if len(sent) == 0 {
		f.t.Fatalf("fake: the bot sent nothing in chat %d", chat)
	}
	return sent[len(sent)-1]
}

// answerCallbackQuery answers a callback query once, with a text of at
// most 200 characters.
func (f *fakeAPI) answerCallbackQuery(w http.ResponseWriter, p url.Values) {
	f.mu.Lock()
	q := f.queries[p.Get("callback_query_id")]
	switch {
	case q == nil || q.answered:
		f.mu.Unlock()
		f.badRequest(w, "answerCallbackQuery", p, "query is too old and response timeout expired or query ID is invalid")
		return
	case utf8.RuneCountInString(p.Get("text")) > 200:
		f.mu.Unlock()
		f.badRequest(w, "answerCallbackQuery", p, "MESSAGE_TOO_LONG")
		return
	}
	q.answered, q.text = true, p.Get("text")
	f.mu.Unlock()
	f.answer(w, "answerCallbackQuery", p, true)
}

// waitAnswer waits for the answer to callback query id and returns its text.
func (f *fakeAPI) waitAnswer(id string) string {
	f.t.Helper()
	var text string
	f.waitFor("an answer to callback query "+id, func() bool {
		q := f.queries[id]
		if q != nil && q.answered {
			text = q.text
			return true
		}
		return false
	})
	return text
}
