// Package storetest gives other packages' tests a fresh, migrated store on
// each dialect: a SQLite file in a temporary directory, or a new MySQL
// database on the server named by GALLANT_TEST_MYSQL_DSN (default the
// local MariaDB), dropped when the test ends. MySQL tests fail, never
// skip, when the server cannot be reached.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gallant-sms/gallant/store"
)

// The dialects, for table-driven tests.
const (
	SQLite = store.DriverSQLite
	MySQL  = store.DriverMySQL
)

// Drivers lists every dialect the store supports.
var Drivers = []string{SQLite, MySQL}

// DefaultMySQLDSN is used when GALLANT_TEST_MYSQL_DSN is not set.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/test?parseTime=true"

// MySQLDSN returns the DSN of the test MySQL server.
func MySQLDSN() string {
	if dsn := os.Getenv("GALLANT_TEST_MYSQL_DSN"); dsn != "" {
		return dsn
	}
	return DefaultMySQLDSN
}

// Config creates an empty database of driver for tb, removed when tb
// ends, and returns the store configuration that opens it.
func Config(tb testing.TB, driver string) store.Config {
	tb.Helper()
	if driver == SQLite {
		return store.Config{Driver: SQLite, DSN: filepath.Join(tb.TempDir(), "gallant.db")}
	}
	base, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		tb.Fatalf("GALLANT_TEST_MYSQL_DSN: %v", err)
	}
	var tok [6]byte
	_, _ = rand.Read(tok[:])
	name := "gallant_t_" + hex.EncodeToString(tok[:])
	exec := func(stmt string) error {
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
	if err := exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		tb.Fatalf("MySQL at %s is required (set GALLANT_TEST_MYSQL_DSN): %v", base.Addr, err)
	}
	tb.Cleanup(func() {
		if err := exec("DROP DATABASE IF EXISTS " + name); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	c := base.Clone()
	c.DBName = name
	return store.Config{Driver: MySQL, DSN: c.FormatDSN()}
}

// Open returns a migrated store on a fresh database of driver, closed
// when tb ends.
func Open(tb testing.TB, driver string) *store.Store {
	tb.Helper()
	return OpenConfig(tb, Config(tb, driver))
}

// OpenConfig opens and migrates the store cfg names, closed when tb ends.
// Open the same cfg again to see what a restarted process would.
func OpenConfig(tb testing.TB, cfg store.Config) *store.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, cfg, nil)
	if err != nil {
		tb.Fatalf("open %s store: %v", cfg.Driver, err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s store: %v", cfg.Driver, err)
	}
	return st
}
