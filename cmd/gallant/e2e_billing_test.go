package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EBilling: with billing on, every message is priced by the plan
// (per segment) and paid from the prepaid balance: the answer carries the
// price, a message the balance cannot cover is refused (HTTP 402
// insufficient-balance, SMPP 0x45), a message no carrier takes is
// refunded, a destination without a price is refused, and after shutdown
// the balance equals the sum of the ledger.
func TestE2EBilling(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		// The carrier refuses one destination for good: that message
		// never reaches a carrier and must cost nothing.
		carrier := newCarrier(t, func(_ int, sm *pdu.SubmitSM) pdu.Status {
			if string(sm.Dest.Addr) == "447700900999" {
				return pdu.StatusInvDstAdr
			}
			return pdu.StatusOK
		})
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		sc := store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN}
		st := storetest.OpenConfig(t, sc)
		plan := &store.PricePlan{Name: "standard", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Hour),
			Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: 50_000}, {Prefix: "1", PriceMicros: 10_000}}}
		if err := st.CreatePricePlan(ctx, plan); err != nil {
			t.Fatal(err)
		}
		a := startApp(t, cfg)
		c := a.customer(t, "Payer", "")
		if err := a.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: c.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp,
			Amount: 250_000, Reason: "test top-up"}); err != nil {
			t.Fatal(err)
		}

		// 0.25 covers four UK messages at 0.05 and a two-part US one at
		// 2 × 0.01; the next UK message is refused.
		for i := range 4 {
			r := a.do(t, http.MethodPost, "/v1/messages", c.APIKey, fmt.Sprintf(`{"to":"+4477009001%02d","text":"paid"}`, i))
			var ans struct {
				Price int64 `json:"price"`
			}
			if r.status != http.StatusAccepted {
				t.Fatalf("message %d: %d %s", i, r.status, r.body)
			}
			if r.json(t, &ans); ans.Price != 50_000 {
				t.Fatalf("message %d priced %d, want 50000", i, ans.Price)
			}
		}
		long := a.do(t, http.MethodPost, "/v1/messages", c.APIKey,
			`{"to":"+12025550123","text":"`+longText(200)+`"}`)
		if long.status != http.StatusAccepted {
			t.Fatalf("long message: %d %s", long.status, long.body)
		}
		var la struct {
			Segments int   `json:"segments"`
			Price    int64 `json:"price"`
		}
		long.json(t, &la)
		if la.Segments != 2 || la.Price != 20_000 {
			t.Fatalf("two-part message answered segments %d price %d, want 2 and 20000", la.Segments, la.Price)
		}
		r := a.do(t, http.MethodPost, "/v1/messages", c.APIKey, `{"to":"+447700900200","text":"one too many"}`)
		if r.status != http.StatusPaymentRequired || r.problemType(t) != "insufficient-balance" {
			t.Fatalf("over balance: %d %s", r.status, r.body)
		}
		e := bindESME(t, a.smppAddr.String(), c, smpp.Transceiver)
		_, err := e.Submit(ctx, &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Payer")},
			Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900201")}, ShortMessage: []byte("smpp over balance")})
		if !errors.Is(err, pdu.StatusSubmitFail) {
			t.Fatalf("SMPP over balance: %v, want ESME_RSUBMITFAIL", err)
		}
		r = a.do(t, http.MethodPost, "/v1/messages", c.APIKey, `{"to":"+33612345678","text":"no price"}`)
		if r.status != http.StatusUnprocessableEntity || r.problemType(t) != "not-priced" {
			t.Fatalf("unpriced destination: %d %s", r.status, r.body)
		}

		// More money; a message the carrier refuses is refunded.
		if err := a.st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp,
			Amount: 100_000, Reason: "second top-up"}); err != nil {
			t.Fatal(err)
		}
		var refused sent
		eventually(t, "credit from the second top-up", func() (bool, string) {
			r := a.do(t, http.MethodPost, "/v1/messages", c.APIKey, `{"to":"+447700900999","text":"carrier says no"}`)
			if r.status == http.StatusAccepted {
				r.json(t, &refused)
				return true, ""
			}
			return false, fmt.Sprintf("%d %s", r.status, r.body)
		})
		a.waitStatus(t, c.APIKey, refused.ID, "failed")
		eventually(t, "every charged message at the carrier", func() (bool, string) {
			n := len(carrier.Submits())
			return n >= 7, fmt.Sprint(n) // 4 UK + 2 US parts + the refused one
		})

		// The read endpoints.
		var price struct {
			PerSegment int64  `json:"per_segment"`
			Currency   string `json:"currency"`
		}
		pr := a.do(t, http.MethodGet, "/v1/pricing?to=%2B447700900123", c.APIKey, "")
		if pr.json(t, &price); pr.status != http.StatusOK || price.PerSegment != 50_000 || price.Currency != "EUR" {
			t.Fatalf("pricing: %d %s", pr.status, pr.body)
		}
		if r := a.do(t, http.MethodGet, "/v1/pricing?to=%2B33612345678", c.APIKey, ""); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("unpriced pricing: %d %s", r.status, r.body)
		}
		var bal struct {
			Currency string `json:"currency"`
			Balance  int64  `json:"balance"`
		}
		if br := a.do(t, http.MethodGet, "/v1/balance", c.APIKey, ""); br.status != http.StatusOK {
			t.Fatalf("balance: %d %s", br.status, br.body)
		} else if br.json(t, &bal); bal.Currency != "EUR" {
			t.Fatalf("balance: %s", br.body)
		}
		var ledger struct {
			Items []struct {
				Kind   string `json:"kind"`
				Amount int64  `json:"amount"`
			} `json:"items"`
		}
		a.do(t, http.MethodGet, "/v1/ledger?limit=500", c.APIKey, "").json(t, &ledger)
		topups := 0
		for _, it := range ledger.Items {
			if it.Kind == "topup" {
				topups++
			}
		}
		if topups != 2 {
			t.Fatalf("ledger has %d top-ups, want 2: %+v", topups, ledger.Items)
		}

		a.stop() // settles the leases
		acct, err := st.GetBillingAccount(context.Background(), c.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		const want = 250_000 + 100_000 - 4*50_000 - 2*10_000
		if acct.Balance != want || acct.Held != 0 {
			t.Fatalf("balance %d held %d, want %d and 0", acct.Balance, acct.Held, want)
		}
		sum, hold, err := st.LedgerTotals(context.Background(), c.AccountID)
		if err != nil || sum != acct.Balance || hold != 0 {
			t.Fatalf("ledger sums to %d (hold %d), balance %d: %v", sum, hold, acct.Balance, err)
		}
	})
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return string(b)
}
