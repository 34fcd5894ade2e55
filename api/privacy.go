package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// Privacy is the service behind the data-subject requests
// (app.Privacy): who may ask, and about which account, is its to check.
type Privacy interface {
	// PrepareExport checks the request and returns the function that
	// writes the JSON export (and records the request).
	PrepareExport(ctx context.Context, p Principal, q app.PrivacyQuery) (func(context.Context, io.Writer) error, error)
	Erase(ctx context.Context, p Principal, q app.PrivacyQuery) (app.EraseResult, error)
	Requests(ctx context.Context, p Principal, accountID, before int64, limit int) (app.PrivacyRequestPage, error)
}

// privacyRoutes registers the data-subject requests. They need the admin
// scope (an owner's, reseller's or platform admin's session, or an API
// key with the admin scope).
func (s *Server) privacyRoutes(r *router.Router) {
	r.GET("/v1/privacy/export", s.instrument("GET /v1/privacy/export", s.authed(ScopeAdmin, s.privacyExport)))
	r.GET("/v1/privacy/requests", s.instrument("GET /v1/privacy/requests", s.authed(ScopeAdmin, s.privacyRequests)))
	const erase = "POST /v1/privacy/erase"
	inner := s.idempotent(erase, s.privacyErase)
	r.POST("/v1/privacy/erase", s.instrument(erase, s.authed(ScopeAdmin, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
			return
		}
		inner(ctx, sctx, p)
	})))
}

// queryID reads an optional positive id from ?name=; ok is false when it
// answered the request with a problem.
func queryID(ctx *fasthttp.RequestCtx, name string) (int64, bool) {
	v := ctx.QueryArgs().Peek(name)
	if len(v) == 0 {
		return 0, true
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n <= 0 {
		writeProblem(ctx, InvalidRequest(name, name+" must be an id"))
		return 0, false
	}
	return n, true
}

// privacyExport serves GET /v1/privacy/export?phone=|user_id=|email=
// [&account_id=]: the subject's data as one JSON document, streamed a
// page of the store at a time.
func (s *Server) privacyExport(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if notEnabled(ctx, s.deps.Privacy == nil, "data-subject requests are") {
		return
	}
	var q app.PrivacyQuery
	for k := range ctx.QueryArgs().All() {
		switch string(k) {
		case "phone", "user_id", "email", "account_id":
		default:
			writeProblem(ctx, InvalidRequest(string(k), "unknown query parameter"))
			return
		}
	}
	q.Phone = string(ctx.QueryArgs().Peek("phone"))
	q.Email = strings.TrimSpace(string(ctx.QueryArgs().Peek("email")))
	var ok bool
	if q.UserID, ok = queryID(ctx, "user_id"); !ok {
		return
	}
	if q.AccountID, ok = queryID(ctx, "account_id"); !ok {
		return
	}
	if len(q.Email) > 254 {
		writeProblem(ctx, InvalidRequest("email", "an email has at most 254 bytes"))
		return
	}
	if (q.UserID != 0 || q.Email != "") && q.AccountID != 0 {
		writeProblem(ctx, InvalidRequest("account_id", "a user's export is platform-wide: leave account_id out"))
		return
	}
	q.IP = clientIP(ctx)
	write, err := s.deps.Privacy.PrepareExport(sctx, p, q)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.SetContentType("application/json")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="privacy-export.json"`)
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler: the stream runs
		// after it, bounded by its own time and ended by a forced shutdown.
		ectx, cancel := context.WithTimeout(s.base, exportTimeout)
		defer cancel()
		if err := write(ectx, w); err != nil {
			s.log.Error("privacy export", "account", p.AccountID, "err", err)
		}
	})
}

// EraseRequest is the body of POST /v1/privacy/erase.
type EraseRequest struct {
	Phone     string `json:"phone"`
	AccountID flexID `json:"account_id,omitempty"`
}

// privacyErase serves POST /v1/privacy/erase.
func (s *Server) privacyErase(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if notEnabled(ctx, s.deps.Privacy == nil, "data-subject requests are") {
		return
	}
	var req EraseRequest
	if !decodeObject(ctx, &req) {
		return
	}
	if req.AccountID < 0 {
		writeProblem(ctx, InvalidRequest("account_id", "account_id must be an id"))
		return
	}
	// An erasure of a number with millions of messages runs past the
	// request deadline: it runs in batches under its own time, and what
	// a cut-off run leaves, running it again finishes.
	ectx, cancel := context.WithTimeout(context.WithoutCancel(sctx), eraseTimeout)
	defer cancel()
	res, err := s.deps.Privacy.Erase(ectx, p, app.PrivacyQuery{Phone: req.Phone, AccountID: int64(req.AccountID),
		IP: clientIP(ctx)})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, res)
}

// eraseTimeout bounds one erasure request.
const eraseTimeout = 10 * time.Minute

// privacyRequests serves GET /v1/privacy/requests?account_id=&before=&limit=.
func (s *Server) privacyRequests(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if notEnabled(ctx, s.deps.Privacy == nil, "data-subject requests are") {
		return
	}
	limit, ok := listLimit(ctx)
	if !ok {
		return
	}
	account, ok := queryID(ctx, "account_id")
	if !ok {
		return
	}
	before, ok := queryID(ctx, "before")
	if !ok {
		return
	}
	page, err := s.deps.Privacy.Requests(sctx, p, account, before, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}
