package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

// captureMailer keeps the mails the app sends.
type captureMailer struct {
	mu    sync.Mutex
	mails []account.Mail
}

func (m *captureMailer) Send(_ context.Context, mail account.Mail) error {
	m.mu.Lock()
	m.mails = append(m.mails, mail)
	m.mu.Unlock()
	return nil
}

func (m *captureMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.mails)
}

// startAppMail is startApp with the app's mail going to mailer.
func startAppMail(t *testing.T, cfg config.Config, mailer account.Mailer) *testApp {
	t.Helper()
	cfg.FillDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := newApp(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("newApp: %v", err)
	}
	a.mailer = mailer
	if err := a.newAlerts(); err != nil { // again, with this mailer
		t.Fatal(err)
	}
	ta := &testApp{app: a, t: t}
	if err := a.start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	ta.base = "http://" + a.httpAddr.String()
	t.Cleanup(ta.stop)
	eventually(t, "a carrier bind", func() (bool, string) {
		return a.gw.Ready(ctx) == nil, "not ready"
	})
	return ta
}

// payer opens a funded billing account for c.
func payer(t *testing.T, st *store.Store, c customer, amount int64) {
	t.Helper()
	ctx := testContext(t)
	if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: c.AccountID, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp, Amount: amount, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
}

// TestE2ERefundUndelivered: under a plan that refunds undelivered
// messages, a message whose receipt is UNDELIV is refunded exactly once
// (a duplicate receipt changes nothing) and the balance equals the
// ledger; under a plan without it the charge stays.
func TestE2ERefundUndelivered(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := smpptest.NewUnstartedServer()
		carrier.Receipts = true
		carrier.ReceiptStat = pdutext.StatUndeliverable
		if err := carrier.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { carrier.Close() })
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		keep := &store.PricePlan{Name: "keep", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Hour),
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 50_000}}}
		refund := &store.PricePlan{Name: "refund", Currency: "EUR", RefundUndelivered: true, ValidFrom: time.Now().Add(-time.Hour),
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 40_000}}}
		for _, p := range []*store.PricePlan{keep, refund} {
			if err := st.CreatePricePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		a := startApp(t, cfg)
		r, k := a.customer(t, "Refunded", ""), a.customer(t, "Kept", "")
		if err := st.AssignPricePlan(ctx, r.AccountID, refund.ID); err != nil {
			t.Fatal(err)
		}
		if err := a.bill.Pricer.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		payer(t, st, r, 1_000_000)
		payer(t, st, k, 1_000_000)

		sr := a.send(t, r.APIKey, map[string]any{"to": "+447700900001", "text": "lost"})
		sk := a.send(t, k.APIKey, map[string]any{"to": "+447700900002", "text": "lost too"})
		before := len(a.waitStatus(t, r.APIKey, sr.ID, "undelivered").History)
		a.waitStatus(t, k.APIKey, sk.ID, "undelivered")
		refunds := func(acct int64) (n int, sum int64) {
			rows, err := st.ListLedger(ctx, acct, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range rows {
				if e.Kind == store.LedgerRefund {
					n++
					sum += e.Amount
					if e.MessageID.String() != sr.ID {
						t.Errorf("refund of message %s, want %s", e.MessageID, sr.ID)
					}
				}
			}
			return n, sum
		}
		eventually(t, "the refund", func() (bool, string) {
			n, sum := refunds(r.AccountID)
			return n == 1 && sum == 40_000, "no refund yet"
		})
		// The carrier repeats the receipt: no second refund.
		subs := carrier.Submits()
		var carrierID string
		for _, s := range subs {
			if string(s.SM.Dest.Addr) == "447700900001" {
				carrierID = s.MessageID
			}
		}
		if carrierID == "" {
			t.Fatalf("the carrier did not get the message: %+v", subs)
		}
		dup := &pdu.DeliverSM{ESMClass: 0x04, ShortMessage: []byte("id:" + carrierID + " sub:001 dlvrd:000 submit date:2601011200 done date:2601011201 stat:UNDELIV err:001 text:")}
		if _, err := carrier.Deliver(ctx, "gallant", dup); err != nil {
			t.Fatal(err)
		}
		// The receipt went the whole way (late path, store lookup):
		// its event is in the history.
		eventually(t, "the duplicate receipt recorded", func() (bool, string) {
			v, _ := a.get(t, r.APIKey, sr.ID)
			return len(v.History) > before, fmt.Sprint(len(v.History), " events")
		})
		// Refunds run on the late-receipt loop: wait until it has tried
		// the duplicate's and the store said it was refunded before.
		eventually(t, "the duplicate's refund tried", func() (bool, string) {
			line := `gallant_gateway_refunds_total{result="already"} 1`
			return strings.Contains(a.metrics(t), line+"\n"), "no " + line
		})
		if n, _ := refunds(r.AccountID); n != 1 {
			t.Fatalf("%d refunds after a duplicate receipt, want 1", n)
		}
		if n, _ := refunds(k.AccountID); n != 0 {
			t.Fatalf("the plan without refunds refunded %d times", n)
		}

		a.stop()
		for _, c := range []struct {
			acct int64
			want int64
		}{{r.AccountID, 1_000_000}, {k.AccountID, 1_000_000 - 50_000}} {
			ba, err := st.GetBillingAccount(context.Background(), c.acct)
			if err != nil {
				t.Fatal(err)
			}
			sum, hold, err := st.LedgerTotals(context.Background(), c.acct)
			if err != nil || ba.Balance != c.want || sum != ba.Balance || hold != 0 || ba.Held != 0 {
				t.Fatalf("account %d: balance %d (want %d), ledger %d, hold %d/%d, %v", c.acct, ba.Balance, c.want, sum, hold, ba.Held, err)
			}
		}
	})
}

