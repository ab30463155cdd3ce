package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// Load reads every .txt file below the root of fsys, as LoadFS does with
// the default options.
func Load(ctx context.Context, fsys fs.FS) (*Index, error) {
	return LoadFS(ctx, fsys, LoadOptions{})
}

// LoadFS reads every .txt file (of any case) below the root of fsys, in
// path order, and indexes the sentences of each article; hidden files and
// folders are left out. Only regular files are articles: other entries
// named *.txt, files bigger than opts.MaxFileBytes, unreadable files,
// binary ones (NUL bytes), empty ones and those with no sentence are
// skipped, each named in Index.Warnings by an error wrapping ErrBadFile.
// Invalid UTF-8 does not drop an article: each run of invalid bytes becomes
// U+FFFD, noted by a warning wrapping ErrRepaired. A corpus with no usable
// article is ErrEmpty.
//
// Load returns ctx.Err() once ctx is done; it checks between files.
//
// An fs.FS cannot open a file without waiting on a named pipe, so LoadFS
// skips, without opening them, the entries its folders list as anything but
// folders, regular files and links, and links to anything else; a pipe
// swapped in meanwhile could still block it. LoadDir, for folders on disk,
// cannot block.
func LoadFS(ctx context.Context, fsys fs.FS, opts LoadOptions) (*Index, error) {
	return load(ctx, source{
		open:       fsys.Open,
		stat:       func(name string) (fs.FileInfo, error) { return fs.Stat(fsys, name) },
		readDir:    func(name string) ([]fs.DirEntry, error) { return fs.ReadDir(fsys, name) },
		folderFail: func(err error) error { return fmt.Errorf("corpus: %w", err) },
	}, opts)
}

// A FileError is one of Index.Warnings: a file skipped (Err is ErrBadFile)
// or kept with a repair (Err is ErrRepaired). Its message is
// "corpus: unusable file: a/b.txt: empty".
type FileError struct {
	Path string // relative to the corpus root, with forward slashes
	Why  string // what is wrong with the file, or what was repaired
	Err  error  // ErrBadFile or ErrRepaired
}

func (e *FileError) Error() string { return e.Err.Error() + ": " + e.Path + ": " + e.Why }
func (e *FileError) Unwrap() error { return e.Err }

// A source is what load reads a corpus from, by slash-separated paths
// relative to its root.
type source struct {
	// open opens a file or folder; for a named pipe it must not wait.
	open func(name string) (fs.File, error)
	// stat follows links.
	stat func(name string) (fs.FileInfo, error)
	// readDir lists a folder, in any order.
	readDir func(name string) ([]fs.DirEntry, error)
	// escapes is the error open and stat give for a path leading outside
	// the root, if any.
	escapes error
	// folderFail makes the error load returns when the root folder cannot
	// be listed.
	folderFail func(error) error
}

// A candidate is an entry named *.txt, or a folder that could not be read.
type candidate struct {
	path string
	mode fs.FileMode // the type its folder lists it with
	why  string      // set when it is already known to be unusable
}

// maxListedUnusable is how many unusable files ErrEmpty's message names.
const maxListedUnusable = 10

// load reads and indexes the articles of src, as LoadFS documents.
func load(ctx context.Context, src source, opts LoadOptions) (*Index, error) {
	cands, err := src.list(ctx)
	if err != nil {
		return nil, err
	}
	limit := opts.maxFileBytes()
	files := 0
	b := newBuilder()
	var buf bytes.Buffer
	warn := func(p, why string, kind error) {
		b.ix.Warnings = append(b.ix.Warnings, &FileError{Path: p, Why: why, Err: kind})
	}
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if c.why != "" {
			warn(c.path, c.why, ErrBadFile)
			continue
		}
		files++
		why := src.read(c, limit, &buf)
		if why != "" {
			warn(c.path, why, ErrBadFile)
			continue
		}
		data := buf.Bytes()
		if why := unusable(data); why != "" {
			warn(c.path, why, ErrBadFile)
			continue
		}
		text, replaced := repair(data)
		a, paras := parseArticle(c.path, text)
		if !b.add(a, paras) {
			warn(c.path, "no sentence to index", ErrBadFile)
			continue
		}
		if replaced > 0 {
			warn(c.path, repairedText(replaced), ErrRepaired)
		}
	}
	if len(b.ix.Articles) == 0 {
		return nil, emptyError(files, b.ix.Warnings)
	}
	return b.finish(), nil
}

