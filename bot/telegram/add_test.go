package telegram

import (
	"github.com/corpusbot/corpusbot/internal/testkit"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus/library"
)

// withLibrary gives the bot a corpus folder in a temp dir that /add may
// fill from 127.0.0.1, and returns the folder.
func withLibrary(t *testing.T, limit int64) (string, func(*setup, *fakeAPI)) {
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lib := library.New(dir, library.Options{MaxFileBytes: limit, Fetch: library.FetchOptions{AllowPrivate: true}})
	return dir, func(s *setup, _ *fakeAPI) { s.botOpts.Library = lib }
}

func TestAddDocumentAndLink(t *testing.T) {
	dir, lib := withLibrary(t, 1<<20)
	srv := testkit.ServeHTML(t, "../../corpus/library/testdata/article.html")
	h := start(t, lib)
	note := &fakeFile{data: []byte("---\ndate: 2025-02-01\n---\nFerry timetable\n\nThe Riverton ferry sails at 7 every morning from May. It stops at Slow Bend.\n")}

	id := h.fake.sendDocument(modChat, moderator, "/add", "ferry.txt", "text/plain", note, false)
	got := html.UnescapeString(h.fake.waitReply(modChat.ID, id).Get("text"))
	if !strings.Contains(got, `Added "Ferry timetable" (2025-02-01, 2 sentences) as ferry-timetable-`) || !strings.Contains(got, "Now serving 5 articles") {
		t.Errorf("reply to /add with a document = %q", got)
	}
	if calls := h.fake.callsOf("getFile"); len(calls) != 1 || calls[0].Params.Get("file_id") != note.id {
		t.Errorf("getFile calls %+v; want one for %s", calls, note.id)
	}
	if note.served.Load() != int64(len(note.data)) {
		t.Errorf("downloaded %d bytes of %d", note.served.Load(), len(note.data))
	}

	id = h.fake.say(modChat, moderator, "/add@ThisBot "+srv.URL+"/pact")
	got = html.UnescapeString(h.fake.waitReply(modChat.ID, id).Get("text"))
	if !strings.Contains(got, `Added "Laos and Vietnam sign border pact" (2024-03-14, 4 sentences)`) {
		t.Errorf("reply to /add <link> = %q", got)
	}
	id = h.fake.say(modChat, moderator, "/add "+srv.URL+"/pact")
	if got := h.fake.waitReply(modChat.ID, id).Get("text"); !strings.Contains(got, "already in the corpus, as laos-and-vietnam-sign-border-pact-") {
		t.Errorf("reply to a second /add of the link = %q; want it refused, naming the file", got)
	}
	if n := h.rel.Calls(); n != 2 {
		t.Errorf("%d reloads; want one per article added", n)
	}
	if names := testkit.FileNames(t, dir); len(names) != 2 {
		t.Errorf("corpus folder holds %q; want the two articles", names)
	}

	id = h.fake.say(modChat, moderator, "/remove "+testkit.FileNames(t, dir)[0])
	if got := h.fake.waitReply(modChat.ID, id).Get("text"); !strings.Contains(got, "the file is now in removed/") {
		t.Errorf("reply to /remove = %q", got)
	}
	if names := testkit.FileNames(t, dir); len(names) != 1 {
		t.Errorf("corpus folder holds %q after /remove; want one article", names)
	}
}

