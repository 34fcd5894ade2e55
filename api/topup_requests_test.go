package api

import (
	"context"
	"strings"
	"testing"
)

// AskTopUp answers the request as pending.
func (f *fakeAccounts) AskTopUp(_ context.Context, p Principal, req TopUpAsk) (TopUpAskView, error) {
	f.record("ask " + req.Note)
	return TopUpAskView{ID: 5, AccountID: p.AccountID, Amount: req.Amount, Currency: "EUR", Note: req.Note, Status: "pending", CreatedAt: fakeCreated}, nil
}

// TopUpAsks answers one request and records the scope and cursor.
func (f *fakeAccounts) TopUpAsks(_ context.Context, p Principal, scope, cursor string, limit int) (TopUpAskPage, error) {
	f.record("asks " + scope + " " + cursor)
	return TopUpAskPage{Items: []TopUpAskView{{ID: 5, AccountID: 3, Amount: 1, Currency: "EUR", Status: "pending", CreatedAt: fakeCreated}}}, nil
}

// DeclineTopUpAsk declines request 5; any other is unknown.
func (f *fakeAccounts) DeclineTopUpAsk(_ context.Context, _ Principal, id int64, _ string) (TopUpAskView, error) {
	if id != 5 {
		return TopUpAskView{}, NotFound("no such top-up request")
	}
	return TopUpAskView{ID: 5, AccountID: 3, Amount: 1, Currency: "EUR", Status: "declined", CreatedAt: fakeCreated}, nil
}

func TestTopUpAskRoutes(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	a := ts.do(t, "POST", "/v1/topup-requests", acctKeyReseller, []byte(`{"amount":5000000,"note":" May "}`))
	if a.Code != 201 {
		t.Fatalf("ask: %d %s", a.Code, a.Body)
	}
	var v map[string]any
	a.decode(t, &v)
	if v["id"] != "5" || v["amount"] != float64(5000000) || v["note"] != "May" || v["status"] != "pending" {
		t.Fatalf("answer %s", a.Body)
	}
	for _, body := range []string{`{"amount":0}`, `{"amount":"5"}`, `{"amount":1,"note":"` + strings.Repeat("x", 256) + `"}`} {
		ts.do(t, "POST", "/v1/topup-requests", acctKeyReseller, []byte(body)).wantProblem(t, 400, TypeInvalidRequest)
	}
	ts.do(t, "POST", "/v1/topup-requests", acctKeyRead, []byte(`{"amount":1}`)).wantProblem(t, 403, TypeForbidden)
	if a := ts.do(t, "GET", "/v1/topup-requests?cursor=p9&limit=5", acctKeyReseller, nil); a.Code != 200 {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/v1/topup-requests?scope=own", acctKeyRead, nil); a.Code != 200 {
		t.Fatalf("own list: %d %s", a.Code, a.Body)
	}
	f.mu.Lock()
	calls := append([]string(nil), f.calls...)
	f.mu.Unlock()
	if len(calls) != 3 || calls[0] != "ask May" || calls[1] != "asks managed p9" || calls[2] != "asks own " {
		t.Fatalf("calls %q", calls)
	}
	ts.do(t, "GET", "/v1/topup-requests?scope=all", acctKeyRead, nil).wantProblem(t, 400, TypeInvalidRequest)
	ts.do(t, "GET", "/v1/topup-requests?status=x", acctKeyRead, nil).wantProblem(t, 400, TypeInvalidRequest)
	if a := ts.do(t, "POST", "/v1/topup-requests/5/decline", acctKeyReseller, nil); a.Code != 200 {
		t.Fatalf("decline: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/topup-requests/6/decline", acctKeyReseller, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "POST", "/v1/topup-requests/5/decline", acctKeyRead, nil).wantProblem(t, 403, TypeForbidden)
}
