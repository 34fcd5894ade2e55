package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// destCarrier counts the submit_sm a carrier gets per destination.
type destCarrier struct {
	mu    sync.Mutex
	n     map[string]int
	first map[string]time.Time
	texts map[string]string
}

func newDestCarrier() *destCarrier {
	return &destCarrier{n: map[string]int{}, first: map[string]time.Time{}, texts: map[string]string{}}
}

func (c *destCarrier) decide(_ int, sm *pdu.SubmitSM) pdu.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := string(sm.Dest.Addr)
	if c.n[d] == 0 {
		c.first[d] = time.Now()
	}
	c.n[d]++
	c.texts[d] = gateway.DecodeText(sm.Payload(), sm.DataCoding)
	return pdu.StatusOK
}

// counts returns the destinations reached and the submits in all.
func (c *destCarrier) counts() (dests, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.n {
		total += n
	}
	return len(c.n), total
}

// rawDB opens the store's database directly, for what no API of this
// branch writes (contact lists).
func rawDB(t testing.TB, scfg store.Config) *sql.DB {
	t.Helper()
	driver, dsn := "mysql", scfg.DSN
	if scfg.Driver == store.DriverSQLite {
		driver, dsn = "sqlite", "file:"+scfg.DSN+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedList stores n contacts of account (numbers prefix+i, first name
// Fi) and a list holding them all, and returns the list's id.
func seedList(t testing.TB, st *store.Store, db *sql.DB, driver string, account int64, prefix string, n int) int64 {
	t.Helper()
	ctx := testContext(t)
	for i := 0; i < n; i += 1000 {
		cs := make([]store.Contact, 0, 1000)
		for j := i; j < min(n, i+1000); j++ {
			cs = append(cs, store.Contact{Phone: fmt.Sprintf("%s%06d", prefix, j), FirstName: fmt.Sprintf("F%d", j)})
		}
		if _, _, err := st.UpsertContacts(ctx, account, cs); err != nil {
			t.Fatal(err)
		}
	}
	var now any = time.Now().UnixMicro()
	if driver == store.DriverMySQL {
		now = time.Now().UTC()
	}
	res, err := db.ExecContext(ctx, "INSERT INTO contact_lists (account_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
		account, "list "+prefix, now, now)
	if err != nil {
		t.Fatal(err)
	}
	list, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO contact_list_members (list_id, contact_id, added_at) "+
		"SELECT ?, id, ? FROM contacts WHERE account_id = ? AND phone LIKE ?", list, now, account, prefix+"%"); err != nil {
		t.Fatal(err)
	}
	return list
}

type campaignJSON struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Reason   string `json:"reason"`
	Targeted int64  `json:"targeted"`
	Excluded int64  `json:"excluded"`
}

type statsJSON struct {
	State  string `json:"state"`
	Totals struct {
		Targeted, Sent, Delivered, Pending, InFlight, Skipped, OptedOut, Unknown int64
	} `json:"totals"`
	Series []struct {
		Sent, Delivered int64
	} `json:"series"`
}

func (a *testApp) campaignStats(t testing.TB, key string, id int64) statsJSON {
	t.Helper()
	var s statsJSON
	r := mustStatus(t, a.do(t, "GET", fmt.Sprintf("/v1/campaigns/%d/stats", id), key, ""), 200, "stats")
	// The counters' JSON names have underscores.
	var raw struct {
		State  string           `json:"state"`
		Totals map[string]int64 `json:"-"`
		Series []struct {
			Sent      int64 `json:"sent"`
			Delivered int64 `json:"delivered"`
		} `json:"series"`
	}
	r.json(t, &raw)
	var tot struct {
		Totals map[string]any `json:"totals"`
	}
	r.json(t, &tot)
	get := func(k string) int64 { f, _ := tot.Totals[k].(float64); return int64(f) }
	s.State, s.Series = raw.State, nil
	s.Totals.Targeted, s.Totals.Sent, s.Totals.Delivered = get("targeted"), get("sent"), get("delivered")
	s.Totals.Pending, s.Totals.InFlight, s.Totals.Skipped = get("pending"), get("in_flight"), get("skipped")
	s.Totals.OptedOut, s.Totals.Unknown = get("opted_out"), get("unknown")
	for _, p := range raw.Series {
		s.Series = append(s.Series, struct{ Sent, Delivered int64 }{p.Sent, p.Delivered})
	}
	return s
}

func (a *testApp) createCampaign(t testing.TB, key string, body map[string]any) int64 {
	t.Helper()
	b, _ := json.Marshal(body)
	var c campaignJSON
	mustStatus(t, a.do(t, "POST", "/v1/campaigns", key, string(b)), 201, "create campaign").json(t, &c)
	return c.ID
}

// TestE2ECampaignAPI: a campaign to a 10,000-contact list goes through
// the gateway to the carrier, each contact once with its personalised
// text, and the statistics reach 10,000 delivered; the recipients list
// and its CSV export show every recipient; another account finds none
// of it on any campaign route.
func TestE2ECampaignAPI(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		// The carrier simulator holds receipts until the gateway takes
		// them (smpptest.Server drops them past its queue).
		sim, simAddr := testutil.StartSimulator(t, smpptest.SimConfig{})
		cfg := testConfig(t, driver, simAddr)
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Campaigns.MaxRate = 5000
		cfg.Carriers[0].Binds, cfg.Carriers[0].Window = 2, 100
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		other := a.customer(t, "Other", "")
		db := rawDB(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		const n = 10000
		list := seedList(t, a.st, db, driver, cust.AccountID, "44770", n)

		// Validation: bad input is a problem, not a campaign.
		for _, bad := range []string{`{"kind":"spam"}`, `{"max_rate":-1}`, `{"audience":{"numbers":["12"]}}`,
			`{"audience":{"list_ids":[999999]}}`, `{"validity":9999999}`, `{"unknown":1}`} {
			if r := a.do(t, "POST", "/v1/campaigns", cust.APIKey, bad); r.status < 400 || r.status >= 500 {
				t.Errorf("POST %s: %d %s", bad, r.status, r.body)
			} else {
				r.problemType(t)
			}
		}
		id := a.createCampaign(t, cust.APIKey, map[string]any{"name": "Spring", "kind": "transactional", "from": "Acme",
			"text": "Hello {{first_name}}", "audience": map[string]any{"list_ids": []int64{list}}})
		path := fmt.Sprintf("/v1/campaigns/%d", id)
		mustStatus(t, a.do(t, "PATCH", path, cust.APIKey, `{"name":"Spring sale"}`), 200, "patch draft")
		var est struct {
			Recipients int64 `json:"recipients"`
			Countries  []struct {
				Country    string `json:"country"`
				Recipients int64  `json:"recipients"`
			} `json:"countries"`
		}
		mustStatus(t, a.do(t, "POST", path+"/estimate", cust.APIKey, ""), 200, "estimate").json(t, &est)
		if est.Recipients != n || len(est.Countries) != 1 || est.Countries[0].Country != "44" {
			t.Fatalf("estimate %+v", est)
		}
		// Another account sees none of it, on any route.
		for _, rt := range []struct{ method, path, body string }{
			{"GET", path, ""}, {"PATCH", path, `{"name":"x"}`}, {"DELETE", path, ""}, {"POST", path + "/estimate", ""},
			{"POST", path + "/launch", ""}, {"POST", path + "/pause", ""}, {"POST", path + "/resume", ""},
			{"POST", path + "/cancel", ""}, {"GET", path + "/stats", ""}, {"GET", path + "/recipients", ""},
			{"GET", path + "/recipients?format=csv", ""},
		} {
			if r := a.do(t, rt.method, rt.path, other.APIKey, rt.body); r.status != http.StatusNotFound {
				t.Errorf("%s %s by another account: %d %s", rt.method, rt.path, r.status, r.body)
			}
		}
		var page struct {
			Data []campaignJSON `json:"data"`
		}
		mustStatus(t, a.do(t, "GET", "/v1/campaigns", other.APIKey, ""), 200, "list").json(t, &page)
		if len(page.Data) != 0 {
			t.Fatalf("another account lists %d campaigns", len(page.Data))
		}

		var c campaignJSON
		mustStatus(t, a.do(t, "POST", path+"/launch", cust.APIKey, ""), 200, "launch").json(t, &c)
		if c.State != "running" || c.Targeted != n {
			t.Fatalf("launched %+v", c)
		}
		if r := a.do(t, "PATCH", path, cust.APIKey, `{"name":"late"}`); r.status != 422 {
			t.Fatalf("edit after launch: %d %s", r.status, r.body)
		}
		if r := a.do(t, "DELETE", path, cust.APIKey, ""); r.status != 422 {
			t.Fatalf("delete after launch: %d %s", r.status, r.body)
		}
		// Receipts come at the carrier's pace: under the race detector
		// 10,000 take longer than testutil.WaitLong, so wait for them as
		// long as they keep coming.
		var last statsJSON
		for stalled := time.Now(); ; {
			s := a.campaignStats(t, cust.APIKey, id)
			if s.Totals.Delivered == n && s.State == "completed" {
				break
			}
			if s.Totals.Delivered != last.Totals.Delivered || s.Totals.Sent != last.Totals.Sent {
				stalled = time.Now()
			}
			if time.Since(stalled) > waitLong {
				t.Fatalf("the statistics stopped at %+v", s)
			}
			last = s
			time.Sleep(50 * time.Millisecond) // polling
		}
		// The carrier got n texts; the store holds one message per
		// number: no number had two.
		if got := sim.Summary().SubmitSM; got != n {
			t.Fatalf("the carrier got %d texts, want %d", got, n)
		}
		var msgs, distinct int
		if err := db.QueryRowContext(testContext(t), "SELECT COUNT(*), COUNT(DISTINCT dst_addr) FROM messages WHERE account_id = ? "+
			"AND client_ref LIKE 'cmp:%'", cust.AccountID).Scan(&msgs, &distinct); err != nil || msgs != n || distinct != n {
			t.Fatalf("%d campaign messages to %d numbers, %v; want %d each once", msgs, distinct, err, n)
		}
		s := a.campaignStats(t, cust.APIKey, id)
		if s.Totals.Sent != n || s.Totals.Pending != 0 || s.Totals.InFlight != 0 || len(s.Series) == 0 {
			t.Fatalf("stats %+v", s)
		}
		var series int64
		for _, p := range s.Series {
			series += p.Delivered
		}
		if series != n {
			t.Fatalf("the per-minute series holds %d delivered", series)
		}
		var rp struct {
			Data []struct {
				To        string `json:"to"`
				State     string `json:"state"`
				Status    string `json:"status"`
				MessageID string `json:"message_id"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		mustStatus(t, a.do(t, "GET", path+"/recipients?status=delivered&limit=10", cust.APIKey, ""), 200, "recipients").json(t, &rp)
		if len(rp.Data) != 10 || rp.NextCursor == "" || rp.Data[0].MessageID == "" || rp.Data[0].State != "sent" {
			t.Fatalf("recipients %+v", rp)
		}
		var msg messageView
		mustStatus(t, a.do(t, "GET", "/v1/messages/"+rp.Data[0].MessageID, cust.APIKey, ""), 200, "message").json(t, &msg)
		k, _ := strconv.Atoi(strings.TrimPrefix(rp.Data[0].To, "+44770"))
		if want := fmt.Sprintf("Hello F%d", k); msg.Text != want && msg.Text != "Hello {{first_name}}" {
			t.Errorf("text %q to %s, want %q (or the body as written until templates render)", msg.Text, rp.Data[0].To, want)
		}
		if r := a.do(t, "GET", path+"/recipients?state=bogus", cust.APIKey, ""); r.status != 400 {
			t.Fatalf("bad state filter: %d", r.status)
		}
		r := mustStatus(t, a.do(t, "GET", path+"/recipients?format=csv", cust.APIKey, ""), 200, "csv")
		rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
		if err != nil || len(rows) != n+1 || rows[1][6] != "delivered" {
			t.Fatalf("csv of %d rows, %v", len(rows), err)
		}
	})
}

// TestE2ECampaignControls: pause holds a running campaign, resume
// finishes it with every recipient once; cancel ends one for good; a
// launch the balance does not cover is refused with the shortfall and
// stays a draft; an opt-out during a campaign stops that recipient.
func TestE2ECampaignControls(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		dc := newDestCarrier()
		carrier := newCarrier(t, dc.decide)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "platform", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 10_000}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		_, adminKey := a.platformAdmin(t, "admin")
		cust := a.customer(t, "Acme", "")
		mustStatus(t, a.do(t, "POST", fmt.Sprintf("/v1/accounts/%d/topups", cust.AccountID), adminKey,
			`{"amount":"1.00","reference":"wire"}`), 201, "top up")
		nums := func(prefix string, k int) []string {
			out := make([]string, k)
			for i := range out {
				out[i] = fmt.Sprintf("+%s%04d", prefix, i)
			}
			return out
		}

		// 1.00 EUR covers 100 messages at 0.01: 150 is refused.
		big := a.createCampaign(t, cust.APIKey, map[string]any{"text": "Hi", "kind": "transactional",
			"audience": map[string]any{"numbers": nums("4479001", 150)}})
		r := a.do(t, "POST", fmt.Sprintf("/v1/campaigns/%d/launch", big), cust.APIKey, "")
		if r.status != http.StatusPaymentRequired || r.problemType(t) != "insufficient-balance" ||
			!strings.Contains(string(r.body), "shortfall") || !strings.Contains(string(r.body), "0.50") {
			t.Fatalf("launch beyond the balance: %d %s", r.status, r.body)
		}
		var c campaignJSON
		mustStatus(t, a.do(t, "GET", fmt.Sprintf("/v1/campaigns/%d", big), cust.APIKey, ""), 200, "get").json(t, &c)
		if c.State != "draft" {
			t.Fatalf("refused launch left %q", c.State)
		}
		var rp struct {
			Data []any `json:"data"`
		}
		mustStatus(t, a.do(t, "GET", fmt.Sprintf("/v1/campaigns/%d/recipients", big), cust.APIKey, ""), 200, "recipients").json(t, &rp)
		if len(rp.Data) != 0 {
			t.Fatalf("a refused launch kept %d recipients", len(rp.Data))
		}

		// Pause and resume; an opt-out on the way.
		id := a.createCampaign(t, cust.APIKey, map[string]any{"text": "Hi", "kind": "transactional", "max_rate": 10,
			"audience": map[string]any{"numbers": nums("4479002", 40)}})
		path := fmt.Sprintf("/v1/campaigns/%d", id)
		mustStatus(t, a.do(t, "POST", path+"/launch", cust.APIKey, ""), 200, "launch")
		eventually(t, "a few sent", func() (bool, string) {
			s := a.campaignStats(t, cust.APIKey, id)
			return s.Totals.Sent >= 5, fmt.Sprintf("%+v", s)
		})
		last := nums("4479002", 40)[39]
		mustStatus(t, a.do(t, "POST", "/v1/opt-outs", cust.APIKey, `{"number":"`+last+`"}`), 201, "opt out")
		mustStatus(t, a.do(t, "POST", path+"/pause", cust.APIKey, ""), 200, "pause")
		eventually(t, "nothing in flight once paused", func() (bool, string) {
			var p struct{ Data []any }
			mustStatus(t, a.do(t, "GET", path+"/recipients?state=sending", cust.APIKey, ""), 200, "sending").json(t, &p)
			return len(p.Data) == 0, fmt.Sprint(len(p.Data))
		})
		paused := a.campaignStats(t, cust.APIKey, id)
		if paused.State != "paused" || paused.Totals.Sent >= 39 {
			t.Fatalf("paused %+v", paused)
		}
		if r := a.do(t, "POST", path+"/pause", cust.APIKey, ""); r.status != 422 {
			t.Fatalf("pause of a paused campaign: %d", r.status)
		}
		mustStatus(t, a.do(t, "POST", path+"/resume", cust.APIKey, ""), 200, "resume")
		eventually(t, "completed", func() (bool, string) {
			s := a.campaignStats(t, cust.APIKey, id)
			return s.State == "completed", fmt.Sprintf("%+v", s)
		})
		s := a.campaignStats(t, cust.APIKey, id)
		if s.Totals.Sent != 39 || s.Totals.Skipped != 1 || s.Totals.OptedOut != 1 {
			t.Fatalf("after resume %+v", s)
		}
		dc.mu.Lock()
		for _, num := range nums("4479002", 40) {
			want := 1
			if num == last {
				want = 0
			}
			if got := dc.n[num[1:]]; got != want {
				t.Errorf("%s reached the carrier %d times, want %d", num, got, want)
			}
		}
		dc.mu.Unlock()

		// An A/B test decided by hand: the held-back rest gets the
		// chosen variant.
		ab := a.createCampaign(t, cust.APIKey, map[string]any{"kind": "transactional",
			"audience": map[string]any{"numbers": nums("4479004", 20)},
			"ab": map[string]any{"variants": []map[string]any{{"text": "Plain", "split": 50}, {"text": "Fancy", "split": 50}},
				"test_percent": 50, "metric": "reply", "manual": true}})
		apath := fmt.Sprintf("/v1/campaigns/%d", ab)
		if r := a.do(t, "POST", apath+"/winner", cust.APIKey, `{"variant":1}`); r.status != 422 {
			t.Fatalf("winner of a draft: %d %s", r.status, r.body)
		}
		mustStatus(t, a.do(t, "POST", apath+"/launch", cust.APIKey, ""), 200, "launch A/B")
		eventually(t, "the test group sent", func() (bool, string) {
			s := a.campaignStats(t, cust.APIKey, ab)
			return s.Totals.Sent >= 8, fmt.Sprintf("%+v", s)
		})
		if r := a.do(t, "POST", apath+"/winner", cust.APIKey, `{"variant":9}`); r.status != 400 {
			t.Fatalf("winner 9: %d %s", r.status, r.body)
		}
		mustStatus(t, a.do(t, "POST", apath+"/winner", cust.APIKey, `{"variant":2}`), 200, "winner")
		if r := a.do(t, "POST", apath+"/winner", cust.APIKey, `{"variant":1}`); r.status != 422 {
			t.Fatalf("second winner: %d %s", r.status, r.body)
		}
		eventually(t, "the A/B campaign completed", func() (bool, string) {
			s := a.campaignStats(t, cust.APIKey, ab)
			return s.State == "completed" && s.Totals.Sent == 20, fmt.Sprintf("%+v", s)
		})
		dc.mu.Lock()
		fancy := 0
		for _, num := range nums("4479004", 20) {
			if dc.texts[num[1:]] == "Fancy" {
				fancy++
			}
		}
		dc.mu.Unlock()
		if fancy < 13 { // the rest (about 10) and half the test group
			t.Fatalf("%d of 20 got the chosen variant", fancy)
		}

		// Cancel: the rest is never sent.
		slow := a.createCampaign(t, cust.APIKey, map[string]any{"text": "Hi", "kind": "transactional", "max_rate": 2,
			"audience": map[string]any{"numbers": nums("4479003", 30)}})
		spath := fmt.Sprintf("/v1/campaigns/%d", slow)
		mustStatus(t, a.do(t, "POST", spath+"/launch", cust.APIKey, ""), 200, "launch slow")
		mustStatus(t, a.do(t, "POST", spath+"/cancel", cust.APIKey, ""), 200, "cancel")
		if r := a.do(t, "POST", spath+"/resume", cust.APIKey, ""); r.status != 422 {
			t.Fatalf("resume of a cancelled campaign: %d", r.status)
		}
		cs := a.campaignStats(t, cust.APIKey, slow)
		if cs.State != "cancelled" || cs.Totals.Pending < 25 {
			t.Fatalf("cancelled %+v", cs)
		}
	})
}

// TestE2ECampaignSurvivesKill: a gateway killed (SIGKILL) in the middle
// of a campaign and started again completes it, and no recipient gets
// two messages: the store holds one message per recipient, and the
// carrier gets a number twice only for a message the gateway itself had
// in flight at the kill (its own at-least-once resend of an
// unacknowledged submit, as in TestE2ESIGKILL), never because the
// campaign sent it again.
func TestE2ECampaignSurvivesKill(t *testing.T) {
	bin := buildGallant(t)
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		dc := newDestCarrier()
		carrier := newCarrier(t, dc.decide)
		scfg := storetest.Config(t, driver)
		st := storetest.OpenConfig(t, scfg)
		cust := newCustomer(t, st, account.New(st, nil), "Acme", "")
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		cfgPath := writeServeConfig(t, scfg, carrier.Addr(), "3s")
		b, err := os.ReadFile(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		raw["campaigns"] = map[string]any{"lease_ttl": "2s", "max_rate": 400}
		if b, err = json.Marshal(raw); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
			t.Fatal(err)
		}
		const n = 3000
		numbers := make([]string, n)
		for i := range numbers {
			numbers[i] = fmt.Sprintf("+4477009%05d", i)
		}
		p1 := startGallant(t, bin, cfgPath)
		a1 := &testApp{base: p1.httpURL}
		body, _ := json.Marshal(map[string]any{"name": "kill", "kind": "transactional", "from": "Acme", "text": "Sale",
			"audience": map[string]any{"numbers": numbers}})
		var c campaignJSON
		mustStatus(t, a1.do(t, "POST", "/v1/campaigns", cust.APIKey, string(body)), 201, "create").json(t, &c)
		path := fmt.Sprintf("/v1/campaigns/%d", c.ID)
		mustStatus(t, a1.do(t, "POST", path+"/launch", cust.APIKey, ""), 200, "launch")
		eventually(t, "a part at the carrier", func() (bool, string) {
			_, total := dc.counts()
			return total >= 600, fmt.Sprint(total)
		})
		killed := p1.kill(t)
		_, atKill := dc.counts()
		if atKill >= n {
			t.Fatalf("all %d sent before the kill", atKill)
		}
		p2 := startGallant(t, bin, cfgPath)
		a2 := &testApp{base: p2.httpURL}
		eventually(t, "the campaign completed after the restart", func() (bool, string) {
			s := a2.campaignStats(t, cust.APIKey, c.ID)
			return s.State == "completed" && s.Totals.Sent == n, fmt.Sprintf("%+v", s)
		})
		s := a2.campaignStats(t, cust.APIKey, c.ID)
		if s.Totals.Sent != n || s.Totals.Unknown != 0 || s.Totals.Skipped != 0 {
			t.Fatalf("stats %+v", s)
		}
		p2.stop(t, 30*time.Second)
		dests, total := dc.counts()
		if dests != n {
			t.Fatalf("%d of %d numbers reached", dests, n)
		}
		dups := 0
		dc.mu.Lock()
		for num, k := range dc.n {
			if k > 1 {
				dups++
				if k > 2 || dc.first[num].Before(killed.Add(-2*time.Second)) {
					t.Errorf("%s reached the carrier %d times, first %v before the kill", num, k, killed.Sub(dc.first[num]))
				}
			}
		}
		dc.mu.Unlock()
		storetest.OpenConfig(t, scfg) // migrated: the database outlives the process
		db := rawDB(t, scfg)
		var msgs, distinct int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT dst_addr) FROM messages WHERE account_id = ? "+
			"AND client_ref LIKE 'cmp:%'", cust.AccountID).Scan(&msgs, &distinct); err != nil {
			t.Fatal(err)
		}
		if msgs != n || distinct != n {
			t.Fatalf("the store holds %d campaign messages to %d numbers, want %d each once", msgs, distinct, n)
		}
		t.Logf("%d at the carrier at the kill; all %d numbers reached, %d submits, %d numbers twice (in flight in the gateway at the kill); %d delivered",
			atKill, dests, total, dups, s.Totals.Delivered)
	})
}

// procRSS is this process's resident set in MiB (Linux; 0 elsewhere).
func procRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
