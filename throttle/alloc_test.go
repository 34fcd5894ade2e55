//go:build !race

package throttle

import (
	"context"
	"testing"
)

// TestHotPathsDoNotAllocate pins the zero-allocation contract of the calls
// made per message or per request.
func TestHotPathsDoNotAllocate(t *testing.T) {
	b, err := NewTokenBucket(1e9, 1<<20, nil) // never runs dry within the test
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKeyed(KeyedConfig{Rate: 1e9, Burst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	k.Allow("acct-42") // the key exists: only a new key allocates
	ctx := context.Background()
	shared, err := NewShared(nil, SharedConfig{Key: "k", Rate: 1e9}) // leases of 2e7 tokens
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	if err := shared.Wait(ctx); err != nil { // the first lease is in the pool
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    func()
	}{
		{"TokenBucket.Allow", func() { b.Allow() }},
		{"TokenBucket.AllowN", func() { b.AllowN(3) }},
		{"TokenBucket.Tokens", func() { _ = b.Tokens() }},
		{"TokenBucket.Wait without sleeping", func() { _ = b.Wait(ctx) }},
		{"Shared.Wait from the pool", func() { _ = shared.Wait(ctx) }},
		{"Keyed.Allow", func() { k.Allow("acct-42") }},
		{"Keyed.Take", func() { _, _ = k.Take("acct-42", 1e9, 1<<20, 1) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(1000, tt.f); got != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tt.name, got)
		}
	}
	denied, err := NewTokenBucket(1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	denied.Allow()
	if got := testing.AllocsPerRun(1000, func() { denied.Allow() }); got != 0 {
		t.Errorf("denied TokenBucket.Allow: %v allocations per call, want 0", got)
	}
}