func TestAddRefusesBadDocuments(t *testing.T) {
	dir, lib := withLibrary(t, 1<<20)
	h := start(t, lib)
	for _, tc := range []struct {
		name, caption, file, mime string
		ff                        *fakeFile
		hideSize                  bool
		from                      tgUser
		chat                      tgChat
		want                      string
		downloaded                bool // whether the file may be fetched at all
	}{
		{name: "binary", caption: "/add", file: "photo.txt", mime: "text/plain", ff: &fakeFile{data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
			from: moderator, chat: modChat, want: "That is not a text file", downloaded: true},
		{name: "pdf", caption: "/add", file: "paper.pdf", mime: "application/pdf", ff: &fakeFile{data: []byte("%PDF-1.7")},
			from: moderator, chat: modChat, want: "Please attach a .txt or .md file"},
		{name: "50 MB, size given", caption: "/add", file: "big.txt", mime: "text/plain", ff: &fakeFile{stream: 50 << 20},
			from: moderator, chat: modChat, want: "That file is too large: the limit is 1 MB"},
		{name: "19 MB, size not given", caption: "/add", file: "big.txt", mime: "text/plain", ff: &fakeFile{stream: 19 << 20}, hideSize: true,
			from: moderator, chat: modChat, want: "That file is too large: the limit is 1 MB", downloaded: true},
		{name: "from a member", caption: "/add", file: "a.txt", mime: "text/plain", ff: &fakeFile{data: []byte("News\n\nSomething.")},
			from: bob, chat: bobChat, want: "not allowed to use /add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := h.fake.sendDocument(tc.chat, tc.from, tc.caption, tc.file, tc.mime, tc.ff, tc.hideSize)
			got := h.fake.waitReply(tc.chat.ID, id).Get("text")
			if !strings.Contains(got, tc.want) {
				t.Errorf("reply = %q; want %q", got, tc.want)
			}
			served := tc.ff.served.Load()
			if !tc.downloaded && served != 0 {
				t.Errorf("%d bytes downloaded; want none", served)
			}
			// What the server wrote includes what the sockets buffer; the
			// bot itself reads at most the limit (TestAddStopsReading... in
			// corpus/library), then hangs up.
			if served >= tc.ff.size() && tc.ff.size() > 1<<20 {
				t.Errorf("all %d bytes downloaded; want the download given up at the 1 MB limit", served)
			}
		})
	}
	if names := testkit.FileNames(t, dir); len(names) != 0 {
		t.Errorf("corpus folder holds %q; want nothing added", names)
	}
	if n := h.rel.Calls(); n != 0 {
		t.Errorf("%d reloads; want none", n)
	}
}

// TestDocumentsWithoutAddAreIgnored: a document with another caption, or
// none, is not a request; a group's /add for another bot neither.
func TestDocumentsWithoutAddAreIgnored(t *testing.T) {
	_, lib := withLibrary(t, 1<<20)
	h := start(t, lib)
	ff := &fakeFile{data: []byte("News\n\nSomething happened.")}
	h.fake.sendDocument(modChat, moderator, "", "a.txt", "text/plain", ff, false)
	h.fake.sendDocument(modChat, moderator, "what is this?", "a.txt", "text/plain", ff, false)
	h.fake.sendDocument(group, moderator, "/add@OtherBot", "a.txt", "text/plain", ff, false)
	last := h.fake.say(modChat, moderator, "/help")
	h.fake.waitReply(modChat.ID, last)
	h.stop()
	if n := len(h.fake.callsOf("sendMessage")); n != 1 {
		t.Errorf("%d messages sent; want only the reply to /help", n)
	}
	if n := len(h.fake.callsOf("getFile")); n != 0 {
		t.Errorf("%d getFile calls; want none", n)
	}
}

// TestAddWithBuiltInArticles: the bot has no folder to add to.
func TestAddWithBuiltInArticles(t *testing.T) {
	h := start(t)
	id := h.fake.sendDocument(modChat, moderator, "/add", "a.txt", "text/plain", &fakeFile{data: []byte("News\n\nSomething.")}, false)
	if got := h.fake.waitReply(modChat.ID, id).Get("text"); !strings.Contains(got, "no corpus folder") {
		t.Errorf("reply = %q; want no corpus folder", got)
	}
	_ = bot.Telegram
}

// TestAddDownloadFailureKeepsTheTokenOut: a download cut off tells the
// moderator to try again, and the error logged (whose URL held the token)
// is scrubbed; the harness checks the whole log for the token.
func TestAddDownloadFailureKeepsTheTokenOut(t *testing.T) {
	_, lib := withLibrary(t, 1<<20)
	h := start(t, lib)
	id := h.fake.sendDocument(modChat, moderator, "/add", "a.txt", "text/plain", &fakeFile{data: []byte("News\n\nSomething."), drop: true}, false)
	if got := h.fake.waitReply(modChat.ID, id).Get("text"); !strings.Contains(got, "couldn't download the file") {
		t.Errorf("reply = %q; want the moderator told the download failed", got)
	}
	h.stop()
	if logs := h.logs.String(); !strings.Contains(logs, "/file/bot<token>/documents/") {
		t.Errorf("log lacks the scrubbed download error:\n%s", logs)
	}
}
