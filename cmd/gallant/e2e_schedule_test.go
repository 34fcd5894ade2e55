package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EScheduledTwoInstances: two gateways share one MySQL database
// with a 1 s horizon and room for 20 held each. 300 messages scheduled 1
// to 4 s ahead, half through each, some due within the horizon (held by
// the instance that took them) and most beyond it (loaded by whichever
// instance claims them first); one instance stops half-way and hands its
// claims back. Every message reaches the carrier exactly once, none
// before its send time.
func TestE2EScheduledTwoInstances(t *testing.T) {
	t.Run(storetest.MySQL, func(t *testing.T) {
		var mu sync.Mutex
		arrived := map[string][]time.Time{}
		c := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			arrived[string(sm.ShortMessage)] = append(arrived[string(sm.ShortMessage)], time.Now())
			mu.Unlock()
			return pdu.StatusOK
		})
		cfg := testConfig(t, storetest.MySQL, c.Addr())
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		cfg.Messages.ScheduleHorizon, cfg.Messages.ScheduleMemory = time.Second, 20
		a1 := startApp(t, cfg)
		a2 := startApp(t, cfg)
		cust := a1.customer(t, "Shared", "")

		const n = 300
		start := time.Now()
		due := map[string]time.Time{}
		var items [2][]map[string]any
		for i := range n {
			text := fmt.Sprintf("two instances %03d", i)
			at := start.Add(time.Second + time.Duration(i%30)*100*time.Millisecond).UTC()
			due[text] = at
			items[i%2] = append(items[i%2], map[string]any{"to": fmt.Sprintf("+4477009%05d", i), "text": text,
				"send_at": at.Format(time.RFC3339Nano)})
		}
		for i, app := range []*testApp{a1, a2} {
			body, err := json.Marshal(map[string]any{"messages": items[i]})
			if err != nil {
				t.Fatal(err)
			}
			r := app.do(t, http.MethodPost, "/v1/messages/batch", cust.APIKey, string(body))
			var ans struct{ Accepted int }
			r.json(t, &ans)
			if r.status != http.StatusAccepted || ans.Accepted != n/2 {
				t.Fatalf("batch on instance %d: %d, %d accepted: %s", i+1, r.status, ans.Accepted, r.body)
			}
		}
		// Half-way through the send times, the first instance stops.
		eventually(t, "half of the messages at the carrier", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(arrived) >= n/2, fmt.Sprint(len(arrived))
		})
		a1.stop()
		eventually(t, "every message at the carrier", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return len(arrived) == n, fmt.Sprint(len(arrived))
		})
		a2.stop()
		mu.Lock()
		defer mu.Unlock()
		for text, at := range arrived {
			if len(at) != 1 {
				t.Errorf("%q reached the carrier %d times", text, len(at))
			}
			if at[0].Before(due[text]) {
				t.Errorf("%q reached the carrier %v before its send time", text, due[text].Sub(at[0]))
			}
		}
		if len(c.Submits()) != n {
			t.Errorf("carrier got %d submit_sm for %d messages", len(c.Submits()), n)
		}
	})
}

// TestE2EScheduledLimitHTTP: an account may have
// messages.max_scheduled_per_account waiting; one more scheduled message
// is refused 422 scheduled-limit naming send_at, while a message to send
// now is still accepted.
func TestE2EScheduledLimitHTTP(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Messages.MaxScheduledPerAccount = 3
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		for i := range 3 {
			if s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": fmt.Sprint("later ", i),
				"send_at": later}); s.Status != "scheduled" {
				t.Fatalf("scheduled message %d: %+v", i, s)
			}
		}
		r := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey,
			`{"to":"+447700900123","text":"one too many","send_at":"`+later+`"}`)
		var p struct{ Field string }
		r.json(t, &p)
		if r.status != http.StatusUnprocessableEntity || r.problemType(t) != "scheduled-limit" || p.Field != "send_at" {
			t.Fatalf("scheduled message over the limit: %d %s", r.status, r.body)
		}
		if s := a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": "now"}); s.Status != "accepted" {
			t.Fatalf("message to send now: %+v", s)
		}
	})
}

// TestE2EScheduledUnpaidFails: a message that waits in the store gives
// its reserved credit back until it is due (so a far-future campaign does
// not freeze the balance), and is paid for when due: here the balance
// covers two messages, two are scheduled beyond the horizon, and two sent
// now spend the balance meanwhile. When due, the scheduled ones fail
// insufficient-balance: never sent, never charged, the balance not below
// zero.
func TestE2EScheduledUnpaidFails(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		var mu sync.Mutex
		got := map[string]int{}
		c := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
			mu.Lock()
			got[string(sm.ShortMessage)]++
			mu.Unlock()
			return pdu.StatusOK
		})
		cfg := testConfig(t, driver, c.Addr())
		cfg.Billing.Enabled = true
		cfg.Messages.ScheduleHorizon = time.Second
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		const price = 50_000
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "flat", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: price}}}); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: cust.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: cust.AccountID, Kind: store.LedgerTopUp,
			Amount: 2 * price, Reason: "two messages"}); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
		var scheduled []sent
		for i := range 2 {
			scheduled = append(scheduled, a.send(t, cust.APIKey, map[string]any{"to": "+447700900123",
				"text": fmt.Sprint("scheduled ", i), "send_at": at}))
		}
		for i := range 2 {
			a.send(t, cust.APIKey, map[string]any{"to": "+447700900123", "text": fmt.Sprint("now ", i)})
		}
		for _, s := range scheduled {
			v := a.waitStatus(t, cust.APIKey, s.ID, "failed")
			if last := v.History[len(v.History)-1]; last.ErrorCode != "insufficient-balance" {
				t.Errorf("scheduled message failed with %+v, want insufficient-balance", last)
			}
		}
		eventually(t, "the two sent now at the carrier", func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			return got["now 0"] == 1 && got["now 1"] == 1, fmt.Sprint(got)
		})
		a.stop()
		mu.Lock()
		defer mu.Unlock()
		if got["scheduled 0"]+got["scheduled 1"] != 0 {
			t.Errorf("unpaid scheduled messages reached the carrier: %v", got)
		}
		acct, err := st.GetBillingAccount(context.Background(), cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.Balance != 0 || acct.Held != 0 {
			t.Errorf("balance %d held %d, want 0 and 0", acct.Balance, acct.Held)
		}
	})
}
