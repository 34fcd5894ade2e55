package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// Accounts is the service behind the endpoints for the account tree:
// sub-accounts, suspension, price plans, top-ups and the audit log. Every
// method checks that p may do what it asks with the account policy (see
// package account): an account p may not even read is answered as an
// unknown one, NotFound; one it may read but not change, Forbidden.
// Methods return an [*Error] for answers meant for the client and any
// other error for a fault. A nil Accounts in Deps answers the endpoints
// 404.
type Accounts interface {
	// List returns a page of the accounts p may see, in id order after
	// the cursor: every account for an admin, the reseller and the
	// accounts below it for a reseller, its own account otherwise.
	List(ctx context.Context, p Principal, cursor string, limit int) (AccountPage, error)
	// Create creates an account with an owner API key and SMPP
	// credentials, shown only in this answer.
	Create(ctx context.Context, p Principal, req CreateAccountRequest) (CreatedAccount, error)
	// Get returns account id.
	Get(ctx context.Context, p Principal, id int64) (AccountView, error)
	// Update changes the settings req sets.
	Update(ctx context.Context, p Principal, id int64, req UpdateAccountRequest) (AccountView, error)
	// SetSuspended suspends (or reactivates) account id at once: its API
	// keys and SMPP binds are refused and its open binds are unbound.
	SetSuspended(ctx context.Context, p Principal, id int64, suspended bool, ip string) (AccountView, error)
	// TopUp adds money to account id's balance: an admin's top-up is a
	// payment recorded by the payment provider; a reseller's is a
	// transfer from its own balance (an [*Error] of type
	// insufficient-balance when that cannot cover it).
	TopUp(ctx context.Context, p Principal, id int64, req TopUpRequest) (TopUpResult, error)
	// Plans returns the price plans p may see: the platform's for an
	// admin, its own for a reseller, those assigned to its account for
	// others.
	Plans(ctx context.Context, p Principal) ([]PlanView, error)
	// CreatePlan creates a price plan: a platform plan (or a reseller's,
	// with OwnerAccountID) for an admin, the reseller's own for a
	// reseller.
	CreatePlan(ctx context.Context, p Principal, req CreatePlanRequest) (PlanView, error)
	// Plan returns plan id, if p may see it.
	Plan(ctx context.Context, p Principal, id int64) (PlanView, error)
	// AssignPlan makes plan planID account accountID's plan.
	AssignPlan(ctx context.Context, p Principal, accountID, planID int64, ip string) (AccountView, error)
	// Audit returns up to limit audit entries of account id, newest
	// first, with ids below before (0: from the newest).
	Audit(ctx context.Context, p Principal, id, before int64, limit int) (AuditPage, error)
	// Deliveries returns a page of the webhook delivery attempts of the
	// account f names (the caller's own by default), newest first.
	Deliveries(ctx context.Context, p Principal, f DeliveryFilter) (DeliveryPage, error)
	// RotateWebhookSecret gives account id a new webhook secret and
	// returns it, shown only in this answer.
	RotateWebhookSecret(ctx context.Context, p Principal, id int64, ip string) (WebhookSecretView, error)
	// AskTopUp records p's account's request for a top-up from its
	// reseller (or the platform's admins).
	AskTopUp(ctx context.Context, p Principal, req TopUpAsk) (TopUpAskView, error)
	// TopUpAsks returns a page of top-up requests, pending first: scope
	// own (p's account's) or managed (those made to p).
	TopUpAsks(ctx context.Context, p Principal, scope, cursor string, limit int) (TopUpAskPage, error)
	// DeclineTopUpAsk declines pending request id.
	DeclineTopUpAsk(ctx context.Context, p Principal, id int64, ip string) (TopUpAskView, error)
}

// TypeInsufficientBalance is the problem type of a top-up by transfer
// that the reseller's balance cannot cover (and of a message the
// account's balance cannot cover).
const TypeInsufficientBalance = "insufficient-balance"

