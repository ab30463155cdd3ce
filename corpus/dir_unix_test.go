//go:build unix

package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDirSkipsSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"good.txt": article, "folder.txt/inner.txt": article, "sub/a.txt": article})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, "pipe.txt", filepath.Join(dir, "to-pipe.txt"))
	symlink(t, "sub", filepath.Join(dir, "to-folder.txt"))
	// A socket's path is at most 108 bytes: listen in a short folder.
	sockDir, err := os.MkdirTemp("", "sock")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	l, err := net.Listen("unix", filepath.Join(sockDir, "s.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Rename(filepath.Join(sockDir, "s.txt"), filepath.Join(dir, "socket.txt")); err != nil {
		t.Fatal(err)
	}

	ix, err := loadDir(t, dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A folder named *.txt is a folder like any other: its articles are read.
	if got, want := fmt.Sprint(articlePaths(ix)), "[folder.txt/inner.txt good.txt sub/a.txt]"; got != want {
		t.Errorf("articles = %s; want %s", got, want)
	}
	wantSkipped(t, ix, map[string]string{
		"pipe.txt":      "named pipe",
		"to-pipe.txt":   "named pipe",
		"socket.txt":    "socket",
		"to-folder.txt": "folder",
	})
	if len(ix.Warnings) != 4 {
		t.Errorf("warnings = %q; want 4", ix.Warnings)
	}
}

func TestReadChecksOpenedFile(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := openRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	src := source{open: func(name string) (fs.File, error) {
		return root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}}
	done := make(chan string, 1)
	go func() {
		var buf bytes.Buffer
		done <- src.read(candidate{path: "pipe.txt"}, DefaultMaxFileBytes, &buf) // listed as regular
	}()
	select {
	case why := <-done:
		if !strings.Contains(why, "named pipe") {
			t.Errorf("read(pipe listed as regular) = %q; want it skipped as a named pipe", why)
		}
	case <-time.After(guardTime):
		t.Fatalf("read(pipe listed as regular) did not return in %v", guardTime)
	}
}

func TestLoadDirBrokenLink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"good.txt": article})
	symlink(t, "missing.txt", filepath.Join(dir, "broken.txt"))
	ix, err := loadDir(t, dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped(t, ix, map[string]string{"broken.txt": "broken link"})
}

func TestLoadDirStaysInside(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "Secret words.\n\nThe password is swordfish.\n"})
	writeFiles(t, dir, map[string]string{"good.txt": article, "sub/b.txt": "Other news.\n\nThe river rose. Farmers moved.\n"})
	secret := filepath.Join(outside, "secret.txt")
	symlink(t, secret, filepath.Join(dir, "absolute.txt"))
	rel, err := filepath.Rel(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	symlink(t, rel, filepath.Join(dir, "relative.txt"))
	symlink(t, "../good.txt", filepath.Join(dir, "sub", "up.txt"))
	symlink(t, "sub/b.txt", filepath.Join(dir, "inside.txt"))

	ix, err := loadDir(t, dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ix.Articles {
		if strings.Contains(a.Text, "swordfish") {
			t.Errorf("%s read a file outside the folder", a.Path)
		}
	}
	wantSkipped(t, ix, map[string]string{"absolute.txt": "outside the folder", "relative.txt": "outside the folder"})
	// Links to files inside the folder are followed.
	if got, want := fmt.Sprint(articlePaths(ix)), "[good.txt inside.txt sub/b.txt sub/up.txt]"; got != want {
		t.Errorf("articles = %s; want %s", got, want)
	}
}

func TestLoadDirNotAFolder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"file.txt": article})
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no", "such", "dir")
	tests := []struct {
		dir  string
		kind error
		msg  string
	}{
		{missing, ErrNoFolder, "corpus: " + missing + ": no such folder"},
		{"", ErrNoFolder, `corpus: "": no such folder`},
		{filepath.Join(dir, "file.txt"), ErrNotFolder, "corpus: " + filepath.Join(dir, "file.txt") + ": not a folder"},
		{pipe, ErrNotFolder, "corpus: " + pipe + ": not a folder"},
	}
	for _, tt := range tests {
		_, err := loadDir(t, tt.dir, LoadOptions{})
		if !errors.Is(err, tt.kind) || err.Error() != tt.msg {
			t.Errorf("LoadDir(%s) error = %v; want %q, wrapping %v", tt.dir, err, tt.msg, tt.kind)
		}
	}
	// A link to a folder is that folder.
	link := filepath.Join(t.TempDir(), "link")
	symlink(t, dir, link)
	if ix, err := loadDir(t, link, LoadOptions{}); err != nil || len(ix.Articles) != 1 {
		t.Errorf("LoadDir(link to a folder) error = %v; want its one article", err)
	}
}

func TestLoadDirUnreadableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any folder")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"good.txt": article, "locked/a.txt": article, "locked.txt": article})
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "locked.txt"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	ix, err := loadDir(t, dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped(t, ix, map[string]string{"locked": "permission denied", "locked.txt": "permission denied"})

	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	_, err = loadDir(t, dir, LoadOptions{})
	if want := "corpus: " + dir + ": permission denied"; !errors.Is(err, fs.ErrPermission) || err.Error() != want {
		t.Errorf("LoadDir(unreadable) error = %v; want %q", err, want)
	}
}
