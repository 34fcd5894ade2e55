package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheckCommand: gallant healthcheck exits 0 when /healthz
// answers 200, at --url or at the address the configuration's
// http.listen names, and 1 with the reason when it does not answer.
func TestHealthcheckCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	if code := run([]string{"healthcheck", "--url", srv.URL + "/healthz"}, &out, &errb); code != 0 {
		t.Fatalf("--url: exit %d, stderr %q", code, errb.String())
	}
	cfg := filepath.Join(t.TempDir(), "gallant.yaml")
	listen := strings.TrimPrefix(srv.URL, "http://")
	if err := os.WriteFile(cfg, []byte("http:\n  listen: "+listen+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"healthcheck", "--config", cfg}, &out, &errb); code != 0 {
		t.Fatalf("--config (http.listen %s): exit %d, stderr %q", listen, code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"healthcheck", "--url", srv.URL + "/nothing"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "404") {
		t.Fatalf("a 404: exit %d, stderr %q; want 1 naming 404", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"healthcheck", "stray"}, &out, &errb); code != 2 {
		t.Fatalf("a stray argument: exit %d, want 2 (usage)", code)
	}
}
