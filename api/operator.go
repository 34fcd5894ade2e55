package api

import (
	"context"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// Operator is the service behind the operator's read-only views: the
// carriers of the instance that answers (binds, queues, throughput) and
// the route plans and buy rates it routes by. Only platform admins may
// read them: other callers get a forbidden [*Error]; any other error is
// answered as internal.
type Operator interface {
	Carriers(ctx context.Context, p Principal) (CarriersView, error)
	Routes(ctx context.Context, p Principal) (RoutesView, error)
	// Audit reads the whole platform's audit log, newest first, with ids
	// below before (0: from the newest).
	Audit(ctx context.Context, p Principal, before int64, limit int) (AuditPage, error)
}

// The operator's views.
type (
	// CarriersView is [app.CarriersView].
	CarriersView = app.CarriersView
	// RoutesView is [app.RoutesView].
	RoutesView = app.RoutesView
)

// operatorRoutes registers the operator's views. They need the admin
// scope; the service checks that the caller is a platform admin.
func (s *Server) operatorRoutes(r *router.Router) {
	s.operatorGet(r, "/v1/operator/carriers", func(ctx context.Context, p Principal) (any, error) {
		return s.deps.Operator.Carriers(ctx, p)
	})
	s.operatorGet(r, "/v1/operator/routes", func(ctx context.Context, p Principal) (any, error) {
		return s.deps.Operator.Routes(ctx, p)
	})
	r.GET("/v1/operator/audit", s.instrument("GET /v1/operator/audit", s.authed(ScopeAdmin, s.getPlatformAudit)))
}

// getPlatformAudit serves GET /v1/operator/audit?before=&limit=.
func (s *Server) getPlatformAudit(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if notEnabled(ctx, s.deps.Operator == nil, "the operator's views are") {
		return
	}
	limit, ok := listLimit(ctx)
	if !ok {
		return
	}
	var before int64
	if b := ctx.QueryArgs().Peek("before"); len(b) > 0 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil || n <= 0 {
			writeProblem(ctx, InvalidRequest("before", "before is an audit entry id"))
			return
		}
		before = n
	}
	page, err := s.deps.Operator.Audit(sctx, p, before, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

// operatorGet registers one operator view: a GET without parameters
// answered with read's value.
func (s *Server) operatorGet(r *router.Router, path string, read func(context.Context, Principal) (any, error)) {
	route := "GET " + path
	r.GET(path, s.instrument(route, s.authed(ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if notEnabled(ctx, s.deps.Operator == nil, "the operator's views are") {
			return
		}
		if ctx.QueryArgs().Len() > 0 {
			writeProblem(ctx, InvalidRequest("", "this endpoint takes no query parameters"))
			return
		}
		v, err := read(sctx, p)
		if err != nil {
			s.fail(ctx, err)
			return
		}
		s.writeJSON(ctx, fasthttp.StatusOK, v)
	})))
}
