package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestDemoAccountAndUser: gallant demo's account and dashboard user are
// made on the first run and kept in the data directory, so a second run
// gives the same key and password; a user whose password file is gone is
// given without a password (it logs in after a reset), not made again.
func TestDemoAccountAndUser(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	acc, users := testUsers(t, st)
	dir := t.TempDir()
	c, err := DemoAccount(ctx, acc, dir)
	if err != nil || c.APIKey == "" {
		t.Fatalf("first run: %+v, %v", c, err)
	}
	if again, err := DemoAccount(ctx, acc, dir); err != nil || again.APIKey != c.APIKey || again.AccountID != c.AccountID {
		t.Fatalf("second run: account %d key %q, %v; want the first run's", again.AccountID, again.APIKey, err)
	}
	l, err := DemoUser(ctx, st, users, c.AccountID, dir)
	if err != nil || l.Email != demoUserEmail || len(l.Password) != 16 {
		t.Fatalf("first run: %+v, %v", l, err)
	}
	if _, err := users.Login(ctx, l.Email, l.Password, "127.0.0.1"); err != nil {
		t.Fatalf("the demo user cannot log in with its password: %v", err)
	}
	if again, err := DemoUser(ctx, st, users, c.AccountID, dir); err != nil || again != l {
		t.Fatalf("second run: %+v, %v; want %+v", again, err, l)
	}
	if err := os.Remove(filepath.Join(dir, demoUserFile)); err != nil {
		t.Fatal(err)
	}
	if l, err := DemoUser(ctx, st, users, c.AccountID, dir); err != nil || l.Email != demoUserEmail || l.Password != "" {
		t.Fatalf("password file gone: %+v, %v; want the user without a password", l, err)
	}
}

// TestDemoOperator: the demo's platform admin is made once, logs in as
// an admin of a platform account, and is the same on a second run.
func TestDemoOperator(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	ctx := context.Background()
	acc, users := testUsers(t, st)
	dir := t.TempDir()
	c, err := DemoAccount(ctx, acc, dir)
	if err != nil {
		t.Fatal(err)
	}
	owner, op, err := DemoLogins(ctx, st, acc, users, c.AccountID, dir)
	if err != nil || owner.Email != demoUserEmail || op.Email != demoOperatorEmail || len(op.Password) != 16 {
		t.Fatalf("first run: %+v %+v, %v", owner, op, err)
	}
	sess, err := users.Login(ctx, op.Email, op.Password, "127.0.0.1")
	if err != nil {
		t.Fatalf("the operator cannot log in: %v", err)
	}
	u, err := st.UserByEmail(ctx, op.Email)
	if err != nil || u.Role != string(RoleAdmin) || u.AccountID == c.AccountID || sess.AccessToken == "" {
		t.Fatalf("operator user %+v, %v", u, err)
	}
	if a, err := st.GetAccount(ctx, u.AccountID); err != nil || a.Kind != store.KindPlatform {
		t.Fatalf("operator's account %+v, %v; want a platform account", a, err)
	}
	if _, again, err := DemoLogins(ctx, st, acc, users, c.AccountID, dir); err != nil || again != op {
		t.Fatalf("second run: %+v, %v; want %+v", again, err, op)
	}
}
