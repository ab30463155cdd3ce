package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/corpusbot/corpusbot/bot"
)

func TestRewriteURL(t *testing.T) {
	for _, tc := range []struct {
		name, in, to, want string
		err                bool
	}{
		{"default base kept", "https://discord.com/api/v9/users/@me", DefaultAPIURL, "https://discord.com/api/v9/users/@me", false},
		{"test server", "https://discord.com/api/v9/gateway", "http://127.0.0.1:8080/api/v9/", "http://127.0.0.1:8080/api/v9/gateway", false},
		{"proxy with a path", "https://discord.com/api/v9/channels/1/messages", "https://proxy.example/discord/v9/", "https://proxy.example/discord/v9/channels/1/messages", false},
		{"query kept", "https://discord.com/api/v9/webhooks/1/tok?wait=true", "http://127.0.0.1:1/api/", "http://127.0.0.1:1/api/webhooks/1/tok?wait=true", false},
		{"@original kept", "https://discord.com/api/v9/webhooks/1/t/messages/@original", "http://127.0.0.1:1/x/", "http://127.0.0.1:1/x/webhooks/1/t/messages/@original", false},
		{"CDN refused", "https://cdn.discordapp.com/avatars/1/2.png", "http://127.0.0.1:1/api/v9/", "", true},
		{"other API version refused", "https://discord.com/api/v10/users/@me", "http://127.0.0.1:1/api/v9/", "", true},
		{"look-alike host refused", "https://discord.com.evil.example/api/v9/users/@me", "http://127.0.0.1:1/api/v9/", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _ := url.Parse(tc.in)
			to, err := parseBase(tc.to)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rewriteURL(in, DefaultAPIURL, to)
			switch {
			case tc.err && !errors.Is(err, ErrOutsideAPI):
				t.Errorf("rewriteURL(%q) = %v, %v; want ErrOutsideAPI", tc.in, got, err)
			case !tc.err && (err != nil || got.String() != tc.want):
				t.Errorf("rewriteURL(%q) = %v, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// The rewriting client sends discordgo's requests to the configured base
// and leaves the caller's client alone.
func TestRewritingClient(t *testing.T) {
	var seen []string
	caller := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Method+" "+r.URL.String()+" host="+r.Host)
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})}
	base, _ := parseBase("http://127.0.0.1:9/api/v9")
	c := rewritingClient(caller, DefaultAPIURL, base)
	if _, ok := caller.Transport.(roundTripFunc); !ok || caller.Timeout != 0 {
		t.Fatal("the caller's client was modified")
	}
	if c.Timeout != defaultHTTPTimeout {
		t.Errorf("timeout = %v; want %v", c.Timeout, defaultHTTPTimeout)
	}
	resp, err := c.Get(discordgo.EndpointGateway)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := c.Get(discordgo.EndpointCDNAvatars + "1/2.png"); !errors.Is(err, ErrOutsideAPI) {
		t.Errorf("CDN request: %v; want ErrOutsideAPI", err)
	}
	if want := "GET http://127.0.0.1:9/api/v9/gateway host=127.0.0.1:9"; len(seen) != 1 || seen[0] != want {
		t.Errorf("requests sent = %q; want [%q]", seen, want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNew(t *testing.T) {
	b := newBot(seedEngine(t))
	for _, tc := range []struct {
		name string
		opts Options
		b    *bot.Bot
		ok   bool
		api  string
	}{
		{"defaults", Options{Token: "abc"}, b, true, DefaultAPIURL},
		{"Bot prefix tolerated", Options{Token: "Bot abc"}, b, true, DefaultAPIURL},
		{"slash added", Options{Token: "abc", APIURL: "http://127.0.0.1:1/api/v9"}, b, true, "http://127.0.0.1:1/api/v9/"},
		// A closed port: New does no I/O, so it cannot notice.
		{"no I/O", Options{Token: "abc", APIURL: "http://127.0.0.1:1/"}, b, true, "http://127.0.0.1:1/"},
		{"no token", Options{}, b, false, ""},
		{"token with spaces", Options{Token: "a b"}, b, false, ""},
		{"no bot", Options{Token: "abc"}, nil, false, ""},
		{"bad scheme", Options{Token: "abc", APIURL: "ftp://x/"}, b, false, ""},
		{"relative", Options{Token: "abc", APIURL: "/api/v9/"}, b, false, ""},
		{"query", Options{Token: "abc", APIURL: "http://x/api/?a=b"}, b, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(tc.opts, tc.b, nil)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("New = %v", err)
			case !tc.ok && !errors.Is(err, ErrConfig):
				t.Fatalf("New = %v; want ErrConfig", err)
			case tc.ok && a.opts.APIURL != tc.api:
				t.Errorf("api_url = %q; want %q", a.opts.APIURL, tc.api)
			case tc.ok && (a.token != "abc" || a.opts.AckAfter != DefaultAckAfter):
				t.Errorf("token %q, AckAfter %v", a.token, a.opts.AckAfter)
			}
			if err != nil && strings.Contains(err.Error(), "a b") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	if s := fmt.Sprint(Options{Token: "sekrit"}.LogValue()); strings.Contains(s, "sekrit") {
		t.Errorf("Options.LogValue shows the token: %s", s)
	}
}

const botID = "900000000000000001"

func TestParseMessage(t *testing.T) {
	for _, tc := range []struct {
		in, cmd, text string
	}{
		{"<@" + botID + "> who is the minister?", "", "who is the minister?"},
		{"<@!" + botID + "> who is the minister?", "", "who is the minister?"},
		{"who is <@" + botID + "> the minister?", "", "who is   the minister?"},
		{"<@" + botID + "> /help", "help", ""},
		{"<@" + botID + ">/HELP me", "help", "me"},
		{"/ask  who\tis it", "ask", "who\tis it"},
		{"/reload", "reload", ""},
		{"/frobnicate now", "", "/frobnicate now"},
		{"/", "", "/"},
		{"<@123> hello", "", "<@123> hello"},
		{"<@&" + botID + "> a role, not the bot", "", "<@&" + botID + "> a role, not the bot"},
		{"<@<@" + botID + ">" + botID + ">", "", "<@ " + botID + ">"},
		{"", "", ""},
		{"  <@" + botID + ">  ", "", ""},
	} {
		cmd, text := parseMessage(tc.in, botID)
		if cmd != tc.cmd || text != tc.text {
			t.Errorf("parseMessage(%q) = %q, %q; want %q, %q", tc.in, cmd, text, tc.cmd, tc.text)
		}
	}
}

func FuzzParseMessage(f *testing.F) {
	for _, s := range []string{"<@" + botID + "> hi", "<@!" + botID + ">/help x", "<@<@" + botID + ">" + botID + ">",
		"/ask", "\xff<@" + botID, "@everyone <@&1>", "/RELOAD\u00a0now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		cmd, text := parseMessage(content, botID)
		if strings.Contains(text, "<@"+botID+">") || strings.Contains(text, "<@!"+botID+">") {
			t.Errorf("parseMessage(%q) left a mention of the bot: %q", content, text)
		}
		if cmd != "" {
			if _, ok := bot.Lookup(cmd); !ok {
				t.Errorf("parseMessage(%q) = command %q, not in the table", content, cmd)
			}
		}
		if len(text) > len(content) {
			t.Errorf("parseMessage(%q) = %q: longer than its input", content, text)
		}
		if utf8.ValidString(content) && !utf8.ValidString(text) {
			t.Errorf("parseMessage(%q) = %q: invalid UTF-8 from valid input", content, text)
		}
		// Every character of the text comes from the input (or is a space).
		for _, r := range text {
			if r != ' ' && !strings.ContainsRune(content, r) {
				t.Errorf("parseMessage(%q) = %q: %q is not from the input", content, text, r)
				break
			}
		}
	})
}

// FuzzInteraction feeds INTERACTION_CREATE payloads through discordgo's
// decoding and the adapter's reading: nothing panics, and a request is
// read only from a command with well-typed options.
func FuzzInteraction(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","type":2,"token":"t","data":{"name":"ask","options":[{"name":"question","type":3,"value":"hi"}]}}`,
		`{"id":"1","type":2,"token":"t","data":{"name":"ask","options":[{"name":"question","type":4,"value":42}]}}`,
		`{"id":"1","type":2,"token":"t","data":{"name":"ask","options":[{"name":"private","type":5,"value":true}]},"member":{"user":{"id":"2"},"roles":["3"]}}`,
		`{"id":"1","type":2,"token":"t","data":"x"}`,
		`{"id":"1","type":2,"token":"t","data":{"name":"","options":null}}`,
		`{"id":"1","type":3,"token":"t","data":{"custom_id":"x"}}`,
		`{"type":2,"data":{"name":"reload"},"user":{"id":"5"}}`,
		`null`, `[]`, `{"data":{"options":[null]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e discordgo.InteractionCreate
		_ = json.Unmarshal(raw, &e) // discordgo hands handlers what it could decode
		if e.Interaction == nil {
			return
		}
		req, ok := interactionRequest(e.Interaction, func(att *discordgo.MessageAttachment) *bot.Attachment {
			return &bot.Attachment{Name: att.Filename, Size: int64(att.Size)}
		})
		if !ok {
			return
		}
		if req.Platform != bot.Discord || req.Command == "" {
			t.Errorf("request %+v from %s", req, raw)
		}
		if req.Direct != (e.GuildID == "") {
			t.Errorf("Direct = %v for guild %q", req.Direct, e.GuildID)
		}
		_ = bot.RenderDiscord(bot.Reply{Text: req.Text})
	})
}

// FuzzMessage feeds MESSAGE_CREATE payloads through discordgo's decoding,
// the adapter's filter and its parsing: nothing panics; a message is read
// only from a person (not a bot, a webhook or the bot itself), with ids that
// can go into a URL path, and in a guild only when it mentions the bot or
// replies to it; it follows up only a message of the bot's, named by a
// snowflake; the text read holds no mention of the bot.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","channel_id":"2","guild_id":"3","type":0,"content":"<@` + botID + `> who?","author":{"id":"4"},"mentions":[{"id":"` + botID + `"}]}`,
		`{"id":"1","channel_id":"2","type":0,"content":"/help","author":{"id":"4"}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","type":0,"content":"chatter","author":{"id":"4"}}`,
		`{"id":"1","channel_id":"2","type":19,"content":"<@!` + botID + `>/ask x","author":{"id":"4","bot":true}}`,
		`{"id":"1","channel_id":"../x","type":0,"content":"hi","author":{"id":"4"}}`,
		`{"id":"1","channel_id":"2","type":0,"content":"hi","author":{"id":"` + botID + `"},"webhook_id":"9"}`,
		`{"id":"1","channel_id":"2","type":7,"content":"hi","author":null}`,
		`null`, `[]`, `{"mentions":[null]}`,
		`{"id":"1","channel_id":"2","guild_id":"3","type":19,"content":"and when?","author":{"id":"4"},"message_reference":{"message_id":"5"},"referenced_message":{"id":"5","author":{"id":"` + botID + `"}}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","type":19,"content":"and?","author":{"id":"4"},"message_reference":{"message_id":"5"},"referenced_message":{"id":"5","author":{"id":"` + botID + `"},"interaction_metadata":{"id":"6"}}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","type":19,"content":"and?","author":{"id":"4"},"message_reference":{"message_id":"5"},"referenced_message":{"id":"5","author":{"id":"7"}}}`,
		`{"id":"1","channel_id":"2","guild_id":"3","type":19,"content":"x","author":{"id":"4"},"message_reference":{},"referenced_message":{"id":"../5","author":{"id":"` + botID + `"}}}`,
	} {
		f.Add([]byte(s))
	}
	r := &run{a: &Adapter{token: "tok"}, botID: botID}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e discordgo.MessageCreate
		_ = json.Unmarshal(raw, &e) // discordgo hands handlers what it could decode
		m := e.Message
		if m == nil || r.ignored(m) != "" {
			return
		}
		if m.Author == nil || m.Author.ID == botID || m.Author.Bot || m.WebhookID != "" {
			t.Errorf("read a message not from a person: %s", raw)
		}
		if !snowflake(m.ID) || !snowflake(m.ChannelID) {
			t.Errorf("read a message with ids %q, %q", m.ID, m.ChannelID)
		}
		up := r.followsUp(m)
		if m.GuildID != "" && !mentions(m, botID) && (up == "" || strings.TrimSpace(m.Content) == "") {
			t.Errorf("read a guild message that neither mentions the bot nor replies to it with content: %s", raw)
		}
		if up != "" {
			if ref := m.ReferencedMessage; ref == nil || ref.Author == nil || ref.Author.ID != botID {
				t.Errorf("follows up %q, not a message of the bot's: %s", up, raw)
			}
			if !snowflake(strings.TrimPrefix(up, "interaction:")) {
				t.Errorf("follows up %q, not a snowflake: %s", up, raw)
			}
		}
		cmd, text := parseMessage(m.Content, botID)
		if strings.Contains(text, "<@"+botID+">") || strings.Contains(text, "<@!"+botID+">") {
			t.Errorf("parseMessage(%q) left a mention of the bot: %q", m.Content, text)
		}
		if _, known := bot.Lookup(cmd); cmd != "" && !known {
			t.Errorf("parseMessage(%q) = command %q, not in the table", m.Content, cmd)
		}
	})
}

func TestApplicationCommandsFitDiscord(t *testing.T) {
	for _, global := range []bool{true, false} {
		for _, c := range applicationCommands(global) {
			if c.Name != strings.ToLower(c.Name) || utf8.RuneCountInString(c.Name) > 32 || c.Name == "" {
				t.Errorf("command name %q does not fit Discord's rules", c.Name)
			}
			if n := utf8.RuneCountInString(c.Description); n < 1 || n > maxCommandDescription {
				t.Errorf("/%s description has %d characters", c.Name, n)
			}
			seenOptional := false
			for _, o := range c.Options {
				if o.Required && seenOptional {
					t.Errorf("/%s: required option %s after an optional one", c.Name, o.Name)
				}
				seenOptional = seenOptional || !o.Required
			}
		}
	}
}

func TestConvert(t *testing.T) {
	content, embeds := convert(bot.DiscordMessage{Embeds: []bot.Embed{{Title: "T", Description: "D", Color: 7, Footer: "F",
		Fields: []bot.EmbedField{{Name: "n", Value: "v"}}}}})
	if content != "" || len(embeds) != 1 {
		t.Fatalf("convert = %q, %v", content, embeds)
	}
	e := embeds[0]
	if e.Type != discordgo.EmbedTypeRich || e.Title != "T" || e.Description != "D" || e.Color != 7 ||
		e.Footer == nil || e.Footer.Text != "F" || len(e.Fields) != 1 || e.Fields[0].Name != "n" || e.Fields[0].Value != "v" || e.Fields[0].Inline {
		t.Errorf("convert embed = %+v", e)
	}
	if content, embeds := convert(bot.DiscordMessage{}); content == "" || embeds != nil {
		t.Errorf("convert(empty) = %q, %v; want a non-empty content", content, embeds)
	}
}

func TestRedact(t *testing.T) {
	r := &run{a: &Adapter{token: "Tok.en-123"}}
	for _, err := range []error{
		&url.Error{Op: "Post", URL: "https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb24/callback", Err: errors.New("timeout")},
		&url.Error{Op: "Patch", URL: "https://discord.com/api/v9/webhooks/9/aW50ZXJhY3Rpb24/messages/@original", Err: errors.New("refused")},
		fmt.Errorf("identify with Bot Tok.en-123 failed"),
	} {
		got := r.redact(err)
		if strings.Contains(got, "aW50ZXJhY3Rpb24") || strings.Contains(got, "Tok.en-123") {
			t.Errorf("redact(%v) = %q: a token is left", err, got)
		}
		if !strings.Contains(got, "[REDACTED]") {
			t.Errorf("redact(%v) = %q: nothing redacted", err, got)
		}
	}
}

func TestBackoff(t *testing.T) {
	for n := range 12 {
		d := backoff(n)
		if d < 500*time.Millisecond || d > time.Minute {
			t.Errorf("backoff(%d) = %v; want within [0.5s, 1m]", n, d)
		}
	}
}

func TestValidIDs(t *testing.T) {
	for s, want := range map[string]bool{"123": true, "": false, "12a": false, "../1": false, "123456789012345678901": false} {
		if snowflake(s) != want {
			t.Errorf("snowflake(%q) = %v; want %v", s, !want, want)
		}
	}
	for s, want := range map[string]bool{"aW50:ZXJ_hY-3.R": true, "": false, "..": false, "a/b": false, "a?b": false, "a%2f": false, "a b": false} {
		if pathToken(s) != want {
			t.Errorf("pathToken(%q) = %v; want %v", s, !want, want)
		}
	}
}

func TestAwaitLossDropsRepeatedSignalsOfOneLoss(t *testing.T) {
	// discordgo's reader and heartbeat goroutine both signal one loss;
	// a larger buffer than the run's holds them all up front.
	r := &run{a: &Adapter{}, disconnected: make(chan struct{}, 3)}
	for range 3 {
		r.disconnected <- struct{}{}
	}
	if !r.awaitLoss(context.Background()) {
		t.Fatal("awaitLoss = false with a live context")
	}
	if n := len(r.disconnected); n != 0 {
		t.Errorf("%d signals left after the pause; want none, or a second reconnect would start", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r.awaitLoss(ctx) {
		t.Error("awaitLoss = true with an ended context")
	}
}
