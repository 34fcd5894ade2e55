package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// accountJSON is an account as the API answers it.
type accountJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	ParentID string `json:"parent_id"`
	Balance  *struct {
		Currency  string `json:"currency"`
		Balance   int64  `json:"balance"`
		Available int64  `json:"available"`
	} `json:"balance"`
}

// createdJSON is the answer to POST /v1/accounts.
type createdJSON struct {
	Account      accountJSON `json:"account"`
	APIKey       string      `json:"api_key"`
	SMPPSystemID string      `json:"smpp_system_id"`
	SMPPPassword string      `json:"smpp_password"`
}

// TestE2EAccountsReseller: an admin creates a reseller and funds it; the
// reseller creates a sub-account, gives it its own plan and pre-funds it
// from its own balance; the sub-account is charged the reseller's price;
// the reseller suspends it (HTTP 403, SMPP session unbound and binds
// refused); the reseller cannot see or touch accounts outside its tree;
// the audit log has the top-up, the plan assignment and the suspension;
// and after shutdown both balances equal the sums of their ledgers.
func TestE2EAccountsReseller(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		// The platform sells UK at 0.03 by default.
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "platform", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 30_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		a.acc.SetPasswordCost(bcrypt.MinCost)

		// The operator's platform account and its admin key.
		_, adminKey := a.platformAdmin(t, "admin")
		other := a.customer(t, "Stranger", "")

		must := func(r httpAnswer, code int, what string) httpAnswer { t.Helper(); return mustStatus(t, r, code, what) }
		var res createdJSON
		must(a.do(t, "POST", "/v1/accounts", adminKey, `{"name":"Resell","kind":"reseller"}`), 201, "admin creates a reseller").json(t, &res)
		resellerID, resellerKey := res.Account.ID, res.APIKey
		if res.Account.Kind != "reseller" || res.Account.Balance == nil || res.Account.Balance.Currency != "EUR" {
			t.Fatalf("reseller: %+v", res.Account)
		}
		must(a.do(t, "POST", "/v1/accounts/"+resellerID+"/topups", adminKey, `{"amount":"10","reference":"wire 1"}`),
			201, "admin tops up the reseller")

		var plan struct {
			ID string `json:"id"`
		}
		must(a.do(t, "POST", "/v1/plans", resellerKey,
			`{"name":"retail","currency":"EUR","prices":[{"prefix":"44","price":"0.05"}]}`), 201, "reseller creates a plan").json(t, &plan)
		var sub createdJSON
		must(a.do(t, "POST", "/v1/accounts", resellerKey, `{"name":"Subby"}`), 201, "reseller creates a sub-account").json(t, &sub)
		if sub.Account.ParentID != resellerID || sub.Account.Kind != "customer" {
			t.Fatalf("sub-account: %+v", sub.Account)
		}
		must(a.do(t, "POST", "/v1/accounts", resellerKey, `{"name":"Big","kind":"reseller"}`), 403, "reseller creates a reseller")
		var subID int64
		fmt.Sscan(sub.Account.ID, &subID)
		keys, err := a.st.ListAPIKeys(ctx, subID)
		if err != nil {
			t.Fatal(err)
		}
		live := 0
		for _, k := range keys {
			if !k.Revoked() {
				live++
				if len(k.Scopes) != 1 || k.Scopes[0] != account.ScopeAdmin {
					t.Fatalf("the new account's live key has scopes %v", k.Scopes)
				}
			}
		}
		if live != 1 {
			t.Fatalf("the new account has %d live keys, want only the one shown", live)
		}
		must(a.do(t, "PUT", "/v1/accounts/"+sub.Account.ID+"/plan", resellerKey, `{"plan_id":"`+plan.ID+`"}`), 200, "reseller assigns its plan")
		var top struct {
			Source  string `json:"source"`
			Balance struct {
				Balance int64 `json:"balance"`
			} `json:"balance"`
		}
		must(a.do(t, "POST", "/v1/accounts/"+sub.Account.ID+"/topups", resellerKey, `{"amount":"1.00","reference":"prefund"}`),
			201, "reseller funds its sub-account").json(t, &top)
		if top.Source != "transfer" || top.Balance.Balance != 1_000_000 {
			t.Fatalf("transfer answer: %+v", top)
		}
		if r := a.do(t, "POST", "/v1/accounts/"+sub.Account.ID+"/topups", resellerKey, `{"amount":"9.01","reference":"too much"}`); r.status != 402 || r.problemType(t) != "insufficient-balance" {
			t.Fatalf("transfer beyond the reseller's balance: %d %s", r.status, r.body)
		}

		// The sub-account pays the reseller's price, not the platform's.
		r := must(a.do(t, "POST", "/v1/messages", sub.APIKey, `{"to":"+447700900123","text":"hello"}`), 202, "sub-account sends")
		var ans struct {
			ID    string `json:"id"`
			Price int64  `json:"price"`
		}
		if r.json(t, &ans); ans.Price != 50_000 {
			t.Fatalf("sub-account charged %d, want the reseller's 50000", ans.Price)
		}
		a.waitStatus(t, sub.APIKey, ans.ID, "delivered")
		e := bindESME(t, a.smppAddr.String(), customer{SystemID: sub.SMPPSystemID, SMPPPassword: sub.SMPPPassword}, smpp.Transceiver)

		// Outside its tree the reseller sees nothing and touches nothing.
		otherID := fmt.Sprint(other.AccountID)
		must(a.do(t, "GET", "/v1/accounts/"+otherID, resellerKey, ""), 404, "reseller reads a stranger")
		must(a.do(t, "POST", "/v1/accounts/"+otherID+"/suspend", resellerKey, ""), 404, "reseller suspends a stranger")
		must(a.do(t, "POST", "/v1/accounts/"+otherID+"/topups", resellerKey, `{"amount":"1","reference":"x"}`), 404, "reseller funds a stranger")
		must(a.do(t, "PUT", "/v1/accounts/"+otherID+"/plan", resellerKey, `{"plan_id":"`+plan.ID+`"}`), 404, "reseller prices a stranger")
		must(a.do(t, "GET", "/v1/accounts/"+otherID+"/audit", resellerKey, ""), 404, "reseller audits a stranger")
		must(a.do(t, "POST", "/v1/accounts/"+resellerID+"/suspend", resellerKey, ""), 403, "reseller suspends itself")
		must(a.do(t, "GET", "/v1/accounts/"+resellerID, sub.APIKey, ""), 404, "sub-account reads its reseller")
		must(a.do(t, "POST", "/v1/accounts/"+sub.Account.ID+"/suspend", sub.APIKey, ""), 403, "sub-account suspends itself")
		var list struct {
			Items []accountJSON `json:"items"`
		}
		must(a.do(t, "GET", "/v1/accounts", resellerKey, ""), 200, "reseller lists").json(t, &list)
		if len(list.Items) != 2 || list.Items[0].ID != resellerID || list.Items[1].ID != sub.Account.ID {
			t.Fatalf("reseller's list: %+v", list.Items)
		}
		if bal := list.Items[0].Balance; bal == nil || bal.Balance != 9_000_000 {
			t.Fatalf("reseller's balance after the transfer: %+v", bal)
		}
		must(a.do(t, "GET", "/v1/accounts?limit=500", adminKey, ""), 200, "admin lists").json(t, &list)
		if len(list.Items) != 4 {
			t.Fatalf("admin sees %d accounts, want 4", len(list.Items))
		}

		// Suspension: the key is refused, the open bind unbound, a new
		// bind refused.
		var susp accountJSON
		must(a.do(t, "POST", "/v1/accounts/"+sub.Account.ID+"/suspend", resellerKey, ""), 200, "reseller suspends").json(t, &susp)
		if susp.Status != "suspended" {
			t.Fatalf("after suspend: %+v", susp)
		}
		if r := a.do(t, "POST", "/v1/messages", sub.APIKey, `{"to":"+447700900124","text":"still here?"}`); r.status != 403 || r.problemType(t) != "forbidden" {
			t.Fatalf("suspended key: %d %s", r.status, r.body)
		}
		select {
		case <-e.Session().Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the suspended account's SMPP session is still open")
		}
		bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if e2, err := smpptest.NewESME(bctx, a.smppAddr.String(), smpp.ClientConfig{BindType: smpp.Transceiver,
			SystemID: sub.SMPPSystemID, Password: sub.SMPPPassword}, nil); err == nil {
			e2.Close()
			t.Fatal("a suspended account could bind")
		} else if !strings.Contains(err.Error(), pdu.StatusBindFail.Error()) {
			t.Logf("bind refused with %v", err)
		}
		must(a.do(t, "POST", "/v1/accounts/"+sub.Account.ID+"/activate", resellerKey, ""), 200, "reseller reactivates")
		must(a.do(t, "GET", "/v1/balance", sub.APIKey, ""), 200, "reactivated key")

		var audit struct {
			Items []struct {
				Action string `json:"action"`
			} `json:"items"`
		}
		must(a.do(t, "GET", "/v1/accounts/"+sub.Account.ID+"/audit", resellerKey, ""), 200, "reseller reads the audit log").json(t, &audit)
		seen := map[string]bool{}
		for _, it := range audit.Items {
			seen[it.Action] = true
		}
		for _, want := range []string{"balance.topup", "plan.assign", "account.suspend", "account.reactivate", "account.create"} {
			if !seen[want] {
				t.Errorf("audit log of the sub-account lacks %s: %+v", want, audit.Items)
			}
		}
		must(a.do(t, "GET", "/v1/accounts/"+resellerID+"/audit", adminKey, ""), 200, "admin reads the reseller's audit log").json(t, &audit)
		seen = map[string]bool{}
		for _, it := range audit.Items {
			seen[it.Action] = true
		}
		if !seen["balance.transfer_out"] || !seen["balance.topup"] || !seen["plan.create"] {
			t.Errorf("audit log of the reseller: %+v", audit.Items)
		}

		a.stop() // settles the leases
		ids := [2]int64{0, subID}
		fmt.Sscan(resellerID, &ids[0])
		for i, want := range []int64{9_000_000, 1_000_000 - 50_000} {
			b, err := st.GetBillingAccount(context.Background(), ids[i])
			if err != nil {
				t.Fatal(err)
			}
			sum, hold, err := st.LedgerTotals(context.Background(), ids[i])
			if err != nil || b.Balance != want || sum != b.Balance || hold != 0 || b.Held != 0 {
				t.Fatalf("account %d: balance %d held %d, ledger %d hold %d, want %d (%v)", ids[i], b.Balance, b.Held, sum, hold, want, err)
			}
		}
	})
}

