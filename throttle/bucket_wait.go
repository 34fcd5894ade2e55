package throttle

import (
	"context"
	"fmt"
	"time"
)

// Wait takes one token, sleeping until it is available; see
// [TokenBucket.WaitN].
func (b *TokenBucket) Wait(ctx context.Context) error {
	return b.WaitN(ctx, 1)
}

// WaitN takes n tokens, sleeping until they are available or ctx is done.
// Callers are served in the order they call: WaitN reserves its tokens at
// once (the TAT moves past the burst) and then sleeps for the time they take
// to refill, so later callers queue behind it. If ctx is done first, the
// reservation is returned to the bucket and ctx.Err() is returned. If ctx
// has a deadline before the tokens could be available, WaitN returns at
// once, without taking anything, an error matching both [ErrDeadline] and
// context.DeadlineExceeded. It returns [ErrExceedsBurst] if n is above the
// burst and [ErrInvalidCount] if n is negative.
//
// The sleep uses a real timer for a duration measured on the bucket's
// clock; with an injected clock that is not real time, waiting ends after
// the computed duration whatever the clock says.
func (b *TokenBucket) WaitN(ctx context.Context, n int) error {
	if n < 0 {
		return fmt.Errorf("%w: %d", ErrInvalidCount, n)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	now := b.now()
	var delay int64
	for {
		g, tat := b.load()
		if err := g.checkCount(n); err != nil {
			return err
		}
		next := max(tat, now) + int64(n)*g.interval
		delay = next - now - g.tau
		if delay > 0 {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < time.Duration(delay) {
				return fmt.Errorf("%w: need %v: %w", ErrDeadline, time.Duration(delay), context.DeadlineExceeded)
			}
		}
		if g.tat.CompareAndSwap(tat, next) {
			break
		}
	}
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(delay))
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		t.Stop()
		b.refund(n)
		return ctx.Err()
	}
}

// refund gives back n reserved tokens that a cancelled WaitN did not use,
// at the current limit (a limit change converted the reservation with the
// rest of the debt). It never fills the bucket beyond its burst.
func (b *TokenBucket) refund(n int) {
	now := b.now()
	for {
		g, tat := b.load()
		back := max(tat-int64(n)*g.interval, now)
		if back >= tat || g.tat.CompareAndSwap(tat, back) {
			return
		}
	}
}

// Delay returns how long until n tokens are available, zero if they are
// available now, assuming nobody else takes tokens meanwhile. It takes
// nothing. It returns [ErrExceedsBurst] or [ErrInvalidCount] for an n that
// can never be satisfied.
func (b *TokenBucket) Delay(n int) (time.Duration, error) {
	now := b.now()
	g, tat := b.load()
	if err := g.checkCount(n); err != nil {
		return 0, err
	}
	next := max(tat, now) + int64(n)*g.interval
	return time.Duration(max(next-now-g.tau, 0)), nil
}
