package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing/fstest"

	"github.com/corpusbot/corpusbot/bot"
	"github.com/corpusbot/corpusbot/corpus"
)

// Options configure a Folder.
type Options struct {
	Fetch FetchOptions
	// MaxFileBytes bounds an attached file, and the article written; 0
	// means corpus.DefaultMaxFileBytes.
	MaxFileBytes int64
	// Index returns the corpus served, to find an article by its title for
	// /remove; nil finds articles by file name only.
	Index func() *corpus.Index
}

// A Folder is a corpus folder that /add writes articles into and /remove
// moves them out of, into a removed/ folder beside it. Adds run one at a
// time: an /add asked for while another runs is refused with ErrBusy
// rather than queued, so a moderator who repeats /add cannot pile up
// fetches. It is safe for concurrent use.
type Folder struct {
	dir     string
	removed string
	opts    Options
	fetch   *Fetcher

	mu sync.Mutex // held by the Add or Remove at work: guards the folder's files against a concurrent change

	fromHTML func([]byte, *url.URL) (Draft, error) // FromHTML; replaced in tests
}

var _ bot.Library = (*Folder)(nil)

// New returns the Folder for the corpus folder dir. It touches no file.
func New(dir string, opts Options) *Folder {
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = corpus.DefaultMaxFileBytes
	}
	// An absolute path, so that the folder beside it is never inside it
	// (the parent of "." is ".").
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return &Folder{dir: dir, removed: filepath.Join(filepath.Dir(dir), "removed"), opts: opts, fetch: NewFetcher(opts.Fetch),
		fromHTML: FromHTML}
}

// Add fetches or reads src, extracts its article, and writes it into the
// folder as a .txt with front matter, atomically. It refuses an article
// the folder already holds (same link, or same text).
func (f *Folder) Add(ctx context.Context, src bot.Source) (bot.Added, error) {
	if !f.mu.TryLock() {
		return bot.Added{}, userError(bot.RateLimited, "Another article is being added; please wait for its reply, then try again.", ErrBusy)
	}
	defer f.mu.Unlock()
	d, links, err := f.draft(ctx, src)
	if err != nil {
		return bot.Added{}, err
	}
	file := d.Render()
	if int64(len(file)) > f.opts.MaxFileBytes {
		return bot.Added{}, userError(bot.Invalid, fmt.Sprintf("That article is too long for the corpus (over %s).", size(f.opts.MaxFileBytes)), ErrTooLarge)
	}
	ix, err := corpus.LoadFS(ctx, fstest.MapFS{"new.txt": {Data: []byte(file)}}, corpus.LoadOptions{MaxFileBytes: f.opts.MaxFileBytes})
	if err != nil || len(ix.Sentences) == 0 {
		return bot.Added{}, userError(bot.Invalid, "I found no article text there; nothing was added.", ErrNoArticle)
	}
	if dup, err := f.duplicate(links, d.Text); err != nil {
		return bot.Added{}, err
	} else if dup != "" {
		return bot.Added{}, duplicateError(dup)
	}
	name := fileName(d)
	if err := writeAtomic(f.dir, name, []byte(file)); err != nil {
		return bot.Added{}, err
	}
	a := ix.Articles[0]
	return bot.Added{Path: name, Title: a.Title, Date: a.Date, Sentences: len(ix.Sentences)}, nil
}

