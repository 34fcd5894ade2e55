package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
)

// demoOperatorFile keeps the demo operator's password between runs.
const demoOperatorFile = "demo-operator.json"

// demoOperatorEmail is the demo's platform admin.
const demoOperatorEmail = "operator@gallant.local"

// DemoOperator returns the demo's platform admin login: a user with the
// admin role on a platform account ("Platform"), both made on the first
// run with a random password kept in dir, so that the dashboard's
// Operator pages (and, through them, the accounts and resellers) can be
// tried. As with [DemoUser], a user whose file is gone is given without a
// password (it logs in after a reset).
func DemoOperator(ctx context.Context, st *store.Store, acc *account.Service, users *account.Users, dir string) (DemoLogin, error) {
	path := filepath.Join(dir, demoOperatorFile)
	var l DemoLogin
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &l) == nil && l.Password != "" {
		if _, err := st.UserByEmail(ctx, l.Email); err == nil {
			return l, nil
		}
	}
	if _, err := st.UserByEmail(ctx, demoOperatorEmail); err == nil {
		return DemoLogin{Email: demoOperatorEmail}, nil
	}
	c, err := acc.CreateAccountWith(ctx, account.AccountSpec{Name: "Platform", Kind: store.KindPlatform,
		AdminKeyName: "admin", Currency: DefaultCurrency})
	if err != nil {
		return l, fmt.Errorf("create demo platform account: %w", err)
	}
	l = DemoLogin{Email: demoOperatorEmail, Password: rand.Text()[:16]}
	if _, err := users.CreateUser(ctx, account.NewUser{AccountID: c.AccountID, Email: l.Email, Password: l.Password,
		Role: account.RoleAdmin, CanSend: true, Verified: true}); err != nil {
		return l, fmt.Errorf("create demo operator: %w", err)
	}
	b, _ := json.MarshalIndent(l, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return l, fmt.Errorf("save demo operator: %w", err)
	}
	return l, nil
}

// DemoLogins returns the demo account's owner ([DemoUser]) and the
// platform admin ([DemoOperator]), made on the first run.
func DemoLogins(ctx context.Context, st *store.Store, acc *account.Service, users *account.Users, accountID int64,
	dir string) (owner, operator DemoLogin, err error) {
	if owner, err = DemoUser(ctx, st, users, accountID, dir); err != nil {
		return owner, operator, err
	}
	operator, err = DemoOperator(ctx, st, acc, users, dir)
	return owner, operator, err
}

// ShownPassword is the login's password as the demo prints it: how to
// get one when it is unknown.
func (l DemoLogin) ShownPassword() string {
	if l.Password == "" {
		return "(unknown: reset it with POST /v1/auth/password-reset; the mail is logged)"
	}
	return l.Password
}