// alertHooks receives low-balance webhooks, checking their signature.
type alertHooks struct {
	*httptest.Server
	mu  sync.Mutex
	got []gateway.BalanceLowEvent
	bad atomic.Int32
}

func newAlertHooks(t *testing.T, secret string) *alertHooks {
	h := &alertHooks{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev gateway.BalanceLowEvent
		if webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), b, time.Now(), 0) != nil || json.Unmarshal(b, &ev) != nil {
			h.bad.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, ev)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *alertHooks) events() []gateway.BalanceLowEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]gateway.BalanceLowEvent(nil), h.got...)
}

// TestE2ELowBalanceAlert: sends that take the balance below the threshold
// fire one signed webhook and one email; more sends fire nothing; a
// top-up and a new crossing fire again. The settings are read and
// written through the API, by the account's owner only.
func TestE2ELowBalanceAlert(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		cfg.Billing.AlertInterval = 50 * time.Millisecond
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "std", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 100_000}}}); err != nil {
			t.Fatal(err)
		}
		mail := &captureMailer{}
		a := startAppMail(t, cfg, mail)
		c := a.customer(t, "Alerted", noOwnSecret)
		other := a.customer(t, "Other", "")
		payer(t, st, c, 1_000_000)
		payer(t, st, other, 1_000_000)
		owner, err := a.acc.CreateAPIKey(ctx, c.AccountID, "owner", []string{account.ScopeSend, account.ScopeRead, account.ScopeAdmin})
		if err != nil {
			t.Fatal(err)
		}
		hooks := newAlertHooks(t, testWebhookSecret)
		path := "/v1/accounts/" + strconv.FormatInt(c.AccountID, 10) + "/alerts"
		body := `{"low_balance_threshold":"0.55","email":"ops@example.com","webhook_url":"` + hooks.URL + `/low"}`
		if r := a.do(t, http.MethodPut, path, other.APIKey, body); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Fatalf("another account's PUT: %d %s", r.status, r.body)
		}
		if r := a.do(t, http.MethodPut, path, owner, `{"low_balance_threshold":"-1"}`); r.status != http.StatusBadRequest {
			t.Fatalf("negative threshold: %d %s", r.status, r.body)
		}
		if r := a.do(t, http.MethodPut, path, owner, body); r.status != http.StatusOK {
			t.Fatalf("PUT alerts: %d %s", r.status, r.body)
		}
		var got struct {
			Threshold string `json:"low_balance_threshold"`
			Email     string `json:"email"`
			Currency  string `json:"currency"`
		}
		if r := a.do(t, http.MethodGet, path, owner, ""); r.status != http.StatusOK {
			t.Fatalf("GET alerts: %d %s", r.status, r.body)
		} else if r.json(t, &got); got.Threshold != "0.550000" || got.Email != "ops@example.com" || got.Currency != "EUR" {
			t.Fatalf("GET alerts: %s", r.body)
		}

		sendN := func(n int) {
			for range n {
				s := a.send(t, c.APIKey, map[string]any{"to": "+447700900123", "text": "x"})
				a.waitStatus(t, c.APIKey, s.ID, "delivered")
			}
		}
		// settle runs a sweep of its own once the balance is what the
		// sends left (the charges go through the batched writer): it must
		// fire nothing. The periodic sweep may run too; what it fires
		// shows in the counts checked after.
		settle := func(want int64) {
			t.Helper()
			eventually(t, "the available balance", func() (bool, string) {
				cands, err := st.AlertCandidates(ctx, 0, 100)
				for _, cand := range cands {
					if cand.AccountID == c.AccountID {
						return cand.Available == want, fmt.Sprint(cand.Available)
					}
				}
				return false, fmt.Sprint("no alert candidate ", err)
			})
			if n, err := a.alerts.sweep.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("a sweep fired %d alerts (%v), want none", n, err)
			}
		}
		sendN(4) // 0.60 left
		settle(600_000)
		if n := len(hooks.events()); n != 0 {
			t.Fatalf("%d alerts above the threshold", n)
		}
		sendN(1) // 0.50
		eventually(t, "the alert", func() (bool, string) {
			return len(hooks.events()) == 1 && mail.count() == 1, "not yet"
		})
		ev := hooks.events()[0]
		if ev.Type != "balance.low" || ev.AccountID != c.AccountID || ev.Balance != "0.500000" || ev.Threshold != "0.550000" ||
			ev.Currency != "EUR" || ev.EventID == "" || ev.At.IsZero() {
			t.Fatalf("alert %+v", ev)
		}
		if m := mail.mails[0]; m.To != "ops@example.com" || !strings.Contains(m.Body, "below your alert threshold") {
			t.Fatalf("mail %+v", m)
		}
		sendN(2) // 0.30
		settle(300_000)
		if n, m := len(hooks.events()), mail.count(); n != 1 || m != 1 {
			t.Fatalf("%d webhooks and %d mails after more sends, want 1 and 1", n, m)
		}
		if err := a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp, Amount: 500_000, Reason: "top-up"}); err != nil {
			t.Fatal(err)
		}
		settle(800_000) // re-armed, nothing sent
		if n := len(hooks.events()); n != 1 {
			t.Fatalf("%d alerts after the top-up, want 1", n)
		}
		sendN(3) // 0.50
		eventually(t, "the second alert", func() (bool, string) {
			return len(hooks.events()) == 2 && mail.count() == 2, "not yet"
		})
		if hooks.bad.Load() != 0 {
			t.Fatalf("%d webhooks with a bad signature or body", hooks.bad.Load())
		}
	})
}

