package app

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

func TestBackupCommand(t *testing.T) {
	for _, args := range [][]string{
		{"backup"},
		{"restore", "--data", "d"},
		{"restore", "--from", "f", "--data", "d", "--config", "c.yaml"},
		{"backup", "--out", "f", "extra"},
		{"migrate"},
	} {
		if _, _, err := BackupCommand(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	src := store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(dir, "src", "gallant.db")}
	out := filepath.Join(dir, "b.db.gz")

	// A store that does not exist is not created empty and backed up.
	path, run, err := BackupCommand([]string{"backup", "--out", out, "--config", "g.yaml"}, io.Discard)
	if err != nil || path != "g.yaml" {
		t.Fatalf("parse: %q, %v", path, err)
	}
	if _, err := run(ctx, src); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("backup of a missing store: %v", err)
	}
	if _, err := os.Stat(src.DSN); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the missing store was created: %v", err)
	}

	st, err := store.Open(ctx, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	acc := &store.Account{Name: "Kept", Status: store.AccountActive}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := run(ctx, src); err != nil {
		t.Fatal(err)
	}

	// restore --data DIR restores into DIR/gallant.db, whatever the
	// configuration's store says.
	data := filepath.Join(dir, "restored")
	_, run, err = BackupCommand([]string{"restore", "--from", out, "--data", data}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run(ctx, store.Config{Driver: store.DriverMySQL, DSN: "unused"})
	if err != nil {
		t.Fatal(err)
	}
	if info := res.(store.RestoreInfo); info.Path != filepath.Join(data, "gallant.db") {
		t.Fatalf("restored into %s", info.Path)
	}
	rst, err := store.Open(ctx, store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(data, "gallant.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	if got, err := rst.GetAccount(ctx, acc.ID); err != nil || got.Name != "Kept" {
		t.Fatalf("restored account: %+v, %v", got, err)
	}

	// Without --data, a MySQL store is sent to its own tools.
	_, run, err = BackupCommand([]string{"restore", "--from", out}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(ctx, store.Config{Driver: store.DriverMySQL, DSN: "unused"}); err == nil || !strings.Contains(err.Error(), "mariadb-dump") {
		t.Fatalf("restore to MySQL: %v", err)
	}
}