// list returns the entries named *.txt below the root, and the folders that
// could not be read, sorted by path. It does not descend into hidden
// folders, nor follow links to folders.
func (src source) list(ctx context.Context) ([]candidate, error) {
	var cands []candidate
	var walk func(dir string) error
	walk = func(dir string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries, err := src.readDir(dir)
		if err != nil {
			if dir == "." {
				return src.folderFail(err)
			}
			cands = append(cands, candidate{path: dir, why: "folder cannot be read: " + src.errWhy(err, 0)})
			return nil
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := path.Join(dir, name)
			if e.IsDir() {
				if err := walk(p); err != nil {
					return err
				}
				continue
			}
			if strings.EqualFold(path.Ext(name), ".txt") {
				cands = append(cands, candidate{path: p, mode: e.Type()})
			}
		}
		return nil
	}
	if err := walk("."); err != nil {
		return nil, err
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].path < cands[j].path })
	return cands, nil
}

// read reads the regular file c into buf, or says why it is not read. It
// opens nothing its folder lists as other than a regular file or a link,
// and reads at most limit bytes.
func (src source) read(c candidate, limit int64, buf *bytes.Buffer) string {
	buf.Reset()
	mode := c.mode
	if mode&fs.ModeSymlink != 0 {
		fi, err := src.stat(c.path)
		if err != nil {
			return src.errWhy(err, mode)
		}
		mode = fi.Mode()
	}
	if !mode.IsRegular() {
		return irregular(mode)
	}
	f, err := src.open(c.path)
	if err != nil {
		return src.errWhy(err, c.mode)
	}
	defer f.Close()
	// What was opened may not be what was listed: check again.
	fi, err := f.Stat()
	if err != nil {
		return src.errWhy(err, c.mode)
	}
	if !fi.Mode().IsRegular() {
		return irregular(fi.Mode())
	}
	if fi.Size() > limit {
		return fmt.Sprintf("too big: %d bytes, over the limit of %d", fi.Size(), limit)
	}
	buf.Grow(int(fi.Size()) + 1)
	// The file may have grown since: read one byte past the limit at most.
	n, err := buf.ReadFrom(io.LimitReader(f, limit+1))
	if err != nil {
		return "cannot be read: " + errText(err)
	}
	if n > limit {
		return fmt.Sprintf("too big: over the limit of %d bytes (it grew while read)", limit)
	}
	return ""
}

// errWhy says why an entry listed with the given mode could not be opened.
func (src source) errWhy(err error, mode fs.FileMode) string {
	link := mode&fs.ModeSymlink != 0
	switch {
	case src.escapes != nil && errors.Is(err, src.escapes):
		return "a link leading outside the folder (not read)"
	case link && errors.Is(err, fs.ErrNotExist):
		return "a broken link (its target does not exist)"
	case errors.Is(err, fs.ErrNotExist):
		return "gone before it could be read"
	}
	return "cannot be read: " + errText(err)
}

// irregular says what kind of file that is not regular mode describes.
func irregular(mode fs.FileMode) string {
	var what string
	switch {
	case mode.IsDir():
		what = "a folder (links to folders are not followed)"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	default:
		return "not a regular file"
	}
	return "not a regular file: " + what
}

// unusable says why data cannot be an article, or "" when it can.
func unusable(data []byte) string {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "empty"
	case bytes.IndexByte(data, 0) >= 0:
		return "binary (NUL bytes)"
	}
	return ""
}

// repair returns data as text, each run of bytes that are not UTF-8
// replaced by U+FFFD, and how many bytes it replaced.
func repair(data []byte) (string, int) {
	if utf8.Valid(data) {
		return string(data), 0
	}
	n := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			n++
		}
		i += size
	}
	return string(bytes.ToValidUTF8(data, []byte("\uFFFD"))), n
}

func repairedText(n int) string {
	if n == 1 {
		return "1 byte of invalid UTF-8 replaced with U+FFFD"
	}
	return fmt.Sprintf("%d bytes of invalid UTF-8 replaced with U+FFFD", n)
}

// emptyError is ErrEmpty for a corpus of files .txt files, naming the first
// of those that were unusable and why.
func emptyError(files int, warnings []error) error {
	var msg strings.Builder
	if files == 1 {
		msg.WriteString(" (1 file read)")
	} else {
		fmt.Fprintf(&msg, " (%d files read)", files)
	}
	sep := ": "
	for i, w := range warnings {
		if i == maxListedUnusable {
			fmt.Fprintf(&msg, "; and %d more", len(warnings)-i)
			break
		}
		var fe *FileError
		if errors.As(w, &fe) {
			msg.WriteString(sep + fe.Path + ": " + fe.Why)
			sep = "; "
		}
	}
	return fmt.Errorf("%w%s", ErrEmpty, msg.String())
}
