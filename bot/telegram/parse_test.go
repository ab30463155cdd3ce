package telegram

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// entity is a bot_command entity at offset 0 of length n UTF-16 units.
func entity(n int) []tgbotapi.MessageEntity {
	return []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: n}}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		entities []tgbotapi.MessageEntity
		want     command
		ok       bool
	}{
		{"bare", "/help", entity(5), command{Name: "help"}, true},
		{"with arguments", "/ask  who is it?  ", entity(4), command{Name: "ask", Args: "who is it?"}, true},
		{"addressed", "/ask@ThisBot who?", entity(12), command{Name: "ask", Bot: "ThisBot", Args: "who?"}, true},
		{"upper case", "/HELP", entity(5), command{Name: "help"}, true},
		{"newline after the name", "/ask\nwho?", entity(4), command{Name: "ask", Args: "who?"}, true},
		{"no entities: read by syntax", "/ask@ThisBot who?", nil, command{Name: "ask", Bot: "ThisBot", Args: "who?"}, true},
		{"entity not at the start", "hi /ask", []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 3, Length: 4}}, command{}, false},
		{"another entity only", "/ask who", []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 4}}, command{}, false},
		{"entity longer than the text", "/ask", entity(9), command{}, false},
		{"negative length", "/ask", entity(-1), command{}, false},
		{"not at a word boundary", "/asking", entity(4), command{}, false},
		{"slash alone", "/", nil, command{}, false},
		{"plain text", "who?", nil, command{}, false},
		{"empty bot name", "/ask@ who", nil, command{}, false},
		{"name too long", "/" + strings.Repeat("a", 33), nil, command{}, false},
		{"emoji after the command counts two units", "/ask 😀 who", entity(4), command{Name: "ask", Args: "😀 who"}, true},
		{"entity ending inside a surrogate pair", "/😀", entity(2), command{}, false},
		{"invalid UTF-8 after the command", "/ask \xff\xfe", entity(4), command{Name: "ask", Args: "\xff\xfe"}, true},
		{"non-ASCII name", "/ásk who", nil, command{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseCommand(tt.text, tt.entities)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseCommand(%q, %v) = %+v, %v; want %+v, %v", tt.text, tt.entities, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// FuzzParseCommand checks parseCommand on any text and any bot_command
// entity: a command is read only from a slash at the start, its name and
// target are valid and come from the text, its arguments are the trimmed
// rest; and Telegram's entity for the syntactic command gives the same
// result as reading without entities.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/ask who?", "/ask@ThisBot who", "/HELP", "/😀", "/ask\xff", "/a@b@c d", "/ask\u00a0x", "/ask\u2028x", "hi"} {
		f.Add(s, 0, utf16Len(s))
		f.Add(s, 0, 4)
	}
	f.Fuzz(func(t *testing.T, text string, offset, length int) {
		for _, ents := range [][]tgbotapi.MessageEntity{nil, {{Type: "bot_command", Offset: offset, Length: length}}} {
			cmd, ok := parseCommand(text, ents)
			if !ok {
				if cmd != (command{}) {
					t.Errorf("parseCommand(%q) = %+v with ok false", text, cmd)
				}
				continue
			}
			if offset != 0 && ents != nil {
				t.Errorf("parseCommand(%q) read a command from an entity at offset %d", text, offset)
			}
			if !validName(cmd.Name, maxCommandName) || cmd.Name != strings.ToLower(cmd.Name) {
				t.Errorf("parseCommand(%q): name %q", text, cmd.Name)
			}
			if cmd.Bot != "" && !validName(cmd.Bot, 64) {
				t.Errorf("parseCommand(%q): bot %q", text, cmd.Bot)
			}
			head := "/" + cmd.Name
			if cmd.Bot != "" {
				head += "@" + strings.ToLower(cmd.Bot)
			}
			if !strings.HasPrefix(strings.ToLower(text), head) {
				t.Errorf("parseCommand(%q) = %+v: not the start of the text", text, cmd)
			}
			if cmd.Args != strings.TrimSpace(cmd.Args) || !strings.Contains(text[len(head):], cmd.Args) {
				t.Errorf("parseCommand(%q): args %q are not the trimmed rest", text, cmd.Args)
			}
		}
		if end := commandEnd(text); end >= 2 {
			plain, ok1 := parseCommand(text, nil)
			marked, ok2 := parseCommand(text, entity(utf16Len(text[:end])))
			if plain != marked || ok1 != ok2 {
				t.Errorf("parseCommand(%q): %+v, %v without entities; %+v, %v with Telegram's", text, plain, ok1, marked, ok2)
			}
		}
	})
}

// FuzzUTF16Prefix checks that the prefix found is exactly n UTF-16 units
// long, and that one is found whenever n does not split a character.
func FuzzUTF16Prefix(f *testing.F) {
	for _, s := range []string{"", "abc", "😀x", "a\xffb", "é😀é"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		i, ok := utf16Prefix(s, n)
		if ok {
			if i < 0 || i > len(s) || utf16Len(s[:i]) != n {
				t.Errorf("utf16Prefix(%q, %d) = %d: %d units", s, n, i, utf16Len(s[:min(max(i, 0), len(s))]))
			}
			return
		}
		// Not found: n is out of range, or ends inside a surrogate pair.
		for j := range s {
			if utf16Len(s[:j]) == n {
				t.Errorf("utf16Prefix(%q, %d) not found; s[:%d] has %d units", s, n, j, n)
			}
		}
		if n == utf16Len(s) {
			t.Errorf("utf16Prefix(%q, %d) not found; the whole string has %d units", s, n, n)
		}
	})
}

