package store

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// adminTree creates platform P, reseller R with customers C1 and C2, a
// customer G below C1 (an admin may nest), and an unrelated customer U.
// R, C1 and U have balances in EUR.
func adminTree(t *testing.T, s *Store) (p, r, c1, c2, g, u int64) {
	t.Helper()
	ctx := testCtx(t)
	mk := func(name string, kind AccountKind) int64 {
		a := &Account{Name: name, Kind: kind}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	p, r = mk("platform", KindPlatform), mk("reseller", KindReseller)
	c1, c2, g, u = mk("c1", KindCustomer), mk("c2", KindCustomer), mk("g", KindCustomer), mk("u", KindCustomer)
	for _, l := range [][2]int64{{c1, r}, {c2, r}, {g, c1}} {
		if err := s.SetAccountParent(ctx, l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{r, c1, u} {
		res := int64(0)
		if id == c1 {
			res = r
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: id, ResellerID: res, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
	}
	return
}

func ids(list []AccountSummary) []int64 {
	out := make([]int64, len(list))
	for i, a := range list {
		out[i] = a.ID
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestListAccountsScoped(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		p, r, c1, c2, g, u := adminTree(t, s)

		all, err := s.ListAccounts(ctx, 0, 0, 100)
		if err != nil || !sameIDs(ids(all), []int64{p, r, c1, c2, g, u}) {
			t.Fatalf("all accounts: %v, %v", ids(all), err)
		}
		tree, err := s.ListAccounts(ctx, r, 0, 100)
		if err != nil || !sameIDs(ids(tree), []int64{r, c1, c2, g}) {
			t.Fatalf("reseller's tree: %v, %v; want %v", ids(tree), err, []int64{r, c1, c2, g})
		}
		for _, a := range tree {
			if a.ID == u || a.ID == p {
				t.Fatalf("tree of %d holds unrelated account %d", r, a.ID)
			}
		}
		// Pages: two, then the rest.
		page1, err := s.ListAccounts(ctx, r, 0, 2)
		if err != nil || !sameIDs(ids(page1), []int64{r, c1}) {
			t.Fatalf("page 1: %v, %v", ids(page1), err)
		}
		page2, err := s.ListAccounts(ctx, r, page1[1].ID, 2)
		if err != nil || !sameIDs(ids(page2), []int64{c2, g}) {
			t.Fatalf("page 2: %v, %v", ids(page2), err)
		}
		leaf, err := s.ListAccounts(ctx, u, 0, 10)
		if err != nil || !sameIDs(ids(leaf), []int64{u}) {
			t.Fatalf("leaf: %v, %v", ids(leaf), err)
		}
		if _, err := s.ListAccounts(ctx, 0, 0, 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 0: %v, want ErrInvalid", err)
		}

		sum, err := s.GetAccountSummary(ctx, c1)
		if err != nil || sum.ParentID != r || sum.Kind != KindCustomer || sum.Billing == nil ||
			sum.Billing.Currency != "EUR" || sum.Billing.ResellerID != r {
			t.Fatalf("summary of c1: %+v %+v, %v", sum, sum.Billing, err)
		}
		sum, err = s.GetAccountSummary(ctx, c2)
		if err != nil || sum.Billing != nil || sum.ParentID != r {
			t.Fatalf("summary of c2 (no balance): %+v, %v", sum, err)
		}
		if sum, err := s.GetAccountSummary(ctx, r); err != nil || sum.ParentID != 0 || sum.Kind != KindReseller {
			t.Fatalf("summary of r: %+v, %v", sum, err)
		}
		if _, err := s.GetAccountSummary(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown summary: %v", err)
		}
	})
}

func TestUpdateAccount(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		a := &Account{Name: "before"}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		name, tps, url := "after", 25, "https://example.com/hook"
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Name: &name, TPSLimit: &tps, WebhookURL: &url}); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil || got.Name != name || got.TPSLimit != tps || got.WebhookURL != url {
			t.Fatalf("after update: %+v, %v", got, err)
		}
		// The same values again change no row; still not an error.
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Name: &name}); err != nil {
			t.Fatalf("same values: %v", err)
		}
		if err := s.UpdateAccount(ctx, 9999, AccountUpdate{Name: &name}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
		neg, empty := -1, " "
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{TPSLimit: &neg}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("negative tps: %v", err)
		}
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{Name: &empty}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("empty name: %v", err)
		}
		secret, none := "whsec_new", ""
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{WebhookSecret: &secret}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetAccount(ctx, a.ID); err != nil || got.WebhookSecret != secret || got.Name != name {
			t.Fatalf("after secret: %+v, %v", got, err)
		}
		if err := s.UpdateAccount(ctx, a.ID, AccountUpdate{WebhookSecret: &none}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("empty secret: %v", err)
		}
	})
}

