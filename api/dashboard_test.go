package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// testBundle is a JavaScript file large enough to be compressed.
var testBundle = []byte("export const app = 1;\n" + strings.Repeat("console.log('a dashboard bundle');\n", 200))

const testIndex = `<!doctype html><html><head><script type="module" src="/assets/index-Abc123.js"></script></head><body><div id="root"></div></body></html>`

// testDashboard is a build as Vite writes it, inside a tree that holds a
// file outside the build, which no request may reach.
func testDashboard(t testing.TB) fs.FS {
	t.Helper()
	root := fstest.MapFS{
		"secret.txt":                   {Data: []byte("TOP SECRET outside the build")},
		"app/index.html":               {Data: []byte(testIndex)},
		"app/assets/index-Abc123.js":   {Data: testBundle},
		"app/assets/index-Def456.css":  {Data: []byte("body{margin:0}")},
		"app/assets/font-Ghi789.woff2": {Data: []byte("wOF2 not really")},
		"app/favicon.svg":              {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		"app/robots.txt":               {Data: []byte("User-agent: *\nDisallow: /\n")},
	}
	app, err := fs.Sub(root, "app")
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func newDashboardServer(t testing.TB, fsys fs.FS) *testServer {
	t.Helper()
	return newTestServerWith(t, Config{}, func(d *Deps) { d.Dashboard = fsys })
}

// wantDashboardHeaders checks the headers every dashboard answer carries.
func wantDashboardHeaders(t testing.TB, a answer, cache string) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
			"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
			"base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          cache,
	} {
		if got := a.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
}

func TestDashboardServesBuild(t *testing.T) {
	ts := newDashboardServer(t, testDashboard(t))
	identity := []string{"Accept-Encoding", "identity"}

	// The entry page, and every route of the app on reload.
	for _, p := range []string{"/", "/index.html", "/messages", "/campaigns/12", "/developers/keys/", "/assets", "/a.b/c"} {
		a := ts.do(t, "GET", p, "", nil, identity...)
		if a.Code != http.StatusOK || string(a.Body) != testIndex {
			t.Fatalf("GET %s: %d %q", p, a.Code, a.Body)
		}
		if ct := a.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", p, ct)
		}
		wantDashboardHeaders(t, a, "no-cache")
	}

	// Files as they are, typed by extension; hashed assets immutable.
	for p, want := range map[string]struct{ ctype, cache, body string }{
		"/assets/index-Abc123.js":   {"text/javascript; charset=utf-8", "public, max-age=31536000, immutable", string(testBundle)},
		"/assets/index-Def456.css":  {"text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{margin:0}"},
		"/assets/font-Ghi789.woff2": {"font/woff2", "public, max-age=31536000, immutable", "wOF2 not really"},
		"/favicon.svg":              {"image/svg+xml", "no-cache", `<svg xmlns="http://www.w3.org/2000/svg"/>`},
		"/robots.txt":               {"text/plain; charset=utf-8", "no-cache", "User-agent: *\nDisallow: /\n"},
	} {
		a := ts.do(t, "GET", p, "", nil, identity...)
		if a.Code != http.StatusOK || string(a.Body) != want.body || a.Header.Get("Content-Type") != want.ctype {
			t.Fatalf("GET %s: %d %q %.80q", p, a.Code, a.Header.Get("Content-Type"), a.Body)
		}
		if a.Header.Get("Content-Encoding") != "" {
			t.Errorf("GET %s: encoded %q without Accept-Encoding", p, a.Header.Get("Content-Encoding"))
		}
		wantDashboardHeaders(t, a, want.cache)
	}

	// A missing file is 404, not the app.
	for _, p := range []string{"/assets/index-Old000.js", "/favicon.ico", "/messages/export.csv"} {
		a := ts.do(t, "GET", p, "", nil)
		a.wantProblem(t, http.StatusNotFound, TypeNotFound)
		wantDashboardHeaders(t, a, "no-cache")
	}

	// HEAD answers the headers alone.
	a := ts.do(t, "HEAD", "/campaigns/12", "", nil, identity...)
	if a.Code != http.StatusOK || len(a.Body) != 0 || a.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("HEAD: %d %q %q", a.Code, a.Header.Get("Content-Type"), a.Body)
	}
	wantDashboardHeaders(t, a, "no-cache")
}

