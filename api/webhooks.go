package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/sms"
)

// webhookRoutes registers the endpoints for an account's status
// callbacks: the recent delivery attempts and the rotation of the secret
// signing them.
func (s *Server) webhookRoutes(r *router.Router) {
	s.manage(r, http.MethodGet, "/v1/webhooks/deliveries", ScopeRead, false, s.listDeliveries)
	// Not idempotent: its answer holds the secret, which the idempotency
	// store would keep in clear.
	s.manage(r, http.MethodPost, "/v1/accounts/{id}/webhook-secret", ScopeAdmin, false, s.rotateWebhookSecret)
}

// listDeliveries serves GET /v1/webhooks/deliveries.
func (s *Server) listDeliveries(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	f, perr := parseDeliveryFilter(ctx.QueryArgs())
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	page, err := s.deps.Accounts.Deliveries(sctx, p, f)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []DeliveryItem{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

// parseDeliveryFilter reads the query of GET /v1/webhooks/deliveries;
// unknown parameters are refused.
func parseDeliveryFilter(args *fasthttp.Args) (DeliveryFilter, *Error) {
	f := DeliveryFilter{Limit: DefaultListLimit}
	for k, v := range args.All() {
		switch string(k) {
		case "account_id":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n <= 0 {
				return f, InvalidRequest("account_id", "must be an account id")
			}
			f.AccountID = n
		case "message_id":
			id, err := sms.ParseIDBytes(v)
			if err != nil || id == 0 {
				return f, InvalidRequest("message_id", "must be a message id")
			}
			f.MessageID = id
		case "cursor":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if len(v) > maxCursor || err != nil || n <= 0 {
				return f, InvalidRequest("cursor", "is not a cursor this API gave")
			}
			f.Cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > MaxListLimit {
				return f, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(MaxListLimit))
			}
			f.Limit = n
		default:
			return f, InvalidRequest(string(k), "unknown query parameter")
		}
	}
	return f, nil
}

// rotateWebhookSecret serves POST /v1/accounts/{id}/webhook-secret.
func (s *Server) rotateWebhookSecret(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	v, err := s.deps.Accounts.RotateWebhookSecret(sctx, p, id, clientIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}
