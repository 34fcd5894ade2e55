package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// adminFixture runs admin subcommands against one fresh store.
type adminFixture struct {
	t   *testing.T
	cfg config.Config
}

func newAdminFixture(t *testing.T, driver string) *adminFixture {
	sc := storetest.Config(t, driver)
	cfg := config.Default()
	cfg.Store = config.StoreConfig{Driver: sc.Driver, DSN: sc.DSN}
	cfg.Billing.Currency = "GBP" // not the default, to see it used
	return &adminFixture{t: t, cfg: cfg}
}

// run runs "gallant admin args..." and returns its output and error. The
// --config flag is given and must reach the loader.
func (f *adminFixture) run(args ...string) (string, error) {
	f.t.Helper()
	var out, errb bytes.Buffer
	env := adminEnv{stdout: &out, stderr: &errb, load: func(path string) (config.Config, error) {
		if path != "test.yaml" {
			f.t.Errorf("config path %q, want test.yaml", path)
		}
		return f.cfg, nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := env.run(ctx, append(args, "--config", "test.yaml"))
	return out.String(), err
}

// ok runs args, which must succeed, and decodes their JSON output into v.
func (f *adminFixture) ok(v any, args ...string) {
	f.t.Helper()
	out, err := f.run(args...)
	if err != nil {
		f.t.Fatalf("admin %v: %v", args, err)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		f.t.Fatalf("admin %v: output %q: %v", args, out, err)
	}
}

// store opens the fixture's store; the caller closes it.
func (f *adminFixture) store() *store.Store {
	f.t.Helper()
	keys, err := f.cfg.Secrets.Keyring()
	if err != nil {
		f.t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Config{Driver: f.cfg.Store.Driver, DSN: f.cfg.Store.DSN, Keys: keys},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestAdminCommands(t *testing.T) {
	for _, driver := range []string{storetest.SQLite, storetest.MySQL} {
		t.Run(driver, func(t *testing.T) { testAdminCommands(t, driver) })
	}
}

func testAdminCommands(t *testing.T, driver string) {
	f := newAdminFixture(t, driver)
	ctx := context.Background()

	var acct accountCreated
	f.ok(&acct, "account", "create", "--name", "Acme Ltd")
	if acct.AccountID <= 0 || acct.Name != "Acme Ltd" || acct.APIKey == "" || acct.SystemID == "" ||
		acct.SMPPPassword == "" || acct.Currency != "GBP" {
		t.Fatalf("account create = %+v", acct)
	}
	id := acct.AccountID
	idArg := jsonInt(id)

	st := f.store()
	ba, err := st.GetBillingAccount(ctx, id)
	if err != nil || ba.Currency != "GBP" || ba.Balance != 0 || ba.Held != 0 {
		t.Fatalf("billing account after create = %+v, %v", ba, err)
	}

	var top appsvc.TopUpOut
	f.ok(&top, "topup", "--account", idArg, "--amount", "12.50", "--reference", "INV-1")
	if top.LedgerID <= 0 || top.Amount != "12.500000" || top.AmountMicros != 12_500_000 || top.Reference != "INV-1" ||
		top.Account.AccountID != id || top.Account.BalanceMicros != 12_500_000 || top.Account.Balance != "12.500000" ||
		top.Account.Currency != "GBP" {
		t.Fatalf("topup = %+v", top)
	}
	var top2 appsvc.TopUpOut
	f.ok(&top2, "topup", "--account", idArg, "--amount", "0.000125")
	if top2.LedgerID <= top.LedgerID || top2.AmountMicros != 125 || top2.Account.BalanceMicros != 12_500_125 ||
		top2.Reference != "admin top-up" {
		t.Fatalf("second topup = %+v", top2)
	}
	ledger, err := st.ListLedger(ctx, id, 0, 10)
	if err != nil || len(ledger) != 2 || ledger[0].Kind != store.LedgerTopUp || ledger[0].Amount != 12_500_000 ||
		ledger[0].Reason != "manual: INV-1" || ledger[1].Amount != 125 || ledger[1].Reason != "manual: admin top-up" {
		t.Fatalf("ledger = %+v, %v", ledger, err)
	}
	if amount, hold, err := st.LedgerTotals(ctx, id); err != nil || amount != 12_500_125 || hold != 0 {
		t.Fatalf("ledger totals = %d, %d, %v", amount, hold, err)
	}

	if err := st.SetCreditLimit(ctx, id, -5_000_000); err != nil {
		t.Fatal(err)
	}
	var bal appsvc.BalanceOut
	f.ok(&bal, "balance", "--account", idArg)
	want := appsvc.BalanceOut{AccountID: id, Currency: "GBP", Balance: "12.500125", BalanceMicros: 12_500_125,
		Held: "0.000000", CreditLimit: "-5.000000", CreditLimitMicros: -5_000_000,
		Available: "17.500125", AvailableMicros: 17_500_125}
	if bal != want {
		t.Fatalf("balance =\n%+v\nwant\n%+v", bal, want)
	}

	before := time.Now().Add(-time.Second)
	var plan appsvc.PlanOut
	f.ok(&plan, "plan", "create", "--name", "retail", "--default", "--account", idArg,
		"--price", "44=0.035", "--price", "1=0.01")
	if plan.PlanID <= 0 || plan.Name != "retail" || plan.Currency != "GBP" || !plan.Default || plan.AccountID != id ||
		plan.ValidFrom.Before(before) || plan.ValidFrom.After(time.Now()) || len(plan.Prices) != 2 ||
		plan.Prices[0] != (appsvc.PriceOut{Prefix: "44", Price: "0.035000", PriceMicros: 35_000}) || plan.Prices[1] != (appsvc.PriceOut{Prefix: "1", Price: "0.010000", PriceMicros: 10_000}) {
		t.Fatalf("plan create = %+v", plan)
	}
	var eur appsvc.PlanOut
	f.ok(&eur, "plan", "create", "--name", "euro", "--currency", "EUR", "--price", "49=0")
	if eur.PlanID <= plan.PlanID || eur.Currency != "EUR" || eur.Default || eur.AccountID != 0 ||
		len(eur.Prices) != 1 || eur.Prices[0] != (appsvc.PriceOut{Prefix: "49", Price: "0.000000", PriceMicros: 0}) {
		t.Fatalf("second plan = %+v", eur)
	}
	pr, err := st.LoadPricing(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Plans) != 2 || len(pr.Assignments) != 1 ||
		pr.Assignments[0] != (store.PlanAssignment{AccountID: id, PlanID: plan.PlanID}) {
		t.Fatalf("pricing = %+v", pr)
	}
	for _, p := range pr.Plans {
		if p.ID != plan.PlanID {
			continue
		}
		prices := map[string]int64{}
		for _, x := range p.Prices {
			prices[x.Prefix] = x.PriceMicros
		}
		if p.Name != "retail" || p.Currency != "GBP" || !p.Default || len(prices) != 2 ||
			prices["44"] != 35_000 || prices["1"] != 10_000 || !p.ValidFrom.Equal(plan.ValidFrom) || !p.ValidTo.IsZero() {
			t.Fatalf("stored plan = %+v", p)
		}
	}

	// An account made before billing (without a balance) gets one at its
	// first top-up.
	legacy, err := account.New(st, slog.New(slog.NewTextHandler(io.Discard, nil))).CreateAccount(ctx, "Legacy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetBillingAccount(ctx, legacy.AccountID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("legacy account's balance: %v, want ErrNotFound", err)
	}
	var top3 appsvc.TopUpOut
	f.ok(&top3, "topup", "--account", jsonInt(legacy.AccountID), "--amount", "3")
	if top3.Account.AccountID != legacy.AccountID || top3.Account.BalanceMicros != 3_000_000 || top3.Account.Currency != "GBP" {
		t.Fatalf("top-up of a legacy account = %+v", top3)
	}

	// Failures found in the store are errors but not usage errors, and
	// leave nothing behind.
	if _, err := f.run("topup", "--account", "999999", "--amount", "1"); err == nil ||
		isUsage(err) || !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "account 999999") {
		t.Fatalf("topup of an unknown account: %v", err)
	}
	if _, err := f.run("balance", "--account", "999999"); err == nil || isUsage(err) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("balance of an unknown account: %v", err)
	}
	if _, err := f.run("plan", "create", "--name", "x", "--account", "999999", "--price", "1=1"); err == nil ||
		isUsage(err) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("plan for an unknown account: %v", err)
	}
	if pr, err := st.LoadPricing(ctx); err != nil || len(pr.Plans) != 2 {
		t.Fatalf("plans after a refused plan create: %+v, %v", pr, err)
	}
}

// isUsage reports whether err is a usage error (exit code 2).
func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

// jsonInt formats n for a flag.
func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestAdminBadInput(t *testing.T) {
	// Bad input must be refused before any database is opened: a stray
	// default SQLite file would land in this directory.
	t.Chdir(t.TempDir())
	cases := []struct {
		name string
		args []string
		msg  string
	}{
		{"no subcommand", nil, "unknown subcommand"},
		{"unknown subcommand", []string{"refund", "--account", "1"}, `unknown subcommand "refund --account 1"`},
		{"account without create", []string{"account"}, "unknown subcommand"},
		{"plan without create", []string{"plan", "delete"}, `unknown subcommand "plan delete"`},
		{"account create without name", []string{"account", "create"}, "--name is required"},
		{"unknown flag", []string{"balance", "--account", "1", "--colour", "red"}, "flag provided but not defined"},
		{"extra argument", []string{"balance", "--account", "1", "now"}, "unexpected arguments"},
		{"balance without account", []string{"balance"}, "--account must be a positive account id"},
		{"balance of account 0", []string{"balance", "--account", "0"}, "--account must be a positive"},
		{"account not a number", []string{"balance", "--account", "seven"}, `invalid value "seven" for flag -account`},
		{"topup without account", []string{"topup", "--amount", "1"}, "--account must be a positive"},
		{"topup without amount", []string{"topup", "--account", "1"}, "--amount is required"},
		{"topup bad amount", []string{"topup", "--account", "1", "--amount", "12,50"}, "bad character"},
		{"topup too many decimals", []string{"topup", "--account", "1", "--amount", "0.0000001"}, "more than 6 decimals"},
		{"topup huge amount", []string{"topup", "--account", "1", "--amount", "99999999999999999999"}, "out of range"},
		{"topup zero", []string{"topup", "--account", "1", "--amount", "0"}, "must be positive"},
		{"topup negative", []string{"topup", "--account", "1", "--amount", "-5"}, "must be positive"},
		{"topup long reference", []string{"topup", "--account", "1", "--amount", "1", "--reference", strings.Repeat("r", 256)},
			"--reference is longer than 255"},
		{"plan without name", []string{"plan", "create", "--price", "44=1"}, "--name is required"},
		{"plan without prices", []string{"plan", "create", "--name", "p"}, "at least one --price"},
		{"plan bad currency", []string{"plan", "create", "--name", "p", "--currency", "euro", "--price", "44=1"}, "ISO 4217"},
		{"plan negative account", []string{"plan", "create", "--name", "p", "--account", "-1", "--price", "44=1"}, "--account must be a positive"},
		{"price without =", []string{"plan", "create", "--name", "p", "--price", "44"}, "want PREFIX=AMOUNT"},
		{"price prefix with +", []string{"plan", "create", "--name", "p", "--price", "+44=1"}, "prefix must be 1 to 15 digits"},
		{"price empty prefix", []string{"plan", "create", "--name", "p", "--price", "=1"}, "prefix must be 1 to 15 digits"},
		{"price prefix too long", []string{"plan", "create", "--name", "p", "--price", "1234567890123456=1"}, "prefix must be 1 to 15 digits"},
		{"price prefix letters", []string{"plan", "create", "--name", "p", "--price", "4a=1"}, "prefix must be 1 to 15 digits"},
		{"price bad amount", []string{"plan", "create", "--name", "p", "--price", "44=abc"}, "bad character"},
		{"price negative", []string{"plan", "create", "--name", "p", "--price", "44=-1"}, "negative amount"},
		{"price twice", []string{"plan", "create", "--name", "p", "--price", "44=1", "--price", "44=2"}, "prefix 44 given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"admin"}, c.args...), &out, &errb)
			if code != 2 {
				t.Fatalf("exit code %d, want 2; stderr:\n%s", code, errb.String())
			}
			if !strings.Contains(errb.String(), c.msg) {
				t.Fatalf("stderr does not say %q:\n%s", c.msg, errb.String())
			}
			if out.Len() != 0 {
				t.Fatalf("stdout = %q, want nothing", out.String())
			}
			env := adminEnv{stdout: io.Discard, stderr: io.Discard, load: func(string) (config.Config, error) {
				t.Error("configuration loaded for bad input")
				return config.Config{}, errors.New("not loaded")
			}}
			if err := env.run(context.Background(), c.args); !isUsage(err) {
				t.Fatalf("env.run = %v, want a usage error", err)
			}
		})
	}
}