// TestE2ELeastCost: on a least_cost route the cheaper carrier gets the
// messages, whatever the weights say; when it refuses them for good they
// fail over to the dearer one.
func TestE2ELeastCost(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		var refuse atomic.Bool
		cheap := newCarrier(t, func(int, *pdu.SubmitSM) pdu.Status {
			if refuse.Load() {
				return pdu.StatusInvDstAdr
			}
			return pdu.StatusOK
		})
		dear := newCarrier(t, nil)
		cfg := testConfig(t, driver, dear.Addr())
		cfg.Carriers = append(cfg.Carriers, config.CarrierConfig{Name: "c2", Address: cheap.Addr(), SystemID: "gallant",
			Password: "secret", Binds: 1, Window: 10})
		cfg.Routes = []config.RouteConfig{{Prefix: "", LeastCost: true,
			Carriers: []config.RouteCarrier{{Carrier: "c1", Weight: 100}, {Carrier: "c2", Weight: 1}}}}
		cfg.Billing.Enabled = true
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "std", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 10_000}}}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []store.BuyRate{{Carrier: "c1", Prefix: "44", PriceMicros: 5_000}, {Carrier: "c2", Prefix: "4", PriceMicros: 4_200}} {
			r.Currency, r.ValidFrom = "EUR", time.Now().Add(-time.Hour)
			if err := st.AddBuyRate(ctx, &r); err != nil {
				t.Fatal(err)
			}
		}
		a := startApp(t, cfg)
		eventually(t, "both binds", func() (bool, string) {
			return len(cheap.Sessions()) > 0 && len(dear.Sessions()) > 0, "not bound"
		})
		c := a.customer(t, "Cheap", "")
		payer(t, st, c, 1_000_000)
		for range 6 {
			s := a.send(t, c.APIKey, map[string]any{"to": "+447700900123", "text": "cheap"})
			a.waitStatus(t, c.APIKey, s.ID, "delivered")
		}
		if n, m := len(cheap.Submits()), len(dear.Submits()); n != 6 || m != 0 {
			t.Fatalf("cheap carrier got %d, dear %d; want 6 and 0", n, m)
		}
		refuse.Store(true)
		for range 3 {
			s := a.send(t, c.APIKey, map[string]any{"to": "+447700900124", "text": "fail over"})
			a.waitStatus(t, c.APIKey, s.ID, "delivered")
		}
		if n, m := len(cheap.Submits()), len(dear.Submits()); n != 9 || m != 3 {
			t.Fatalf("after refusals cheap carrier got %d, dear %d; want 9 and 3", n, m)
		}
	})
}

