package bot

import (
	"bytes"
	"context"
	"errors"
	"github.com/corpusbot/corpusbot/internal/testkit"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeLibrary records what it is asked to add and remove.
type fakeLibrary struct {
	mu      sync.Mutex // guards added and removed
	added   []Source
	removed []string
	err     error
}

func (f *fakeLibrary) Add(ctx context.Context, src Source) (Added, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Added{}, f.err
	}
	f.added = append(f.added, src)
	return Added{Path: "border-pact-0a1b2c3d.txt", Title: "Border pact", Date: "2024-03-14", Sentences: 7}, nil
}

func (f *fakeLibrary) Remove(ctx context.Context, name string) (Removed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Removed{}, f.err
	}
	f.removed = append(f.removed, name)
	return Removed{Path: name, Title: "Border pact", To: "removed/" + name}, nil
}

func TestAddAndRemove(t *testing.T) {
	mods := Moderators{TelegramUserIDs: []int64{7}, DiscordUserIDs: []string{"42"}}
	file := &Attachment{Name: "a.txt"}
	for _, tc := range []struct {
		name    string
		req     Request
		libErr  error
		noLib   bool
		kind    ErrorKind
		reply   []string // in the reply's text or error message
		added   []Source
		removed []string
		reloads int
	}{
		{name: "add a link", req: Request{Platform: Telegram, UserID: "7", Command: "add", Text: " https://example.com/a "},
			reply: []string{`Added "Border pact" (2024-03-14, 7 sentences) as border-pact-0a1b2c3d.txt.`, "Now serving 2 articles (4 sentences)."},
			added: []Source{{URL: "https://example.com/a"}}, reloads: 1},
		{name: "add a file", req: Request{Platform: Discord, UserID: "42", Command: "add", Text: "ignored", File: file},
			reply: []string{"Added"}, added: []Source{{File: file}}, reloads: 1},
		{name: "add nothing", req: Request{Platform: Telegram, UserID: "7", Command: "add"}, kind: Invalid, reply: []string{"/add https://"}},
		{name: "add by a member", req: Request{Platform: Telegram, UserID: "8", Command: "add", Text: "https://example.com/a"},
			kind: Forbidden, reply: []string{"not allowed to use /add"}},
		{name: "remove by a member", req: Request{Platform: Discord, UserID: "43", Command: "remove", Text: "a.txt"},
			kind: Forbidden, reply: []string{"not allowed to use /remove"}},
		{name: "add refused by the library", req: Request{Platform: Console, Command: "add", Text: "https://example.com/a"},
			libErr: &Error{Kind: Invalid, Message: "That article is already in the corpus, as a.txt; nothing was added."},
			kind:   Invalid, reply: []string{"already in the corpus, as a.txt"}},
		{name: "add failing", req: Request{Platform: Console, Command: "add", Text: "https://example.com/a"},
			libErr: errors.New("disk full at /secret/path"), kind: Internal, reply: []string{"failed on our side"}},
		{name: "add with the built-in articles", req: Request{Platform: Console, Command: "add", Text: "https://example.com/a"},
			noLib: true, reply: []string{"no corpus folder to add to"}},
		{name: "remove", req: Request{Platform: Telegram, UserID: "7", Command: "remove", Text: "a.txt"},
			reply: []string{`Removed "Border pact" (a.txt); the file is now in removed/a.txt.`}, removed: []string{"a.txt"}, reloads: 1},
		{name: "remove nothing", req: Request{Platform: Telegram, UserID: "7", Command: "remove", Text: "  "}, kind: Invalid, reply: []string{"/remove <"}},
		{name: "remove with the built-in articles", req: Request{Platform: Console, Command: "remove", Text: "a.txt"},
			noLib: true, reply: []string{"no corpus folder"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lib := &fakeLibrary{err: tc.libErr}
			rel := &testkit.Reloader[ReloadReport]{Report: ReloadReport{Articles: 2, Sentences: 4}}
			rec := &recorder{}
			var logs bytes.Buffer
			opts := Options{Moderators: mods, Recorder: rec, Library: lib}
			if tc.noLib {
				opts.Library = nil
			}
			b := New(opts, &fakeAnswerer{}, rel, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
			rep := b.Handle(t.Context(), tc.req)
			if got := kindOf(rep); got != tc.kind {
				t.Errorf("kind = %v; want %v (%+v)", got, tc.kind, rep)
			}
			msg := rep.Text
			if rep.Err != nil {
				msg = rep.Err.Message
			}
			for _, want := range tc.reply {
				if !strings.Contains(msg, want) {
					t.Errorf("reply %q lacks %q", msg, want)
				}
			}
			if strings.Contains(msg, "/secret/path") {
				t.Errorf("reply %q shows the cause", msg)
			}
			if !rep.Private {
				t.Errorf("reply is public; want moderator replies private")
			}
			if len(lib.added) != len(tc.added) || (len(tc.added) == 1 && lib.added[0] != tc.added[0]) {
				t.Errorf("added %+v; want %+v", lib.added, tc.added)
			}
			if strings.Join(lib.removed, ",") != strings.Join(tc.removed, ",") {
				t.Errorf("removed %q; want %q", lib.removed, tc.removed)
			}
			if rel.Calls() != tc.reloads {
				t.Errorf("%d reloads; want %d", rel.Calls(), tc.reloads)
			}
			lines := logLines(t, &logs)
			if len(lines) == 0 || lines[len(lines)-1]["user"] != tc.req.UserID {
				t.Errorf("log %v; want the request logged with the user id %q", lines, tc.req.UserID)
			}
			if last := lines[len(lines)-1]; len(tc.added)+len(tc.removed) > 0 && last["article"] == nil {
				t.Errorf("log line %v names no article", last)
			}
			if last := lines[len(lines)-1]; len(tc.added) == 1 && last["url"] != tc.added[0].URL && (tc.req.File == nil || last["file"] != tc.req.File.Name) {
				t.Errorf("log line %v; want the link or file added", last)
			}
			if ev := rec.events; len(ev) != 1 || ev[0].Command != tc.req.Command {
				t.Errorf("events %+v; want one for %s", ev, tc.req.Command)
			}
		})
	}
}

func TestAddReportsAFailedReload(t *testing.T) {
	rel := &testkit.Reloader[ReloadReport]{Report: ReloadReport{Articles: 2, Sentences: 4}, Err: errors.New("corpus: no article")}
	b := New(Options{Library: &fakeLibrary{}}, &fakeAnswerer{}, rel, nil, nil)
	rep := b.Handle(t.Context(), Request{Platform: Console, Command: "add", Text: "https://example.com/a"})
	if !strings.Contains(rep.Text, "Added") || !strings.Contains(rep.Text, "reload failed") {
		t.Errorf("reply %q; want the article added and the reload's failure told", rep.Text)
	}
}

func TestAddAndRemoveInTheCommandTable(t *testing.T) {
	add, ok := Lookup("add")
	if !ok || !add.ModeratorsOnly || len(add.Options) != 2 || !add.Options[1].Attachment {
		t.Errorf("add = %+v; want a moderators-only command with url and file options", add)
	}
	rm, ok := Lookup("remove")
	if !ok || !rm.ModeratorsOnly || rm.Usage() != "/remove <article>" {
		t.Errorf("remove = %+v (usage %q); want a moderators-only /remove <article>", rm, rm.Usage())
	}
	help := New(Options{}, &fakeAnswerer{}, nil, nil, nil).Handle(t.Context(), Request{Platform: Console, Command: "help"})
	for _, want := range []string{"/add [url] [file] —", "/remove <article> —"} {
		if !strings.Contains(help.Text, want) {
			t.Errorf("/help lacks %q:\n%s", want, help.Text)
		}
	}
}

func TestAddAndRemoveAreCounted(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	lib := &fakeLibrary{}
	b := New(Options{Recorder: m, Library: lib, Moderators: Moderators{TelegramUserIDs: []int64{7}}}, &fakeAnswerer{}, nil, nil, nil)
	ctx := t.Context()
	b.Handle(ctx, Request{Platform: Telegram, UserID: "7", Command: "add", Text: "https://example.com/a"})
	b.Handle(ctx, Request{Platform: Telegram, UserID: "8", Command: "add", Text: "https://example.com/a"})
	b.Handle(ctx, Request{Platform: Telegram, UserID: "7", Command: "remove", Text: "a.txt"})
	lib.err = &Error{Kind: Invalid, Message: "no"}
	b.Handle(ctx, Request{Platform: Telegram, UserID: "7", Command: "remove", Text: "b.txt"})
	for _, tc := range []struct {
		command, outcome string
		want             float64
	}{
		{"add", OutcomeOK, 1}, {"add", OutcomeForbidden, 1}, {"remove", OutcomeOK, 1}, {"remove", OutcomeInvalid, 1},
	} {
		if got := testutil.ToFloat64(m.edits.WithLabelValues(tc.command, tc.outcome)); got != tc.want {
			t.Errorf("corpusbot_corpus_edits_total{%s,%s} = %v; want %v", tc.command, tc.outcome, got, tc.want)
		}
	}
}
