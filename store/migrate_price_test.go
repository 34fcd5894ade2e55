package store

import (
	"slices"
	"testing"
)

// TestMigrateMessagePriceRerun checks that migration 0004 can run again on
// MySQL, where DDL commits by itself: a process killed after the ALTER but
// before recording the version must not leave a migration that fails on
// every later start. (On SQLite the migration is one transaction.)
func TestMigrateMessagePriceRerun(t *testing.T) {
	ctx := testCtx(t)
	s := newTestStore(t, DriverMySQL)
	if _, err := s.w.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = 4"); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil || !slices.Equal(applied, []int{4}) {
		t.Fatalf("re-running 0004 applied %v, %v; want [4]", applied, err)
	}
	var n int
	if err := s.r.GetContext(ctx, &n, "SELECT COUNT(*) FROM information_schema.columns "+
		"WHERE table_schema = DATABASE() AND table_name = 'messages' AND column_name = 'price_micros'"); err != nil || n != 1 {
		t.Fatalf("price_micros columns: %d, %v", n, err)
	}
	m := testMessage(3, 77)
	m.Price = 123_456
	if err := s.Insert(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.GetMessage(ctx, 3, 77)
	if err != nil || got.Price != 123_456 {
		t.Fatalf("GetMessage = %+v, %v; want price 123456", got, err)
	}
}
