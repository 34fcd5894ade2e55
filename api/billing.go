package api

import (
	"context"
	"strconv"

	"github.com/valyala/fasthttp"
)

// Billing is the prepaid-balance service behind the billing endpoints.
// Amounts are in micro-units of the account's currency (1 unit =
// 1,000,000). A nil Billing in Deps answers those endpoints 404: billing
// is not enabled.
type Billing interface {
	// Balance returns p's account balance.
	Balance(ctx context.Context, p Principal) (BalanceView, error)
	// Ledger returns a page of p's ledger, oldest first, after the cursor.
	Ledger(ctx context.Context, p Principal, cursor string, limit int) (LedgerPage, error)
	// Price quotes one segment to the E.164 number to for p's account; a
	// destination without a price is a not-priced [*Error].
	Price(ctx context.Context, p Principal, to string) (PriceView, error)
}

// billingOff answers 404 when the gateway has no Billing service.
func (s *Server) billingOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Billing == nil, "billing is")
}

func (s *Server) getBalance(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.billingOff(ctx) {
		return
	}
	v, err := s.deps.Billing.Balance(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) getLedger(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.billingOff(ctx) {
		return
	}
	args := ctx.QueryArgs()
	limit := DefaultListLimit
	if l := args.Peek("limit"); len(l) > 0 {
		n, err := strconv.Atoi(string(l))
		if err != nil || n < 1 || n > MaxListLimit {
			writeProblem(ctx, InvalidRequest("limit", "limit must be 1 to "+strconv.Itoa(MaxListLimit)))
			return
		}
		limit = n
	}
	page, err := s.deps.Billing.Ledger(sctx, p, string(args.Peek("cursor")), limit)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if page.Items == nil {
		page.Items = []LedgerItem{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getPricing(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.billingOff(ctx) {
		return
	}
	to := string(ctx.QueryArgs().Peek("to"))
	if to == "" {
		writeProblem(ctx, InvalidRequest("to", "give the destination: ?to=+447700900123"))
		return
	}
	v, err := s.deps.Billing.Price(sctx, p, to)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}