// draft reads src into a draft, and returns the links that name it.
func (f *Folder) draft(ctx context.Context, src bot.Source) (Draft, []string, error) {
	if src.File != nil {
		return f.draftFile(ctx, src.File)
	}
	u, err := ParseURL(src.URL)
	if err != nil {
		return Draft{}, nil, userError(bot.Invalid, "Please give a http:// or https:// link, or attach a .txt or .md file.", err)
	}
	// A link added before is refused before it is fetched again.
	if dup, err := f.duplicate([]string{u.String()}, ""); err != nil {
		return Draft{}, nil, err
	} else if dup != "" {
		return Draft{}, nil, duplicateError(dup)
	}
	page, err := f.fetch.Fetch(ctx, u)
	if err != nil {
		return Draft{}, nil, fetchError(err)
	}
	var d Draft
	switch page.ContentType {
	case "text/html", "application/xhtml+xml":
		d, err = f.extractHTML(ctx, page)
	case "text/plain", "text/markdown":
		d, err = FromText(path.Base(page.URL.Path), page.Body)
		if err == nil && d.URL == "" {
			d.URL = page.URL.String()
		}
	default:
		return Draft{}, nil, userError(bot.Invalid, "That link is not a web page or a text file ("+oneLine(clipRunes(page.ContentType, 60))+"); nothing was added.", ErrNotText)
	}
	if err != nil {
		return Draft{}, nil, draftError(err)
	}
	return d, []string{u.String(), page.URL.String(), d.URL}, nil
}

// extractHTML runs FromHTML within the fetch's time limit: the parser
// cannot be interrupted, so a page that keeps it busy too long is given
// up (its goroutine ends on its own later) rather than holding /add.
func (f *Folder) extractHTML(ctx context.Context, page Page) (Draft, error) {
	ctx, cancel := context.WithTimeout(ctx, f.fetch.opts.Timeout)
	defer cancel()
	type result struct {
		d   Draft
		err error
	}
	c := make(chan result, 1)
	go func() {
		d, err := f.fromHTML(page.Body, page.URL)
		c <- result{d, err}
	}()
	select {
	case r := <-c:
		return r.d, r.err
	case <-ctx.Done():
		return Draft{}, userError(bot.Invalid, "Reading that page took too long; nothing was added.", ctx.Err())
	}
}

func (f *Folder) draftFile(ctx context.Context, a *bot.Attachment) (Draft, []string, error) {
	ext := strings.ToLower(path.Ext(a.Name))
	if ext != ".txt" && ext != ".md" {
		return Draft{}, nil, userError(bot.Invalid, "Please attach a .txt or .md file; nothing was added.", ErrNotText)
	}
	if a.Size > f.opts.MaxFileBytes {
		return Draft{}, nil, tooLarge(f.opts.MaxFileBytes)
	}
	r, err := a.Open(ctx)
	if err != nil {
		return Draft{}, nil, userError(bot.Internal, "I couldn't download the file; please try again.", err)
	}
	defer r.Close()
	data, err := readLimited(r, f.opts.MaxFileBytes)
	if errors.Is(err, ErrTooLarge) {
		return Draft{}, nil, tooLarge(f.opts.MaxFileBytes)
	} else if err != nil {
		return Draft{}, nil, userError(bot.Internal, "I couldn't download the file; please try again.", err)
	}
	d, err := FromText(a.Name, data)
	if err != nil {
		return Draft{}, nil, draftError(err)
	}
	var links []string
	if d.URL != "" {
		links = append(links, d.URL)
	}
	return d, links, nil
}

func tooLarge(limit int64) error {
	return userError(bot.Invalid, "That file is too large: the limit is "+size(limit)+". Nothing was added.", ErrTooLarge)
}

// fetchError is what a moderator is told of a failed fetch.
func fetchError(err error) error {
	var status *StatusError
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return userError(bot.Invalid, "That link leads to a private or local address, which I may not fetch.", err)
	case errors.Is(err, ErrTooLarge):
		return userError(bot.Invalid, "That page is too large to add.", err)
	case errors.Is(err, ErrTooManyRedirects):
		return userError(bot.Invalid, "That link redirects too many times.", err)
	case errors.Is(err, ErrBadURL):
		return userError(bot.Invalid, "That link redirects to something other than a web page.", err)
	case errors.Is(err, context.DeadlineExceeded):
		return userError(bot.Invalid, "That page did not answer in time; nothing was added.", err)
	case errors.Is(err, context.Canceled):
		return userError(bot.Invalid, "The fetch was cancelled; nothing was added.", err)
	case errors.As(err, &status):
		return userError(bot.Invalid, fmt.Sprintf("That page answered with an error (HTTP %d); nothing was added.", status.Code), err)
	}
	return userError(bot.Invalid, "I couldn't fetch that page; nothing was added.", err)
}