// InsufficientBalance reports an amount the available balance cannot
// cover.
func InsufficientBalance(detail string) *Error {
	return newError(TypeInsufficientBalance, "Insufficient balance", http.StatusPaymentRequired, "", detail)
}

// The kinds and statuses of accounts, as the API shows them.
const (
	AccountKindCustomer = "customer"
	AccountKindReseller = "reseller"
	AccountKindPlatform = "platform"
	AccountActive       = "active"
	AccountSuspended    = "suspended"
)

// Top-up sources.
const (
	TopUpPayment  = app.TopUpPayment  // an admin's top-up, through the payment provider
	TopUpTransfer = app.TopUpTransfer // a reseller's, from its own balance
)

// Limits of the management bodies.
const (
	maxAccountName = 100
	maxPlanPrices  = 10_000
	maxReference   = 255
	maxTPSLimit    = 1_000_000
)

// accountRoutes registers the endpoints for the account tree: sub-accounts, suspension, price plans, top-ups and the audit log.
func (s *Server) accountRoutes(r *router.Router) {
	s.manage(r, http.MethodGet, "/v1/accounts", ScopeRead, false, s.listAccounts)
	// Not idempotent: its answer holds secrets, which the idempotency
	// store would keep in clear.
	s.manage(r, http.MethodPost, "/v1/accounts", ScopeAdmin, false, s.createAccount)
	s.manage(r, http.MethodGet, "/v1/accounts/{id}", ScopeRead, false, s.getAccount)
	s.manage(r, http.MethodPatch, "/v1/accounts/{id}", ScopeAdmin, false, s.patchAccount)
	s.manage(r, http.MethodPost, "/v1/accounts/{id}/suspend", ScopeAdmin, false, s.suspendAccount(true))
	s.manage(r, http.MethodPost, "/v1/accounts/{id}/activate", ScopeAdmin, false, s.suspendAccount(false))
	s.manage(r, http.MethodPost, "/v1/accounts/{id}/topups", ScopeAdmin, true, s.postTopUp)
	s.manage(r, http.MethodPut, "/v1/accounts/{id}/plan", ScopeAdmin, false, s.putAccountPlan)
	s.manage(r, http.MethodGet, "/v1/accounts/{id}/audit", ScopeRead, false, s.getAudit)
	s.manage(r, http.MethodGet, "/v1/plans", ScopeRead, false, s.listPlans)
	s.manage(r, http.MethodPost, "/v1/plans", ScopeAdmin, true, s.postPlan)
	s.manage(r, http.MethodGet, "/v1/plans/{id}", ScopeRead, false, s.getPlan)
}

// manage registers an authenticated management route needing scope;
// idempotent routes honour Idempotency-Key. Bodies are bounded by
// MaxBodyBytes, and the route answers 404 while Accounts is nil.
func (s *Server) manage(r *router.Router, method, path, scope string, idempotent bool, h handler) {
	route := method + " " + path
	inner := h
	if idempotent {
		inner = s.idempotent(route, h)
	}
	r.Handle(method, path, s.instrument(route, s.authed(scope, func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if s.deps.Accounts == nil {
			writeProblem(ctx, NotFound("account management is not enabled on this gateway"))
			return
		}
		if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
			writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", s.cfg.MaxBodyBytes)))
			return
		}
		inner(ctx, sctx, p)
	})))
}

// listLimit reads ?limit= (DefaultListLimit when absent).
func listLimit(ctx *fasthttp.RequestCtx) (int, bool) {
	limit := DefaultListLimit
	if l := ctx.QueryArgs().Peek("limit"); len(l) > 0 {
		n, err := strconv.Atoi(string(l))
		if err != nil || n < 1 || n > MaxListLimit {
			writeProblem(ctx, InvalidRequest("limit", "limit must be 1 to "+strconv.Itoa(MaxListLimit)))
			return 0, false
		}
		limit = n
	}
	return limit, true
}

func clientIP(ctx *fasthttp.RequestCtx) string { return clientAddr(ctx).String() }

