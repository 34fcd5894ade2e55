package throttle

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBucketConcurrentSteps advances the clock one emission interval at a
// time and lets many goroutines race for the tokens of each step: the total
// taken must be exactly burst + rate×t, never one more and none lost.
func TestBucketConcurrentSteps(t *testing.T) {
	const (
		rate    = 1000 // one token per millisecond
		burst   = 10
		steps   = 200
		workers = 8
		tries   = 3 // per worker per step: more than the tokens on offer
	)
	b, clk := newTestBucket(t, rate, burst)
	var taken atomic.Int64
	race := func() {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range tries {
					if b.Allow() {
						taken.Add(1)
					}
				}
			})
		}
		wg.Wait()
	}
	race() // the burst at t = 0
	if got := taken.Load(); got != burst {
		t.Fatalf("t=0: %d tokens taken, want the burst %d", got, burst)
	}
	for step := 1; step <= steps; step++ {
		clk.Advance(time.Millisecond)
		race()
		if got, want := taken.Load(), int64(burst+step); got != want {
			t.Fatalf("t=%d ms: %d tokens taken, want exactly %d", step, got, want)
		}
	}
}

// TestBucketConcurrentFreeRunning lets workers take 1, 2 or 3 tokens at a
// time, without any barrier, while another goroutine moves the clock one
// emission interval whenever less than a token is left (so no refill is
// lost to the burst cap). What they take may never exceed burst + rate×t,
// and with the rest drained afterwards the total must be exactly that.
func TestBucketConcurrentFreeRunning(t *testing.T) {
	const (
		rate    = 10_000 // one token per 100 µs
		burst   = 50
		ticks   = 500 // of 100 µs: 50 ms, 500 tokens
		workers = 4
	)
	b, clk := newTestBucket(t, rate, burst)
	var taken atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		n := 1 + w%3
		wg.Go(func() {
			for !stop.Load() {
				if b.AllowN(n) {
					taken.Add(int64(n))
				} else {
					runtime.Gosched()
				}
			}
		})
	}
	for i := 1; i <= ticks; i++ {
		for b.Tokens() >= 1 {
			runtime.Gosched()
		}
		clk.Advance(100 * time.Microsecond)
		if got, limit := taken.Load(), int64(burst+i); got > limit {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("after %d ticks %d tokens taken, above the limit %d", i, got, limit)
		}
	}
	stop.Store(true)
	wg.Wait()
	limit := int64(burst + ticks)
	got := taken.Load()
	if got > limit {
		t.Fatalf("%d tokens taken, above the limit %d", got, limit)
	}
	drained := int64(allowRun(b, burst+1))
	if got+drained != limit {
		t.Fatalf("taken %d + drained %d = %d, want exactly %d", got, drained, got+drained, limit)
	}
}

// TestBucketConcurrentSetRate flips the rate while workers take tokens on a
// frozen clock: no token may appear or vanish across the changes, so
// exactly the burst is taken.
func TestBucketConcurrentSetRate(t *testing.T) {
	const (
		burst   = 50
		flips   = 500
		workers = 6
	)
	b, _ := newTestBucket(t, 1000, burst)
	var taken atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !stop.Load() {
				if b.Allow() {
					taken.Add(1)
				}
				runtime.Gosched()
			}
		})
	}
	for i := range flips {
		rate := 1000.0
		if i%2 == 0 {
			rate = 500
		}
		if err := b.SetRate(rate); err != nil {
			t.Error(err)
			break
		}
		if i%10 == 0 {
			runtime.Gosched()
		}
	}
	stop.Store(true)
	wg.Wait()
	got := taken.Load()
	drained := int64(allowRun(b, burst+1))
	if got+drained != burst {
		t.Fatalf("taken %d + drained %d = %d across %d rate changes, want exactly %d", got, drained, got+drained, flips, burst)
	}
}