// TestAdminRefundPlanAndBuyRate: plan create --refund-undelivered and
// buyrate add store what the pricer then sees; bad input is a usage
// error.
func TestAdminRefundPlanAndBuyRate(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		f := newAdminFixture(t, driver)
		out, err := f.run("plan", "create", "--name", "r", "--refund-undelivered", "--price", "44=0.04")
		if err != nil || !strings.Contains(out, `"refund_undelivered": true`) {
			t.Fatalf("plan create: %v\n%s", err, out)
		}
		out, err = f.run("buyrate", "add", "--carrier", "acme", "--prefix", "44", "--price", "0.0042", "--currency", "EUR")
		if err != nil || !strings.Contains(out, `"price_micros": 4200`) {
			t.Fatalf("buyrate add: %v\n%s", err, out)
		}
		for _, bad := range [][]string{
			{"buyrate", "add", "--carrier", "acme", "--prefix", "+44", "--price", "1"},
			{"buyrate", "add", "--prefix", "44", "--price", "1"},
			{"buyrate", "add", "--carrier", "acme", "--prefix", "44", "--price", "-1"},
			{"buyrate", "add", "--carrier", "acme", "--prefix", "44", "--price", "1", "--currency", "eur"},
		} {
			if _, err := f.run(bad...); !isUsage(err) {
				t.Errorf("%v: %v, want a usage error", bad, err)
			}
		}
		st := storetest.OpenConfig(t, store.Config{Driver: f.cfg.Store.Driver, DSN: f.cfg.Store.DSN})
		data, err := st.LoadPricing(testContext(t))
		if err != nil || len(data.Plans) != 1 || !data.Plans[0].RefundUndelivered || len(data.BuyRates) != 1 ||
			data.BuyRates[0].PriceMicros != 4200 || data.BuyRates[0].Carrier != "acme" {
			t.Fatalf("stored %+v, %v", data, err)
		}
	})
}
