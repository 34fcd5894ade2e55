package main

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ENodeLeaseLostStops: when another instance has taken this
// instance's node (its lease expired while the store was out of reach, and
// a survivor claimed it to recover its messages), the next renewal fails
// and the instance stops instead of sending, next to the survivor, the
// messages the survivor now owns.
func TestE2ENodeLeaseLostStops(t *testing.T) {
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, storetest.MySQL, carrier.Addr())
	cfg.Store.NodeLeaseTTL = time.Second // renewed every third of it
	a := startApp(t, cfg)

	db, err := sql.Open("mysql", cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// What a survivor's claim of the expired node leaves behind: the row
	// names another holder.
	res, err := db.Exec("UPDATE instances SET holder = 'survivor' WHERE node = ?", a.node)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("node %d: %d lease rows changed, want 1", a.node, n)
	}
	select {
	case err := <-a.errs:
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Fatalf("reported %v, want the lease lost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no fatal error reported 10 s after the node lease was taken (renewals every 333 ms)")
	}
}
