package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DownloadTimeout bounds the download of an attachment, reading included.
const DownloadTimeout = 60 * time.Second

// Download GETs url with client, an attachment's content as an adapter's
// Attachment.Open fetches it. The request, reading the body included, ends
// after DownloadTimeout or when the body is closed. A status other than
// 200 is an error. Its errors may hold url: an adapter whose file URLs
// carry a token scrubs them.
func Download(ctx context.Context, client *http.Client, url string) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, DownloadTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
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
