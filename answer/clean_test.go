package answer

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestDecoratedQuestionsGetThePlainAnswer asks questions as chats and
// terminals deliver them, with mentions, tags, escapes and commands, and
// wants the citations the plain question gets.
func TestDecoratedQuestionsGetThePlainAnswer(t *testing.T) {
	const minister, signed = "who is Laos's defence minister now?", "Giang signed what?"
	tests := []struct{ name, q, plain string }{
		{"@everyone", "@everyone " + minister, minister},
		{"@here after", minister + " @here", minister},
		{"Discord user", "<@123456789012345678> " + minister, minister},
		{"Discord nickname", "<@!123456789012345678> " + minister, minister},
		{"Discord role", "<@&123456789012345678> " + minister, minister},
		{"Discord channel", "who is Laos's defence minister now <#123456789012345678>?", minister},
		{"custom emoji", "<:thinking:123456789012345678> " + minister, minister},
		{"animated emoji", minister + " <a:wave:123456789012345678>", minister},
		{"leading @name", "@CorpusBot " + minister, minister},
		{"tags", "<b>Giang</b> signed what?", signed},
		{"nested tags", "<i><b>Giang</b></i> signed <u>what</u>?", signed},
		{"tag with attributes", `<a href="https://example.com/x">Giang</a> signed what?`, signed},
		{"ANSI colours", "\x1b[1;31mGiang\x1b[0m signed what?", signed},
		{"OSC title", "\x1b]0;my terminal\aGiang signed what?\x1b]8;;\x1b\\", signed},
		{"C1 CSI", "\u009b31mGiang signed what?", signed},
		{"/ask", "/ask " + signed, signed},
		{"/ask@SomeBot", "/ask@SomeBot " + signed, signed},
		{"bold", "**Giang** signed what?", signed},
		{"underline and code", "__Giang__ signed `what`?", signed},
		{"strike and spoiler", "~~Giang~~ signed ||what||?", signed},
		{"all at once", "/ask@SomeBot <@&1> @everyone \x1b[32m<b>Giang</b>\x1b[0m signed what? <:ok:2>", signed},
		{"greeting first", "hi, " + minister, minister},
		{"greeting and name", "hey bot " + minister, minister},
		{"greeting and mention", "Hello <@123>! " + signed, signed},
		{"thanks after", minister + " thanks!", minister},
		{"please after", signed + " please", signed},
	}
	e := seedEngine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := e.ask(tt.plain, AskOptions{Top: 3})
			if !want.Answered {
				t.Fatalf("Ask(%q) refused: %s", tt.plain, want.Answer)
			}
			got := e.ask(tt.q, AskOptions{Top: 3})
			if !got.Answered || !reflect.DeepEqual(got.Citations, want.Citations) {
				t.Errorf("Ask(%q) = %q, citations %v; want those of %q: %v", tt.q, got.Answer, got.Citations, tt.plain, want.Citations)
			}
			if got.Question != Clean(tt.q) {
				t.Errorf("Ask(%q) echoed %q; want %q", tt.q, got.Question, Clean(tt.q))
			}
		})
	}
}

// TestEchoKeepsWhatTheUserTyped: the echo keeps markup and mentions (the
// renderers escape them) but drops terminal escapes and control bytes.
func TestEchoKeepsWhatTheUserTyped(t *testing.T) {
	q := "\x1b[31m<b>Giang</b>\x1b[0m @everyone signed\x00 what?\x1b]0;x\a"
	const want = "<b>Giang</b> @everyone signed what?"
	if got := seedEngine(t).ask(q, AskOptions{Top: 3}).Question; got != want {
		t.Errorf("Ask(%q).Question = %q; want %q", q, got, want)
	}
}

