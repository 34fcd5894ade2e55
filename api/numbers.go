package api

import (
	"context"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The inbound number types of the app package.
type (
	// Number is [app.Number].
	Number = app.Number
	// NumberInput is [app.NumberInput].
	NumberInput = app.NumberInput
	// NumberPatch is [app.NumberPatch].
	NumberPatch = app.NumberPatch
	// NumberPage is [app.NumberPage].
	NumberPage = app.NumberPage
)

// Numbers is the service behind /v1/numbers: the inbound numbers that
// route carriers' MOs to accounts. Platform admins assign, change and
// remove numbers; an account's owner reads its numbers and sets their
// delivery; members read them. A nil Numbers in Deps answers the
// endpoints 404.
type Numbers interface {
	Add(ctx context.Context, p Principal, in NumberInput) (Number, error)
	List(ctx context.Context, p Principal, accountID int64, cursor string, limit int) (NumberPage, error)
	Get(ctx context.Context, p Principal, id int64) (Number, error)
	Update(ctx context.Context, p Principal, id int64, in NumberPatch) (Number, error)
	Remove(ctx context.Context, p Principal, id int64) error
}

// numberBody is the body of POST /v1/numbers.
type numberBody struct {
	AccountID  int64  `json:"account_id"`
	Number     string `json:"number"`
	Kind       string `json:"kind"`
	Keyword    string `json:"keyword"`
	Carrier    string `json:"carrier"`
	WebhookURL string `json:"webhook_url"`
	SMPP       bool   `json:"smpp"`
}

// numberPatchBody is the body of PATCH /v1/numbers/{id}.
type numberPatchBody struct {
	Carrier    *string `json:"carrier"`
	WebhookURL *string `json:"webhook_url"`
	SMPP       *bool   `json:"smpp"`
}

// numberRoutes registers the number endpoints: reading needs the read
// scope, changing the send scope (and the roles the service checks).
func (s *Server) numberRoutes(r *router.Router) {
	const (
		base = "/v1/numbers"
		one  = base + "/{id}"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.addNumber)
	s.get(r, base, s.listNumbers)
	s.get(r, one, s.getNumber)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchNumber)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteNumber)))
}

// numbersOff answers 404 when the gateway has no Numbers service.
func (s *Server) numbersOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Numbers == nil, "inbound numbers are")
}

// numberID is the {id} path parameter; it answers 404 when it is not one.
func numberID(ctx *fasthttp.RequestCtx) (int64, bool) {
	v, _ := ctx.UserValue("id").(string)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		writeProblem(ctx, NotFound("no such number"))
		return 0, false
	}
	return id, true
}

func (s *Server) addNumber(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.numbersOff(ctx) {
		return
	}
	var b numberBody
	if !decodeObject(ctx, &b) {
		return
	}
	n, err := s.deps.Numbers.Add(sctx, p, NumberInput{AccountID: b.AccountID, Number: b.Number, Kind: b.Kind,
		Keyword: b.Keyword, Carrier: b.Carrier, WebhookURL: b.WebhookURL, SMPP: b.SMPP})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, n)
}

func (s *Server) listNumbers(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.numbersOff(ctx) {
		return
	}
	var (
		acct   int64
		cursor string
		limit  int
	)
	for k, v := range ctx.QueryArgs().All() {
		switch string(k) {
		case "account_id":
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n <= 0 {
				writeProblem(ctx, InvalidRequest("account_id", "must be an account id"))
				return
			}
			acct = n
		case "cursor":
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
	page, err := s.deps.Numbers.List(sctx, p, acct, cursor, limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getNumber(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.numbersOff(ctx) {
		return
	}
	id, ok := numberID(ctx)
	if !ok {
		return
	}
	n, err := s.deps.Numbers.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, n)
}

func (s *Server) patchNumber(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.numbersOff(ctx) {
		return
	}
	id, ok := numberID(ctx)
	if !ok {
		return
	}
	var b numberPatchBody
	if !decodeObject(ctx, &b) {
		return
	}
	n, err := s.deps.Numbers.Update(sctx, p, id, NumberPatch{Carrier: b.Carrier, WebhookURL: b.WebhookURL, SMPP: b.SMPP})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, n)
}

func (s *Server) deleteNumber(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.numbersOff(ctx) {
		return
	}
	id, ok := numberID(ctx)
	if !ok {
		return
	}
	if err := s.deps.Numbers.Remove(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}
