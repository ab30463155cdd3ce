package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/corpusbot/corpusbot/bot"
)

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
	body, err := bot.Download(ctx, a.api.client, a.api.fileBase+"/file/bot"+a.api.token+"/"+p)
	if err != nil {
		return nil, errors.New("telegram: downloading a file: " + a.api.scrub.Replace(err.Error()))
	}
	return body, nil
}
