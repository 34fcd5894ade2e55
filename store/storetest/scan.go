package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// FindEverywhere returns "table.column" for every column of every table
// of the database cfg names whose value, read as text, contains needle:
// the check that an erasure left a value nowhere. It opens a connection
// of its own (the store or a gateway may be running on the database).
func FindEverywhere(tb testing.TB, cfg store.Config, needle string) []string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	driver, list, cast := "sqlite", "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p "+
		"WHERE m.type = 'table'", "CAST(`%s` AS TEXT)"
	if cfg.Driver == MySQL {
		driver, list, cast = "mysql", "SELECT table_name, column_name FROM information_schema.columns "+
			"WHERE table_schema = DATABASE()", "CAST(`%s` AS CHAR)"
	}
	db, err := sql.Open(driver, cfg.DSN)
	if err != nil {
		tb.Fatalf("open %s: %v", cfg.Driver, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, list)
	if err != nil {
		tb.Fatalf("list columns: %v", err)
	}
	var cols [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, [2]string{t, c})
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	if len(cols) < 100 {
		tb.Fatalf("only %d columns found: the scan would prove little", len(cols))
	}
	var out []string
	for _, c := range cols {
		if strings.HasPrefix(c[0], "sqlite_") {
			continue
		}
		var n int
		q := fmt.Sprintf("SELECT COUNT(*) FROM `%s` WHERE "+cast+" LIKE ?", c[0], c[1])
		if err := db.QueryRowContext(ctx, q, "%"+needle+"%").Scan(&n); err != nil {
			tb.Fatalf("%s.%s: %v", c[0], c[1], err)
		}
		if n > 0 {
			out = append(out, c[0]+"."+c[1])
		}
	}
	return out
}
