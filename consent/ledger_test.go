package consent_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"go.uber.org/goleak"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openStore opens (and migrates, the first time) the store cfg names,
// closed when t ends.
func openStore(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// runLedger loads a Ledger over st and runs it until t ends.
func runLedger(t *testing.T, st *store.Store, poll time.Duration) *consent.Ledger {
	t.Helper()
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{Poll: poll})
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { l.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return l
}

func stop(account int64, number string, optOut bool) consent.Record {
	return consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: account, Number: number},
		OptOut: optOut}, Source: consent.SourceKeyword, Keyword: "STOP"}
}

// TestLedgerAcrossInstances: an opt-out recorded on one instance is
// enforced there at once and on a second instance of the same store
// within a second; the opt-in again likewise; a third instance started
// later loads the state, and the ledger keeps both rows.
func TestLedgerAcrossInstances(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			cfg := storetest.Config(t, driver)
			a := runLedger(t, openStore(t, cfg), 0)
			b := runLedger(t, openStore(t, cfg), 0)
			ctx := context.Background()

			if err := a.Record(ctx, stop(7, "447700900001", true)); err != nil {
				t.Fatal(err)
			}
			recorded := time.Now()
			if s, ok := a.Index().Blocked(7, "Acme", "447700900001"); !ok || s != consent.ScopeAccount {
				t.Fatal("the recording instance does not enforce its own opt-out")
			}
			testutil.Eventually(t, "the other instance enforces the opt-out", func() (bool, string) {
				_, ok := b.Index().Blocked(7, "Acme", "447700900001")
				return ok, "not yet"
			})
			if d := time.Since(recorded); d > time.Second {
				t.Errorf("the other instance took %v, want under a second", d)
			}
			if _, ok := b.Index().Blocked(8, "Acme", "447700900001"); ok {
				t.Fatal("another account's send is blocked")
			}

			if err := b.Record(ctx, stop(7, "447700900001", false)); err != nil {
				t.Fatal(err)
			}
			testutil.Eventually(t, "the first instance lifts it", func() (bool, string) {
				_, ok := a.Index().Blocked(7, "Acme", "447700900001")
				return !ok, "still blocked"
			})

			c := runLedger(t, openStore(t, cfg), time.Hour)
			if c.Index().Len() != 0 || a.Index().Len() != 0 {
				t.Fatalf("after the opt-in: %d and %d held", c.Index().Len(), a.Index().Len())
			}
			rows, err := openStore(t, cfg).OptOutsAfter(ctx, 0, 10)
			if err != nil || len(rows) != 2 || !rows[0].OptedOut || rows[1].OptedOut || rows[0].Source != "keyword" {
				t.Fatalf("ledger %+v, %v", rows, err)
			}
		})
	}
}

// TestLedgerLoadsOnStart: what was recorded survives a restart (a new
// Ledger over the same store).
func TestLedgerLoadsOnStart(t *testing.T) {
	cfg := storetest.Config(t, storetest.SQLite)
	st := openStore(t, cfg)
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	recs := make([]consent.Record, 0, 25000)
	for i := range 25000 { // more than one page of the tail
		recs = append(recs, stop(int64(1+i%5), "4477009"+itoa5(i), true))
	}
	recs = append(recs, consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeGlobal, Number: "33612345678"},
		OptOut: true}, Source: consent.SourceRegistry})
	if err := l.Record(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	again := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{})
	if err := again.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := again.Index().Len(); n != len(recs) {
		t.Fatalf("loaded %d, want %d", n, len(recs))
	}
	if s, ok := again.Index().Blocked(99, "x", "33612345678"); !ok || s != consent.ScopeGlobal {
		t.Fatal("the registry entry did not load")
	}
}

func itoa5(i int) string {
	b := []byte("00000")
	for j := 4; j >= 0; j-- {
		b[j] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}

// TestLedgerLateCommit (MySQL): a row whose transaction commits after a
// later row was read is still applied, and an older row that turns up
// late does not undo a newer one of the same number.
func TestLedgerLateCommit(t *testing.T) {
	cfg := storetest.Config(t, storetest.MySQL)
	st := openStore(t, cfg)
	l := consent.NewLedger(st, &consent.Index{}, consent.LedgerConfig{Poll: time.Hour})
	ctx := context.Background()
	db, err := sql.Open("mysql", cfg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := "INSERT INTO opt_outs (scope, account_id, sender, number, opted_out, source, keyword, mo_id, created_at) " +
		"VALUES (2, 7, '', ?, ?, 'api', '', 0, NOW(6))"

	// Two transactions take ids, the older commits last.
	late, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Rollback()
	if _, err := late.ExecContext(ctx, insert, "447700900001", true); err != nil { // a new number
		t.Fatal(err)
	}
	older, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback()
	if _, err := older.ExecContext(ctx, insert, "447700900002", true); err != nil { // opt-out, undone below
		t.Fatal(err)
	}
	if err := l.Record(ctx, stop(7, "447700900003", true)); err != nil { // the newest id, committed first
		t.Fatal(err)
	}
	if _, err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Index().Blocked(7, "", "447700900001"); ok {
		t.Fatal("an uncommitted row was applied")
	}
	// The opt-in again of 0002 (a newer row) commits and is applied while
	// its older opt-out is still uncommitted; then both old transactions
	// commit. The late opt-out of 0002 must not win over the opt-in.
	if _, err := db.ExecContext(ctx, insert, "447700900002", false); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := older.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := late.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Index().Blocked(7, "", "447700900001"); !ok {
		t.Fatal("the late-committed opt-out was never applied")
	}
	if _, ok := l.Index().Blocked(7, "", "447700900002"); ok {
		t.Fatal("an older row applied late undid the newer opt-in")
	}
	if _, ok := l.Index().Blocked(7, "", "447700900003"); !ok {
		t.Fatal("the recorded opt-out is missing")
	}
}
