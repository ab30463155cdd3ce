package bot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/file.txt" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "the article")
	}))
	defer srv.Close()
	body, err := Download(context.Background(), srv.Client(), srv.URL+"/file.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(body)
	if err != nil || string(b) != "the article" {
		t.Errorf("read %q, %v; want the article", b, err)
	}
	if err := body.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := Download(context.Background(), srv.Client(), srv.URL+"/gone.txt"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("a 404 gave %v; want an error naming HTTP 404", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Download(ctx, srv.Client(), srv.URL+"/file.txt"); err == nil {
		t.Errorf("a cancelled context downloaded")
	}
}
