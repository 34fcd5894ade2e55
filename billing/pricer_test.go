package billing

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

var (
	jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	jul = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
)

// createPlans stores the plans the pricing tests use and returns their ids:
//
//	platform default (EUR): 44 -> 0.030, 447 -> 0.035, 4479 -> 0.040, 1 -> 0.010
//	platform default from July: 44 -> 0.032 (replaces the first for 44*)
//	account 100's plan: 44 -> 0.020 (wins over the defaults)
//	reseller 200's default (GBP): 44 -> 0.050, for its sub-account 201
//	account 102's plan ending in July: 44 -> 0.015
func createPlans(tb testing.TB, st *store.Store) map[string]int64 {
	tb.Helper()
	ctx := testCtx(tb)
	plans := []struct {
		key  string
		plan store.PricePlan
		to   int64
	}{
		{"default", store.PricePlan{Name: "default", Currency: "EUR", Default: true, ValidFrom: jan,
			Prices: []store.PlanPrice{pp("44", 30_000), pp("447", 35_000), pp("4479", 40_000), pp("1", 10_000)}}, 0},
		{"default-jul", store.PricePlan{Name: "default from july", Currency: "EUR", Default: true, ValidFrom: jul,
			Prices: []store.PlanPrice{pp("44", 32_000)}}, 0},
		{"acct", store.PricePlan{Name: "account 100", Currency: "EUR", ValidFrom: jan,
			Prices: []store.PlanPrice{pp("44", 20_000)}}, 100},
		{"reseller", store.PricePlan{Name: "reseller 200", OwnerAccountID: 200, Currency: "GBP", Default: true, ValidFrom: jan,
			Prices: []store.PlanPrice{pp("44", 50_000)}}, 0},
		{"short", store.PricePlan{Name: "until july", Currency: "EUR", ValidFrom: jan, ValidTo: jul,
			Prices: []store.PlanPrice{pp("44", 15_000)}}, 102},
	}
	ids := map[string]int64{}
	for _, p := range plans {
		if err := st.CreatePricePlan(ctx, &p.plan); err != nil {
			tb.Fatal(err)
		}
		ids[p.key] = p.plan.ID
		if p.to != 0 {
			if err := st.AssignPricePlan(ctx, p.to, p.plan.ID); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: 201, ResellerID: 200, Currency: "GBP"}); err != nil {
		tb.Fatal(err)
	}
	for _, r := range []store.BuyRate{
		{Carrier: "c1", Prefix: "44", PriceMicros: 18_000, Currency: "EUR", ValidFrom: jan},
		{Carrier: "c1", Prefix: "447", PriceMicros: 21_000, Currency: "EUR", ValidFrom: jan, ValidTo: jul},
		{Carrier: "c1", Prefix: "447", PriceMicros: 22_000, Currency: "EUR", ValidFrom: jul},
	} {
		if err := st.AddBuyRate(ctx, &r); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

func TestPricerPlans(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		st := storetest.Open(t, driver)
		ids := createPlans(t, st)
		p := NewPricer(st)
		if _, err := p.Price(1, "447700900123", 1, jan); !errors.Is(err, ErrNoPlan) {
			t.Fatalf("before loading: %v, want ErrNoPlan", err)
		}
		if err := p.Reload(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		feb, aug := jan.AddDate(0, 1, 0), jul.AddDate(0, 1, 0)
		cases := []struct {
			name     string
			account  int64
			dest     string
			at       time.Time
			per      Micros
			currency string
			plan     string
		}{
			{"longest prefix 4479", 1, "+447900900123", feb, 40_000, "EUR", "default"},
			{"prefix 447", 1, "447700900123", feb, 35_000, "EUR", "default"},
			{"prefix 44", 1, "442079460000", feb, 30_000, "EUR", "default"},
			{"prefix 1", 1, "12125550100", feb, 10_000, "EUR", "default"},
			{"newer default in force", 1, "442079460000", aug, 32_000, "EUR", "default-jul"},
			{"account plan wins", 100, "447700900123", feb, 20_000, "EUR", "acct"},
			{"reseller default for sub-account", 201, "447700900123", feb, 50_000, "GBP", "reseller"},
			{"account plan until july", 102, "447700900123", feb, 15_000, "EUR", "short"},
			{"account plan expired: default", 102, "447700900123", aug, 32_000, "EUR", "default-jul"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q, err := p.Price(c.account, c.dest, 3, c.at)
				want := Quote{PerSegment: c.per, Total: 3 * c.per, Currency: c.currency, PlanID: ids[c.plan]}
				if err != nil || q != want {
					t.Fatalf("Price = %+v, %v; want %+v", q, err, want)
				}
			})
		}
		if _, err := p.Price(1, "447700900123", 1, jan.AddDate(-1, 0, 0)); !errors.Is(err, ErrNoPlan) {
			t.Errorf("before every plan: %v, want ErrNoPlan", err)
		}
		if _, err := p.Price(1, "33612345678", 1, feb); !errors.Is(err, ErrNoPrice) {
			t.Errorf("unpriced destination: %v, want ErrNoPrice", err)
		}
		for _, dest := range []string{"", "+", "44-20", "4412345678901234", "abc"} {
			if _, err := p.Price(1, dest, 1, feb); !errors.Is(err, ErrBadDestination) {
				t.Errorf("destination %q: %v, want ErrBadDestination", dest, err)
			}
		}
		for _, n := range []int{0, -1, 256} {
			if _, err := p.Price(1, "447700900123", n, feb); !errors.Is(err, ErrBadSegments) {
				t.Errorf("%d segments: %v, want ErrBadSegments", n, err)
			}
		}
		for _, c := range []struct {
			dest string
			at   time.Time
			want Micros
		}{{"447700900123", feb, 21_000}, {"447700900123", aug, 22_000}, {"442079460000", aug, 18_000}} {
			got, err := p.BuyRate("c1", c.dest, c.at)
			if err != nil || got != (Money{Amount: c.want, Currency: "EUR"}) {
				t.Errorf("BuyRate(c1, %s, %v) = %v, %v; want %d", c.dest, c.at, got, err, c.want)
			}
		}
		if _, err := p.BuyRate("c2", "447700900123", feb); !errors.Is(err, ErrNoPrice) {
			t.Errorf("unknown carrier: %v, want ErrNoPrice", err)
		}
	})
}

