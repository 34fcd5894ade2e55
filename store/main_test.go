package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if driver := os.Getenv(crashHelperEnv); driver != "" {
		// A child of TestWriterCrashSafety: write until killed.
		crashHelper(driver, os.Getenv(crashHelperDSNEnv))
		return
	}
	goleak.VerifyTestMain(m)
}

// dialects are the drivers every table-driven test runs on.
var dialects = []string{DriverSQLite, DriverMySQL}

// defaultTestMySQLDSN is used when GALLANT_TEST_MYSQL_DSN is not set.
const defaultTestMySQLDSN = "root@tcp(127.0.0.1:3306)/test?parseTime=true"

func testMySQLDSN() string {
	if dsn := os.Getenv("GALLANT_TEST_MYSQL_DSN"); dsn != "" {
		return dsn
	}
	return defaultTestMySQLDSN
}

// forEachDialect runs f as a subtest per dialect.
func forEachDialect(t *testing.T, f func(t *testing.T, driver string)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

// testConfig creates a fresh, empty database of driver for tb, dropped when
// tb ends, and returns the Config that opens it. MySQL tests fail, not
// skip, when the server cannot be reached.
func testConfig(tb testing.TB, driver string) Config {
	tb.Helper()
	if driver == DriverSQLite {
		return Config{Driver: DriverSQLite, DSN: filepath.Join(tb.TempDir(), "gallant.db")}
	}
	base, err := mysql.ParseDSN(testMySQLDSN())
	if err != nil {
		tb.Fatalf("GALLANT_TEST_MYSQL_DSN: %v", err)
	}
	var tok [6]byte
	if _, err := rand.Read(tok[:]); err != nil {
		tb.Fatal(err)
	}
	name := "gallant_t_" + hex.EncodeToString(tok[:])
	admin := func(stmt string) error {
		db, err := sql.Open("mysql", base.FormatDSN())
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		tb.Fatalf("MySQL at %s is required for the store tests (set GALLANT_TEST_MYSQL_DSN): %v", base.Addr, err)
	}
	tb.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + name); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg := base.Clone()
	cfg.DBName = name
	return Config{Driver: DriverMySQL, DSN: cfg.FormatDSN()}
}

// testLogger logs to the test's output.
func testLogger(tb testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// openTestStore opens cfg, closing it when tb ends.
func openTestStore(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	s, err := Open(context.Background(), cfg, testLogger(tb))
	if err != nil {
		tb.Fatalf("open %s: %v", cfg.Driver, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// newTestStore opens a fresh, migrated database of driver for tb.
func newTestStore(tb testing.TB, driver string) *Store {
	tb.Helper()
	s := openTestStore(tb, testConfig(tb, driver))
	if _, err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// twoStores opens two Stores, as two instances would, on one fresh
// database of driver, migrated, and returns them with its Config.
func twoStores(tb testing.TB, driver string) (a, b *Store, cfg Config) {
	tb.Helper()
	cfg = testConfig(tb, driver)
	a = openTestStore(tb, cfg)
	if _, err := a.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return a, openTestStore(tb, cfg), cfg
}

// testCtx returns a context bounded so a stuck test fails instead of
// hanging.
func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	tb.Cleanup(cancel)
	return ctx
}