func draftError(err error) error {
	var told *bot.Error
	if errors.As(err, &told) {
		return told
	}
	if errors.Is(err, ErrNotText) {
		return userError(bot.Invalid, "That is not a text file; nothing was added.", err)
	}
	return userError(bot.Invalid, "I found no article text there; nothing was added.", err)
}

func userError(kind bot.ErrorKind, msg string, cause error) *bot.Error {
	return &bot.Error{Kind: kind, Message: msg, Cause: cause}
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(n>>10, 1))
}

func duplicateError(name string) error {
	return userError(bot.Invalid, "That article is already in the corpus, as "+name+"; nothing was added.", ErrDuplicate)
}

// duplicate returns the name of the folder's article whose link is one of
// links, or whose text is text (unless text is empty), or "".
func (f *Folder) duplicate(links []string, text string) (string, error) {
	want := map[string]bool{}
	for _, l := range links {
		if k := linkKey(l); k != "" {
			want[k] = true
		}
	}
	body := strings.Join(strings.Fields(text), " ")
	found := ""
	err := f.walk(func(name string, data []byte) bool {
		fm, rest, ok := splitFrontMatter(strings.ReplaceAll(string(data), "\r\n", "\n"))
		if ok && want[linkKey(fm["url"])] {
			found = name
			return false
		}
		if body != "" && strings.Join(strings.Fields(rest), " ") == body {
			found = name
			return false
		}
		return true
	})
	return found, err
}

// linkKey is a link compared with others: without its scheme, "www.", a
// default port, fragment or trailing slash.
func linkKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	return host + strings.TrimSuffix(u.EscapedPath(), "/") + "?" + u.RawQuery
}

// walk calls fn with each .txt file of the folder (not hidden ones), until
// fn returns false.
func (f *Folder) walk(fn func(name string, data []byte) bool) error {
	root, err := os.OpenRoot(f.dir)
	if err != nil {
		return fmt.Errorf("library: %w", err)
	}
	defer root.Close()
	stop := errors.New("stop")
	err = fs.WalkDir(root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder holds no duplicate we can see
		}
		if p != "." && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !strings.EqualFold(path.Ext(p), ".txt") {
			return nil
		}
		fi, err := e.Info()
		if err != nil || fi.Size() > f.opts.MaxFileBytes {
			return nil
		}
		data, err := fs.ReadFile(root.FS(), p)
		if err != nil {
			return nil
		}
		if !fn(p, data) {
			return stop
		}
		return nil
	})
	if errors.Is(err, stop) {
		return nil
	}
	return err
}

// fileName is the new article's file name: its title as a short ASCII
// slug, and a hash of its text that keeps names apart.
func fileName(d Draft) string {
	sum := sha256.Sum256([]byte(d.Text))
	var slug strings.Builder
	dash := false
	for _, r := range strings.ToLower(d.Title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			slug.WriteRune(r)
			dash = false
		case !dash && slug.Len() > 0:
			slug.WriteByte('-')
			dash = true
		}
		if slug.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(slug.String(), "-")
	if s == "" {
		s = "article"
	}
	return s + "-" + hex.EncodeToString(sum[:4]) + ".txt"
}

