package api

import (
	"context"
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
}

// maxUserAgent is how much of a User-Agent header is passed on (the
// store keeps 256 bytes of it).
const maxUserAgent = 256

// linkRoutes registers GET /l/{code}: public (the code is the secret),
// limited per client address like the other unauthenticated routes.
func (s *Server) linkRoutes(r *router.Router) {
	const path = "/l/{code}"
	r.GET(path, s.instrument("GET "+path, s.followLink))
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
