package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeReports answers for accounts 1 and 2 (account 2 being visible to
// its own keys only, account 1 to keys of account 1 and the admin key's
// account 3), and records the queries it was given.
type fakeReports struct {
	mu      sync.Mutex
	usage   []UsageQuery
	months  []time.Time
	ranges  [][2]time.Time
	account string // name of the statement's account
}

func (f *fakeReports) visible(p Principal, id int64) error {
	if id == p.AccountID || p.AccountID == 3 {
		return nil
	}
	return NotFound("no such account")
}

func (f *fakeReports) Usage(_ context.Context, p Principal, id int64, q UsageQuery) (UsageReport, error) {
	if err := f.visible(p, id); err != nil {
		return UsageReport{}, err
	}
	f.mu.Lock()
	f.usage = append(f.usage, q)
	f.mu.Unlock()
	start := q.From
	return UsageReport{AccountID: id, From: q.From, Until: q.Until, GroupBy: q.GroupBy, Currency: "EUR",
		Buckets: []UsageBucket{{Key: "2026-06-01", Start: &start, UsageCounts: UsageCounts{Messages: 2, Segments: 3, Charged: 70_000, Delivered: 2}}},
		Total:   UsageCounts{Messages: 2, Segments: 3, Charged: 70_000, Delivered: 2}}, nil
}

func (f *fakeReports) Statement(_ context.Context, p Principal, id int64, month time.Time) (StatementView, error) {
	if err := f.visible(p, id); err != nil {
		return StatementView{}, err
	}
	f.mu.Lock()
	f.months = append(f.months, month)
	f.mu.Unlock()
	return StatementView{AccountID: id, AccountName: f.account, Currency: "EUR", Month: month.Format("2006-01"),
		From: month, Until: month.AddDate(0, 1, 0), Complete: true, Opening: 1_000_000, TopUps: 250_000,
		Charges: 220_000, Closing: 1_030_000, Segments: 6,
		Lines: []InvoiceLine{
			{Destination: "+1", Messages: 1, Segments: 2, UnitPrice: 10_000, Amount: 20_000},
			{Destination: "+44", Messages: 4, Segments: 4, UnitPrice: 50_000, Amount: 200_000},
		}}, nil
}

func (f *fakeReports) SubAccountUsage(_ context.Context, p Principal, id int64, from, until time.Time) (SubAccountReport, error) {
	if err := f.visible(p, id); err != nil {
		return SubAccountReport{}, err
	}
	if p.AccountID != 3 {
		return SubAccountReport{}, Forbidden("only resellers and admins")
	}
	f.mu.Lock()
	f.ranges = append(f.ranges, [2]time.Time{from, until})
	f.mu.Unlock()
	m := int64(5)
	return SubAccountReport{AccountID: id, From: from, Until: until, Currency: "EUR",
		SubAccounts: []SubAccountUsage{{AccountID: 4, Name: "Shop", Messages: 1, Charged: 15, Cost: 10, Margin: &m}},
		Total:       SubAccountUsage{Messages: 1, Charged: 15, Cost: 10, Margin: &m}}, nil
}

func (f *fakeReports) Margin(_ context.Context, p Principal, from, until time.Time) (MarginReport, error) {
	if p.AccountID != 3 {
		return MarginReport{}, Forbidden("platform admins only")
	}
	return MarginReport{From: from, Until: until,
		Lines: []MarginLine{{Carrier: "c1", Destination: "44", Currency: "EUR", Segments: 4, Revenue: 200_000,
			UnpricedSegments: 4, CostUnknown: true}}}, nil
}

func TestReportsUsage(t *testing.T) {
	fr := &fakeReports{}
	ts := newTestServerWith(t, Config{}, func(d *Deps) { d.Reports = fr })

	a := ts.do(t, "GET", "/v1/accounts/1/usage?from=2026-06-01&until=2026-06-08T00:00:00Z&group_by=destination", keyRead, nil)
	if a.Code != http.StatusOK || a.Header.Get("Content-Type") != contentJSON {
		t.Fatalf("usage: %d %s %s", a.Code, a.Header.Get("Content-Type"), a.Body)
	}
	var rep struct {
		AccountID string `json:"account_id"`
		GroupBy   string `json:"group_by"`
		Buckets   []struct {
			Key      string `json:"key"`
			Messages int64  `json:"messages"`
			Charged  int64  `json:"charged"`
		} `json:"buckets"`
		Total struct {
			Segments int64 `json:"segments"`
		} `json:"total"`
	}
	a.decode(t, &rep)
	if rep.AccountID != "1" || rep.GroupBy != "destination" || len(rep.Buckets) != 1 || rep.Buckets[0].Charged != 70_000 ||
		rep.Total.Segments != 3 {
		t.Fatalf("usage answer %s", a.Body)
	}
	q := fr.usage[0]
	if !q.From.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) || !q.Until.Equal(time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)) ||
		q.GroupBy != "destination" {
		t.Fatalf("query given %+v", q)
	}
	// Defaults: the last 30 days, by day.
	ts.do(t, "GET", "/v1/accounts/1/usage", keyRead, nil).decode(t, &rep)
	q = fr.usage[1]
	if q.GroupBy != "day" || q.Until.Sub(q.From) != 30*24*time.Hour || time.Since(q.Until) > time.Minute {
		t.Fatalf("default query %+v", q)
	}

	for _, c := range []struct{ query, field string }{
		{"from=yesterday", "from"},
		{"until=2026-02-30", "until"},
		{"from=2026-06-08&until=2026-06-01", "until"},
		{"from=2026-06-01&until=2026-06-01", "until"},
		{"from=2025-01-01&until=2026-06-01", "from"},
		{"group_by=week", "group_by"},
		{"limit=5", "limit"},
	} {
		p := ts.do(t, "GET", "/v1/accounts/1/usage?"+c.query, keyRead, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
		if p["field"] != c.field {
			t.Errorf("%s: field %v, want %s", c.query, p["field"], c.field)
		}
	}
	// Another account's usage is the same answer as an unknown account's.
	other := ts.do(t, "GET", "/v1/accounts/2/usage", keyRead, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	unknown := ts.do(t, "GET", "/v1/accounts/99/usage", keyRead, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	if other["detail"] != unknown["detail"] {
		t.Fatalf("another account %v, unknown %v", other, unknown)
	}
	ts.do(t, "GET", "/v1/accounts/x1/usage", keyRead, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "GET", "/v1/accounts/1/usage", keySend, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "GET", "/v1/accounts/1/usage", "", nil).wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
	if len(fr.usage) != 2 {
		t.Fatalf("%d calls reached the service, want 2", len(fr.usage))
	}
}

func TestReportsStatementAndInvoice(t *testing.T) {
	fr := &fakeReports{account: `Smith & <Sons>`}
	ts := newTestServerWith(t, Config{}, func(d *Deps) { d.Reports = fr })

	a := ts.do(t, "GET", "/v1/accounts/1/statements/2026-05", keyRead, nil)
	if a.Code != http.StatusOK || a.Header.Get("Content-Type") != contentJSON {
		t.Fatalf("statement: %d %s", a.Code, a.Body)
	}
	var st struct {
		Month   string `json:"month"`
		Opening int64  `json:"opening_balance"`
		Closing int64  `json:"closing_balance"`
		Charges int64  `json:"charges"`
		Lines   []struct {
			Destination string `json:"destination"`
			UnitPrice   int64  `json:"unit_price"`
		} `json:"lines"`
	}
	a.decode(t, &st)
	if st.Month != "2026-05" || st.Opening != 1_000_000 || st.Closing != 1_030_000 || len(st.Lines) != 2 || st.Lines[1].UnitPrice != 50_000 {
		t.Fatalf("statement %s", a.Body)
	}
	if !fr.months[0].Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("month given %v", fr.months[0])
	}

	inv := ts.do(t, "GET", "/v1/accounts/1/statements/2026-05/invoice", keyRead, nil)
	if inv.Code != http.StatusOK || inv.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("invoice: %d %q %s", inv.Code, inv.Header.Get("Content-Type"), inv.Body)
	}
	html := string(inv.Body)
	for _, want := range []string{"Smith &amp; &lt;Sons&gt;", "1 May 2026 – 31 May 2026", "&#43;44", "0.05", "0.02",
		`id="total-charges">0.22 EUR`, `id="opening">1.00`, `id="closing">1.03 EUR`} {
		if !strings.Contains(html, want) {
			t.Errorf("invoice lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<Sons>") {
		t.Fatal("the account name is not escaped")
	}

	for _, month := range []string{"2026-13", "2026-5", "99999-01", time.Now().UTC().AddDate(0, 2, 0).Format("2006-01")} {
		p := ts.do(t, "GET", "/v1/accounts/1/statements/"+month, keyRead, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
		if p["field"] != "month" {
			t.Errorf("%s: field %v", month, p["field"])
		}
		ts.do(t, "GET", "/v1/accounts/1/statements/"+month+"/invoice", keyRead, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	}
	ts.do(t, "GET", "/v1/accounts/1/statements/2026-05?x=1", keyRead, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	// Errors of the invoice are problem JSON, not HTML.
	ts.do(t, "GET", "/v1/accounts/2/statements/2026-05/invoice", keyRead, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
}

func TestReportsResellerAndMargin(t *testing.T) {
	fr := &fakeReports{}
	ts := newTestServerWith(t, Config{}, func(d *Deps) { d.Reports = fr })

	var sub struct {
		SubAccounts []struct {
			AccountID string `json:"account_id"`
			Margin    *int64 `json:"margin"`
		} `json:"sub_accounts"`
	}
	a := ts.do(t, "GET", "/v1/accounts/1/sub-accounts/usage?from=2026-06-01&until=2026-07-01", keyAdmin, nil)
	if a.Code != http.StatusOK {
		t.Fatalf("sub-accounts: %d %s", a.Code, a.Body)
	}
	if a.decode(t, &sub); len(sub.SubAccounts) != 1 || sub.SubAccounts[0].AccountID != "4" || sub.SubAccounts[0].Margin == nil || *sub.SubAccounts[0].Margin != 5 {
		t.Fatalf("sub-accounts %s", a.Body)
	}
	ts.do(t, "GET", "/v1/accounts/1/sub-accounts/usage", keyRead, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "GET", "/v1/accounts/1/sub-accounts/usage?group_by=day", keyAdmin, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)

	var m struct {
		Lines []struct {
			Margin      *int64 `json:"margin"`
			CostUnknown bool   `json:"cost_unknown"`
		} `json:"lines"`
		Totals []any `json:"totals"`
	}
	a = ts.do(t, "GET", "/v1/reports/margin?from=2026-06-01", keyAdmin, nil)
	if a.Code != http.StatusOK {
		t.Fatalf("margin: %d %s", a.Code, a.Body)
	}
	if a.decode(t, &m); len(m.Lines) != 1 || m.Lines[0].Margin != nil || !m.Lines[0].CostUnknown || m.Totals == nil {
		t.Fatalf("margin %s", a.Body)
	}
	if !strings.Contains(string(a.Body), `"margin":null`) {
		t.Fatalf("an unknown margin must be null: %s", a.Body)
	}
	ts.do(t, "GET", "/v1/reports/margin", keyAll, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "GET", "/v1/reports/margin?until=2020-01-01&from=2021-01-01", keyAdmin, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
}

func TestReportsDisabled(t *testing.T) {
	ts := newTestServer(t, Config{})
	for _, path := range []string{"/v1/accounts/1/usage", "/v1/accounts/1/sub-accounts/usage", "/v1/accounts/1/statements/2026-05",
		"/v1/accounts/1/statements/2026-05/invoice", "/v1/reports/margin"} {
		p := ts.do(t, "GET", path, keyRead, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
		if !strings.Contains(p["detail"].(string), "not enabled") {
			t.Errorf("%s: %v", path, p)
		}
	}
}
