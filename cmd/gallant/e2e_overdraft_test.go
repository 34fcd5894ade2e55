package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ENoOverdraftTwoInstances: two gateways share one MySQL database
// and bill one account (several instances is a MySQL deployment: SQLite
// is the single-instance embedded store, and the billing package's own
// tests race two Balances on one SQLite file); 40 clients send 300 messages at once, split over
// both. The balance covers 100: exactly 100 are accepted, the rest are
// refused insufficient-balance, nothing is charged twice, and after both
// stop the balance is zero and equals the sum of the ledger.
func TestE2ENoOverdraftTwoInstances(t *testing.T) {
	t.Run(storetest.MySQL, func(t *testing.T) {
		driver := storetest.MySQL
		ctx := testContext(t)
		carrier := newCarrier(t, nil)
		cfg := testConfig(t, driver, carrier.Addr())
		cfg.Billing.Enabled = true
		cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		const price, covered = 50_000, 100
		if err := st.CreatePricePlan(ctx, &store.PricePlan{Name: "flat", Currency: "EUR", Default: true,
			ValidFrom: time.Now().Add(-time.Hour), Prices: []store.PlanPrice{{Prefix: "44", PriceMicros: price}}}); err != nil {
			t.Fatal(err)
		}
		a1 := startApp(t, cfg)
		a2 := startApp(t, cfg) // same store, its own node and listeners
		c := a1.customer(t, "Shared", "")
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: c.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: c.AccountID, Kind: store.LedgerTopUp,
			Amount: price * covered, Reason: "exactly 100 messages"}); err != nil {
			t.Fatal(err)
		}

		var accepted, refused atomic.Int64
		var wg sync.WaitGroup
		for w := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				app := a1
				if w%2 == 1 {
					app = a2
				}
				for i := range 300 / 40 {
					r := app.do(t, http.MethodPost, "/v1/messages", c.APIKey,
						fmt.Sprintf(`{"to":"+4477009%02d%03d","text":"race"}`, w, i))
					switch r.status {
					case http.StatusAccepted:
						accepted.Add(1)
					case http.StatusPaymentRequired:
						refused.Add(1)
					default:
						t.Errorf("POST: %d %s", r.status, r.body)
					}
				}
			}()
		}
		wg.Wait()
		if accepted.Load() > covered {
			t.Fatalf("accepted %d messages, the balance covers %d: overdraft", accepted.Load(), covered)
		}
		if accepted.Load()+refused.Load() != 300/40*40 {
			t.Fatalf("accepted %d + refused %d", accepted.Load(), refused.Load())
		}
		eventually(t, "every accepted message at the carrier", func() (bool, string) {
			n := len(carrier.Submits())
			return int64(n) == accepted.Load(), fmt.Sprintf("%d of %d", n, accepted.Load())
		})
		a1.stop()
		a2.stop()
		acct, err := st.GetBillingAccount(context.Background(), c.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		wantBalance := int64(price*covered) - accepted.Load()*price
		if acct.Balance != wantBalance || acct.Balance < 0 || acct.Held != 0 {
			t.Fatalf("balance %d held %d; want %d and 0 (%d accepted)", acct.Balance, acct.Held, wantBalance, accepted.Load())
		}
		sum, _, err := st.LedgerTotals(context.Background(), c.AccountID)
		if err != nil || sum != acct.Balance {
			t.Fatalf("ledger sums to %d, balance %d: %v", sum, acct.Balance, err)
		}
		t.Logf("%s: %d accepted, %d refused, balance %d", driver, accepted.Load(), refused.Load(), acct.Balance)
	})
}
