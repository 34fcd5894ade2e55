package router

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestGCRALimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGCRA(10)
		ctx := context.Background()
		start := time.Now()
		for range 21 {
			if err := g.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// 21 segments at 10/s: the first at once, the last 2 s later,
		// less the 10 ms of burst tolerance.
		if took := time.Since(start); took < 2*time.Second-gcraBurst || took > 2*time.Second {
			t.Fatalf("21 waits at 10/s took %v, want about 2s", took)
		}
		g.SetRate(1000)
		if g.Rate() != 1000 {
			t.Fatalf("Rate() = %v", g.Rate())
		}
		time.Sleep(time.Second) // idle time does not build a burst beyond the tolerance
		start = time.Now()
		for range 1011 {
			if err := g.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if took := time.Since(start); took < time.Second-gcraBurst || took > time.Second {
			t.Fatalf("1011 waits at 1000/s took %v, want about 1s", took)
		}
		g.SetRate(0)
		if g.Rate() <= 0 {
			t.Fatalf("rate %v after SetRate(0), want the floor", g.Rate())
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = g.Wait(cctx) // takes the slot
		if err := g.Wait(cctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait past the deadline = %v", err)
		}
	})
}

func TestBuiltInLimiterPacesBinds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b0, b1 := newFakeSender("b0", 0, 0), newFakeSender("b1", 0, 0)
		rec := newRecorder(t, 1000)
		r := startRouter(t, Config{
			Carriers: []Carrier{carrierCfg("A", 100, 0, b0, b1)},
			Routes:   []Route{{Prefix: "", Carriers: []Choice{{Carrier: "A"}}}},
		}, rec, nil)
		start := time.Now()
		for _, id := range ids(401) {
			if err := r.Dispatch(newJob(r, id, 0, "1", 1)); err != nil {
				t.Fatal(err)
			}
		}
		rec.waitDone(t, 401, time.Minute)
		if took := time.Since(start); took < 4*time.Second-2*gcraBurst || took > 4*time.Second+100*time.Millisecond {
			t.Fatalf("401 segments at 100 TPS over two binds took %v, want about 4s", took)
		}
		stopAll(r, b0, b1)
	})
}