func TestCleanDropsTerminalEscapes(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"colour", "\x1b[31mred\x1b[0m text", "red text"},
		{"colour inside a word", "Gi\x1b[1mang\x1b[m", "Giang"},
		{"private mode", "\x1b[?25lhidden cursor", "hidden cursor"},
		{"OSC ended by BEL", "\x1b]0;title\ahello", "hello"},
		{"OSC ended by ST", "\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"OSC cut by a newline", "\x1b]0;title\nhello", "hello"},
		{"C1 CSI", "\u009b1mbold", "bold"},
		{"C1 OSC", "\u009d0;title\u009chello", "hello"},
		{"charset", "\x1b(Bplain", "plain"},
		{"cut short", "text\x1b[", "text"},
		{"bare ESC", "a \x1b", "a"},
		{"control bytes", "who\x00 is\tthere?", "who is there?"},
		{"invalid UTF-8", "\xffhello\u200b world", "hello world"},
		{"markup stays", "  <b>bold</b> @here ", "<b>bold</b> @here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "who is there?", "who is there?"},
		{"everyone", "@everyone who is there?", "who is there?"},
		{"here, any case", "who is there? @Here", "who is there?"},
		{"leading names", "@CorpusBot, @other_bot: who?", "who?"},
		{"a name later stays", "what did @vnexpress say?", "what did @vnexpress say?"},
		{"e-mail", "who owns info@here.com?", "who owns info@here.com?"},
		{"@hereford", "who breeds @hereford cattle?", "who breeds @hereford cattle?"},
		{"user", "<@1> who?", "who?"},
		{"nickname", "who <@!12>?", "who?"},
		{"role", "<@&12>who", "who"},
		{"channel", "in <#12> who", "in who"},
		{"emoji", "who<:cat:12>is", "who is"},
		{"animated emoji", "<a:cat:12>who", "who"},
		{"timestamp", "who won <t:1700000000:R>?", "who won?"},
		{"slash command mention", "try </ask:12> now", "try now"},
		{"tags", "<b>Giang</b> signed <i>it</i>?", "Giang signed it?"},
		{"break between words", "one<br/>two", "one two"},
		{"script", "<script>alert(1)</script>", "alert(1)"},
		{"comparison", "is a < b and c > d?", "is a < b and c > d?"},
		{"heart", "<3 who", "<3 who"},
		{"not a mention", "<@x> who", "<@x> who"},
		{"unclosed", "<b who", "<b who"},
		{"empty", "<>0 <", "<>0 <"},
		{"/ask", "/ask who?", "who?"},
		{"/ask@Bot", "/ask@Some_Bot who?", "who?"},
		{"/ASK", "/ASK who?", "who?"},
		{"/ask alone", "/ask", ""},
		{"/asking", "/asking who?", "/asking who?"},
		{"/ask later", "who said /ask?", "who said /ask?"},
		{"mentions only", "@everyone <@1>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plain(tt.in); got != tt.want {
				t.Errorf("plain(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMarkupOnlyIsNoQuestion: a message of mentions and tags alone has no
// words to ask.
func TestMarkupOnlyIsNoQuestion(t *testing.T) {
	for _, q := range []string{"@everyone", "<@123> <#456>", "<b></b>", "/ask@SomeBot", "\x1b[31m\x1b[0m"} {
		res := seedEngine(t).ask(q, AskOptions{Top: 3})
		if res.Answered || !strings.HasPrefix(res.Answer, "Please ask a question in words") {
			t.Errorf("Ask(%q) = %q; want to be asked for words", q, res.Answer)
		}
	}
}

// FuzzClean checks Clean and plain on any text: valid UTF-8 out, no
// control characters, no longer than the input, Clean idempotent, and
// plain's words drawn from Clean's.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"who is there?", "\x1b[31mred\x1b[0m", "\x1b]0;t\a\x1b]8;;x\x1b\\", "\u009b1m\u009d0;\u009c",
		"<@!1> <@&2> <#3> <:a:4> <a:b:5> <t:6:R>", "<b>Giang</b> @everyone", "/ask@Bot hi",
		"\xff\xfe\x00 \t\n", "<<b>b>", "hi bot, how are you? who? thanks!", "\x1b", "<\x1b[1m@1>", "<>0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		checkClean(t, "Clean", s, c)
		if len(c) > len(s) {
			t.Errorf("Clean(%q) = %q, longer than its input", s, c)
		}
		if again := Clean(c); again != c {
			t.Errorf("Clean(Clean(%q)) = %q; want %q", s, again, c)
		}
		p := plain(c)
		checkClean(t, "plain", c, p)
		if len(p) > len(c) {
			t.Errorf("plain(%q) = %q, longer than its input", c, p)
		}
		text, reply := prepare(c)
		checkClean(t, "prepare", c, text)
		if reply != "" && text != "" {
			t.Errorf("prepare(%q) = %q, %q; want a text or a reply, not both", c, text, reply)
		}
		if !strings.Contains(p, text) {
			t.Errorf("prepare(%q) = %q, not a part of plain's %q", c, text, p)
		}
	})
}

// checkClean fails unless out is valid UTF-8 without control characters
// or runs of spaces.
func checkClean(t *testing.T, f, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s(%q) = %q, invalid UTF-8", f, in, out)
	}
	if strings.IndexFunc(out, unicode.IsControl) >= 0 {
		t.Errorf("%s(%q) = %q, with control characters", f, in, out)
	}
	if strings.Contains(out, "  ") || strings.TrimSpace(out) != out {
		t.Errorf("%s(%q) = %q, with spaces to spare", f, in, out)
	}
}
