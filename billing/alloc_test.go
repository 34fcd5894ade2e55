//go:build !race

package billing

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/store/storetest"
)

func TestPriceDoesNotAllocate(t *testing.T) {
	p := benchPricer(t)
	at := feb1()
	n := testing.AllocsPerRun(1000, func() {
		if q, err := p.Price(7, "+447900900123", 2, at); err != nil || q.Total != 80_000 {
			t.Fatalf("quote %+v, %v", q, err)
		}
	})
	if n != 0 {
		t.Fatalf("Price allocates %v times per call, want 0", n)
	}
}

func TestReserveDoesNotAllocate(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	openAccount(t, st, 1, 1000*MicrosPerUnit, 0)
	b := newBalances(t, st, Config{Chunk: 1000 * MicrosPerUnit})
	ctx := context.Background()
	if _, err := b.Reserve(ctx, 1, 1); err != nil { // the first lease
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(1000, func() {
		r, err := b.Reserve(ctx, 1, 45_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Refund(r); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Fatalf("Reserve and Refund allocate %v times per call, want 0", n)
	}
}