// checkLedger fails unless account id's balance is the sum of its ledger
// and its held credit the sum of the ledger's hold column.
func checkLedger(t *testing.T, s *Store, id int64) *BillingAccount {
	t.Helper()
	ctx := testCtx(t)
	a, err := s.GetBillingAccount(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sum, hold, err := s.LedgerTotals(ctx, id)
	if err != nil || sum != a.Balance || hold != a.Held {
		t.Fatalf("account %d: balance %d held %d, ledger %d hold %d (%v)", id, a.Balance, a.Held, sum, hold, err)
	}
	return a
}

func TestTransferCredit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		_, r, c1, c2, _, u := adminTree(t, s)
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: r, Kind: LedgerTopUp, Amount: 1000, Reason: "wire"}); err != nil {
			t.Fatal(err)
		}
		tr, err := s.TransferCredit(ctx, r, c1, 300, "first")
		if err != nil {
			t.Fatal(err)
		}
		if tr.Out.Kind != LedgerTransferOut || tr.Out.Amount != -300 || tr.Out.AccountID != r || tr.Out.ID == 0 ||
			tr.In.Kind != LedgerTransferIn || tr.In.Amount != 300 || tr.In.AccountID != c1 || tr.In.ID == 0 ||
			tr.From.Balance != 700 || tr.To.Balance != 300 {
			t.Fatalf("transfer: %+v", tr)
		}
		if a := checkLedger(t, s, r); a.Balance != 700 {
			t.Fatalf("reseller balance %d", a.Balance)
		}
		if a := checkLedger(t, s, c1); a.Balance != 300 {
			t.Fatalf("customer balance %d", a.Balance)
		}
		// Leased credit is not transferable: with 600 leased only 100
		// of the 700 may move.
		if _, got, err := s.LeaseCredit(ctx, r, "node-a", 600); err != nil || got != 600 {
			t.Fatalf("lease: %d, %v", got, err)
		}
		if _, err := s.TransferCredit(ctx, r, c1, 101, "too much"); !errors.Is(err, ErrInsufficientCredit) {
			t.Fatalf("transfer over available: %v, want ErrInsufficientCredit", err)
		}
		if _, err := s.TransferCredit(ctx, r, c1, 100, "exactly available"); err != nil {
			t.Fatal(err)
		}
		// The other direction too (a refund to the reseller).
		if _, err := s.TransferCredit(ctx, c1, r, 50, "back"); err != nil {
			t.Fatal(err)
		}
		checkLedger(t, s, r)
		if a := checkLedger(t, s, c1); a.Balance != 350 {
			t.Fatalf("customer balance %d, want 350", a.Balance)
		}
		if _, err := s.TransferCredit(ctx, r, c2, 1, "no balance"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("to an account without balance: %v, want ErrNotFound", err)
		}
		usd := &Account{Name: "usd"}
		if err := s.CreateAccount(ctx, usd); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBillingAccount(ctx, &BillingAccount{AccountID: usd.ID, Currency: "USD"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TransferCredit(ctx, c1, usd.ID, 1, "fx"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("across currencies: %v, want ErrInvalid", err)
		}
		for _, bad := range [][3]int64{{r, r, 1}, {r, u, 0}, {r, u, -5}} {
			if _, err := s.TransferCredit(ctx, bad[0], bad[1], bad[2], ""); !errors.Is(err, ErrInvalid) {
				t.Fatalf("transfer %v: %v, want ErrInvalid", bad, err)
			}
		}
	})
}

