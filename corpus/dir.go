package corpus

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultMaxFileBytes is the largest file LoadDir reads as an article when
// LoadOptions does not say.
const DefaultMaxFileBytes = 4 << 20

// LoadOptions tune how a corpus folder is read.
type LoadOptions struct {
	MaxFileBytes int64 // a bigger file is skipped with a warning; 0 or less means DefaultMaxFileBytes
}

func (o LoadOptions) maxFileBytes() int64 {
	if o.MaxFileBytes <= 0 {
		return DefaultMaxFileBytes
	}
	return o.MaxFileBytes
}

// LoadDir loads the articles in the folder dir, as LoadFS does, and reads
// nothing outside it: a link that leads out of dir (or has an absolute
// target) is skipped with a warning, as are links to folders, which are not
// followed. Nothing is opened in a way that can block: a named pipe, socket
// or device named *.txt is skipped with a warning, even one swapped in while
// the folder is read.
//
// A dir that does not exist is ErrNoFolder; one that is not a folder is
// ErrNotFolder.
func LoadDir(ctx context.Context, dir string, opts LoadOptions) (*Index, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := openRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	// O_NONBLOCK: opening a named pipe for reading would wait for a
	// writer; what is opened is then checked to be a file or a folder.
	open := func(name string) (*os.File, error) {
		return root.OpenFile(filepath.FromSlash(name), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	src := source{
		open: func(name string) (fs.File, error) {
			f, err := open(name)
			if err != nil {
				return nil, err // not a nil *os.File in an fs.File
			}
			return f, nil
		},
		stat: func(name string) (fs.FileInfo, error) { return root.Stat(filepath.FromSlash(name)) },
		readDir: func(name string) ([]fs.DirEntry, error) {
			f, err := open(name)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if fi, err := f.Stat(); err != nil {
				return nil, err
			} else if !fi.IsDir() {
				return nil, syscall.ENOTDIR
			}
			return f.ReadDir(-1)
		},
		escapes:    escapeError(root),
		folderFail: func(err error) error { return &folderError{dir: dir, cause: err} },
	}
	return load(ctx, src, opts)
}

// openRoot opens dir as an os.Root, or says why it cannot be a corpus folder.
func openRoot(dir string) (*os.Root, error) {
	// os.OpenRoot opens dir without O_DIRECTORY, so on a named pipe it
	// would wait for a writer; a trailing separator makes the system
	// refuse anything but a folder (or a link to one) at once.
	if dir == "" { // not the file system's root
		return nil, &folderError{dir: `""`, kind: ErrNoFolder, cause: fs.ErrNotExist}
	}
	name := dir
	if !strings.HasSuffix(name, string(os.PathSeparator)) {
		name += string(os.PathSeparator)
	}
	root, err := os.OpenRoot(name)
	if err == nil {
		return root, nil
	}
	switch fi, serr := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(serr, fs.ErrNotExist):
		return nil, &folderError{dir: dir, kind: ErrNoFolder, cause: err}
	case serr == nil && !fi.IsDir(), errors.Is(err, syscall.ENOTDIR):
		return nil, &folderError{dir: dir, kind: ErrNotFolder, cause: err}
	}
	return nil, &folderError{dir: dir, cause: err}
}

// escapeError returns the error root gives for a path that leads outside it,
// or nil if it cannot tell.
func escapeError(root *os.Root) error {
	_, err := root.Stat("..")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return nil
}

// A folderError says why the folder given to LoadDir could not be read:
// "corpus: /no/such/dir: no such folder".
type folderError struct {
	dir   string
	kind  error // ErrNoFolder, ErrNotFolder, or nil
	cause error
}

func (e *folderError) Error() string {
	why := errText(e.cause)
	if e.kind != nil {
		why = strings.TrimPrefix(e.kind.Error(), "corpus: ")
	}
	return "corpus: " + e.dir + ": " + why
}

func (e *folderError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.cause}
	}
	return []error{e.kind, e.cause}
}

// errText is err's message without the operation and path a *fs.PathError
// adds, which name what the message already names: "permission denied".
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "corpus: ")
}
