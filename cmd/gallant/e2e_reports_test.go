package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EReports: a customer below a reseller sends three UK messages and
// a two-part US one through the gateway and the carrier; then its usage
// shows the exact money, its reseller sees the sub-account's traffic with
// its cost and margin, the platform admin sees the margin per carrier (the
// US destination has no buy rate: cost unknown, margin null), other
// accounts get 404, and after the gateway settled, the monthly statement
// and the invoice show the exact amounts with a closing balance equal to
// GET /v1/balance's.
func TestE2EReports(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		startMonth := time.Now().UTC()
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		from := time.Now().Add(-time.Hour)
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "standard", Currency: "EUR", Default: true, ValidFrom: from,
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 50_000}, {Prefix: "1", PriceMicros: 10_000}}}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddBuyRate(ctx, &store.BuyRate{Carrier: "c1", Prefix: "44", PriceMicros: 20_000, Currency: "EUR", ValidFrom: from}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)

		// The platform, a reseller with its own (wholesale) plan, its
		// customer, and an unrelated customer.
		platform := a.customer(t, "Platform", "")
		reseller := a.customer(t, "Reseller", "")
		c := a.customer(t, "Payer & Co", "")
		stranger := a.customer(t, "Stranger", "")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(a.st.SetAccountKind(ctx, platform.AccountID, store.KindPlatform))
		must(a.st.SetAccountKind(ctx, reseller.AccountID, store.KindReseller))
		must(a.st.SetAccountParent(ctx, c.AccountID, reseller.AccountID))
		adminKey, err := a.acc.CreateAPIKey(ctx, platform.AccountID, "admin", []string{account.ScopeAdmin})
		must(err)
		resellerKey, err := a.acc.CreateAPIKey(ctx, reseller.AccountID, "admin", []string{account.ScopeAdmin})
		must(err)
		for _, id := range []int64{reseller.AccountID, c.AccountID} {
			must(a.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: id, Currency: "EUR"}))
		}
		wholesale := &store.PricePlan{Name: "wholesale", Currency: "EUR", ValidFrom: from,
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 30_000}, {Prefix: "1", PriceMicros: 4_000}}}
		must(a.st.CreatePricePlan(ctx, wholesale))
		must(a.st.AssignPricePlan(ctx, reseller.AccountID, wholesale.ID))
		must(a.bill.Pricer.Reload(ctx))
		must(a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp, Amount: 1_000_000, Reason: "wire 42"}))

		var ids []string
		for i := range 3 {
			ids = append(ids, a.send(t, c.APIKey, map[string]any{"to": fmt.Sprintf("+4477009001%02d", i), "text": "report me"}).ID)
		}
		long := a.send(t, c.APIKey, map[string]any{"to": "+12025550123", "text": longText(200)})
		if long.Segments != 2 {
			t.Fatalf("long message has %d segments", long.Segments)
		}
		ids = append(ids, long.ID)
		for _, id := range ids {
			a.waitStatus(t, c.APIKey, id, "delivered")
		}
		usagePath := "/v1/accounts/" + strconv.FormatInt(c.AccountID, 10) + "/usage?group_by=destination&from=" +
			time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)

		// The customer's usage by destination, once the charges are in
		// the ledger.
		type counts struct {
			Key       string `json:"key"`
			Messages  int64  `json:"messages"`
			Segments  int64  `json:"segments"`
			Charged   int64  `json:"charged"`
			Delivered int64  `json:"delivered"`
		}
		var usage struct {
			Currency string   `json:"currency"`
			Buckets  []counts `json:"buckets"`
			Total    counts   `json:"total"`
		}
		eventually(t, "the charges in the usage report", func() (bool, string) {
			r := a.do(t, http.MethodGet, usagePath, c.APIKey, "")
			if r.status != http.StatusOK {
				return false, fmt.Sprintf("%d %s", r.status, r.body)
			}
			r.json(t, &usage)
			return usage.Total.Charged == 170_000, string(r.body)
		})
		if usage.Currency != "EUR" || len(usage.Buckets) != 2 || usage.Total.Messages != 4 || usage.Total.Segments != 5 ||
			usage.Total.Delivered != 4 {
			t.Fatalf("usage %+v", usage)
		}
		us, uk := usage.Buckets[0], usage.Buckets[1]
		if us.Key != "1" || us.Messages != 1 || us.Segments != 2 || us.Charged != 20_000 ||
			uk.Key != "44" || uk.Messages != 3 || uk.Segments != 3 || uk.Charged != 150_000 {
			t.Fatalf("usage buckets %+v", usage.Buckets)
		}
		// The reseller may read it; another account gets the answer of an
		// account that does not exist.
		if r := a.do(t, http.MethodGet, usagePath, resellerKey, ""); r.status != http.StatusOK {
			t.Fatalf("the reseller's view of its customer: %d %s", r.status, r.body)
		}
		for _, path := range []string{usagePath, "/v1/accounts/999999/usage"} {
			if r := a.do(t, http.MethodGet, path, stranger.APIKey, ""); r.status != http.StatusNotFound || r.problemType(t) != "not-found" {
				t.Fatalf("%s by a stranger: %d %s", path, r.status, r.body)
			}
		}

		// The reseller's sub-accounts: charged 3 × 0.05 + 2 × 0.01, cost
		// 3 × 0.03 + 2 × 0.004 at its wholesale plan.
		subPath := "/v1/accounts/" + strconv.FormatInt(reseller.AccountID, 10) + "/sub-accounts/usage"
		var subs struct {
			SubAccounts []struct {
				AccountID string `json:"account_id"`
				Name      string `json:"name"`
				Messages  int64  `json:"messages"`
				Segments  int64  `json:"segments"`
				Charged   int64  `json:"charged"`
				Cost      int64  `json:"cost"`
				Margin    *int64 `json:"margin"`
			} `json:"sub_accounts"`
		}
		r := a.do(t, http.MethodGet, subPath, resellerKey, "")
		if r.status != http.StatusOK {
			t.Fatalf("sub-account usage: %d %s", r.status, r.body)
		}
		r.json(t, &subs)
		if len(subs.SubAccounts) != 1 {
			t.Fatalf("sub-accounts %s", r.body)
		}
		s := subs.SubAccounts[0]
		if s.AccountID != strconv.FormatInt(c.AccountID, 10) || s.Name != "Payer & Co" || s.Messages != 4 || s.Segments != 5 ||
			s.Charged != 170_000 || s.Cost != 98_000 || s.Margin == nil || *s.Margin != 72_000 {
			t.Fatalf("sub-account usage %s", r.body)
		}
		if r := a.do(t, http.MethodGet, subPath, c.APIKey, ""); r.status != http.StatusNotFound {
			t.Fatalf("a customer reading its reseller's report: %d %s", r.status, r.body)
		}

		// The platform's margin: the UK at the carrier's 0.02, the US
		// without a buy rate.
		var margin struct {
			Lines []struct {
				Carrier     string `json:"carrier"`
				Destination string `json:"destination"`
				Segments    int64  `json:"segments"`
				Revenue     int64  `json:"revenue"`
				Cost        int64  `json:"cost"`
				Margin      *int64 `json:"margin"`
				CostUnknown bool   `json:"cost_unknown"`
			} `json:"lines"`
		}
		r = a.do(t, http.MethodGet, "/v1/reports/margin", adminKey, "")
		if r.status != http.StatusOK {
			t.Fatalf("margin: %d %s", r.status, r.body)
		}
		r.json(t, &margin)
		if len(margin.Lines) != 2 {
			t.Fatalf("margin %s", r.body)
		}
		mus, muk := margin.Lines[0], margin.Lines[1]
		if mus.Carrier != "c1" || mus.Destination != "1" || mus.Segments != 2 || mus.Revenue != 20_000 || !mus.CostUnknown || mus.Margin != nil ||
			muk.Destination != "44" || muk.Segments != 3 || muk.Revenue != 150_000 || muk.Cost != 60_000 || muk.Margin == nil || *muk.Margin != 90_000 {
			t.Fatalf("margin %s", r.body)
		}
		for _, key := range []string{c.APIKey, resellerKey} {
			if r := a.do(t, http.MethodGet, "/v1/reports/margin", key, ""); r.status != http.StatusForbidden {
				t.Fatalf("margin for a non-admin: %d %s", r.status, r.body)
			}
		}

		// Settle every lease (shut down), start again, and compare the
		// statement with the balance.
		a.stop()
		a = startApp(t, cfg)
		var bal struct {
			Balance int64 `json:"balance"`
			Held    int64 `json:"held"`
		}
		br := a.do(t, http.MethodGet, "/v1/balance", c.APIKey, "")
		if br.json(t, &bal); br.status != http.StatusOK || bal.Balance != 1_000_000-170_000 {
			t.Fatalf("balance: %d %s", br.status, br.body)
		}
		type line struct {
			Destination string `json:"destination"`
			Segments    int64  `json:"segments"`
			UnitPrice   int64  `json:"unit_price"`
			Amount      int64  `json:"amount"`
		}
		type statement struct {
			Opening     int64  `json:"opening_balance"`
			TopUps      int64  `json:"topups"`
			Charges     int64  `json:"charges"`
			Refunds     int64  `json:"refunds"`
			Adjustments int64  `json:"adjustments"`
			Closing     int64  `json:"closing_balance"`
			Currency    string `json:"currency"`
			Lines       []line `json:"lines"`
		}
		// Normally one month; two when the test ran over its end.
		var sum statement
		var lines []line
		var months []string
		for m := time.Date(startMonth.Year(), startMonth.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(time.Now().UTC()); m = m.AddDate(0, 1, 0) {
			months = append(months, m.Format("2006-01"))
		}
		base := "/v1/accounts/" + strconv.FormatInt(c.AccountID, 10) + "/statements/"
		for i, month := range months {
			var s statement
			r := a.do(t, http.MethodGet, base+month, c.APIKey, "")
			if r.status != http.StatusOK {
				t.Fatalf("statement %s: %d %s", month, r.status, r.body)
			}
			r.json(t, &s)
			if s.Closing != s.Opening+s.TopUps-s.Charges+s.Refunds+s.Adjustments {
				t.Fatalf("statement %s does not add up: %s", month, r.body)
			}
			if i == 0 {
				sum.Opening = s.Opening
			} else if s.Opening != sum.Closing {
				t.Fatalf("statement %s opens at %d, the month before closed at %d", month, s.Opening, sum.Closing)
			}
			sum.TopUps += s.TopUps
			sum.Charges += s.Charges
			sum.Closing = s.Closing
			sum.Currency = s.Currency
			lines = append(lines, s.Lines...)
		}
		if sum.Opening != 0 || sum.TopUps != 1_000_000 || sum.Charges != 170_000 || sum.Closing != bal.Balance || sum.Currency != "EUR" {
			t.Fatalf("statements %+v, balance %d", sum, bal.Balance)
		}
		var ukSegs, usSegs, amount int64
		for _, l := range lines {
			amount += l.Amount
			switch {
			case l.Destination == "+44" && l.UnitPrice == 50_000:
				ukSegs += l.Segments
			case l.Destination == "+1" && l.UnitPrice == 10_000:
				usSegs += l.Segments
			default:
				t.Fatalf("unexpected line %+v", l)
			}
		}
		if ukSegs != 3 || usSegs != 2 || amount != 170_000 {
			t.Fatalf("lines %+v", lines)
		}

		// The invoice of the last month.
		inv := a.do(t, http.MethodGet, base+months[len(months)-1]+"/invoice", c.APIKey, "")
		if inv.status != http.StatusOK || inv.header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("invoice: %d %q %s", inv.status, inv.header.Get("Content-Type"), inv.body)
		}
		html := string(inv.body)
		want := []string{"Payer &amp; Co", fmt.Sprintf(`id="closing">%s EUR`, "0.83")}
		if len(months) == 1 {
			want = append(want, `id="total-charges">0.17 EUR`, "0.05", "0.01", "&#43;44")
		}
		for _, w := range want {
			if !strings.Contains(html, w) {
				t.Errorf("invoice lacks %q:\n%s", w, html)
			}
		}
		if r := a.do(t, http.MethodGet, base+months[0]+"/invoice", stranger.APIKey, ""); r.status != http.StatusNotFound {
			t.Fatalf("a stranger's invoice: %d %s", r.status, r.body)
		}
	})
}