// TestAdminAccountTree: the admin subcommands for the account tree
// create resellers and their customers, suspend and reactivate, and
// assign plans, each with an audit entry.
func TestAdminAccountTree(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		f := newAdminFixture(t, driver)
		var res, cust accountCreated
		f.ok(&res, "account", "create", "--name", "Resell", "--kind", "reseller")
		if res.Kind != "reseller" || res.AdminAPIKey == "" || res.ParentID != 0 {
			t.Fatalf("reseller = %+v", res)
		}
		rid := fmt.Sprint(res.AccountID)
		f.ok(&cust, "account", "create", "--name", "Cust", "--parent", rid)
		if cust.Kind != "customer" || cust.AdminAPIKey != "" || cust.ParentID != res.AccountID {
			t.Fatalf("customer = %+v", cust)
		}
		st := f.store()
		ctx := testContext(t)
		sum, err := st.GetAccountSummary(ctx, cust.AccountID)
		if err != nil || sum.ParentID != res.AccountID || sum.Billing == nil || sum.Billing.ResellerID != res.AccountID ||
			sum.Billing.Currency != "GBP" {
			t.Fatalf("customer in the store: %+v, %v", sum, err)
		}
		if k, a, err := st.APIKeyByPrefix(ctx, res.AdminAPIKey[4:12]); err != nil || a.Kind != store.KindReseller ||
			len(k.Scopes) != 1 || k.Scopes[0] != account.ScopeAdmin {
			t.Fatalf("reseller's admin key: %+v %+v, %v", k, a, err)
		}

		cid := fmt.Sprint(cust.AccountID)
		var out accountStatusOut
		f.ok(&out, "account", "suspend", cid)
		if a, err := st.GetAccount(ctx, cust.AccountID); err != nil || a.Status != store.AccountSuspended || out.Status != "suspended" {
			t.Fatalf("after suspend: %+v, %v", a, err)
		}
		f.ok(&out, "account", "activate", cid)
		if a, err := st.GetAccount(ctx, cust.AccountID); err != nil || a.Status != store.AccountActive {
			t.Fatalf("after activate: %+v, %v", a, err)
		}
		var plan appsvc.PlanOut
		f.ok(&plan, "plan", "create", "--name", "retail", "--price", "44=0.05")
		var as planAssignOut
		f.ok(&as, "plan", "assign", "--account", cid, "--plan", fmt.Sprint(plan.PlanID))
		if plans, err := st.PricePlansOfAccount(ctx, cust.AccountID); err != nil || len(plans) != 1 || plans[0].ID != plan.PlanID {
			t.Fatalf("plans after assign: %+v, %v", plans, err)
		}
		var eur appsvc.PlanOut
		f.ok(&eur, "plan", "create", "--name", "euro", "--currency", "EUR", "--price", "44=0.05")
		if _, err := f.run("plan", "assign", "--account", cid, "--plan", fmt.Sprint(eur.PlanID)); err == nil ||
			!strings.Contains(err.Error(), "bills in GBP") {
			t.Fatalf("assign across currencies: %v", err)
		}
		if _, err := f.run("plan", "assign", "--account", cid, "--plan", "999999"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("assign unknown plan: %v", err)
		}
		entries, err := st.ListAudit(ctx, cust.AccountID, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Action] = true
		}
		for _, want := range []string{"account.create", "account.suspend", "account.reactivate", "plan.assign"} {
			if !seen[want] {
				t.Errorf("audit lacks %s: %+v", want, entries)
			}
		}
		for _, args := range [][]string{
			{"account", "suspend"}, {"account", "suspend", "x"}, {"account", "activate", "-3"},
			{"plan", "assign", "--account", cid}, {"account", "create", "--name", "n", "--kind", "boss"},
		} {
			if _, err := f.run(args...); !isUsage(err) {
				t.Errorf("admin %v: %v, want a usage error", args, err)
			}
		}
	})
}
