package throttle

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The Wait tests run in a synctest bubble: the bucket's default clock and
// Wait's timer follow the bubble's fake time, so durations are exact.

func TestWaitSleepsForTheNextToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := NewTokenBucket(10, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := b.Wait(t.Context()); err != nil || time.Since(start) != 0 {
			t.Fatalf("first Wait: %v after %v, want nil at once", err, time.Since(start))
		}
		if err := b.Wait(t.Context()); err != nil || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("second Wait: %v after %v, want nil after 100ms", err, time.Since(start))
		}
		if err := b.WaitN(t.Context(), 0); err != nil || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("WaitN(0): %v after %v, want nil at once", err, time.Since(start))
		}
	})
}

func TestWaitServesCallersInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := NewTokenBucket(10, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Allow()
		start := time.Now()
		var mu sync.Mutex
		var done []time.Duration
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if err := b.Wait(t.Context()); err != nil {
					t.Error(err)
				}
				mu.Lock()
				done = append(done, time.Since(start))
				mu.Unlock()
			})
			synctest.Wait() // this waiter has reserved before the next starts
		}
		wg.Wait()
		want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
		if !slices.Equal(done, want) {
			t.Fatalf("waiters finished after %v, want %v", done, want)
		}
	})
}

func TestWaitCancelReturnsTheReservation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := NewTokenBucket(1, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Allow()
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		err = b.Wait(ctx)
		if !errors.Is(err, context.Canceled) || time.Since(start) != 200*time.Millisecond {
			t.Fatalf("Wait = %v after %v, want context.Canceled after 200ms", err, time.Since(start))
		}
		// Without the refund the waiter's token would still be owed (-0.8).
		if got := b.Tokens(); got != 0.2 {
			t.Fatalf("Tokens after cancelled Wait = %v, want 0.2", got)
		}
	})
}

func TestWaitRefusesAHopelessDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := NewTokenBucket(10, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Allow()
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = b.Wait(ctx)
		if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want ErrDeadline and context.DeadlineExceeded", err)
		}
		if time.Since(start) != 0 {
			t.Fatalf("Wait with a hopeless deadline slept %v", time.Since(start))
		}
		if got := b.Tokens(); got != 0 {
			t.Fatalf("Wait with a hopeless deadline took tokens: %v left", got)
		}
		// A deadline the token fits in is fine.
		ctx2, cancel2 := context.WithTimeout(t.Context(), 150*time.Millisecond)
		defer cancel2()
		if err := b.Wait(ctx2); err != nil || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("Wait with room = %v after %v, want nil after 100ms", err, time.Since(start))
		}
	})
}

func TestWaitArguments(t *testing.T) {
	b, _ := newTestBucket(t, 10, 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a done context = %v, want context.Canceled", err)
	}
	if got := b.Tokens(); got != 2 {
		t.Fatalf("Wait on a done context took tokens: %v left", got)
	}
	if err := b.WaitN(t.Context(), 3); !errors.Is(err, ErrExceedsBurst) {
		t.Fatalf("WaitN above burst = %v, want ErrExceedsBurst", err)
	}
	if err := b.WaitN(t.Context(), -1); !errors.Is(err, ErrInvalidCount) {
		t.Fatalf("WaitN(-1) = %v, want ErrInvalidCount", err)
	}
	if err := b.WaitN(t.Context(), 2); err != nil || b.Tokens() != 0 {
		t.Fatalf("WaitN(2) on a full bucket = %v with %v left, want nil and 0", err, b.Tokens())
	}
}

func TestWaitHonoursPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := NewTokenBucket(100, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Pause(time.Second)
		start := time.Now()
		if err := b.Wait(t.Context()); err != nil || time.Since(start) != time.Second {
			t.Fatalf("Wait after Pause(1s) = %v after %v, want nil after 1s", err, time.Since(start))
		}
		if err := b.Wait(t.Context()); err != nil || time.Since(start) != time.Second+10*time.Millisecond {
			t.Fatalf("next Wait = %v after %v, want the rate's 10ms later", err, time.Since(start))
		}
	})
}
