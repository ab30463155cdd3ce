// Package seeds holds the articles corpusbot answers from when no corpus
// directory is configured: five news articles on Vietnam–Laos defence
// cooperation, embedded in the binary.
package seeds

import (
	"embed"
	"io/fs"
)

//go:embed *.txt
var files embed.FS

// FS returns the embedded articles as a read-only file system rooted at the
// article files.
func FS() fs.FS { return files }
