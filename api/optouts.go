package api

import (
	"context"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The opt-out types of the app package.
type (
	// OptOutInput is [app.OptOutInput].
	OptOutInput = app.OptOutInput
	// OptOutResult is [app.OptOutResult].
	OptOutResult = app.OptOutResult
	// OptOutPage is [app.OptOutPage].
	OptOutPage = app.OptOutPage
	// OptOutStatus is [app.OptOutStatus].
	OptOutStatus = app.OptOutStatus
)

// OptOuts is the service behind /v1/opt-outs: the numbers the caller's
// account (or, for a platform admin, the platform) may not message. A nil
// OptOuts in Deps answers the endpoints 404.
type OptOuts interface {
	// Add records opt-outs.
	Add(ctx context.Context, p Principal, in OptOutInput) (OptOutResult, error)
	// Remove opts number in again at scope (and sender).
	Remove(ctx context.Context, p Principal, number, scope, sender string) error
	// Status says whether the account may message number, with its history.
	Status(ctx context.Context, p Principal, number string) (OptOutStatus, error)
	// List returns a page of current opt-outs.
	List(ctx context.Context, p Principal, scope, cursor string, limit int) (OptOutPage, error)
}

// optOutRoutes registers the opt-out endpoints: reading needs the read
// scope, changing the send scope.
func (s *Server) optOutRoutes(r *router.Router) {
	const (
		base = "/v1/opt-outs"
		one  = base + "/{number}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.postOptOuts)
	s.get(r, base, s.listOptOuts)
	s.get(r, one, s.getOptOut)
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteOptOut)))
}

// optOutsOff answers 404 when the gateway keeps no opt-outs.
func (s *Server) optOutsOff(ctx *fasthttp.RequestCtx) bool {
	if s.deps.OptOuts == nil {
		writeProblem(ctx, NotFound("opt-outs are not enabled on this gateway"))
		return true
	}
	return false
}

func optOutNumberParam(ctx *fasthttp.RequestCtx) string {
	n, _ := ctx.UserValue("number").(string)
	return n
}

func (s *Server) postOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	var in OptOutInput
	if !decodeObject(ctx, &in) {
		return
	}
	res, err := s.deps.OptOuts.Add(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, res)
}

func (s *Server) listOptOuts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	limit, ok := listLimit(ctx)
	if !ok {
		return
	}
	args := ctx.QueryArgs()
	cursor := string(args.Peek("cursor"))
	if len(cursor) > maxCursor {
		writeProblem(ctx, InvalidRequest("cursor", "malformed cursor"))
		return
	}
	page, err := s.deps.OptOuts.List(sctx, p, string(args.Peek("scope")), cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getOptOut(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	st, err := s.deps.OptOuts.Status(sctx, p, optOutNumberParam(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, st)
}

func (s *Server) deleteOptOut(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.optOutsOff(ctx) {
		return
	}
	args := ctx.QueryArgs()
	if err := s.deps.OptOuts.Remove(sctx, p, optOutNumberParam(ctx), string(args.Peek("scope")), string(args.Peek("sender"))); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}