// FuzzClipUTF16 checks that a clipped text fits, is a prefix of the text
// with an ellipsis, and that a text that fits is left alone.
func FuzzClipUTF16(f *testing.F) {
	for _, s := range []string{"", "hello", strings.Repeat("😀", 10), "ab\xffcd", "é"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 1 + abs(n)%5000
		got := clipUTF16(s, n)
		if utf16Len(got) > n {
			t.Errorf("clipUTF16(%q, %d) = %q: %d units", s, n, got, utf16Len(got))
		}
		if utf16Len(s) <= n {
			if got != s {
				t.Errorf("clipUTF16(%q, %d) = %q; it fits and should be kept", s, n, got)
			}
			return
		}
		kept, cut := strings.CutSuffix(got, "…")
		if !cut || !strings.HasPrefix(s, kept) {
			t.Errorf("clipUTF16(%q, %d) = %q; want a prefix and an ellipsis", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("clipUTF16(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzRoute feeds raw updates, as getUpdates or the webhook deliver them,
// through decoding and routing: nothing panics, and a request is made only
// from a text message of a person, in a private chat or, in a group, from
// a command or a reply to the bot.
func FuzzRoute(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":1,"from":{"id":5,"first_name":"A"},"chat":{"id":5,"type":"private"},"date":1,"text":"who?"}}`,
		`{"update_id":2,"message":{"message_id":2,"from":{"id":5,"first_name":"A"},"chat":{"id":-9,"type":"group"},"date":1,"text":"/ask@ThisBot who?","entities":[{"type":"bot_command","offset":0,"length":12}]}}`,
		`{"update_id":3,"message":{"message_id":3,"from":{"id":5,"first_name":"A"},"chat":{"id":-9,"type":"supergroup"},"date":1,"text":"and?","reply_to_message":{"message_id":1,"from":{"id":987654321,"is_bot":true,"first_name":"C"},"chat":{"id":-9,"type":"supergroup"},"date":1}}}`,
		`{"update_id":4,"message":{"message_id":4,"from":{"id":5,"first_name":"A"},"chat":{"id":-9,"type":"group"},"date":1,"text":"chatter"}}`,
		`{"update_id":5,"edited_message":{"message_id":4,"chat":{"id":5,"type":"private"},"date":1,"text":"x"}}`,
		`{"update_id":6,"message":{"message_id":1,"from":{"id":5,"is_bot":true,"first_name":"B"},"chat":{"id":5,"type":"private"},"date":1,"text":"/help"}}`,
		`{"update_id":7,"message":{"message_id":"x"}}`, `{"update_id":8}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	r := router{self: tgbotapi.User{ID: testBotID, IsBot: true, UserName: testBotName}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := decodeUpdate(raw)
		if err != nil && u.Message != nil {
			t.Errorf("decodeUpdate(%q) failed (%v) but kept a message", raw, err)
		}
		m, req, ok := r.route(u)
		if !ok {
			return
		}
		if m == nil || m != u.Message || m.Chat == nil || m.From == nil || m.From.IsBot || m.Text == "" {
			t.Fatalf("route(%q) answered %+v", raw, m)
		}
		if req.Platform != bot.Telegram || req.Command == "" ||
			req.ChatID != strconv.FormatInt(m.Chat.ID, 10) || req.UserID != strconv.FormatInt(m.From.ID, 10) {
			t.Errorf("route(%q) = %+v", raw, req)
		}
		if req.Direct != (m.Chat.Type == "private") {
			t.Errorf("route(%q): Direct = %v in a %q chat", raw, req.Direct, m.Chat.Type)
		}
		_, isCmd := parseCommand(m.Text, m.Entities)
		if !req.Direct && !isCmd && !r.repliesToMe(m) {
			t.Errorf("route(%q) answered group chatter", raw)
		}
		if !isCmd && (req.Command != "ask" || req.Text != m.Text) {
			t.Errorf("route(%q): a plain message became %+v", raw, req)
		}
		if len(req.Text) > len(m.Text) {
			t.Errorf("route(%q): text %q longer than the message", raw, req.Text)
		}
	})
}

func TestBackoffGrowsWithJitterUpToTheCap(t *testing.T) {
	a := &Adapter{opts: Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}}
	b := a.backoff()
	ceiling := 100 * time.Millisecond
	seen := map[time.Duration]bool{}
	for i := range 50 {
		d := b.next()
		if d < ceiling/2 || d > ceiling {
			t.Fatalf("wait %d = %v; want within [%v, %v]", i, d, ceiling/2, ceiling)
		}
		seen[d] = true
		ceiling = min(2*ceiling, time.Second)
	}
	if len(seen) < 10 {
		t.Errorf("%d distinct waits in 50; want jitter", len(seen))
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset, wait = %v; want at most the minimum (100ms)", d)
	}
}

func TestNewDoesNoNetworkIO(t *testing.T) {
	f := newFakeAPI(t)
	b := bot.New(bot.Options{}, nil, nil, nil, nil)
	if _, err := New(Options{Token: testToken, APIURL: f.URL()}, b, nil); err != nil {
		t.Fatal(err)
	}
	if calls := f.callsOf(""); len(calls) != 0 {
		t.Errorf("New made %d Bot API calls; want none before Run", len(calls))
	}
}
