package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
)

// Demo prices: 0.01 EUR a segment everywhere, 0.035 to the UK; the demo
// account starts with 100 EUR.
const (
	demoPrice   = 10_000
	demoPriceUK = 35_000
	demoCredit  = 100_000_000
)

// SeedDemoBilling makes sure there is a default platform price plan
// (demo prices) and that account accountID has a balance, with the demo
// credit on its first run; the caller reloads the prices.
func SeedDemoBilling(ctx context.Context, st *store.Store, accountID int64) error {
	p, err := st.LoadPricing(ctx)
	if err != nil {
		return err
	}
	hasDefault := false
	for _, pl := range p.Plans {
		hasDefault = hasDefault || (pl.Default && pl.OwnerAccountID == 0)
	}
	if !hasDefault {
		plan := &store.PricePlan{Name: "demo", Currency: "EUR", Default: true, ValidFrom: time.Now().Add(-time.Minute)}
		for d := '1'; d <= '9'; d++ {
			plan.Prices = append(plan.Prices, store.PlanPrice{Prefix: string(d), PriceMicros: demoPrice})
		}
		plan.Prices = append(plan.Prices, store.PlanPrice{Prefix: "44", PriceMicros: demoPriceUK})
		if err := st.CreatePricePlan(ctx, plan); err != nil {
			return fmt.Errorf("demo price plan: %w", err)
		}
	}
	if _, err := st.GetBillingAccount(ctx, accountID); errors.Is(err, store.ErrNotFound) {
		if err := st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: accountID, Currency: "EUR"}); err != nil {
			return fmt.Errorf("demo billing account: %w", err)
		}
		if err := st.PostBalance(ctx, &store.LedgerEntry{AccountID: accountID, Kind: store.LedgerTopUp,
			Amount: demoCredit, Reason: "demo credit"}); err != nil {
			return fmt.Errorf("demo top-up: %w", err)
		}
	} else if err != nil {
		return err
	}
	return nil
}

// demoCredentialsFile keeps the demo account's secrets between runs.
const demoCredentialsFile = "demo-account.json"

// DemoAccount returns the demo account's credentials, creating the
// account on first run; they are kept in dir (demo-account.json), so the
// key gallant demo prints keeps working.
func DemoAccount(ctx context.Context, acc *account.Service, dir string) (account.Created, error) {
	path := filepath.Join(dir, demoCredentialsFile)
	var c account.Created
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &c) == nil && c.APIKey != "" {
		if _, err := acc.AuthenticateAPIKey(ctx, c.APIKey); err == nil {
			return c, nil
		}
	}
	c, err := acc.CreateAccount(ctx, "Demo")
	if err != nil {
		return c, fmt.Errorf("create demo account: %w", err)
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return c, fmt.Errorf("save demo credentials: %w", err)
	}
	return c, nil
}

// demoUserFile keeps the demo dashboard user's password between runs.
const demoUserFile = "demo-user.json"

// DemoLogin is the demo's dashboard user.
type DemoLogin struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// demoUserEmail is the demo account's owner.
const demoUserEmail = "demo@gallant.local"

// DemoUser returns the demo account's dashboard owner, creating it with a
// random password on first run; the password is kept in dir. If the user
// exists but its file is gone, the password is empty: the demo user logs
// in after a password reset (the demo logs its mails).
func DemoUser(ctx context.Context, st *store.Store, users *account.Users, accountID int64, dir string) (DemoLogin, error) {
	path := filepath.Join(dir, demoUserFile)
	var l DemoLogin
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &l) == nil && l.Password != "" {
		if u, err := st.UserByEmail(ctx, l.Email); err == nil && u.AccountID == accountID {
			return l, nil
		}
	}
	if _, err := st.UserByEmail(ctx, demoUserEmail); err == nil {
		// The user exists but its password file is gone: log in with a
		// password reset (the demo logs its mails).
		return DemoLogin{Email: demoUserEmail}, nil
	}
	l = DemoLogin{Email: demoUserEmail, Password: rand.Text()[:16]}
	if _, err := users.CreateUser(ctx, account.NewUser{AccountID: accountID, Email: l.Email, Password: l.Password,
		Role: account.RoleOwner, CanSend: true, Verified: true}); err != nil {
		return l, fmt.Errorf("create demo user: %w", err)
	}
	b, _ := json.MarshalIndent(l, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return l, fmt.Errorf("save demo user: %w", err)
	}
	return l, nil
}

// DemoNumber is the short code the demo account owns: the demo's
// simulated carrier texts it every few seconds, so inbound messages show
// at GET /v1/inbound and on the account's receiver binds.
const DemoNumber = "12345"

// SeedDemoNumber gives account accountID the demo short code (delivered
// over SMPP) on the first run.
func SeedDemoNumber(ctx context.Context, st *store.Store, accountID int64) error {
	have, err := st.AccountNumbers(ctx, accountID, 0, 100)
	if err != nil {
		return fmt.Errorf("demo number: %w", err)
	}
	for _, n := range have {
		if n.Number == DemoNumber {
			return nil
		}
	}
	if err := st.AddNumber(ctx, &store.Number{AccountID: accountID, Number: DemoNumber, Kind: store.NumberShort, SMPP: true}); err != nil {
		return fmt.Errorf("demo number: %w", err)
	}
	return nil
}

// SeedDemo seeds what the demo account needs on every start (SeedDemoBilling,
// SeedDemoNumber) and reloads prices, the gateway's price plans.
func SeedDemo(ctx context.Context, st *store.Store, prices interface{ Reload(context.Context) error }, accountID int64) error {
	if err := errors.Join(SeedDemoBilling(ctx, st, accountID), SeedDemoNumber(ctx, st, accountID)); err != nil {
		return err
	}
	return prices.Reload(ctx)
}
