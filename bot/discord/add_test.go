package discord

import (
	"github.com/corpusbot/corpusbot/internal/testkit"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/corpus/library"
)

// startWithLibrary runs the bot with a corpus folder in a temp dir that
// /add may fill from 127.0.0.1, and returns the folder.
func startWithLibrary(t *testing.T) (*harness, string) {
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := botOptsWithModRole()
	opts.Library = library.New(dir, library.Options{MaxFileBytes: 1 << 20, Fetch: library.FetchOptions{AllowPrivate: true}})
	return start(t, setup{botOpts: opts}), dir
}

func TestAddAttachmentAndLink(t *testing.T) {
	t.Parallel()
	h, dir := startWithLibrary(t)
	cdn := newFakeCDN(t)
	site := testkit.ServeHTML(t, "../../corpus/library/testdata/article.html")

	note := &cdnFile{data: []byte("# Ferry timetable\n\nThe Riverton ferry sails at 7 every morning from May.\n")}
	in := h.f.slashCommand("add", nil, mod, true)
	h.f.attach(in, cdn, "file", "ferry.md", "text/markdown; charset=utf-8", note)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	got := h.final(t, in)
	if !got.ephemeral || !strings.Contains(got.content, `Added "Ferry timetable" (undated, 1 sentence) as ferry-timetable-`) {
		t.Errorf("reply to /add with an attachment = %+v", got)
	}
	if note.served.Load() != note.size() {
		t.Errorf("downloaded %d of %d bytes", note.served.Load(), note.size())
	}

	in = h.f.slashCommand("add", []map[string]any{stringOpt("url", site.URL+"/pact")}, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if got := h.final(t, in); !strings.Contains(got.content, `Added "Laos and Vietnam sign border pact" (2024-03-14, 4 sentences)`) {
		t.Errorf("reply to /add url: = %+v", got)
	}
	in = h.f.slashCommand("add", []map[string]any{stringOpt("url", site.URL+"/pact")}, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if got := h.final(t, in); !strings.Contains(got.content, "already in the corpus, as laos-and-vietnam-sign-border-pact-") {
		t.Errorf("reply to a second /add of the link = %+v; want it refused, naming the file", got)
	}
	names := testkit.FileNames(t, dir)
	if len(names) != 2 {
		t.Fatalf("corpus folder holds %q; want two articles", names)
	}

	in = h.f.slashCommand("remove", []map[string]any{stringOpt("article", "ferry timetable")}, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if got := h.final(t, in); !strings.Contains(got.content, `Removed "Ferry timetable"`) {
		t.Errorf("reply to /remove = %+v", got)
	}
	if names := testkit.FileNames(t, dir); len(names) != 1 {
		t.Errorf("corpus folder holds %q after /remove; want one", names)
	}
	if n := h.reloader.Calls(); n != 3 {
		t.Errorf("%d reloads; want one per change (3)", n)
	}
	if cdn.authed != 0 {
		t.Errorf("%d downloads carried an Authorization header to the CDN", cdn.authed)
	}
	everyMessagePingsNobody(t, h.f)
}

func TestAddRefusesBadAttachments(t *testing.T) {
	t.Parallel()
	h, dir := startWithLibrary(t)
	cdn := newFakeCDN(t)
	for _, tc := range []struct {
		name, file, ctype string
		f                 *cdnFile
		user              fakeUser
		want              string
		downloads         bool
	}{
		{"binary", "photo.txt", "image/png", &cdnFile{data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, mod, "That is not a text file", true},
		{"pdf", "paper.pdf", "application/pdf", &cdnFile{data: []byte("%PDF-1.7")}, mod, "Please attach a .txt or .md file", false},
		{"50 MB", "big.txt", "text/plain", &cdnFile{stream: 50 << 20}, mod, "That file is too large: the limit is 1 MB", false},
		{"from a member", "a.txt", "text/plain", &cdnFile{data: []byte("News\n\nSomething.")}, alice, "not allowed to use /add", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := h.f.slashCommand("add", nil, tc.user, true)
			h.f.attach(in, cdn, "file", tc.file, tc.ctype, tc.f)
			h.f.dispatch(t, "INTERACTION_CREATE", in)
			got := h.final(t, in)
			if !got.ephemeral || !strings.Contains(got.content, tc.want) {
				t.Errorf("reply = %+v; want an ephemeral %q", got, tc.want)
			}
			if served := tc.f.served.Load(); !tc.downloads && served != 0 {
				t.Errorf("%d bytes downloaded; want none", served)
			}
		})
	}
	// An attachment option whose id the resolved data does not hold.
	in := h.f.slashCommand("add", []map[string]any{{"name": "file", "type": 11, "value": "123"}}, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", in)
	if got := h.final(t, in); !strings.Contains(got.content, "couldn't read that command") {
		t.Errorf("reply to an unresolved attachment = %+v", got)
	}
	if names := testkit.FileNames(t, dir); len(names) != 0 {
		t.Errorf("corpus folder holds %q; want nothing added", names)
	}
	if n := h.reloader.Calls(); n != 0 {
		t.Errorf("%d reloads; want none", n)
	}
}

// TestAddSpamIsRefusedWhileOneRuns: a moderator repeating /add while a
// slow page is fetched gets "another article is being added" at once for
// each repeat; the first completes, and one article is written.
func TestAddSpamIsRefusedWhileOneRuns(t *testing.T) {
	t.Parallel()
	h, dir := startWithLibrary(t)
	page, err := os.ReadFile("../../corpus/library/testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	}))
	defer site.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	first := h.f.slashCommand("add", []map[string]any{stringOpt("url", site.URL+"/slow")}, mod, true)
	h.f.dispatch(t, "INTERACTION_CREATE", first)
	<-arrived
	for i := range 3 {
		in := h.f.slashCommand("add", []map[string]any{stringOpt("url", site.URL+"/other")}, mod, true)
		h.f.dispatch(t, "INTERACTION_CREATE", in)
		if got := h.final(t, in); !got.ephemeral || !strings.Contains(got.content, "Another article is being added") {
			t.Errorf("repeat %d: reply = %+v; want an ephemeral 'another article is being added'", i, got)
		}
	}
	close(release)
	if got := h.final(t, first); !strings.Contains(got.content, "Added \"Laos and Vietnam sign border pact\"") {
		t.Errorf("the first /add = %+v; want it added", got)
	}
	if names := testkit.FileNames(t, dir); len(names) != 1 {
		t.Errorf("corpus folder holds %q; want the first article alone", names)
	}
}

// TestAddInADMWithTheFileAttached: a moderator (by user id: a DM has no
// roles) types /add in a DM with the file attached; in a guild channel the
// typed /add is pointed to the slash command and nothing is fetched.
func TestAddInADMWithTheFileAttached(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := botOptsWithModRole()
	opts.Moderators.DiscordUserIDs = []string{mod.ID}
	opts.Library = library.New(dir, library.Options{MaxFileBytes: 1 << 20})
	h := start(t, setup{botOpts: opts})
	cdn := newFakeCDN(t)

	note := &cdnFile{data: []byte("Ferry timetable\n\nThe Riverton ferry sails at 7 every morning from May.\n")}
	dm := h.f.message("/add", mod, false, false)
	h.f.attachTo(dm, cdn, "ferry.txt", "text/plain; charset=utf-8", note)
	h.f.dispatch(t, "MESSAGE_CREATE", dm)
	if got := str(get(h.replyTo(t, dm).JSON, "content")); !strings.Contains(got, `Added "Ferry timetable" (undated, 1 sentence)`) {
		t.Errorf("reply to /add in a DM = %q", got)
	}

	other := &cdnFile{data: []byte("Bus timetable\n\nThe bus leaves at 8.\n")}
	inGuild := h.f.message("/add", mod, true, true)
	h.f.attachTo(inGuild, cdn, "bus.txt", "text/plain", other)
	h.f.dispatch(t, "MESSAGE_CREATE", inGuild)
	if got := str(get(h.replyTo(t, inGuild).JSON, "content")); !strings.Contains(got, "Please use the /add slash command") {
		t.Errorf("reply to /add typed in a guild channel = %q", got)
	}
	if other.served.Load() != 0 {
		t.Errorf("the guild message's file was downloaded")
	}
	if names := testkit.FileNames(t, dir); len(names) != 1 {
		t.Errorf("corpus folder holds %q; want the DM's article alone", names)
	}
}
