package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthURL(t *testing.T) {
	for _, c := range []struct {
		listen string
		tls    bool
		want   string
	}{
		{"0.0.0.0:8080", false, "http://127.0.0.1:8080/healthz"},
		{":8080", false, "http://127.0.0.1:8080/healthz"},
		{"[::]:8443", true, "https://127.0.0.1:8443/healthz"},
		{"10.0.0.5:80", false, "http://10.0.0.5:80/healthz"},
		{"[::1]:8080", false, "http://[::1]:8080/healthz"},
	} {
		got, err := HealthURL(c.listen, c.tls)
		if err != nil || got != c.want {
			t.Errorf("HealthURL(%q, %v) = %q, %v; want %q", c.listen, c.tls, got, err, c.want)
		}
	}
	if _, err := HealthURL("8080", false); err == nil {
		t.Error("HealthURL accepted a listen address without a port")
	}
}

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	ctx := context.Background()
	if err := Healthcheck(ctx, srv.URL+"/healthz", time.Second); err != nil {
		t.Fatalf("healthy server: %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := Healthcheck(ctx, srv.URL+"/healthz", time.Second); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: got %v, want an error naming 503", err)
	}
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tls.Close()
	if err := Healthcheck(ctx, tls.URL+"/healthz", time.Second); err != nil {
		t.Fatalf("HTTPS with a self-signed certificate: %v", err)
	}
	url := srv.URL + "/healthz"
	srv.Close()
	if err := Healthcheck(ctx, url, time.Second); err == nil {
		t.Fatal("a closed server passed the check")
	}
}
