package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// maxAskNote bounds a top-up request's note.
const maxAskNote = 255

// topUpAskRoutes registers the endpoints for top-up requests: an account
// asks its reseller (or the platform) for money, which tops it up
// (POST /v1/accounts/{id}/topups) or declines.
func (s *Server) topUpAskRoutes(r *router.Router) {
	s.manage(r, http.MethodPost, "/v1/topup-requests", ScopeAdmin, true, s.postTopUpAsk)
	s.manage(r, http.MethodGet, "/v1/topup-requests", ScopeRead, false, s.listTopUpAsks)
	s.manage(r, http.MethodPost, "/v1/topup-requests/{id}/decline", ScopeAdmin, false, s.declineTopUpAsk)
}

func (s *Server) postTopUpAsk(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	var req TopUpAsk
	if !decodeObject(ctx, &req) {
		return
	}
	if req.Amount <= 0 || req.Amount > int64(app.MaxTransfer) {
		writeProblem(ctx, InvalidRequest("amount", "amount is a positive integer of micro-units (1000000 is one unit of currency)"))
		return
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > maxAskNote {
		writeProblem(ctx, InvalidRequest("note", "the note has at most "+strconv.Itoa(maxAskNote)+" bytes"))
		return
	}
	req.IP = clientIP(ctx)
	v, err := s.deps.Accounts.AskTopUp(sctx, p, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, v)
}

func (s *Server) listTopUpAsks(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	scope := app.AsksOwn
	if p.Role == RoleAdmin || p.Role == RoleReseller {
		scope = app.AsksManaged
	}
	var cursor string
	limit := DefaultListLimit
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "scope":
			if string(v) != app.AsksOwn && string(v) != app.AsksManaged {
				writeProblem(ctx, InvalidRequest("scope", "scope is own or managed"))
				return
			}
			scope = string(v)
		case "cursor":
			if len(v) > maxCursor {
				writeProblem(ctx, InvalidRequest("cursor", "is not a cursor this API gave"))
				return
			}
			cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > MaxListLimit {
				writeProblem(ctx, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(MaxListLimit)))
				return
			}
			limit = n
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	page, err := s.deps.Accounts.TopUpAsks(sctx, p, scope, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []TopUpAskView{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) declineTopUpAsk(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "top-up request")
	if !ok {
		return
	}
	v, err := s.deps.Accounts.DeclineTopUpAsk(sctx, p, id, clientIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}
