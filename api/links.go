package api

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// Links is the service behind GET /l/{code}, the tracked short links of
// campaigns (links.domain): Click returns the URL a code stands for and
// records the click; a code never made is a not-found [*Error]. A nil
// Links in Deps answers the route 404.
type Links interface {
	Click(ctx context.Context, code, userAgent string) (target string, err error)
	// ShortHost is the host whose root paths are codes too ("/CODE" on
	// it is GET /l/CODE), "" for none.
	ShortHost() string
}

// maxUserAgent is how much of a User-Agent header is passed on (the
// store keeps 256 bytes of it).
const maxUserAgent = 256

// linkRoutes registers GET /l/{code}: public (the code is the secret),
// limited per client address like the other unauthenticated routes.
func (s *Server) linkRoutes(r *router.Router) {
	const path = "/l/{code}"
	r.GET(path, s.instrument("GET "+path, s.followLink))
	s.rootLink = s.instrument("GET /{code}", s.followLink)
}

// shortRoot reports whether ctx is a GET of "/CODE" on the links' short
// host (links.domain without a path, such as https://gal.example), which
// is served as GET /l/CODE: the texts carry the shortest links.
func (s *Server) shortRoot(ctx *fasthttp.RequestCtx) bool {
	if s.deps.Links == nil || !ctx.IsGet() {
		return false
	}
	host := s.deps.Links.ShortHost()
	path := ctx.Path()
	if host == "" || len(path) < 2 || bytes.IndexByte(path[1:], '/') >= 0 || !strings.EqualFold(string(ctx.Host()), host) {
		return false
	}
	ctx.SetUserValue("code", string(path[1:]))
	return true
}

// followLink answers 302 to the code's stored URL, never to anything
// else, and not cacheable, so every click reaches the gateway.
func (s *Server) followLink(ctx *fasthttp.RequestCtx) {
	sctx := s.deadlines.context(time.Now())
	if s.limited(ctx, sctx, nil) {
		return
	}
	if notEnabled(ctx, s.deps.Links == nil, "short links are") {
		return
	}
	code, _ := ctx.UserValue("code").(string)
	ua := ctx.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	target, err := s.deps.Links.Click(sctx, code, string(ua))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set("Cache-Control", "private, no-store")
	ctx.Response.Header.Set("Referrer-Policy", "no-referrer")
	ctx.Response.Header.Set(fasthttp.HeaderLocation, target)
	ctx.SetStatusCode(fasthttp.StatusFound)
}
