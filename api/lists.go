package api

import (
	"context"
	"strconv"
	"strings"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The contact list types of the app package.
type (
	// ContactList is [app.ContactList].
	ContactList = app.ContactList
	// ContactListPage is [app.ContactListPage].
	ContactListPage = app.ContactListPage
	// ListMembersInput is [app.ListMembersInput].
	ListMembersInput = app.ListMembersInput
	// ListAddResult is [app.ListAddResult].
	ListAddResult = app.ListAddResult
	// ListRemoveResult is [app.ListRemoveResult].
	ListRemoveResult = app.ListRemoveResult
)

// Lists is the service behind /v1/lists: an account's static contact
// lists and their members. Each method acts on p's account only; another
// account's list is not found. A nil Lists in Deps answers the endpoints
// 404.
type Lists interface {
	// Create stores a new, empty list.
	Create(ctx context.Context, p Principal, name string) (ContactList, error)
	// List returns a page of lists.
	List(ctx context.Context, p Principal, cursor string, limit int) (ContactListPage, error)
	// Get returns list id with its member count.
	Get(ctx context.Context, p Principal, id int64) (ContactList, error)
	// Rename renames list id.
	Rename(ctx context.Context, p Principal, id int64, name string) (ContactList, error)
	// Delete deletes list id and its memberships.
	Delete(ctx context.Context, p Principal, id int64) error
	// Members returns a page of list id's members.
	Members(ctx context.Context, p Principal, id int64, cursor string, limit int) (ContactPage, error)
	// AddMembers adds contacts to list id.
	AddMembers(ctx context.Context, p Principal, id int64, in ListMembersInput) (ListAddResult, error)
	// RemoveMembers removes contacts from list id.
	RemoveMembers(ctx context.Context, p Principal, id int64, in ListMembersInput) (ListRemoveResult, error)
}

// listBody is the body of POST /v1/lists and PATCH /v1/lists/{id}.
type listBody struct {
	Name string `json:"name"`
}

// listRoutes registers the list endpoints: reading needs the read scope,
// changing the send scope. A members body may name up to
// app.MaxListMembersPerCall contacts, so it takes the batch body limit
// (see listMembersPath).
func (s *Server) listRoutes(r *router.Router) {
	const (
		base    = "/v1/lists"
		one     = base + "/{id}"
		members = one + "/contacts"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createList)
	s.get(r, base, s.listLists)
	s.get(r, one, s.getList)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchList)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteList)))
	s.get(r, members, s.listMembers)
	s.post(r, members, s.cfg.MaxBatchBodyBytes, s.addListMembers)
	r.DELETE(members, s.instrument("DELETE "+members, s.authed(ScopeSend, s.removeListMembers)))
}

// listMembersPath reports whether path is a /v1/lists/{id}/contacts,
// whose bodies may name up to app.MaxListMembersPerCall contacts (about
// 170 KB of phones): bodyLimit gives them the batch limit.
func listMembersPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/v1/lists/")
	if !ok {
		return false
	}
	id, ok := strings.CutSuffix(rest, "/contacts")
	return ok && id != "" && !strings.Contains(id, "/")
}

// listsOff answers 404 when the gateway has no Lists service.
func (s *Server) listsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Lists == nil, "contact lists are")
}

// listPageArgs reads ?cursor= and ?limit= (1 to max), refusing others.
func listPageArgs(args *fasthttp.Args, max int) (cursor string, limit int, perr *Error) {
	for k, v := range args.All() {
		switch string(k) {
		case "cursor":
			if len(v) > maxCursor {
				return "", 0, InvalidRequest("cursor", "is not a cursor this API gave")
			}
			cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > max {
				return "", 0, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(max))
			}
			limit = n
		default:
			return "", 0, InvalidRequest(string(k), "unknown query parameter")
		}
	}
	return cursor, limit, nil
}

func (s *Server) createList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	var b listBody
	if !decodeObject(ctx, &b) {
		return
	}
	l, err := s.deps.Lists.Create(sctx, p, b.Name)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, l)
}

func (s *Server) listLists(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	cursor, limit, perr := listPageArgs(ctx.QueryArgs(), app.MaxListsListed)
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	page, err := s.deps.Lists.List(sctx, p, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "list")
	if !ok {
		return
	}
	l, err := s.deps.Lists.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, l)
}

func (s *Server) patchList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "list")
	if !ok {
		return
	}
	var b listBody
	if !decodeObject(ctx, &b) {
		return
	}
	l, err := s.deps.Lists.Rename(sctx, p, id, b.Name)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, l)
}

func (s *Server) deleteList(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "list")
	if !ok {
		return
	}
	if err := s.deps.Lists.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) listMembers(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.listsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "list")
	if !ok {
		return
	}
	cursor, limit, perr := listPageArgs(ctx.QueryArgs(), app.MaxContactsListed)
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	page, err := s.deps.Lists.Members(sctx, p, id, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) addListMembers(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	changeListMembers(s, ctx, sctx, p, s.deps.Lists.AddMembers)
}

func (s *Server) removeListMembers(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	changeListMembers(s, ctx, sctx, p, s.deps.Lists.RemoveMembers)
}

// changeListMembers serves both member changes of list {id}: change is
// Lists.AddMembers or Lists.RemoveMembers.
func changeListMembers[R any](s *Server, ctx *fasthttp.RequestCtx, sctx context.Context, p Principal,
	change func(context.Context, Principal, int64, ListMembersInput) (R, error)) {
	if s.listsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "list")
	if !ok {
		return
	}
	var in ListMembersInput
	if !decodeObject(ctx, &in) {
		return
	}
	res, err := change(sctx, p, id, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, res)
}
