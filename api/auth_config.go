package api

import (
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// AuthConfig is what a signed-out client needs to know about the
// gateway's user flows before it draws its pages.
type AuthConfig struct {
	// SignupOpen: POST /v1/auth/register can succeed (Config.SignupOpen).
	SignupOpen bool `json:"signup_open"`
}

// authConfigRoute registers GET /v1/auth/config: public, limited per
// client address like every request. It answers 404 like the other
// identity routes when the gateway has no identity service.
func (s *Server) authConfigRoute(r *router.Router) {
	const route = "GET /v1/auth/config"
	r.GET("/v1/auth/config", s.instrument(route, func(ctx *fasthttp.RequestCtx) {
		sctx := s.deadlines.context(time.Now())
		if s.limited(ctx, sctx, nil) || s.identityOff(ctx) {
			return
		}
		ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
		s.writeJSON(ctx, fasthttp.StatusOK, AuthConfig{SignupOpen: s.cfg.SignupOpen})
	}))
}
