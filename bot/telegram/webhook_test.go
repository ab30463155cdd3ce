package telegram

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
)

// webhookSecret is the secret_token of the webhook tests.
const webhookSecret = "hook_SECRET-0123456789"

// postUpdate posts body to the adapter's webhook as Telegram would, with
// secret as X-Telegram-Bot-Api-Secret-Token ("" for none), and returns the
// status.
func postUpdate(t *testing.T, method, url, secret string, body []byte) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fakeWaitFail)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookModeChecksTheSecretOnEveryRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, func(s *setup, _ *fakeAPI) {
		s.opts.Webhook = &WebhookOptions{Listener: ln, URL: "https://bot.example/tg/hook", Secret: webhookSecret}
	})
	f := h.fake
	f.waitFor("setMyCommands after setWebhook", func() bool {
		for _, c := range f.calls {
			if c.Method == "setMyCommands" {
				return true
			}
		}
		return false
	})
	hooks := f.callsOf("setWebhook")
	if len(hooks) != 1 {
		t.Fatalf("%d setWebhook calls; want 1", len(hooks))
	}
	if p := hooks[0].Params; p.Get("url") != "https://bot.example/tg/hook" || p.Get("secret_token") != webhookSecret ||
		p.Get("allowed_updates") != `["message","callback_query"]` {
		t.Errorf("setWebhook params = %v; want the public URL, the secret and allowed_updates [\"message\",\"callback_query\"]", p)
	}

	hook := "http://" + ln.Addr().String() + "/tg/hook"
	nextUpdate := 7000
	update := func(text string) (int, []byte) {
		id, msg := f.compose(aliceChat, alice, text)
		nextUpdate++
		return id, updateJSON(nextUpdate, "message", msg)
	}
	refused := map[int]string{} // message id → why it must not be answered
	for _, tc := range []struct {
		name, method, url, secret string
		want                      int
	}{
		{"no secret", http.MethodPost, hook, "", http.StatusForbidden},
		{"wrong secret", http.MethodPost, hook, "hook_SECRET-012345678", http.StatusForbidden},
		{"secret with a suffix", http.MethodPost, hook, webhookSecret + "x", http.StatusForbidden},
		{"GET", http.MethodGet, hook, webhookSecret, http.StatusMethodNotAllowed},
		{"another path", http.MethodPost, hook + "/../other", webhookSecret, http.StatusNotFound},
	} {
		id, body := update("/help")
		if got := postUpdate(t, tc.method, tc.url, tc.secret, body); got != tc.want {
			t.Errorf("%s: status %d; want %d", tc.name, got, tc.want)
		}
		refused[id] = tc.name
	}
	if got := postUpdate(t, http.MethodPost, hook, webhookSecret, []byte(`{"update_id":`)); got != http.StatusBadRequest {
		t.Errorf("a truncated update: status %d; want 400", got)
	}

	// The right secret: answered, and once only when Telegram delivers
	// the update again.
	id, body := update("Who is the Lao defence minister?")
	for range 2 {
		if got := postUpdate(t, http.MethodPost, hook, webhookSecret, body); got != http.StatusOK {
			t.Fatalf("an update with the secret: status %d; want 200", got)
		}
	}
	got := f.waitReply(aliceChat.ID, id)
	checkReplyShape(t, got, aliceChat, id)
	sentinel, body := update("/sources")
	if got := postUpdate(t, http.MethodPost, hook, webhookSecret, body); got != http.StatusOK {
		t.Fatalf("the sentinel: status %d; want 200", got)
	}
	f.waitReply(aliceChat.ID, sentinel)
	h.stop()

	replies := map[string]int{}
	for _, p := range f.sentTo(aliceChat.ID) {
		replies[p.Get("reply_to_message_id")]++
	}
	if n := replies[strconv.Itoa(id)]; n != 1 {
		t.Errorf("an update delivered twice was answered %d times; want once", n)
	}
	for id, why := range refused {
		if replies[strconv.Itoa(id)] != 0 {
			t.Errorf("an update posted with %s was answered", why)
		}
	}
	if n := len(f.callsOf("getUpdates")) + len(f.callsOf("deleteWebhook")); n != 0 {
		t.Errorf("%d getUpdates or deleteWebhook calls in webhook mode; want none", n)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Errorf("the webhook still listens after Run returned")
	}
}
