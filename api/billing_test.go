package api

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// fakeBilling answers from per-account maps, and records the principal.
type fakeBilling struct{ seen []int64 }

func (f *fakeBilling) Balance(_ context.Context, p Principal) (BalanceView, error) {
	f.seen = append(f.seen, p.AccountID)
	return BalanceView{Currency: "EUR", Balance: 1_000_000 * p.AccountID, Held: 10, Available: 1_000_000*p.AccountID - 10}, nil
}

func (f *fakeBilling) Ledger(_ context.Context, p Principal, cursor string, limit int) (LedgerPage, error) {
	f.seen = append(f.seen, p.AccountID)
	after, _ := strconv.Atoi(cursor)
	var page LedgerPage
	for i := after + 1; i <= 5 && len(page.Items) < limit; i++ {
		page.Items = append(page.Items, LedgerItem{ID: int64(i), Kind: "charge", Amount: -35_000, At: time.Unix(int64(i), 0).UTC()})
	}
	if len(page.Items) == limit && after+limit < 5 {
		page.NextCursor = strconv.Itoa(after + limit)
	}
	return page, nil
}

func (f *fakeBilling) Price(_ context.Context, p Principal, to string) (PriceView, error) {
	if to == "+33612345678" {
		return PriceView{}, &Error{Type: "not-priced", Title: "Destination not priced", Status: 422, Field: "to"}
	}
	return PriceView{To: to, Currency: "EUR", PerSegment: 35_000, PlanID: 7}, nil
}

func TestBillingEndpoints(t *testing.T) {
	fb := &fakeBilling{}
	ts := newTestServerWith(t, Config{}, func(d *Deps) { d.Billing = fb })

	var b BalanceView
	ts.do(t, "GET", "/v1/balance", keyOther, nil).decode(t, &b)
	if b.Balance != 2_000_000 || b.Currency != "EUR" || b.Available != 2_000_000-10 {
		t.Fatalf("balance %+v", b)
	}
	if len(fb.seen) != 1 || fb.seen[0] != 2 {
		t.Fatalf("principal passed: %v, want account 2", fb.seen)
	}

	var p1, p2 LedgerPage
	ts.do(t, "GET", "/v1/ledger?limit=3", keyRead, nil).decode(t, &p1)
	if len(p1.Items) != 3 || p1.NextCursor == "" || p1.Items[0].Amount != -35_000 {
		t.Fatalf("ledger page 1 %+v", p1)
	}
	ts.do(t, "GET", "/v1/ledger?limit=3&cursor="+p1.NextCursor, keyRead, nil).decode(t, &p2)
	if len(p2.Items) != 2 || p2.NextCursor != "" || p2.Items[0].ID != 4 {
		t.Fatalf("ledger page 2 %+v", p2)
	}
	ts.do(t, "GET", "/v1/ledger?limit=0", keyRead, nil).wantProblem(t, http.StatusBadRequest, "invalid-request")
	ts.do(t, "GET", "/v1/ledger?limit=501", keyRead, nil).wantProblem(t, http.StatusBadRequest, "invalid-request")

	var pv PriceView
	ts.do(t, "GET", "/v1/pricing?to=%2B447700900123", keyRead, nil).decode(t, &pv)
	if pv.PerSegment != 35_000 || pv.To != "+447700900123" || pv.PlanID != 7 {
		t.Fatalf("price %+v", pv)
	}
	ts.do(t, "GET", "/v1/pricing", keyRead, nil).wantProblem(t, http.StatusBadRequest, "invalid-request")
	ts.do(t, "GET", "/v1/pricing?to=%2B33612345678", keyRead, nil).wantProblem(t, http.StatusUnprocessableEntity, "not-priced")

	// The read scope is needed; a key is needed.
	ts.do(t, "GET", "/v1/balance", keySend, nil).wantProblem(t, http.StatusForbidden, "forbidden")
	ts.do(t, "GET", "/v1/balance", "", nil).wantProblem(t, http.StatusUnauthorized, "unauthorized")
}

func TestBillingEndpointsOff(t *testing.T) {
	ts := newTestServer(t, Config{})
	for _, path := range []string{"/v1/balance", "/v1/ledger", "/v1/pricing?to=1"} {
		ts.do(t, "GET", path, keyRead, nil).wantProblem(t, http.StatusNotFound, "not-found")
	}
}
