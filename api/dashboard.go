package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"
)

// The dashboard is the single-page app in Deps.Dashboard, served on every
// GET or HEAD the router does not match outside the API's own paths
// (dashboardPath): a file of the build as it is, a missing path with a
// file extension 404, any other path index.html, so that the app's own
// routes (/messages, /campaigns/12) load on reload.

// dashboardRoute labels the dashboard's answers in the metrics.
const dashboardRoute = "GET /dashboard"

// Headers of every dashboard answer. The policy allows the app's own
// scripts only; MUI (emotion) injects style elements, hence
// 'unsafe-inline' for styles alone.
const (
	dashboardCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
		"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// dashboardIndex is the app's entry page.
const dashboardIndex = "index.html"

// dashboardAssets holds Vite's content-hashed files, cached for a year.
const dashboardAssets = "assets/"

// minGzip is the smallest file worth compressing: below a packet's worth
// the header and the client's work cost more than the bytes saved.
const minGzip = 1 << 10

// notBuiltPage answers / when the binary was built without the app.
const notBuiltPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gallant: dashboard not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style>
</head>
<body>
<h1>The dashboard is not built</h1>
<p>This gateway binary was built without the web dashboard. The HTTP API at <code>/v1/</code> works as usual (see <a href="/openapi.json">/openapi.json</a>).</p>
<p>To get the dashboard, build it into the binary from the repository's root with <code>make build</code> (it needs Node.js and npm), then start the new binary.</p>
</body>
</html>
`

// dashFile is one file of the build, read once.
type dashFile struct {
	body  []byte
	gz    []byte // body gzipped; nil when not worth it
	ctype string
	etag  string
}

// dashboard serves the app's files from memory.
type dashboard struct {
	// files are the build's regular files by their path in it, read
	// and compressed at the first request; nil when the app is missing.
	files func() map[string]*dashFile
}

// newDashboard returns the server of the app in fsys; a nil fsys, or one
// without index.html, serves notBuiltPage.
func newDashboard(fsys fs.FS, log func(msg string, args ...any)) *dashboard {
	notBuilt := map[string]*dashFile{dashboardIndex: newDashFile(dashboardIndex, []byte(notBuiltPage))}
	if fsys == nil {
		return &dashboard{files: func() map[string]*dashFile { return notBuilt }}
	}
	return &dashboard{files: sync.OnceValue(func() map[string]*dashFile {
		files, err := readDashboard(fsys)
		if err != nil {
			log("api: dashboard: serving the not-built page", "err", err)
			return notBuilt
		}
		if files[dashboardIndex] == nil {
			return notBuilt
		}
		return files
	})}
}

// readDashboard reads every regular file of fsys.
func readDashboard(fsys fs.FS) (map[string]*dashFile, error) {
	files := make(map[string]*dashFile)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files[name] = newDashFile(name, body)
		return nil
	})
	return files, err
}

func newDashFile(name string, body []byte) *dashFile {
	sum := sha256.Sum256(body)
	f := &dashFile{body: body, ctype: contentTypeOf(name), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	if len(body) >= minGzip && compressible(f.ctype) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
		_, _ = zw.Write(body)                                    // a bytes.Buffer does not fail
		_ = zw.Close()
		if buf.Len() < len(body)*9/10 {
			f.gz = buf.Bytes()
		}
	}
	return f
}

// dashboardTypes are the content types of the files a Vite build holds,
// fixed here rather than taken from the host's MIME tables.
var dashboardTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".wasm":        "application/wasm",
}

// contentTypeOf returns the content type of a file by its extension.
func contentTypeOf(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := dashboardTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// compressible reports whether gzip shrinks content of type ctype.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") ||
		ctype == "application/manifest+json" || ctype == "image/svg+xml" || ctype == "application/wasm" ||
		ctype == "font/ttf"
}

// dashboardPath reports whether the dashboard answers a request that no
// route matched: a GET or HEAD outside the API's paths (/v1, /healthz,
// /readyz, /openapi.json, /l) and /metrics, which a scraper pointed at
// the API's port rather than the metrics listener should see missing.
func dashboardPath(ctx *fasthttp.RequestCtx) bool {
	if !ctx.IsGet() && !ctx.IsHead() {
		return false
	}
	p := string(ctx.Path())
	for _, api := range []string{"/v1", "/healthz", "/readyz", "/openapi.json", "/l", "/metrics"} {
		if p == api || strings.HasPrefix(p, api+"/") {
			return false
		}
	}
	return true
}

// serve answers a dashboard request.
func (d *dashboard) serve(ctx *fasthttp.RequestCtx) {
	h := &ctx.Response.Header
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")

	files := d.files()
	// Only the build's own files are looked up, by name in a map: no
	// path reaches the file system, so none can leave the build.
	name := strings.TrimPrefix(string(ctx.Path()), "/")
	f, cache := files[name], cacheRevalidate
	switch {
	case f != nil && strings.HasPrefix(name, dashboardAssets):
		cache = cacheImmutable
	case f != nil:
	case path.Ext(name) != "":
		h.Set(fasthttp.HeaderCacheControl, cacheRevalidate)
		writeProblem(ctx, NotFound("the dashboard has no such file"))
		return
	default: // one of the app's own routes
		f = files[dashboardIndex]
	}
	h.Set(fasthttp.HeaderCacheControl, cache)
	body, etag := f.body, f.etag
	if f.gz != nil {
		h.Set(fasthttp.HeaderVary, "Accept-Encoding")
		if ctx.Request.Header.HasAcceptEncoding("gzip") {
			// Each encoding is its own representation, with its own tag.
			body, etag = f.gz, f.etag[:len(f.etag)-1]+`-gz"`
			h.Set(fasthttp.HeaderContentEncoding, "gzip")
		}
	}
	h.Set(fasthttp.HeaderETag, etag)
	if inm := ctx.Request.Header.Peek(fasthttp.HeaderIfNoneMatch); len(inm) > 0 && etagMatch(inm, etag) {
		h.Del(fasthttp.HeaderContentEncoding)
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	h.SetContentType(f.ctype)
	ctx.SetStatusCode(fasthttp.StatusOK)
	// The bodies are shared by every answer and never changed.
	ctx.Response.SetBodyRaw(body)
}

// etagMatch reports whether an If-None-Match list names etag (or is *).
func etagMatch(list []byte, etag string) bool {
	for _, t := range bytes.Split(list, []byte{','}) {
		t = bytes.TrimPrefix(bytes.TrimSpace(t), []byte("W/"))
		if string(t) == etag || string(t) == "*" {
			return true
		}
	}
	return false
}
