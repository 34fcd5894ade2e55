package api

import (
	"context"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The inbound message types of the app package.
type (
	// InboundQuery is [app.InboundQuery].
	InboundQuery = app.InboundQuery
	// InboundPage is [app.InboundPage].
	InboundPage = app.InboundPage
	// ConversationList is [app.ConversationList].
	ConversationList = app.ConversationList
	// ConversationPage is [app.ConversationPage].
	ConversationPage = app.ConversationPage
)

// Inbound is the service behind /v1/inbound and /v1/conversations: the
// MOs sent to the caller's account's numbers and its conversations.
// Each method reads p's account only (the catch-all of unrouted MOs is
// for platform admins). A nil Inbound in Deps answers the endpoints 404.
type Inbound interface {
	List(ctx context.Context, p Principal, q InboundQuery) (InboundPage, error)
	Conversations(ctx context.Context, p Principal, cursor string, limit int) (ConversationList, error)
	Conversation(ctx context.Context, p Principal, counterpart, cursor string, limit int) (ConversationPage, error)
}

// inboundRoutes registers the inbound endpoints (read scope).
func (s *Server) inboundRoutes(r *router.Router) {
	s.get(r, "/v1/inbound", s.listInbound)
	s.get(r, "/v1/conversations", s.listConversations)
	s.get(r, "/v1/conversations/{number}", s.getConversation)
}

// inboundOff answers 404 when the gateway has no Inbound service.
func (s *Server) inboundOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Inbound == nil, "inbound messages are")
}

// pageArgs reads cursor and limit, refusing any other parameter not in
// extra (which gets the others).
func pageArgs(ctx *fasthttp.RequestCtx, extra func(k string, v []byte) (bool, *Error)) (cursor string, limit int, ok bool) {
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "cursor":
			if len(v) > maxCursor {
				writeProblem(ctx, InvalidRequest("cursor", "is not a cursor this API gave"))
				return "", 0, false
			}
			cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > MaxListLimit {
				writeProblem(ctx, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(MaxListLimit)))
				return "", 0, false
			}
			limit = n
		default:
			known := false
			var perr *Error
			if extra != nil {
				known, perr = extra(string(k), v)
			}
			if perr != nil {
				writeProblem(ctx, perr)
				return "", 0, false
			}
			if !known {
				writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
				return "", 0, false
			}
		}
	}
	return cursor, limit, true
}

func (s *Server) listInbound(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.inboundOff(ctx) {
		return
	}
	var q InboundQuery
	cursor, limit, ok := pageArgs(ctx, func(k string, v []byte) (bool, *Error) {
		switch k {
		case "number":
			q.Number = string(v)
		case "sender":
			q.Sender = string(v)
		case "since":
			return true, parseTime("since", v, &q.Since)
		case "until":
			return true, parseTime("until", v, &q.Until)
		case "unrouted":
			b, err := strconv.ParseBool(string(v))
			if err != nil {
				return true, InvalidRequest("unrouted", "must be true or false")
			}
			q.Unrouted = b
		default:
			return false, nil
		}
		return true, nil
	})
	if !ok {
		return
	}
	q.Cursor, q.Limit = cursor, limit
	page, err := s.deps.Inbound.List(sctx, p, q)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) listConversations(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.inboundOff(ctx) {
		return
	}
	cursor, limit, ok := pageArgs(ctx, nil)
	if !ok {
		return
	}
	page, err := s.deps.Inbound.Conversations(sctx, p, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getConversation(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.inboundOff(ctx) {
		return
	}
	cursor, limit, ok := pageArgs(ctx, nil)
	if !ok {
		return
	}
	num, _ := ctx.UserValue("number").(string)
	page, err := s.deps.Inbound.Conversation(sctx, p, num, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}
