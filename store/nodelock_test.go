//go:build unix

package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// die stands for the end of s's process: the kernel drops its lock file,
// and its leases stay as they were.
func die(t *testing.T, s *Store) {
	t.Helper()
	if err := s.nodeLock.close(); err != nil {
		t.Fatal(err)
	}
	s.nodeLock = nil
}

// TestLeaseNodeLockedResumesDeadProcess: a process that holds the lock of
// the process that held a lease before it (on this host) takes that lease
// over at once, with its recovery leases expired; a live holder's lease
// is never taken, and a token recorded on another host is ignored.
func TestLeaseNodeLockedResumesDeadProcess(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		ctx := testCtx(t)
		a, b, cfg := twoStores(t, driver)
		lock := filepath.Join(t.TempDir(), "gallant.db.node-lock")

		na, resumed, err := a.LeaseNodeLocked(ctx, "host:1", time.Hour, lock)
		if err != nil || resumed {
			t.Fatalf("first lease: node %d, resumed %v, %v", na, resumed, err)
		}
		// A second live process on the host takes the next lock slot and
		// a node of its own: a's lease is live and a's lock held.
		nb, resumed, err := b.LeaseNodeLocked(ctx, "host:2", time.Hour, lock)
		if err != nil || resumed || nb == na {
			t.Fatalf("second live process: node %d (a has %d), resumed %v, %v", nb, na, resumed, err)
		}
		// a recovers another node when it dies.
		if _, err := a.w.ExecContext(ctx, "INSERT INTO instances (node, name, holder, leased_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			40, "dead elsewhere", "x", a.timeArg(time.Now()), a.timeArg(time.Now().Add(-time.Minute))); err != nil {
			t.Fatal(err)
		}
		if ok, err := a.ClaimExpiredNode(ctx, 40, "host:1", time.Hour); err != nil || !ok {
			t.Fatalf("claim node 40: %v, %v", ok, err)
		}
		die(t, a)

		c := openTestStore(t, cfg)
		nc, resumed, err := c.LeaseNodeLocked(ctx, "host:3", time.Hour, lock)
		if err != nil || !resumed || nc != na {
			t.Fatalf("restart after a died: node %d, resumed %v, %v; want a's node %d at once", nc, resumed, err, na)
		}
		if err := a.RenewNode(ctx, na, time.Hour); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("the dead process renewing its node: %v", err)
		}
		if err := b.RenewNode(ctx, nb, time.Hour); err != nil {
			t.Fatalf("the live process lost its lease: %v", err)
		}
		expired, err := c.ExpiredNodes(ctx)
		if err != nil || len(expired) != 1 || expired[0] != 40 {
			t.Fatalf("expired nodes after the takeover: %v, %v; want the dead process's recovery lease [40]", expired, err)
		}

		// A lock file that names another host proves nothing here.
		die(t, c)
		path := lock + ".0"
		b0, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, tok, _ := strings.Cut(strings.TrimSpace(string(b0)), "\n")
		if err := os.WriteFile(path, []byte("elsewhere\n"+tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		d := openTestStore(t, cfg)
		nd, resumed, err := d.LeaseNodeLocked(ctx, "host:4", time.Hour, lock)
		if err != nil || resumed || nd == na {
			t.Fatalf("token from another host: node %d, resumed %v, %v; c's live-looking lease %d must wait", nd, resumed, err, na)
		}
	})
}

// TestNodeLockSlots: each live holder has its own slot; all slots held
// means no lock, and a lease as usual.
func TestNodeLockSlots(t *testing.T) {
	base := filepath.Join(t.TempDir(), "x.node-lock")
	var held []*nodeLock
	for i := range nodeLockSlots {
		l, err := openNodeLock(base, "h")
		if err != nil {
			t.Fatalf("slot %d: %v", i, err)
		}
		if want := base + "." + string(rune('0'+i)); l.path != want {
			t.Fatalf("lock %d at %s, want %s", i, l.path, want)
		}
		held = append(held, l)
	}
	if _, err := openNodeLock(base, "h"); !errors.Is(err, errNodeLockBusy) {
		t.Fatalf("with every slot held: %v, want errNodeLockBusy", err)
	}
	if err := held[3].record("h", "0123456789abcdef0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	held[3].close()
	l, err := openNodeLock(base, "h")
	if err != nil || l.path != base+".3" || l.prev != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("reopened slot: %+v, %v; want slot 3 with its recorded token", l, err)
	}
	held[3] = l
	for _, l := range held {
		l.close()
	}
}
