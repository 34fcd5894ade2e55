package throttle

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
)

// spend runs one goroutine per budget taking tokens as fast as Wait gives
// them, for d, and returns the tokens each took in each whole second
// since the start: counts[i][sec].
func spend(t *testing.T, budgets []*Shared, d time.Duration) [][]int {
	t.Helper()
	secs := int(d / time.Second)
	counts := make([][]int, len(budgets))
	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(d))
	defer cancel()
	var wg sync.WaitGroup
	for i, b := range budgets {
		counts[i] = make([]int, secs)
		wg.Go(func() {
			for b.Wait(ctx) == nil {
				if sec := int(time.Since(start) / time.Second); sec < secs {
					counts[i][sec]++
				}
			}
		})
	}
	wg.Wait()
	return counts
}

// newShared returns a budget closed when the test ends.
func newShared(t *testing.T, r *Redis, cfg SharedConfig) *Shared {
	t.Helper()
	s, err := NewShared(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestSharedBudgetAcrossInstances: three budgets on one Redis key, each
// spent as fast as it gives tokens (three busy instances), take at most
// the rate plus the documented lease overshoot in every second, close to
// the rate in total, and a third each.
func TestSharedBudgetAcrossInstances(t *testing.T) {
	const (
		rate  = 600.0
		n     = 3
		for_  = 4 * time.Second
		slack = 0.10 // of the rate: the total and each share, over the run
	)
	_, prefix := newTestRedis(t)
	budgets := make([]*Shared, n)
	for i := range budgets {
		c := newRedisClient(t, testRedisAddr()) // an instance's own client
		budgets[i] = newShared(t, NewRedis(c, prefix), SharedConfig{Key: "carrier:c1", Rate: rate})
	}
	k := budgets[0].LeaseSize()
	if k != 12 { // ceil(600 × 20 ms)
		t.Fatalf("lease size %d, want 12", k)
	}
	counts := spend(t, budgets, for_)
	// The documented bound: Rate + (1.5N+1)k in any second.
	bound := int(rate + (1.5*n+1)*float64(k))
	total := 0
	for sec := range int(for_ / time.Second) {
		inSec := 0
		for i := range budgets {
			inSec += counts[i][sec]
		}
		total += inSec
		if inSec > bound {
			t.Errorf("second %d: %d tokens taken in total, over the bound %d (rate %v, lease %d)", sec, inSec, bound, rate, k)
		}
	}
	want := rate * for_.Seconds()
	if float64(total) < want*(1-slack) || float64(total) > want*(1+slack) {
		t.Errorf("%d tokens over %v, want %v ± %v%%", total, for_, want, slack*100)
	}
	for i := range budgets {
		got := 0
		for _, c := range counts[i] {
			got += c
		}
		if share := want / n; float64(got) < share*(1-2*slack) || float64(got) > share*(1+2*slack) {
			t.Errorf("instance %d took %d, want a third (%v) ± %v%%", i, got, share, 2*slack*100)
		}
		if st := budgets[i].Stats(); st.Local || st.Fallbacks != 0 || st.Leases == 0 {
			t.Errorf("instance %d: %+v, want leases through redis only", i, st)
		}
	}
	t.Logf("per second per instance: %v (bound %d)", counts, bound)
}

// refusingAddr returns a loopback address that refuses connections.
func refusingAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestSharedBudgetFallbackShare: with a Redis that refuses connections,
// each of N budgets falls back at once and takes Rate/N.
func TestSharedBudgetFallbackShare(t *testing.T) {
	const (
		rate = 600.0
		n    = 3
		for_ = 3 * time.Second
	)
	addr := refusingAddr(t)
	budgets := make([]*Shared, n)
	for i := range budgets {
		budgets[i] = newShared(t, NewRedis(newRedisClient(t, addr), "x:"),
			SharedConfig{Key: "carrier:c1", Rate: rate, Instances: func() int { return n }})
	}
	counts := spend(t, budgets, for_)
	share := rate / n
	for i, b := range budgets {
		got := 0
		for sec, c := range counts[i] {
			got += c
			// Each second: the share, plus one lease of slack for the
			// lease that straddles the boundary.
			if c > int(share)+b.LeaseSize() {
				t.Errorf("instance %d, second %d: %d tokens, want at most %v + one lease (%d)", i, sec, c, share, b.LeaseSize())
			}
		}
		if want := share * for_.Seconds(); float64(got) < want*0.9 || float64(got) > want*1.1 {
			t.Errorf("instance %d took %d over %v, want its share %v ± 10%%", i, got, for_, want)
		}
		st := b.Stats()
		if !st.Local || st.Fallbacks != 1 || st.RedisErrors < 1 || st.Leases != 0 {
			t.Errorf("instance %d: %+v, want one fallback to the local share", i, st)
		}
	}
	t.Logf("per second per instance: %v", counts)
}

// TestSharedBudgetReturnsToRedis: a budget whose Redis goes down falls
// back within the round trip's timeout, keeps giving tokens at its share,
// and books through Redis again once Redis answers.
func TestSharedBudgetReturnsToRedis(t *testing.T) {
	_, prefix := newTestRedis(t)
	p := startProxy(t, testRedisAddr())
	b := newShared(t, NewRedis(newRedisClient(t, p.Addr()), prefix), SharedConfig{
		Key: "carrier:c1", Rate: 1000, Instances: func() int { return 2 },
		ProbeInterval: 200 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
	defer cancel()
	spendUntil := func(what string, cond func(SharedStats) bool) {
		t.Helper()
		testutil.Eventually(t, what, func() (bool, string) {
			if err := b.Wait(ctx); err != nil {
				return false, err.Error()
			}
			st := b.Stats()
			return cond(st), fmt.Sprintf("%+v", st)
		})
	}
	spendUntil("leases through redis", func(st SharedStats) bool { return st.Leases > 0 && !st.Local })
	p.setMode(proxyBlackhole)
	hung := time.Now()
	spendUntil("the local share", func(st SharedStats) bool { return st.Local && st.Fallbacks == 1 })
	// One round trip's timeout (250 ms) and a lease's worth of tokens
	// already in the pool: well under a second.
	if d := time.Since(hung); d > time.Second {
		t.Errorf("fell back after %v, want within the 250 ms timeout plus a lease", d)
	}
	p.setMode(proxyUp)
	leases := b.Stats().Leases
	spendUntil("redis again", func(st SharedStats) bool { return !st.Local && st.Leases > leases })
	if st := b.Stats(); st.Fallbacks != 1 {
		t.Errorf("%+v: want exactly one fallback", st)
	}
}

// TestSharedBudgetIdleBooksNothing: a budget nobody spends books no lease,
// and one spent once books one.
func TestSharedBudgetIdleBooksNothing(t *testing.T) {
	_, prefix := newTestRedis(t)
	c := newRedisClient(t, testRedisAddr())
	b := newShared(t, NewRedis(c, prefix), SharedConfig{Key: "carrier:idle", Rate: 100})
	ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
	defer cancel()
	if st := b.Stats(); st.Leases != 0 {
		t.Fatalf("%+v before any Wait, want no lease", st)
	}
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// k = 2 at 100/s: the Wait spent one of two, leaving one (≤ k/2): a
	// second lease may be booked, never a third.
	testutil.Eventually(t, "the booker idle", func() (bool, string) {
		st := b.Stats()
		return st.Tokens >= 1 && len(b.demand) == 0, fmt.Sprintf("%+v", st)
	})
	if st := b.Stats(); st.Leases < 1 || st.Leases > 2 {
		t.Errorf("%+v after one Wait, want one or two leases", st)
	}
}

// TestSharedBudgetClose: Close ends a Wait in progress with ErrClosed.
func TestSharedBudgetClose(t *testing.T) {
	b, err := NewShared(nil, SharedConfig{Key: "k", Rate: 1.0 / 3600, Lease: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
	defer cancel()
	if err := b.Wait(ctx); err != nil { // the first lease is due now
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- b.Wait(ctx) }() // the next is an hour away
	b.Close()
	if err := <-errc; err != ErrClosed {
		t.Errorf("Wait after Close: %v, want ErrClosed", err)
	}
	b.Close() // idempotent
}

// TestSharedConfigInvalid: bad rates and durations are refused.
func TestSharedConfigInvalid(t *testing.T) {
	for _, cfg := range []SharedConfig{{Rate: 0}, {Rate: -1}, {Rate: 10, Lease: -1}, {Rate: 10, Timeout: -1}} {
		if s, err := NewShared(nil, cfg); err == nil {
			s.Close()
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// TestSharedBudgetSetRate: a budget's rate changed while it runs (a
// carrier's TPS changed through the API) paces the next leases: 200
// tokens, 20 s at the first rate, come well within 5 s at the new one;
// a bad rate is refused and changes nothing.
func TestSharedBudgetSetRate(t *testing.T) {
	b, err := NewShared(nil, SharedConfig{Key: "k", Rate: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.SetRate(0); err == nil || b.Rate() != 10 {
		t.Fatalf("SetRate(0) = %v, rate %v", err, b.Rate())
	}
	if err := b.SetRate(2000); err != nil || b.Rate() != 2000 || b.LeaseSize() != 40 {
		t.Fatalf("SetRate(2000) = %v, rate %v, lease %d (want 40: 20 ms of 2,000/s)", err, b.Rate(), b.LeaseSize())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 200 {
		if err := b.Wait(ctx); err != nil {
			t.Fatalf("token %d: %v: the new rate is not in force", i, err)
		}
	}
}
