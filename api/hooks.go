package api

import (
	"context"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The hook types of the app package.
type (
	// Hook is [app.Hook].
	Hook = app.Hook
	// HookInput is [app.HookInput].
	HookInput = app.HookInput
	// HookList is [app.HookList].
	HookList = app.HookList
)

// Hooks is the service behind /v1/hooks: an account's event
// subscriptions (REST hooks). Each method acts on p's account only;
// another account's hook is not found.
type Hooks interface {
	// Create subscribes a URL to events.
	Create(ctx context.Context, p Principal, in HookInput) (Hook, error)
	// List returns every hook.
	List(ctx context.Context, p Principal) (HookList, error)
	// Get returns hook id.
	Get(ctx context.Context, p Principal, id int64) (Hook, error)
	// Delete unsubscribes hook id.
	Delete(ctx context.Context, p Principal, id int64) error
}

// hookRoutes registers the hook endpoints: reading needs the read
// scope, subscribing and unsubscribing the send scope.
func (s *Server) hookRoutes(r *router.Router) {
	const (
		base = "/v1/hooks"
		one  = base + "/{id}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createHook)
	s.get(r, base, s.listHooks)
	s.get(r, one, s.getHook)
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteHook)))
}

// hooksOff answers 404 when the gateway has no Hooks service.
func (s *Server) hooksOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Hooks == nil, "hooks are")
}

// createHook answers POST /v1/hooks: 201 with the hook.
func (s *Server) createHook(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.hooksOff(ctx) {
		return
	}
	var in HookInput
	if !decodeObject(ctx, &in) {
		return
	}
	h, err := s.deps.Hooks.Create(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, h)
}

func (s *Server) listHooks(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.hooksOff(ctx) {
		return
	}
	l, err := s.deps.Hooks.List(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, l)
}

func (s *Server) getHook(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.hooksOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "hook")
	if !ok {
		return
	}
	h, err := s.deps.Hooks.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, h)
}

// deleteHook answers DELETE /v1/hooks/{id}: 204.
func (s *Server) deleteHook(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.hooksOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "hook")
	if !ok {
		return
	}
	if err := s.deps.Hooks.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}