// writeAtomic writes data to dir/name through a hidden temporary file in
// dir that is renamed into place, so that a reload never reads half a
// file. An existing name is never overwritten.
func writeAtomic(dir, name string, data []byte) error {
	dst := filepath.Join(dir, name)
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("library: %s exists already", name)
	}
	tmp, err := os.CreateTemp(dir, ".add-*.tmp")
	if err != nil {
		return fmt.Errorf("library: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("library: writing %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	ok = true
	return nil
}

// Remove moves the article named name (its file name relative to the
// folder, with or without .txt, or its exact title, any case, as the corpus
// served or the file's front matter gives it) into the removed/
// folder beside the corpus. Names that leave the folder, hidden files and
// anything but a regular .txt file are refused.
func (f *Folder) Remove(ctx context.Context, name string) (bot.Removed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rel, title, err := f.resolve(name)
	if err != nil {
		return bot.Removed{}, err
	}
	dst, err := f.removedName(rel)
	if err != nil {
		return bot.Removed{}, err
	}
	if err := os.Rename(filepath.Join(f.dir, filepath.FromSlash(rel)), dst); err != nil {
		return bot.Removed{}, fmt.Errorf("library: moving %s: %w", rel, err)
	}
	to, _ := filepath.Rel(filepath.Dir(f.dir), dst)
	return bot.Removed{Path: rel, Title: title, To: filepath.ToSlash(to)}, nil
}

// resolve finds the file name tells of, and the article's title.
func (f *Folder) resolve(name string) (rel, title string, err error) {
	name = strings.TrimSpace(name)
	bad := userError(bot.Invalid, "That is not an article's file name: give it as /sources or a citation names it, e.g. 001_news.txt, or the article's exact title.", ErrBadName)
	if f.opts.Index != nil {
		if ix := f.opts.Index(); ix != nil {
			for _, a := range ix.Articles {
				if a.Path == name || strings.EqualFold(a.Title, name) || a.Path == name+".txt" {
					rel, title = a.Path, a.Title
					break
				}
			}
		}
	}
	if rel == "" { // a title in the folder's front matter: a file not yet served
		err := f.walk(func(p string, data []byte) bool {
			fm, _, ok := splitFrontMatter(strings.ReplaceAll(string(data), "\r\n", "\n"))
			if ok && fm["title"] != "" && strings.EqualFold(oneLine(fm["title"]), name) {
				rel, title = p, oneLine(fm["title"])
				return false
			}
			return true
		})
		if err != nil {
			return "", "", err
		}
	}
	if rel == "" {
		rel = filepath.ToSlash(name)
		if !strings.EqualFold(path.Ext(rel), ".txt") {
			rel += ".txt"
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.Contains(rel, "\\") || hidden(rel) {
		return "", "", bad
	}
	root, err := os.OpenRoot(f.dir)
	if err != nil {
		return "", "", fmt.Errorf("library: %w", err)
	}
	defer root.Close()
	fi, err := root.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return "", "", userError(bot.Invalid, "There is no article "+clipRunes(oneLine(name), 100)+" in the corpus; /sources lists them.", ErrNotFound)
	}
	if !fi.Mode().IsRegular() {
		return "", "", bad
	}
	if title == "" {
		title = rel
		if data, err := root.ReadFile(filepath.FromSlash(rel)); err == nil {
			if fm, _, ok := splitFrontMatter(string(data)); ok && fm["title"] != "" {
				title = oneLine(fm["title"])
			}
		}
	}
	return rel, title, nil
}

// hidden reports whether a part of rel starts with a dot: the corpus does
// not read such files, so they are not articles.
func hidden(rel string) bool {
	for part := range strings.SplitSeq(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// removedName is where rel goes in removed/: the same path, with "-2",
// "-3"... before .txt if a file of that name was removed before.
func (f *Folder) removedName(rel string) (string, error) {
	dst := filepath.Join(f.removed, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("library: %w", err)
	}
	base := strings.TrimSuffix(dst, filepath.Ext(dst))
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			return dst, nil
		}
		dst = fmt.Sprintf("%s-%d%s", base, i, filepath.Ext(rel))
		if i > 1000 {
			return "", fmt.Errorf("library: too many removed files named %s", rel)
		}
	}
}
