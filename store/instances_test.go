package store

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

func TestNodeLeases(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		a, b, cfg := twoStores(t, driver)
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		a.now = func() time.Time { return now }
		b.now = func() time.Time { return now }

		na, err := a.LeaseNode(ctx, "host-a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := b.LeaseNode(ctx, "host-b", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if na != 0 || nb != 1 {
			t.Fatalf("nodes %d and %d, want 0 and 1", na, nb)
		}
		// b cannot renew or release a's lease.
		if err := b.RenewNode(ctx, na, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("b renewing a's node: %v", err)
		}
		if err := b.ReleaseNode(ctx, na); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("b releasing a's node: %v", err)
		}
		// a renews in time and keeps its node while b's lease runs out.
		now = now.Add(50 * time.Second)
		if err := a.RenewNode(ctx, na, time.Minute); err != nil {
			t.Fatal(err)
		}
		now = now.Add(20 * time.Second)
		c := openTestStore(t, cfg)
		c.now = a.now
		nc, err := c.LeaseNode(ctx, "host-c", time.Minute)
		if err != nil || nc != nb {
			t.Fatalf("after b expired, c got node %d, %v; want b's %d", nc, err, nb)
		}
		if err := b.RenewNode(ctx, nb, time.Minute); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("b renewing a node taken over: %v", err)
		}
		// Releasing frees the number for the next instance.
		if err := a.ReleaseNode(ctx, na); err != nil {
			t.Fatal(err)
		}
		if n, err := b.LeaseNode(ctx, "host-b", time.Minute); err != nil || n != na {
			t.Fatalf("after release, b got %d, %v; want %d", n, err, na)
		}
		if _, err := a.LeaseNode(ctx, "x", 0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("zero ttl: %v", err)
		}
	})
}

func TestNodeLeasesConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		cfg := testConfig(t, driver)
		const instances, per = 4, 5
		stores := make([]*Store, instances)
		for i := range stores {
			stores[i] = openTestStore(t, cfg)
		}
		if _, err := stores[0].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		owner := map[int]int{}
		var wg sync.WaitGroup
		for i, s := range stores {
			for range per {
				wg.Go(func() {
					n, err := s.LeaseNode(ctx, "host", time.Hour)
					if err != nil {
						t.Errorf("instance %d: %v", i, err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if prev, taken := owner[n]; taken {
						t.Errorf("node %d leased by instances %d and %d", n, prev, i)
					}
					owner[n] = i
				})
			}
		}
		wg.Wait()
		if len(owner) != instances*per {
			t.Fatalf("%d distinct nodes, want %d", len(owner), instances*per)
		}
		for n := range owner {
			if n < 0 || n >= instances*per {
				t.Fatalf("node %d: leases should take the lowest free numbers", n)
			}
		}
	})
}

func TestNoFreeNode(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	ctx := testCtx(t)
	for n := 0; n <= sms.MaxNode; n++ {
		if _, err := s.w.ExecContext(ctx, "INSERT INTO instances (node, name, holder, leased_at, expires_at) VALUES (?, 'x', 'other', 0, ?)",
			n, s.timeArg(time.Now().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.LeaseNode(ctx, "late", time.Minute); !errors.Is(err, ErrNoFreeNode) {
		t.Fatalf("LeaseNode with every node taken: %v", err)
	}
}

func TestMaxMessageID(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if id, err := s.MaxMessageID(ctx); err != nil || id != 0 {
			t.Fatalf("empty store: %v, %v", id, err)
		}
		g, err := sms.NewIDGenerator(3, 0)
		if err != nil {
			t.Fatal(err)
		}
		a, b := g.Next(), g.Next()
		if err := s.Insert(ctx, testMessage(1, a), &sms.MO{ID: b, Carrier: "c"}); err != nil {
			t.Fatal(err)
		}
		if id, err := s.MaxMessageID(ctx); err != nil || id != b {
			t.Fatalf("MaxMessageID = %v, %v; want the MO's %v", id, err, b)
		}
		if err := s.Insert(ctx, testMessage(1, b+10)); err != nil {
			t.Fatal(err)
		}
		if id, err := s.MaxMessageID(ctx); err != nil || id != b+10 {
			t.Fatalf("MaxMessageID = %v, %v; want %v", id, err, b+10)
		}
	})
}

// TestLiveInstances counts live node leases, not expired ones nor those
// held to recover a dead node.
func TestLiveInstances(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		a, b, _ := twoStores(t, driver)
		now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a.now, b.now = clock, clock
		count := func() int {
			t.Helper()
			n, err := a.LiveInstances(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 0 {
			t.Fatalf("%d live instances in a new store, want 0", n)
		}
		na, err := a.LeaseNode(ctx, "host-a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := b.LeaseNode(ctx, "host-b", 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Fatalf("%d live instances, want 2", n)
		}
		now = now.Add(90 * time.Second) // a's lease expired
		if n := count(); n != 1 {
			t.Fatalf("%d live instances after a's lease expired, want 1", n)
		}
		// b recovers a's node: still one instance.
		if ok, err := b.ClaimExpiredNode(ctx, na, "host-b", time.Minute); err != nil || !ok {
			t.Fatalf("claim: %v, %v", ok, err)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d live instances while b recovers a's node, want 1", n)
		}
		if err := b.ReleaseNode(ctx, nb); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d live instances after b released its node, want 0", n)
		}
	})
}
