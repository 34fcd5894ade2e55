package billing

import (
	"context"
	"strconv"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// benchPricer is a pricer with a platform plan of a few hundred prefixes.
func benchPricer(tb testing.TB) *Pricer {
	tb.Helper()
	plan := store.PricePlan{ID: 1, Currency: "EUR", Default: true, ValidFrom: jan}
	for cc := 1; cc < 1000; cc += 3 {
		plan.Prices = append(plan.Prices, pp(strconv.Itoa(cc), int64(1000+cc)))
	}
	plan.Prices = append(plan.Prices, pp("4479", 40_000), pp("447", 35_000))
	p := NewPricer(nil)
	if err := p.Load(&store.Pricing{Plans: []store.PricePlan{plan}}); err != nil {
		tb.Fatal(err)
	}
	return p
}

func BenchmarkPrice(b *testing.B) {
	p := benchPricer(b)
	at := feb1()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Price(7, "+447900900123", 2, at); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBalances returns Balances on SQLite with an account holding enough
// credit, leased in one chunk, for the whole benchmark.
func benchBalances(b *testing.B) *Balances {
	st := storetest.Open(b, storetest.SQLite)
	openAccount(b, st, 1, 1_000_000*MicrosPerUnit, 0)
	return newBalances(b, st, Config{Chunk: 1_000_000 * MicrosPerUnit})
}

// BenchmarkReserve measures Reserve followed by Refund (which keeps the
// lease from running dry) on one goroutine.
func BenchmarkReserve(b *testing.B) {
	bal := benchBalances(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := bal.Reserve(ctx, 1, 45_000)
		if err != nil {
			b.Fatal(err)
		}
		if err := bal.Refund(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReserveParallel is BenchmarkReserve from GOMAXPROCS goroutines
// on one account, the worst case for its lock.
func BenchmarkReserveParallel(b *testing.B) {
	bal := benchBalances(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := bal.Reserve(ctx, 1, 45_000)
			if err != nil {
				b.Error(err)
				return
			}
			if err := bal.Refund(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
