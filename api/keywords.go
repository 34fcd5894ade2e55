package api

import (
	"context"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The keyword settings types of the app package.
type (
	// KeywordSettings is [app.KeywordSettings].
	KeywordSettings = app.KeywordSettings
	// KeywordSettingsInput is [app.KeywordSettingsInput].
	KeywordSettingsInput = app.KeywordSettingsInput
)

// Keywords is the service behind /v1/keywords: the caller's account's own
// STOP, START and HELP words and auto-replies. A nil Keywords in Deps
// answers the endpoints 404.
type Keywords interface {
	Get(ctx context.Context, p Principal) (KeywordSettings, error)
	Put(ctx context.Context, p Principal, in KeywordSettingsInput) (KeywordSettings, error)
}

// keywordRoutes registers GET (read scope) and PUT (send scope)
// /v1/keywords.
func (s *Server) keywordRoutes(r *router.Router) {
	const path = "/v1/keywords"
	s.get(r, path, s.getKeywords)
	r.PUT(path, s.instrument("PUT "+path, s.authed(ScopeSend, s.putKeywords)))
}

// keywordsOff answers 404 when the gateway has no Keywords service.
func (s *Server) keywordsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Keywords == nil, "keywords are")
}

func (s *Server) getKeywords(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.keywordsOff(ctx) {
		return
	}
	k, err := s.deps.Keywords.Get(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, k)
}

func (s *Server) putKeywords(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.keywordsOff(ctx) {
		return
	}
	var in KeywordSettingsInput
	if !decodeObject(ctx, &in) {
		return
	}
	k, err := s.deps.Keywords.Put(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, k)
}
