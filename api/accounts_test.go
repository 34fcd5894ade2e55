package api

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// Keys of the account tests' authenticator.
const (
	acctKeyAdmin    = "acct-admin"    // account 1, platform admin
	acctKeyReseller = "acct-reseller" // account 2, reseller
	acctKeyRead     = "acct-read"     // account 3, member with the read scope
	acctKeySend     = "acct-send"     // account 3, member with the send scope only
)

type acctAuth struct{}

func (acctAuth) AuthenticateAPIKey(_ context.Context, key string) (Principal, error) {
	switch key {
	case acctKeyAdmin:
		return Principal{AccountID: 1, KeyID: 10, Role: RoleAdmin, Scopes: []string{ScopeAdmin}}, nil
	case acctKeyReseller:
		return Principal{AccountID: 2, KeyID: 20, Role: RoleReseller, Scopes: []string{ScopeAdmin}}, nil
	case acctKeyRead:
		return Principal{AccountID: 3, KeyID: 30, Role: RoleMember, Scopes: []string{ScopeRead}}, nil
	case acctKeySend:
		return Principal{AccountID: 3, KeyID: 31, Role: RoleMember, CanSend: true, Scopes: []string{ScopeSend}}, nil
	}
	return Principal{}, ErrUnauthorized
}

// fakeAccounts records what the handlers pass and answers from fixed
// data; account 404 is unknown, account 500 fails, a top-up of exactly
// 99 units is insufficient.
type fakeAccounts struct {
	mu      sync.Mutex
	calls   []string
	created []CreateAccountRequest
	updates []UpdateAccountRequest
	topups  []TopUpRequest
	plans   []CreatePlanRequest
	assign  [][2]int64
	audits  [][3]int64
	// deliveries are the filters of Deliveries (api/webhooks_test.go).
	deliveries []DeliveryFilter
}

func (f *fakeAccounts) record(call string) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

var fakeCreated = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func (f *fakeAccounts) account(id int64) (AccountView, error) {
	switch id {
	case 404:
		return AccountView{}, NotFound("no such account")
	case 500:
		return AccountView{}, errors.New("store: db password is hunter2")
	}
	return AccountView{ID: id, Name: "acme", Kind: AccountKindCustomer, Status: AccountActive, ParentID: 2,
		CreatedAt: fakeCreated, Balance: &BalanceView{Currency: "EUR", Balance: 5_000_000, Available: 5_000_000}}, nil
}

func (f *fakeAccounts) List(_ context.Context, p Principal, cursor string, limit int) (AccountPage, error) {
	f.record("list " + cursor)
	a, _ := f.account(p.AccountID)
	return AccountPage{Items: []AccountView{a}, NextCursor: "9"}, nil
}

func (f *fakeAccounts) Create(_ context.Context, p Principal, req CreateAccountRequest) (CreatedAccount, error) {
	f.mu.Lock()
	f.created = append(f.created, req)
	f.mu.Unlock()
	a, _ := f.account(77)
	return CreatedAccount{Account: a, APIKey: "gal_secret", SMPPSystemID: "acme", SMPPPassword: "pw"}, nil
}

func (f *fakeAccounts) Get(_ context.Context, _ Principal, id int64) (AccountView, error) {
	return f.account(id)
}

func (f *fakeAccounts) Update(_ context.Context, _ Principal, id int64, req UpdateAccountRequest) (AccountView, error) {
	f.mu.Lock()
	f.updates = append(f.updates, req)
	f.mu.Unlock()
	return f.account(id)
}

func (f *fakeAccounts) SetSuspended(_ context.Context, _ Principal, id int64, suspended bool, _ string) (AccountView, error) {
	a, err := f.account(id)
	if suspended {
		a.Status = AccountSuspended
	}
	return a, err
}

func (f *fakeAccounts) TopUp(_ context.Context, p Principal, id int64, req TopUpRequest) (TopUpResult, error) {
	f.mu.Lock()
	f.topups = append(f.topups, req)
	f.mu.Unlock()
	if req.AmountMicros == 99_000_000 {
		return TopUpResult{}, InsufficientBalance("your available balance does not cover 99")
	}
	src := TopUpPayment
	if p.Role == RoleReseller {
		src = TopUpTransfer
	}
	return TopUpResult{Source: src, Entry: LedgerItem{ID: 5, Kind: "topup", Amount: req.AmountMicros, At: fakeCreated},
		Balance: BalanceView{Currency: "EUR", Balance: req.AmountMicros, Available: req.AmountMicros}}, nil
}