func (s *Server) listAccounts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	limit, ok := listLimit(ctx)
	if !ok {
		return
	}
	cursor := string(ctx.QueryArgs().Peek("cursor"))
	if len(cursor) > maxCursor {
		writeProblem(ctx, InvalidRequest("cursor", "malformed cursor"))
		return
	}
	page, err := s.deps.Accounts.List(sctx, p, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []AccountView{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) createAccount(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	var req CreateAccountRequest
	if !decodeObject(ctx, &req) {
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > maxAccountName {
		writeProblem(ctx, InvalidRequest("name", fmt.Sprintf("give a name of 1 to %d characters", maxAccountName)))
		return
	}
	if req.Kind == "" {
		req.Kind = AccountKindCustomer
	}
	if req.Kind != AccountKindCustomer && req.Kind != AccountKindReseller && req.Kind != AccountKindPlatform {
		writeProblem(ctx, InvalidRequest("kind", "kind is customer, reseller or platform"))
		return
	}
	req.IP = clientIP(ctx)
	c, err := s.deps.Accounts.Create(sctx, p, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set(fasthttp.HeaderLocation, "/v1/accounts/"+strconv.FormatInt(c.Account.ID, 10))
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	s.writeJSON(ctx, fasthttp.StatusCreated, c)
}

func (s *Server) getAccount(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "account")
	if !ok {
		return
	}
	v, err := s.deps.Accounts.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) patchAccount(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "account")
	if !ok {
		return
	}
	var req UpdateAccountRequest
	if !decodeObject(ctx, &req) {
		return
	}
	if req.Name != nil {
		n := strings.TrimSpace(*req.Name)
		if n == "" || len(n) > maxAccountName {
			writeProblem(ctx, InvalidRequest("name", fmt.Sprintf("give a name of 1 to %d characters", maxAccountName)))
			return
		}
		req.Name = &n
	}
	if req.TPSLimit != nil && (*req.TPSLimit < 0 || *req.TPSLimit > maxTPSLimit) {
		writeProblem(ctx, InvalidRequest("tps_limit", fmt.Sprintf("tps_limit is 0 (no limit) to %d", maxTPSLimit)))
		return
	}
	// A webhook_url is judged by the Accounts service, with the webhook
	// address policy (an invalid-url problem).
	if req.CreditLimit != nil {
		m, err := app.ParseMicros(*req.CreditLimit)
		if err != nil || m > 0 || m < -app.MaxTransfer {
			writeProblem(ctx, InvalidRequest("credit_limit",
				`credit_limit is a decimal amount of at most 0: "-50" lets the balance go 50 units below zero`))
			return
		}
		req.CreditLimitMicros = int64(m)
	}
	if req.Name == nil && req.TPSLimit == nil && req.WebhookURL == nil && req.CreditLimit == nil {
		writeProblem(ctx, InvalidRequest("", "give at least one of name, tps_limit, webhook_url, credit_limit"))
		return
	}
	req.IP = clientIP(ctx)
	v, err := s.deps.Accounts.Update(sctx, p, id, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) suspendAccount(suspend bool) handler {
	return func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		id, ok := pathParamID(ctx, "id", "account")
		if !ok {
			return
		}
		if len(bytes.TrimSpace(ctx.PostBody())) > 0 {
			writeProblem(ctx, InvalidRequest("", "this endpoint takes no body"))
			return
		}
		v, err := s.deps.Accounts.SetSuspended(sctx, p, id, suspend, clientIP(ctx))
		if err != nil {
			s.fail(ctx, err)
			return
		}
		s.writeJSON(ctx, fasthttp.StatusOK, v)
	}
}

func (s *Server) postTopUp(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "account")
	if !ok {
		return
	}
	var req TopUpRequest
	if !decodeObject(ctx, &req) {
		return
	}
	m, err := app.ParseMicros(strings.TrimSpace(req.Amount))
	if err != nil || m <= 0 || m > app.MaxTransfer {
		writeProblem(ctx, InvalidRequest("amount", `amount is a positive decimal string of currency units, such as "25.50"`))
		return
	}
	req.AmountMicros = int64(m)
	req.Reference = strings.TrimSpace(req.Reference)
	if req.Reference == "" || len(req.Reference) > maxReference {
		writeProblem(ctx, InvalidRequest("reference", fmt.Sprintf("give a reference of 1 to %d bytes (a bank transfer's, say)", maxReference)))
		return
	}
	req.IP = clientIP(ctx)
	res, err := s.deps.Accounts.TopUp(sctx, p, id, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, res)
}