// TestTransferCreditConcurrent: many concurrent transfers from one
// reseller to its customers (and some back) never overdraw it, and every
// balance stays the sum of its ledger.
func TestTransferCreditConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		_, r, c1, _, _, u := adminTree(t, s)
		// u becomes a second customer of r for this test's purpose: the
		// store does not care about the tree, only about balances.
		const fund, each, workers, per = 1000, 7, 8, 40
		if err := s.PostBalance(ctx, &LedgerEntry{AccountID: r, Kind: LedgerTopUp, Amount: fund, Reason: "wire"}); err != nil {
			t.Fatal(err)
		}
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := c1
				if w%2 == 1 {
					to = u
				}
				for i := range per {
					from, dst, amount := r, to, int64(each)
					if i%10 == 9 {
						// Now and then money comes back, locking the rows
						// in the other order.
						from, dst, amount = to, r, 1
					}
					var err error
					for try := 0; try < 50; try++ {
						if _, err = s.TransferCredit(ctx, from, dst, amount, "t"); !errors.Is(err, ErrUnavailable) {
							break
						}
						time.Sleep(time.Millisecond) // SQLite busy: try again
					}
					switch {
					case errors.Is(err, ErrInsufficientCredit):
						if from == r {
							refused.Add(1)
						}
					case err != nil:
						errs <- err
						return
					case from == r:
						ok.Add(amount)
					default:
						ok.Add(-amount)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		ra := checkLedger(t, s, r)
		ca := checkLedger(t, s, c1)
		ua := checkLedger(t, s, u)
		if ra.Balance < 0 {
			t.Fatalf("reseller overdrawn: %d", ra.Balance)
		}
		if ra.Balance+ca.Balance+ua.Balance != fund {
			t.Fatalf("money created or lost: %d + %d + %d != %d", ra.Balance, ca.Balance, ua.Balance, fund)
		}
		if got := fund - ok.Load(); got != ra.Balance {
			t.Fatalf("reseller balance %d, successful transfers say %d", ra.Balance, got)
		}
		if refused.Load() == 0 {
			t.Fatalf("no transfer was refused: the test did not exhaust the balance")
		}
	})
}

func TestPricePlanQueries(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		_, r, c1, _, _, _ := adminTree(t, s)
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		platform := &PricePlan{Name: "platform", Currency: "EUR", Default: true, ValidFrom: from,
			Prices: []PlanPrice{{Prefix: "44", PriceMicros: 30_000}}}
		retail := &PricePlan{OwnerAccountID: r, Name: "retail", Currency: "EUR", ValidFrom: from,
			ValidTo: from.AddDate(1, 0, 0), Prices: []PlanPrice{{Prefix: "447", PriceMicros: 45_000}, {Prefix: "44", PriceMicros: 40_000}}}
		for _, p := range []*PricePlan{platform, retail} {
			if err := s.CreatePricePlan(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.PricePlansByOwner(ctx, 0)
		if err != nil || len(got) != 1 || got[0].ID != platform.ID || !got[0].Default || len(got[0].Prices) != 1 {
			t.Fatalf("platform plans: %+v, %v", got, err)
		}
		got, err = s.PricePlansByOwner(ctx, r)
		if err != nil || len(got) != 1 || got[0].ID != retail.ID || len(got[0].Prices) != 2 ||
			got[0].Prices[0].Prefix != "44" || got[0].Prices[1].PriceMicros != 45_000 || !got[0].ValidTo.Equal(retail.ValidTo) {
			t.Fatalf("reseller plans: %+v, %v", got, err)
		}
		if got, err := s.PricePlansOfAccount(ctx, c1); err != nil || len(got) != 0 {
			t.Fatalf("c1 plans before: %+v, %v", got, err)
		}
		if err := s.AssignPricePlan(ctx, c1, platform.ID); err != nil {
			t.Fatal(err)
		}
		// SetAccountPlan replaces the assignment.
		if err := s.SetAccountPlan(ctx, c1, retail.ID); err != nil {
			t.Fatal(err)
		}
		got, err = s.PricePlansOfAccount(ctx, c1)
		if err != nil || len(got) != 1 || got[0].ID != retail.ID {
			t.Fatalf("c1 plans after: %+v, %v", got, err)
		}
		if err := s.SetAccountPlan(ctx, c1, 9999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown plan: %v", err)
		}
		if got, err := s.PricePlansOfAccount(ctx, c1); err != nil || len(got) != 1 {
			t.Fatalf("a failed set changed the plans: %+v, %v", got, err)
		}
		p, err := s.GetPricePlan(ctx, retail.ID)
		if err != nil || p.OwnerAccountID != r || p.Name != "retail" || len(p.Prices) != 2 {
			t.Fatalf("get plan: %+v, %v", p, err)
		}
		if _, err := s.GetPricePlan(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown plan: %v", err)
		}
		pr, err := s.LoadPricing(ctx)
		if err != nil || len(pr.Assignments) != 1 || pr.Assignments[0].PlanID != retail.ID {
			t.Fatalf("pricing sees %+v, %v", pr, err)
		}
	})
}