func (f *fakeAccounts) Plans(_ context.Context, p Principal) ([]PlanView, error) {
	if p.Role == RoleMember {
		return nil, nil
	}
	return []PlanView{{ID: 7, Name: "retail", Currency: "EUR", ValidFrom: fakeCreated,
		Prices: []PlanPriceView{{Prefix: "44", Price: "0.040000", PriceMicros: 40_000}}}}, nil
}

func (f *fakeAccounts) CreatePlan(_ context.Context, p Principal, req CreatePlanRequest) (PlanView, error) {
	f.mu.Lock()
	f.plans = append(f.plans, req)
	f.mu.Unlock()
	if p.Role == RoleMember {
		return PlanView{}, Forbidden("only an admin or a reseller creates price plans")
	}
	return PlanView{ID: 8, Name: req.Name, Currency: req.Currency, ValidFrom: fakeCreated}, nil
}

func (f *fakeAccounts) Plan(_ context.Context, _ Principal, id int64) (PlanView, error) {
	if id != 7 {
		return PlanView{}, NotFound("no such plan")
	}
	return PlanView{ID: 7, Name: "retail", Currency: "EUR", ValidFrom: fakeCreated}, nil
}

func (f *fakeAccounts) AssignPlan(_ context.Context, _ Principal, accountID, planID int64, _ string) (AccountView, error) {
	f.mu.Lock()
	f.assign = append(f.assign, [2]int64{accountID, planID})
	f.mu.Unlock()
	return f.account(accountID)
}

func (f *fakeAccounts) Audit(_ context.Context, _ Principal, id, before int64, limit int) (AuditPage, error) {
	f.mu.Lock()
	f.audits = append(f.audits, [3]int64{id, before, int64(limit)})
	f.mu.Unlock()
	return AuditPage{Items: []AuditItem{{ID: 3, AccountID: id, Action: "account.suspend", At: fakeCreated}}}, nil
}

func newAccountsServer(t *testing.T, f *fakeAccounts) *testServer {
	t.Helper()
	return newTestServerWith(t, Config{}, func(d *Deps) {
		d.Auth = acctAuth{}
		if f != nil {
			d.Accounts = f
		}
	})
}

func TestAccountsNotEnabled(t *testing.T) {
	ts := newAccountsServer(t, nil)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/accounts"}, {"POST", "/v1/accounts/5/suspend"}, {"GET", "/v1/plans/7"},
	} {
		ts.do(t, c.method, c.path, acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
	}
}

func TestAccountsAuthAndScopes(t *testing.T) {
	ts := newAccountsServer(t, &fakeAccounts{})
	ts.do(t, "GET", "/v1/accounts", "", nil).wantProblem(t, 401, TypeUnauthorized)
	// Reading needs read, changing needs admin.
	ts.do(t, "GET", "/v1/accounts", acctKeySend, nil).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "POST", "/v1/accounts", acctKeyRead, []byte(`{"name":"x"}`)).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "POST", "/v1/accounts/5/topups", acctKeyRead, []byte(`{"amount":"1","reference":"r"}`)).wantProblem(t, 403, TypeForbidden)
	if a := ts.do(t, "GET", "/v1/accounts", acctKeyRead, nil); a.Code != 200 {
		t.Fatalf("member list: %d %s", a.Code, a.Body)
	}
}

