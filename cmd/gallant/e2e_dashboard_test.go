package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/web"
)

// TestE2EDashboard: the gateway as serve builds it answers the app's
// routes with the embedded dashboard (or, without a build, the page
// saying how to build it) under its security headers, and leaves the
// API's unknown paths to the problem 404.
func TestE2EDashboard(t *testing.T) {
	t.Parallel()
	a := startApp(t, testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr()))
	_, built := web.App()
	for _, p := range []string{"/", "/messages", "/campaigns/12"} {
		r := a.do(t, http.MethodGet, p, "", "")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %d %q", p, r.status, r.header.Get("Content-Type"))
		}
		if notBuilt := strings.Contains(string(r.body), "make build"); notBuilt == built {
			t.Fatalf("GET %s with the app built=%v: %.300s", p, built, r.body)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") ||
			r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s: headers %v", p, r.header)
		}
	}
	want(t, "an unknown API path", a.do(t, http.MethodGet, "/v1/nowhere", "", ""), http.StatusNotFound, "not-found")
	want(t, "a missing file", a.do(t, http.MethodGet, "/assets/missing-0000.js", "", ""), http.StatusNotFound, "not-found")
}
