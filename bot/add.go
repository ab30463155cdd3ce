package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// An Attachment is a file sent with a request, as /add takes one. Open
// fetches its content from the platform; the reader may be longer than
// Size claims, so readers must bound what they read.
type Attachment struct {
	Name string // the file name the user gave it
	Size int64  // the size the platform reports; 0 when it does not say
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// A Source is what /add adds: a web page or an attached file.
type Source struct {
	URL  string      // a http or https link, or empty
	File *Attachment // an attached .txt or .md file, or nil
}

// Added describes an article /add wrote into the corpus folder.
type Added struct {
	Path      string // file name relative to the corpus folder
	Title     string
	Date      string // YYYY-MM-DD, or empty
	Sentences int    // sentences the article holds, as the corpus reads it
}

// Removed describes an article /remove moved out of the corpus folder.
type Removed struct {
	Path  string // its former name relative to the corpus folder
	Title string
	To    string // where it went, relative to the folder beside the corpus
}

// A Library adds articles to the corpus folder and removes them;
// *library.Folder is one. Errors that are a *Error are shown to the
// moderator; any other is an internal failure.
type Library interface {
	Add(ctx context.Context, src Source) (Added, error)
	Remove(ctx context.Context, name string) (Removed, error)
}

// noFolder is the reply to /add and /remove when the bot serves its
// built-in articles.
const noFolder = "The bot serves its built-in articles: there is no corpus folder to add to or remove from (set corpus.dir)."

func (b *Bot) addArticle(ctx context.Context, r Request) (Reply, string) {
	if b.opts.Library == nil {
		return Reply{Private: true, Text: noFolder}, OutcomeOK
	}
	src := Source{URL: strings.TrimSpace(r.Text), File: r.File}
	if src.File != nil {
		src.URL = ""
	}
	if src.URL == "" && src.File == nil {
		return Reply{Private: true, Err: &Error{Kind: Invalid,
			Message: "Please give a link (/add https://…) or attach a .txt or .md file to /add."}}, OutcomeInvalid
	}
	added, err := b.opts.Library.Add(ctx, src)
	if err != nil {
		rep, outcome := libraryError(err, "Adding the article failed on our side; nothing was changed.")
		return rep, outcome
	}
	date := added.Date
	if date == "" {
		date = "undated"
	}
	msg := fmt.Sprintf("Added %q (%s, %s) as %s.", added.Title, date, plural(added.Sentences, "sentence"), added.Path)
	rep := Reply{Private: true, Text: msg + b.reloadNote(ctx), article: added.Path}
	return rep, OutcomeOK
}

func (b *Bot) removeArticle(ctx context.Context, r Request) (Reply, string) {
	if b.opts.Library == nil {
		return Reply{Private: true, Text: noFolder}, OutcomeOK
	}
	name := strings.TrimSpace(r.Text)
	if name == "" {
		return Reply{Private: true, Err: &Error{Kind: Invalid,
			Message: "Please name the article to remove: /remove <file name or exact title>."}}, OutcomeInvalid
	}
	rm, err := b.opts.Library.Remove(ctx, name)
	if err != nil {
		return libraryError(err, "Removing the article failed on our side; nothing was changed.")
	}
	msg := fmt.Sprintf("Removed %q (%s); the file is now in %s.", rm.Title, rm.Path, rm.To)
	return Reply{Private: true, Text: msg + b.reloadNote(ctx), article: rm.Path}, OutcomeOK
}

// libraryError turns a Library's error into a reply: its own message when
// it is an *Error, else internal with fallback.
func libraryError(err error, fallback string) (Reply, string) {
	var e *Error
	if errors.As(err, &e) {
		outcome := OutcomeInvalid
		switch e.Kind {
		case Internal:
			outcome = OutcomeFailed
		case RateLimited:
			outcome = OutcomeRateLimited
		}
		return Reply{Private: true, Err: e}, outcome
	}
	return Reply{Private: true, Err: &Error{Kind: Internal, Message: fallback, Cause: err}}, OutcomeFailed
}

// reloadNote reloads the corpus after an article was added or removed, and
// says how it went, in a sentence that follows the change's report.
func (b *Bot) reloadNote(ctx context.Context) string {
	if b.reloader == nil {
		return " It will be served after the next reload."
	}
	rep, err := b.reloader.Reload(ctx)
	var running *RunningError
	switch {
	case errors.As(err, &running):
		return " A reload is running; another will run when it ends, and serve the change."
	case err != nil:
		b.log.Error("reload after a corpus change failed", "err", err)
		return " The reload failed, so the change is not served yet: " + safeReason(err)
	}
	return fmt.Sprintf(" Now serving %s (%s).", plural(rep.Articles, "article"), plural(rep.Sentences, "sentence"))
}
