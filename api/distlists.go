package api

import (
	"context"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The distribution list types of the app package.
type (
	// DistList is [app.DistList].
	DistList = app.DistList
	// DistListInput is [app.DistListInput].
	DistListInput = app.DistListInput
	// DistListPage is [app.DistListPage].
	DistListPage = app.DistListPage
)

// DistLists is the service behind /v1/distribution-lists: the named sets
// of numbers a submit_multi names with a dl_name destination. Each method
// acts on p's account only. Bad names or numbers are invalid-request or
// invalid-number [*Error]s, a list that does not exist a not-found one. A
// nil DistLists in Deps answers the endpoints 404.
type DistLists interface {
	// Create stores a new list.
	Create(ctx context.Context, p Principal, in DistListInput) (DistList, error)
	// List returns the account's lists without their members.
	List(ctx context.Context, p Principal) (DistListPage, error)
	// Get returns list name with its members.
	Get(ctx context.Context, p Principal, name string) (DistList, error)
	// Replace replaces the members of list name.
	Replace(ctx context.Context, p Principal, name string, numbers []string) (DistList, error)
	// Delete deletes list name.
	Delete(ctx context.Context, p Principal, name string) error
}

// distListBody is the body of POST /v1/distribution-lists and (without
// name) of PUT /v1/distribution-lists/{name}.
type distListBody struct {
	Name    string   `json:"name"`
	Numbers []string `json:"numbers"`
}

// distListRoutes registers the distribution list endpoints: reading
// needs the read scope, changing the send scope.
func (s *Server) distListRoutes(r *router.Router) {
	const (
		base = "/v1/distribution-lists"
		one  = base + "/{name}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createDistList)
	s.get(r, base, s.listDistLists)
	s.get(r, one, s.getDistList)
	r.PUT(one, s.instrument("PUT "+one, s.authed(ScopeSend, s.putDistList)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteDistList)))
}

// distListsOff answers 404 when the gateway has no DistLists service.
func (s *Server) distListsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.DistLists == nil, "distribution lists are")
}

// distListName is the {name} path parameter.
func distListName(ctx *fasthttp.RequestCtx) string {
	name, _ := ctx.UserValue("name").(string)
	return name
}

func (s *Server) createDistList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.distListsOff(ctx) {
		return
	}
	var b distListBody
	if !decodeObject(ctx, &b) {
		return
	}
	l, err := s.deps.DistLists.Create(sctx, p, DistListInput{Name: b.Name, Numbers: b.Numbers})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, l)
}

func (s *Server) listDistLists(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.distListsOff(ctx) {
		return
	}
	page, err := s.deps.DistLists.List(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getDistList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.distListsOff(ctx) {
		return
	}
	l, err := s.deps.DistLists.Get(sctx, p, distListName(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, l)
}

func (s *Server) putDistList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.distListsOff(ctx) {
		return
	}
	var b struct {
		Numbers []string `json:"numbers"`
	}
	if !decodeObject(ctx, &b) {
		return
	}
	l, err := s.deps.DistLists.Replace(sctx, p, distListName(ctx), b.Numbers)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, l)
}

func (s *Server) deleteDistList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.distListsOff(ctx) {
		return
	}
	if err := s.deps.DistLists.Delete(sctx, p, distListName(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}
