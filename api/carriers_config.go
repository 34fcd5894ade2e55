package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// CarrierConfigs is the service behind /v1/carriers, /v1/routes,
// /v1/accounts/{id}/routes and /v1/buy-rates: the carriers, route plans
// and buy rates kept in the store. Carriers and the default plan are for platform admins; a
// reseller reads and sets its sub-accounts' plans. Refusals are
// [*Error]s; anything else is answered as internal.
type CarrierConfigs interface {
	List(ctx context.Context, p Principal) (app.CarrierList, error)
	Get(ctx context.Context, p Principal, name string) (app.CarrierConfigView, error)
	Create(ctx context.Context, p Principal, in app.CarrierInput, ip string) (app.CarrierConfigView, error)
	Update(ctx context.Context, p Principal, name string, in app.CarrierInput, ip string) (app.CarrierConfigView, error)
	Delete(ctx context.Context, p Principal, name, ip string) error
	Routes(ctx context.Context, p Principal, accountID int64) (app.RoutePlan, error)
	SetRoutes(ctx context.Context, p Principal, accountID int64, routes []app.RouteInput, ip string) (app.RoutePlan, error)
	BuyRates(ctx context.Context, p Principal) (app.BuyRateList, error)
	AddBuyRate(ctx context.Context, p Principal, in app.BuyRateInput, ip string) (app.BuyRateItem, error)
	DeleteBuyRate(ctx context.Context, p Principal, id, ip string) error
}

// routesBody is the body of PUT /v1/routes and /v1/accounts/{id}/routes.
type routesBody struct {
	Routes []app.RouteInput `json:"routes"`
}

// carrierConfigRoutes registers the carrier and route plan endpoints.
func (s *Server) carrierConfigRoutes(r *router.Router) {
	s.carrierEndpoint(r, http.MethodGet, "/v1/carriers", ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		v, err := s.deps.CarrierConfigs.List(sctx, p)
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodPost, "/v1/carriers", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		var in app.CarrierInput
		if !decodeObject(ctx, &in) {
			return
		}
		v, err := s.deps.CarrierConfigs.Create(sctx, p, in, clientIP(ctx))
		s.answer(ctx, fasthttp.StatusCreated, v, err)
	})
	s.carrierEndpoint(r, http.MethodGet, "/v1/carriers/{name}", ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		v, err := s.deps.CarrierConfigs.Get(sctx, p, carrierName(ctx))
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodPatch, "/v1/carriers/{name}", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		var in app.CarrierInput
		if !decodeObject(ctx, &in) {
			return
		}
		v, err := s.deps.CarrierConfigs.Update(sctx, p, carrierName(ctx), in, clientIP(ctx))
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodDelete, "/v1/carriers/{name}", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if err := s.deps.CarrierConfigs.Delete(sctx, p, carrierName(ctx), clientIP(ctx)); err != nil {
			s.fail(ctx, err)
			return
		}
		ctx.SetStatusCode(fasthttp.StatusNoContent)
	})
	s.carrierEndpoint(r, http.MethodGet, "/v1/routes", ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		v, err := s.deps.CarrierConfigs.Routes(sctx, p, 0)
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodPut, "/v1/routes", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		s.putRoutes(ctx, sctx, p, 0)
	})
	s.carrierEndpoint(r, http.MethodGet, "/v1/accounts/{id}/routes", ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		id, ok := pathParamID(ctx, "id", "account")
		if !ok {
			return
		}
		v, err := s.deps.CarrierConfigs.Routes(sctx, p, id)
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodPut, "/v1/accounts/{id}/routes", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		id, ok := pathParamID(ctx, "id", "account")
		if !ok {
			return
		}
		s.putRoutes(ctx, sctx, p, id)
	})
	s.buyRateRoutes(r)
}

// buyRateRoutes registers /v1/buy-rates.
func (s *Server) buyRateRoutes(r *router.Router) {
	s.carrierEndpoint(r, http.MethodGet, "/v1/buy-rates", ScopeRead, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		v, err := s.deps.CarrierConfigs.BuyRates(sctx, p)
		s.answer(ctx, fasthttp.StatusOK, v, err)
	})
	s.carrierEndpoint(r, http.MethodPost, "/v1/buy-rates", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		var in app.BuyRateInput
		if !decodeObject(ctx, &in) {
			return
		}
		v, err := s.deps.CarrierConfigs.AddBuyRate(sctx, p, in, clientIP(ctx))
		s.answer(ctx, fasthttp.StatusCreated, v, err)
	})
	s.carrierEndpoint(r, http.MethodDelete, "/v1/buy-rates/{id}", ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		id, _ := ctx.UserValue("id").(string)
		if err := s.deps.CarrierConfigs.DeleteBuyRate(sctx, p, id, clientIP(ctx)); err != nil {
			s.fail(ctx, err)
			return
		}
		ctx.SetStatusCode(fasthttp.StatusNoContent)
	})
}

// putRoutes replaces the plan of accountID with the body's routes.
func (s *Server) putRoutes(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal, accountID int64) {
	var body routesBody
	if !decodeObject(ctx, &body) {
		return
	}
	if body.Routes == nil {
		writeProblem(ctx, InvalidRequest("routes", "routes is an array (empty: no routes)"))
		return
	}
	v, err := s.deps.CarrierConfigs.SetRoutes(sctx, p, accountID, body.Routes, clientIP(ctx))
	s.answer(ctx, fasthttp.StatusOK, v, err)
}

// carrierName is the {name} of the path.
func carrierName(ctx *fasthttp.RequestCtx) string {
	n, _ := ctx.UserValue("name").(string)
	return n
}

// answer writes v with status, or the problem of err.
func (s *Server) answer(ctx *fasthttp.RequestCtx, status int, v any, err error) {
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, status, v)
}

// carrierEndpoint registers one endpoint of the carrier configuration,
// with the body limit of the API.
func (s *Server) carrierEndpoint(r *router.Router, method, path, scope string, h handler) {
	route := method + " " + path
	r.Handle(method, path, s.instrument(route, s.authed(scope, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if notEnabled(ctx, s.deps.CarrierConfigs == nil, "the carrier configuration is") {
			return
		}
		if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
			return
		}
		h(ctx, sctx, p)
	})))
}
