//go:build !race

package gateway

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/throttle"
)

// TestSharedLimiterWaitDoesNotAllocate: a bind's Wait behind its
// carrier's shared budget allocates nothing while the budget's pool has
// tokens (per message; a lease allocates once per round trip).
func TestSharedLimiterWaitDoesNotAllocate(t *testing.T) {
	b, err := throttle.NewShared(nil, throttle.SharedConfig{Key: "carrier:c1", Rate: 1e9}) // leases of 2e7
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l := sharedLimiter{newBindLimiter(1e9).(bucketLimiter), b}
	ctx := context.Background()
	if err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if got := testing.AllocsPerRun(1000, func() { _ = l.Wait(ctx) }); got != 0 {
		t.Errorf("sharedLimiter.Wait: %v allocations per call, want 0", got)
	}
}