func (s *Server) putAccountPlan(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "account")
	if !ok {
		return
	}
	var req struct {
		PlanID flexID `json:"plan_id"`
	}
	if !decodeObject(ctx, &req) {
		return
	}
	if req.PlanID <= 0 {
		writeProblem(ctx, InvalidRequest("plan_id", "give the plan's id"))
		return
	}
	v, err := s.deps.Accounts.AssignPlan(sctx, p, id, int64(req.PlanID), clientIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) getAudit(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "account")
	if !ok {
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
	page, err := s.deps.Accounts.Audit(sctx, p, id, before, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []AuditItem{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) listPlans(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	plans, err := s.deps.Accounts.Plans(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if plans == nil {
		plans = []PlanView{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, struct {
		Items []PlanView `json:"items"`
	}{plans})
}

func (s *Server) postPlan(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	var req CreatePlanRequest
	if !decodeObject(ctx, &req) {
		return
	}
	if perr := validatePlan(&req); perr != nil {
		writeProblem(ctx, perr)
		return
	}
	req.IP = clientIP(ctx)
	v, err := s.deps.Accounts.CreatePlan(sctx, p, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set(fasthttp.HeaderLocation, "/v1/plans/"+strconv.FormatInt(v.ID, 10))
	s.writeJSON(ctx, fasthttp.StatusCreated, v)
}

// validatePlan checks a new plan and parses its prices.
func validatePlan(req *CreatePlanRequest) *Error {
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case req.Name == "" || len(req.Name) > 255:
		return InvalidRequest("name", "give a name of 1 to 255 characters")
	case !app.ValidCurrency(req.Currency):
		return InvalidRequest("currency", "currency is an ISO 4217 code such as EUR")
	case len(req.Prices) == 0 || len(req.Prices) > maxPlanPrices:
		return InvalidRequest("prices", fmt.Sprintf("give 1 to %d prices", maxPlanPrices))
	case req.ValidTo != nil && req.ValidFrom != nil && !req.ValidTo.After(*req.ValidFrom):
		return InvalidRequest("valid_to", "valid_to must be after valid_from")
	case req.ValidTo != nil && req.ValidFrom == nil && !req.ValidTo.After(time.Now()):
		return InvalidRequest("valid_to", "valid_to must be in the future when valid_from is now")
	}
	seen := make(map[string]bool, len(req.Prices))
	for i := range req.Prices {
		pr := &req.Prices[i]
		field := fmt.Sprintf("prices[%d]", i)
		if !digits(pr.Prefix, 1, 15) {
			return InvalidRequest(field+".prefix", "prefix is 1 to 15 digits of an E.164 number, without '+'")
		}
		if seen[pr.Prefix] {
			return InvalidRequest(field+".prefix", "prefix "+pr.Prefix+" is given twice")
		}
		seen[pr.Prefix] = true
		m, err := app.ParseMicros(strings.TrimSpace(pr.Price))
		if err != nil || m < 0 || m > 1_000_000*app.MicrosPerUnit {
			return InvalidRequest(field+".price", `price is a decimal string per segment, such as "0.035"`)
		}
		pr.PriceMicros = int64(m)
	}
	return nil
}

// digits reports whether s is min to max ASCII digits.
func digits(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Server) getPlan(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := pathParamID(ctx, "id", "plan")
	if !ok {
		return
	}
	v, err := s.deps.Accounts.Plan(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}