// TestDashboardLeavesAPIPaths: the API's own paths keep their problem
// answers; only GET and HEAD reach the app.
func TestDashboardLeavesAPIPaths(t *testing.T) {
	ts := newDashboardServer(t, testDashboard(t))
	for _, p := range []string{"/v1", "/v1/", "/v1/nowhere", "/v1/messages/1/x", "/l/abc/def", "/healthz/x", "/readyz/", "/openapi.json/x", "/metrics"} {
		a := ts.do(t, "GET", p, "", nil)
		a.wantProblem(t, http.StatusNotFound, TypeNotFound)
		if a.Header.Get("Content-Security-Policy") != "" {
			t.Errorf("GET %s: an API answer with the dashboard's headers", p)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		ts.do(t, m, "/messages", "", []byte(`{}`)).wantProblem(t, http.StatusNotFound, TypeNotFound)
	}
	if a := ts.do(t, "GET", "/healthz", "", nil); a.Code != http.StatusOK || bytes.Contains(a.Body, []byte("<html")) {
		t.Fatalf("healthz: %d %s", a.Code, a.Body)
	}
	body := metricsText(t, ts.reg)
	if !strings.Contains(body, `gallant_http_requests_total{code="404",route="unmatched"} 13`) {
		t.Errorf("unmatched requests not counted as such:\n%s", grepLines(body, "unmatched"))
	}
	ts.do(t, "GET", "/", "", nil)
	ts.do(t, "GET", "/nope.js", "", nil)
	body = metricsText(t, ts.reg)
	for _, want := range []string{
		`gallant_http_requests_total{code="200",route="GET /dashboard"} 1`,
		`gallant_http_requests_total{code="404",route="GET /dashboard"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(body, "dashboard"))
		}
	}
}

func TestDashboardGzip(t *testing.T) {
	ts := newDashboardServer(t, testDashboard(t))
	a := ts.do(t, "GET", "/assets/index-Abc123.js", "", nil, "Accept-Encoding", "br, gzip")
	if a.Code != http.StatusOK || a.Header.Get("Content-Encoding") != "gzip" || a.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("%d Content-Encoding %q Vary %q", a.Code, a.Header.Get("Content-Encoding"), a.Header.Get("Vary"))
	}
	if len(a.Body) >= len(testBundle)/4 {
		t.Errorf("gzipped %d bytes of %d", len(a.Body), len(testBundle))
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.Body))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(raw, testBundle) {
		t.Fatalf("gunzipped %d bytes, err %v", len(raw), err)
	}
	wantDashboardHeaders(t, a, "public, max-age=31536000, immutable")

	// Each representation has its own tag, and revalidates to 304.
	plain := ts.do(t, "GET", "/assets/index-Abc123.js", "", nil, "Accept-Encoding", "identity")
	gzTag, plainTag := a.Header.Get("ETag"), plain.Header.Get("ETag")
	if gzTag == "" || plainTag == "" || gzTag == plainTag {
		t.Fatalf("ETags %q and %q", gzTag, plainTag)
	}
	nm := ts.do(t, "GET", "/assets/index-Abc123.js", "", nil, "Accept-Encoding", "gzip", "If-None-Match", gzTag)
	if nm.Code != http.StatusNotModified || len(nm.Body) != 0 {
		t.Fatalf("If-None-Match: %d %d bytes", nm.Code, len(nm.Body))
	}
	if a := ts.do(t, "GET", "/assets/index-Abc123.js", "", nil, "Accept-Encoding", "identity", "If-None-Match", gzTag); a.Code != http.StatusOK {
		t.Fatalf("the gzip tag matched the plain file: %d", a.Code)
	}

	// A small file is not worth compressing.
	if a := ts.do(t, "GET", "/", "", nil, "Accept-Encoding", "gzip"); a.Header.Get("Content-Encoding") != "" || string(a.Body) != testIndex {
		t.Fatalf("small index: %q %q", a.Header.Get("Content-Encoding"), a.Body)
	}
}

func TestDashboardNotBuilt(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"nil":      nil,
		"no index": fstest.MapFS{"README.md": {Data: []byte("# dist")}},
	} {
		t.Run(name, func(t *testing.T) {
			ts := newDashboardServer(t, fsys)
			for _, p := range []string{"/", "/messages"} {
				a := ts.do(t, "GET", p, "", nil)
				if a.Code != http.StatusOK || !bytes.Contains(a.Body, []byte("make build")) ||
					a.Header.Get("Content-Type") != "text/html; charset=utf-8" {
					t.Fatalf("GET %s: %d %q %s", p, a.Code, a.Header.Get("Content-Type"), a.Body)
				}
				wantDashboardHeaders(t, a, "no-cache")
			}
			ts.do(t, "GET", "/README.md", "", nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
			ts.do(t, "GET", "/assets/index.js", "", nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
		})
	}
}

// rawGet sends target as the request line's path, byte for byte.
func rawGet(t testing.TB, base, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: gallant.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestDashboardTraversal: no spelling of a path reaches a file outside
// the build.
func TestDashboardTraversal(t *testing.T) {
	ts := newDashboardServer(t, testDashboard(t))
	for _, target := range []string{
		"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/secret.txt",
		"/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/assets%2f..%2f..%2fsecret.txt",
		"/.%2e/secret.txt", "//../secret.txt", "/./../secret.txt", "/..\\secret.txt", "/%252e%252e/secret.txt",
		"/../app/index.html", "/secret.txt", "/assets/../../app/../secret.txt",
	} {
		code, body := rawGet(t, ts.base, target)
		if strings.Contains(body, "TOP SECRET") {
			t.Fatalf("GET %s leaked the file outside the build: %d", target, code)
		}
		if code != http.StatusNotFound && code != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 404 or 400", target, code)
		}
	}
	// A path that normalises into the build serves the build's own file.
	if code, body := rawGet(t, ts.base, "/messages/../assets/index-Def456.css"); code != http.StatusOK || body != "body{margin:0}" {
		t.Errorf("normalised path: %d %q", code, body)
	}
}