// segmentsOf is the SMPP segment count of a text of n characters (GSM 7-bit
// septets or UCS-2 units): one segment up to single, else segments of multi
// (the 6-byte concatenation header takes the rest). Counting is pdutext's
// job; the gateway passes its count to Price.
func segmentsOf(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

func TestPricerExactCharges(t *testing.T) {
	p := NewPricer(nil)
	err := p.Load(&store.Pricing{Plans: []store.PricePlan{{ID: 1, Name: "d", Currency: "EUR", Default: true,
		ValidFrom: jan, Prices: []store.PlanPrice{pp("49", 45_123)}}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		chars    int
		single   int
		multi    int
		segments int
	}{
		{"GSM 7-bit single", 160, 160, 153, 1},
		{"GSM 7-bit long", 161, 160, 153, 2},
		{"GSM 7-bit three", 307, 160, 153, 3},
		{"UCS-2 single", 70, 70, 67, 1},
		{"UCS-2 long", 71, 70, 67, 2},
		{"UCS-2 three", 135, 70, 67, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := segmentsOf(c.chars, c.single, c.multi)
			if n != c.segments {
				t.Fatalf("%d characters make %d segments, want %d", c.chars, n, c.segments)
			}
			q, err := p.Price(5, "4915112345678", n, feb1())
			if err != nil || q.Total != Micros(45_123*c.segments) || q.PerSegment != 45_123 {
				t.Fatalf("quote %+v, %v; want %d", q, err, 45_123*c.segments)
			}
		})
	}
}

func feb1() time.Time { return jan.AddDate(0, 1, 0) }

func TestPricerLoadRejectsBadData(t *testing.T) {
	p := NewPricer(nil)
	good := &store.Pricing{Plans: []store.PricePlan{{ID: 1, Currency: "EUR", Default: true, ValidFrom: jan,
		Prices: []store.PlanPrice{pp("44", 1)}}}}
	if err := p.Load(good); err != nil {
		t.Fatal(err)
	}
	bad := []*store.Pricing{
		{Plans: []store.PricePlan{{ID: 2, Currency: "eu", ValidFrom: jan}}},
		{Plans: []store.PricePlan{{ID: 2, Currency: "EUR", ValidFrom: jan, Prices: []store.PlanPrice{pp("+44", 1)}}}},
		{Plans: []store.PricePlan{{ID: 2, Currency: "EUR", ValidFrom: jan, Prices: []store.PlanPrice{pp("44", -1)}}}},
		{Plans: []store.PricePlan{{ID: 2, Currency: "EUR", ValidFrom: jan, Prices: []store.PlanPrice{pp("44", int64(maxPrice)+1)}}}},
		{Assignments: []store.PlanAssignment{{AccountID: 1, PlanID: 9}}},
	}
	for i, d := range bad {
		if err := p.Load(d); err == nil {
			t.Errorf("bad data %d loaded", i)
		}
	}
	// The good index stays in place.
	if q, err := p.Price(1, "44", 1, jan); err != nil || q.PlanID != 1 {
		t.Fatalf("after bad loads: %+v, %v", q, err)
	}
}

// pp is a plan price.
func pp(prefix string, price int64) store.PlanPrice {
	return store.PlanPrice{Prefix: prefix, PriceMicros: price}
}

// TestPricerReloadWhilePricing prices from several goroutines while the
// index is swapped: every answer comes whole from one index or the other.
func TestPricerReloadWhilePricing(t *testing.T) {
	plan := func(price int64) *store.Pricing {
		return &store.Pricing{Plans: []store.PricePlan{{ID: price, Currency: "EUR", Default: true, ValidFrom: jan,
			Prices: []store.PlanPrice{pp("44", price)}}}}
	}
	p := NewPricer(nil)
	if err := p.Load(plan(1)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				q, err := p.Price(1, "447700900123", 2, feb1())
				if err != nil || (q.PlanID != 1 && q.PlanID != 2) || q.Total != Micros(2*q.PlanID) {
					t.Errorf("quote %+v, %v", q, err)
					return
				}
			}
		})
	}
	for i := range 200 {
		if err := p.Load(plan(int64(1 + i%2))); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
}