func TestAccountsListAndGet(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	a := ts.do(t, "GET", "/v1/accounts?cursor=4&limit=2", acctKeyAdmin, nil)
	if a.Code != 200 {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	var page struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next_cursor"`
	}
	a.decode(t, &page)
	if len(page.Items) != 1 || page.Items[0]["id"] != "1" || page.Items[0]["parent_id"] != "2" || page.Next != "9" {
		t.Fatalf("list body: %s", a.Body)
	}
	bal, _ := page.Items[0]["balance"].(map[string]any)
	if bal["currency"] != "EUR" || bal["available"] != float64(5_000_000) {
		t.Fatalf("balance in list: %s", a.Body)
	}
	ts.do(t, "GET", "/v1/accounts?limit=0", acctKeyAdmin, nil).wantProblem(t, 400, TypeInvalidRequest)
	ts.do(t, "GET", "/v1/accounts/abc", acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "GET", "/v1/accounts/404", acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
	p := ts.do(t, "GET", "/v1/accounts/500", acctKeyAdmin, nil).wantProblem(t, 500, TypeInternal)
	if strings.Contains(p["detail"].(string), "hunter2") {
		t.Fatal("internal error leaked")
	}
	if a := ts.do(t, "GET", "/v1/accounts/12", acctKeyReseller, nil); a.Code != 200 || !strings.Contains(string(a.Body), `"id":"12"`) {
		t.Fatalf("get: %d %s", a.Code, a.Body)
	}
}

func TestAccountsCreate(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	for _, c := range []struct {
		body, typ, field string
	}{
		{``, TypeInvalidJSON, ""},
		{`{"name":`, TypeInvalidJSON, ""},
		{`{"name":"a"} {}`, TypeInvalidJSON, ""},
		{`{"name":"a","colour":"red"}`, TypeInvalidRequest, "colour"},
		{`{"name":7}`, TypeInvalidRequest, "name"},
		{`{"name":"  "}`, TypeInvalidRequest, "name"},
		{`{"name":"` + strings.Repeat("n", 101) + `"}`, TypeInvalidRequest, "name"},
		{`{"name":"a","kind":"god"}`, TypeInvalidRequest, "kind"},
		{`{"name":"a","parent_id":"x"}`, TypeInvalidRequest, ""},
	} {
		p := ts.do(t, "POST", "/v1/accounts", acctKeyAdmin, []byte(c.body)).wantProblem(t, 400, c.typ)
		if c.field != "" && p["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.body, p["field"], c.field)
		}
	}
	a := ts.do(t, "POST", "/v1/accounts", acctKeyAdmin, []byte(`{"name":" Acme ","kind":"reseller","parent_id":5}`))
	if a.Code != 201 || a.Header.Get("Location") != "/v1/accounts/77" || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %v %s", a.Code, a.Header, a.Body)
	}
	var c struct {
		Account struct {
			ID string `json:"id"`
		} `json:"account"`
		APIKey string `json:"api_key"`
	}
	a.decode(t, &c)
	if c.Account.ID != "77" || c.APIKey != "gal_secret" {
		t.Fatalf("create body: %s", a.Body)
	}
	if a := ts.do(t, "POST", "/v1/accounts", acctKeyReseller, []byte(`{"name":"Sub","parent_id":"2"}`)); a.Code != 201 {
		t.Fatalf("create by reseller: %d %s", a.Code, a.Body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.created) != 2 || f.created[0].Name != "Acme" || f.created[0].Kind != AccountKindReseller ||
		f.created[0].ParentID != 5 || f.created[1].Kind != AccountKindCustomer || f.created[1].ParentID != 2 ||
		f.created[0].IP == "" {
		t.Fatalf("service saw %+v", f.created)
	}
}

func TestAccountsUpdateAndSuspend(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	for _, c := range []struct{ body, field string }{
		{`{}`, ""},
		{`{"tps_limit":-1}`, "tps_limit"},
		{`{"credit_limit":"5"}`, "credit_limit"},
		{`{"credit_limit":"lots"}`, "credit_limit"},
		{`{"name":""}`, "name"},
	} {
		p := ts.do(t, "PATCH", "/v1/accounts/12", acctKeyAdmin, []byte(c.body)).wantProblem(t, 400, TypeInvalidRequest)
		if p["field"] != nil && p["field"] != c.field || (c.field != "" && p["field"] != c.field) {
			t.Errorf("%s: field %v, want %q", c.body, p["field"], c.field)
		}
	}
	a := ts.do(t, "PATCH", "/v1/accounts/12", acctKeyAdmin,
		[]byte(`{"name":"New","tps_limit":50,"webhook_url":"https://example.com/h","credit_limit":"-12.5"}`))
	if a.Code != 200 {
		t.Fatalf("patch: %d %s", a.Code, a.Body)
	}
	f.mu.Lock()
	u := f.updates[0]
	f.mu.Unlock()
	if *u.Name != "New" || *u.TPSLimit != 50 || *u.WebhookURL != "https://example.com/h" || u.CreditLimitMicros != -12_500_000 {
		t.Fatalf("service saw %+v", u)
	}
	ts.do(t, "POST", "/v1/accounts/12/suspend", acctKeyAdmin, []byte(`{"why":"spam"}`)).wantProblem(t, 400, TypeInvalidRequest)
	a = ts.do(t, "POST", "/v1/accounts/12/suspend", acctKeyAdmin, nil)
	if a.Code != 200 || !strings.Contains(string(a.Body), `"status":"suspended"`) {
		t.Fatalf("suspend: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "POST", "/v1/accounts/12/activate", acctKeyReseller, nil)
	if a.Code != 200 || !strings.Contains(string(a.Body), `"status":"active"`) {
		t.Fatalf("activate: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/accounts/404/suspend", acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
}

func TestAccountsTopUp(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	for _, c := range []struct{ body, field string }{
		{`{"amount":"abc","reference":"r"}`, "amount"},
		{`{"amount":"0","reference":"r"}`, "amount"},
		{`{"amount":"-1","reference":"r"}`, "amount"},
		{`{"amount":"1.0000001","reference":"r"}`, "amount"},
		{`{"amount":"1"}`, "reference"},
		{`{"amount":25.5,"reference":"r"}`, "amount"},
	} {
		p := ts.do(t, "POST", "/v1/accounts/12/topups", acctKeyAdmin, []byte(c.body)).wantProblem(t, 400, TypeInvalidRequest)
		if p["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.body, p["field"], c.field)
		}
	}
	a := ts.do(t, "POST", "/v1/accounts/12/topups", acctKeyReseller, []byte(`{"amount":"25.50","reference":"wire 7"}`))
	if a.Code != 201 {
		t.Fatalf("top-up: %d %s", a.Code, a.Body)
	}
	var res struct {
		Entry struct {
			ID     string `json:"id"`
			Amount int64  `json:"amount"`
		} `json:"entry"`
		Source  string      `json:"source"`
		Balance BalanceView `json:"balance"`
	}
	a.decode(t, &res)
	if res.Entry.Amount != 25_500_000 || res.Entry.ID != "5" || res.Source != TopUpTransfer || res.Balance.Balance != 25_500_000 {
		t.Fatalf("top-up body: %s", a.Body)
	}
	ts.do(t, "POST", "/v1/accounts/12/topups", acctKeyReseller, []byte(`{"amount":"99","reference":"r"}`)).
		wantProblem(t, 402, TypeInsufficientBalance)

	// Idempotent: a retry with the key gets the first answer, and the
	// service sees one top-up.
	body := []byte(`{"amount":"1.25","reference":"retry me"}`)
	first := ts.do(t, "POST", "/v1/accounts/12/topups", acctKeyAdmin, body, "Idempotency-Key", "k1")
	second := ts.do(t, "POST", "/v1/accounts/12/topups", acctKeyAdmin, body, "Idempotency-Key", "k1")
	if first.Code != 201 || second.Code != 201 || second.Header.Get("Idempotent-Replayed") != "true" ||
		string(first.Body) != string(second.Body) {
		t.Fatalf("retry: %d %d %v", first.Code, second.Code, second.Header)
	}
	n := 0
	f.mu.Lock()
	for _, tu := range f.topups {
		if tu.Reference == "retry me" {
			n++
		}
	}
	f.mu.Unlock()
	if n != 1 {
		t.Fatalf("service saw the retried top-up %d times", n)
	}
}

func TestAccountsPlans(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	for _, c := range []struct{ body, field string }{
		{`{"currency":"EUR","prices":[{"prefix":"44","price":"0.04"}]}`, "name"},
		{`{"name":"p","currency":"eur","prices":[{"prefix":"44","price":"0.04"}]}`, "currency"},
		{`{"name":"p","currency":"EUR","prices":[]}`, "prices"},
		{`{"name":"p","currency":"EUR","prices":[{"prefix":"+44","price":"0.04"}]}`, "prices[0].prefix"},
		{`{"name":"p","currency":"EUR","prices":[{"prefix":"44","price":"0.04"},{"prefix":"44","price":"1"}]}`, "prices[1].prefix"},
		{`{"name":"p","currency":"EUR","prices":[{"prefix":"44","price":"-1"}]}`, "prices[0].price"},
		{`{"name":"p","currency":"EUR","valid_from":"2026-02-01T00:00:00Z","valid_to":"2026-01-01T00:00:00Z","prices":[{"prefix":"44","price":"1"}]}`, "valid_to"},
	} {
		p := ts.do(t, "POST", "/v1/plans", acctKeyReseller, []byte(c.body)).wantProblem(t, 400, TypeInvalidRequest)
		if p["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.body, p["field"], c.field)
		}
	}
	ts.do(t, "POST", "/v1/plans", acctKeyReseller, []byte(`{"name":"p","currency":"EUR","valid_from":"yesterday","prices":[{"prefix":"44","price":"1"}]}`)).
		wantProblem(t, 400, TypeInvalidJSON)
	a := ts.do(t, "POST", "/v1/plans", acctKeyReseller, []byte(
		`{"name":"retail","currency":"EUR","is_default":true,"valid_from":"2026-01-01T00:00:00Z","prices":[{"prefix":"44","price":"0.045"},{"prefix":"447","price":"0.05"}]}`))
	if a.Code != 201 || a.Header.Get("Location") != "/v1/plans/8" {
		t.Fatalf("create plan: %d %v %s", a.Code, a.Header, a.Body)
	}
	f.mu.Lock()
	pr := f.plans[len(f.plans)-1]
	f.mu.Unlock()
	if !pr.Default || pr.ValidFrom == nil || !pr.ValidFrom.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		pr.ValidTo != nil || pr.Prices[0].PriceMicros != 45_000 || pr.Prices[1].PriceMicros != 50_000 {
		t.Fatalf("service saw %+v", pr)
	}
	a = ts.do(t, "GET", "/v1/plans", acctKeyAdmin, nil)
	var list struct {
		Items []PlanView `json:"items"`
	}
	if a.decode(t, &list); len(list.Items) != 1 || list.Items[0].Prices[0].PriceMicros != 40_000 {
		t.Fatalf("plans: %s", a.Body)
	}
	if a := ts.do(t, "GET", "/v1/plans", acctKeyRead, nil); a.Code != 200 || string(a.Body) != `{"items":[]}` {
		t.Fatalf("member plans: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "GET", "/v1/plans/7", acctKeyRead, nil); a.Code != 200 || !strings.Contains(string(a.Body), `"id":"7"`) {
		t.Fatalf("plan 7: %d %s", a.Code, a.Body)
	}
	ts.do(t, "GET", "/v1/plans/8", acctKeyRead, nil).wantProblem(t, 404, TypeNotFound)

	ts.do(t, "PUT", "/v1/accounts/12/plan", acctKeyReseller, []byte(`{}`)).wantProblem(t, 400, TypeInvalidRequest)
	for _, body := range []string{`{"plan_id":"7"}`, `{"plan_id":7}`} {
		if a := ts.do(t, "PUT", "/v1/accounts/12/plan", acctKeyReseller, []byte(body)); a.Code != 200 {
			t.Fatalf("assign %s: %d %s", body, a.Code, a.Body)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.assign) != 2 || f.assign[0] != [2]int64{12, 7} || f.assign[1] != [2]int64{12, 7} {
		t.Fatalf("assignments %v", f.assign)
	}
}

func TestAccountsAudit(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	ts.do(t, "GET", "/v1/accounts/12/audit?before=x", acctKeyAdmin, nil).wantProblem(t, 400, TypeInvalidRequest)
	ts.do(t, "GET", "/v1/accounts/12/audit?limit=5000", acctKeyAdmin, nil).wantProblem(t, 400, TypeInvalidRequest)
	a := ts.do(t, "GET", "/v1/accounts/12/audit?before=40&limit=5", acctKeyReseller, nil)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if a.decode(t, &page); len(page.Items) != 1 || page.Items[0]["action"] != "account.suspend" || page.Items[0]["account_id"] != "12" {
		t.Fatalf("audit: %s", a.Body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.audits) != 1 || f.audits[0] != [3]int64{12, 40, 5} {
		t.Fatalf("service saw %v", f.audits)
	}
}

// TestFlexID: ids in bodies may be JSON strings or numbers.
func TestFlexID(t *testing.T) {
	for in, want := range map[string]int64{`"12"`: 12, `12`: 12, `null`: 0} {
		var id flexID
		if err := json.Unmarshal([]byte(in), &id); err != nil || int64(id) != want {
			t.Errorf("%s: %d, %v", in, id, err)
		}
	}
	for _, in := range []string{`"x"`, `-1`, `1.5`, `"1e3"`, `true`} {
		var id flexID
		if err := json.Unmarshal([]byte(in), &id); err == nil {
			t.Errorf("%s accepted as %d", in, id)
		}
	}
}
