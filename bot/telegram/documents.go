package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

// downloadTimeout bounds the download of a document, reading included.
const downloadTimeout = 60 * time.Second

// document returns the attachment of a document sent with a command as
// its caption ("/add" on a .txt file). Its Open asks getFile for the file's
// path, then downloads {api_url}/file/bot{token}/{file_path}.
func (a *Adapter) document(d *tgbotapi.Document) *bot.Attachment {
	id := d.FileID
	return &bot.Attachment{Name: d.FileName, Size: int64(d.FileSize), Open: func(ctx context.Context) (io.ReadCloser, error) {
		return a.download(ctx, id)
	}}
}

// download fetches the file fileID. Its errors never hold the token.
func (a *Adapter) download(ctx context.Context, fileID string) (io.ReadCloser, error) {
	f, err := call[tgbotapi.File](ctx, a.api, a.opts.RequestTimeout, "getFile", tgbotapi.Params{"file_id": fileID})
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	p := f.FilePath
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.ContainsAny(p, "?#\\") {
		return nil, fmt.Errorf("telegram: getFile gave an unusable file path")
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	url := a.api.fileBase + "/file/bot" + a.api.token + "/" + p
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, errors.New("telegram: " + a.api.scrub.Replace(err.Error()))
	}
	resp, err := a.api.client.Do(req)
	if err != nil {
		cancel()
		return nil, errors.New("telegram: downloading a file: " + a.api.scrub.Replace(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("telegram: downloading a file: HTTP %d", resp.StatusCode)
	}
	return cancelOnClose{resp.Body, cancel}, nil
}

// cancelOnClose ends a download's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
