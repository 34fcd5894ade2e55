package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// adminUsage lists the admin subcommands.
const adminUsage = `usage:
  gallant admin account create --name NAME [--kind customer|reseller|platform] [--parent ID] [--config FILE]
  gallant admin account suspend|activate ID [--config FILE]
  gallant admin topup --account ID --amount AMOUNT [--reference REF] [--config FILE]
  gallant admin balance --account ID [--config FILE]
  gallant admin plan create --name NAME [--currency CUR] [--default] [--account ID]
                            [--refund-undelivered] --price PREFIX=AMOUNT [--price ...] [--config FILE]
  gallant admin buyrate add --carrier NAME --prefix PREFIX --price AMOUNT [--currency CUR] [--config FILE]
  gallant admin plan assign --account ID --plan ID [--config FILE]
  gallant admin user create --email EMAIL --password PASSWORD --account ID --role admin|reseller|owner|member
                            [--can-send] [--config FILE]
  gallant admin dnd import FILE --country CC [--config FILE]
  gallant admin rotate-key [--batch N] [--pause DURATION] [--config FILE]
` + appsvc.NumberUsage + "\n" + appsvc.CarrierUsage

// maxReference is the longest top-up reference, the length of the
// ledger's reason column.
const maxReference = 255

// adminEnv is what the admin subcommands run with: where they print, and
// how they load the configuration named by --config (empty: defaults and
// environment only).
type adminEnv struct {
	stdout, stderr io.Writer
	load           func(path string) (config.Config, error)
}

// cmdAdmin runs "gallant admin ...".
func cmdAdmin(args []string, stdout, stderr io.Writer) error {
	env := adminEnv{stdout: stdout, stderr: stderr, load: func(path string) (config.Config, error) {
		return config.Load(path, os.Environ())
	}}
	return env.run(context.Background(), args)
}

// run dispatches args to a subcommand.
func (e adminEnv) run(ctx context.Context, args []string) error {
	switch {
	case len(args) >= 2 && args[0] == "account" && args[1] == "create":
		return e.accountCreate(ctx, args[2:])
	case len(args) >= 1 && args[0] == "topup":
		return e.topUp(ctx, args[1:])
	case len(args) >= 1 && args[0] == "balance":
		return e.balance(ctx, args[1:])
	case len(args) >= 2 && args[0] == "plan" && args[1] == "create":
		return e.planCreate(ctx, args[2:])
	case len(args) >= 2 && args[0] == "account" && args[1] == "suspend":
		return e.accountSetStatus(ctx, args[2:], store.AccountSuspended)
	case len(args) >= 2 && args[0] == "account" && args[1] == "activate":
		return e.accountSetStatus(ctx, args[2:], store.AccountActive)
	case len(args) >= 2 && args[0] == "plan" && args[1] == "assign":
		return e.planAssign(ctx, args[2:])
	case len(args) >= 2 && args[0] == "user" && args[1] == "create":
		return e.userCreate(ctx, args[2:]) // identity.go
	case len(args) >= 2 && args[0] == "buyrate" && args[1] == "add":
		return e.buyRateAdd(ctx, args[2:])
	case len(args) >= 2 && args[0] == "dnd" && args[1] == "import":
		return e.dndImport(ctx, args[2:])
	case len(args) >= 1 && args[0] == "rotate-key":
		return e.rotateKey(ctx, args[1:])
	case len(args) >= 1 && (args[0] == "carrier" || args[0] == "route"):
		path, run, err := appsvc.CarrierCommand(args, e.stderr)
		if err != nil {
			return usageError{err}
		}
		return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) { return run(ctx, st) })
	case len(args) >= 1 && args[0] == "number":
		path, run, err := appsvc.NumberCommand(args[1:], e.stderr)
		if err != nil {
			return usageError{err}
		}
		return e.withStore(ctx, path, func(cfg config.Config, st *store.Store) (any, error) { return run(ctx, st, cfg.Webhooks.Policy()) })
	}
	return usageError{fmt.Errorf("admin: unknown subcommand %q\n%s", strings.Join(args, " "), adminUsage)}
}

// parse parses the flags of subcommand name, defined by define, plus
// --config, whose value it returns. Mistakes are usage errors.
func (e adminEnv) parse(name string, args []string, define func(fs *flag.FlagSet)) (string, error) {
	fs := flag.NewFlagSet("gallant admin "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	define(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", usageError{fmt.Errorf("admin %s: %w", name, err)}
	}
	if fs.NArg() > 0 {
		return "", usageError{fmt.Errorf("admin %s: unexpected arguments %v", name, fs.Args())}
	}
	return *path, nil
}

// withStore loads the configuration at path, opens (and migrates) its
// store, runs fn and prints what fn returns as indented JSON.
func (e adminEnv) withStore(ctx context.Context, path string, fn func(config.Config, *store.Store) (any, error)) error {
	cfg, err := e.load(path)
	if err != nil {
		return err
	}
	logger, err := config.NewLogger(config.LogConfig{Level: "warn"})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	out, err := fn(cfg, st)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// withAdmin runs fn with the admin use cases over the store of the
// configuration at path, and prints what fn returns as indented JSON.
func (e adminEnv) withAdmin(ctx context.Context, path string, fn func(config.Config, *appsvc.Admin) (any, error)) error {
	return e.withStore(ctx, path, func(cfg config.Config, st *store.Store) (any, error) {
		logger, err := config.NewLogger(config.LogConfig{Level: "warn"})
		if err != nil {
			return nil, err
		}
		return fn(cfg, appsvc.NewAdmin(st, logger, cfg.BillingCurrency()))
	})
}

// accountCreated is the output of "admin account create"; its
// admin_api_key acts as reseller or platform admin (those kinds only).
type accountCreated struct {
	account.Created
	Currency string `json:"currency"`
	Kind     string `json:"kind"`
	ParentID int64  `json:"parent_id,omitempty"`
}

// accountCreate creates an account with its API key, SMPP credential and
// billing account (at zero, in cfg.Billing.Currency).
func (e adminEnv) accountCreate(ctx context.Context, args []string) error {
	var name, kind string
	var parent int64
	path, err := e.parse("account create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the account's name")
		fs.StringVar(&kind, "kind", string(store.KindCustomer), "customer, reseller or platform")
		fs.Int64Var(&parent, "parent", 0, "the reseller to put the account under")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return usageError{errors.New("admin account create: --name is required")}
	}
	if !store.AccountKind(kind).Valid() || parent < 0 {
		return usageError{errors.New("admin account create: --kind is customer, reseller or platform; --parent an account id")}
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		created, err := ad.CreateAccount(ctx, name, store.AccountKind(kind), parent)
		if err != nil {
			return nil, fmt.Errorf("admin account create: %w", err)
		}
		return accountCreated{Created: created, Currency: ad.Currency(), Kind: kind, ParentID: parent}, nil
	})
}

// balanceOut is a billing account as the admin commands print it. Amounts
// are given both as decimal text and in micros.
type balanceOut struct {
	AccountID         int64  `json:"account_id"`
	Currency          string `json:"currency"`
	Balance           string `json:"balance"`
	BalanceMicros     int64  `json:"balance_micros"`
	Held              string `json:"held"`
	HeldMicros        int64  `json:"held_micros"`
	CreditLimit       string `json:"credit_limit"`
	CreditLimitMicros int64  `json:"credit_limit_micros"`
	Available         string `json:"available"`
	AvailableMicros   int64  `json:"available_micros"`
}

func newBalanceOut(a *store.BillingAccount) balanceOut {
	return balanceOut{
		AccountID: a.AccountID, Currency: a.Currency,
		Balance: billing.Micros(a.Balance).String(), BalanceMicros: a.Balance,
		Held: billing.Micros(a.Held).String(), HeldMicros: a.Held,
		CreditLimit: billing.Micros(a.CreditLimit).String(), CreditLimitMicros: a.CreditLimit,
		Available: billing.Micros(a.Available()).String(), AvailableMicros: a.Available(),
	}
}

// topUpOut is the output of "admin topup": the ledger row written and the
// balance read right after it.
type topUpOut struct {
	LedgerID     int64      `json:"ledger_id"`
	Amount       string     `json:"amount"`
	AmountMicros int64      `json:"amount_micros"`
	Reference    string     `json:"reference,omitempty"`
	Account      balanceOut `json:"account"`
}

// requireAccount checks an --account flag's value; 0 means it was not
// given.
func requireAccount(name string, id int64) error {
	if id <= 0 {
		return usageError{fmt.Errorf("admin %s: --account must be a positive account id", name)}
	}
	return nil
}

// topUp adds money to an account's balance with a top-up ledger row.
func (e adminEnv) topUp(ctx context.Context, args []string) error {
	var (
		id             int64
		amount, reason string
	)
	path, err := e.parse("topup", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&id, "account", 0, "the account to top up")
		fs.StringVar(&amount, "amount", "", "the amount in currency units, e.g. 12.50")
		fs.StringVar(&reason, "reference", "", "a reference, such as a bank transfer's")
	})
	if err != nil {
		return err
	}
	if err := requireAccount("topup", id); err != nil {
		return err
	}
	if amount == "" {
		return usageError{errors.New("admin topup: --amount is required")}
	}
	m, err := billing.ParseMicros(amount)
	if err != nil {
		return usageError{fmt.Errorf("admin topup: --amount: %w", err)}
	}
	if m <= 0 {
		return usageError{fmt.Errorf("admin topup: --amount %s must be positive", amount)}
	}
	if len(reason) > maxReference {
		return usageError{fmt.Errorf("admin topup: --reference is longer than %d bytes", maxReference)}
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		if reason == "" {
			reason = "admin top-up"
		}
		pay, a, err := ad.TopUp(ctx, id, m, reason)
		if err != nil {
			return nil, err
		}
		return topUpOut{LedgerID: pay.LedgerID, Amount: m.String(), AmountMicros: int64(m), Reference: pay.Reference,
			Account: newBalanceOut(a)}, nil
	})
}

// balance prints an account's balance.
func (e adminEnv) balance(ctx context.Context, args []string) error {
	var id int64
	path, err := e.parse("balance", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&id, "account", 0, "the account")
	})
	if err != nil {
		return err
	}
	if err := requireAccount("balance", id); err != nil {
		return err
	}
	return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) {
		a, err := st.GetBillingAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		return newBalanceOut(a), nil
	})
}

// priceFlags collects repeated --price PREFIX=AMOUNT flags.
type priceFlags []store.PlanPrice

// String implements flag.Value.
func (p *priceFlags) String() string {
	parts := make([]string, len(*p))
	for i, pr := range *p {
		parts[i] = pr.Prefix + "=" + billing.Micros(pr.PriceMicros).String()
	}
	return strings.Join(parts, " ")
}

// Set implements flag.Value: it parses one PREFIX=AMOUNT.
func (p *priceFlags) Set(s string) error {
	pr, err := appsvc.ParsePlanPrice(s, *p)
	if err != nil {
		return err
	}
	*p = append(*p, pr)
	return nil
}

// planOut is the output of "admin plan create".
type planOut struct {
	PlanID   int64  `json:"plan_id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Default  bool   `json:"default"`
	// RefundUndelivered: the plan refunds messages not delivered.
	RefundUndelivered bool       `json:"refund_undelivered"`
	ValidFrom         time.Time  `json:"valid_from"`
	Prices            []priceOut `json:"prices"`
	// AccountID is the account the plan was assigned to; 0 for none.
	AccountID int64 `json:"account_id,omitempty"`
}

// priceOut is one price of a plan.
type priceOut struct {
	Prefix      string `json:"prefix"`
	Price       string `json:"price"`
	PriceMicros int64  `json:"price_micros"`
}

// planCreate creates a price plan in force from now and optionally
// assigns it to an account.
func (e adminEnv) planCreate(ctx context.Context, args []string) error {
	var (
		name, currency string
		isDefault      bool
		refund         bool
		id             int64
		prices         priceFlags
	)
	path, err := e.parse("plan create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the plan's name")
		fs.StringVar(&currency, "currency", "", "ISO 4217 currency (default billing.currency of the configuration)")
		fs.BoolVar(&isDefault, "default", false, "make it the default plan")
		fs.BoolVar(&refund, "refund-undelivered", false, "refund messages whose final status is not delivered")
		fs.Int64Var(&id, "account", 0, "assign the plan to this account")
		fs.Var(&prices, "price", "PREFIX=AMOUNT, the price per segment of destinations starting with PREFIX (repeatable)")
	})
	if err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(name) == "":
		return usageError{errors.New("admin plan create: --name is required")}
	case currency != "" && !billing.ValidCurrency(currency):
		return usageError{fmt.Errorf("admin plan create: --currency %q is not an ISO 4217 code such as EUR", currency)}
	case id < 0:
		return usageError{errors.New("admin plan create: --account must be a positive account id")}
	case len(prices) == 0:
		return usageError{errors.New("admin plan create: at least one --price PREFIX=AMOUNT is required")}
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		p := &store.PricePlan{Name: name, Currency: currency, Default: isDefault, RefundUndelivered: refund,
			ValidFrom: time.Now().UTC().Truncate(time.Microsecond), Prices: prices}
		if err := ad.CreatePlan(ctx, p, id); err != nil {
			return nil, fmt.Errorf("admin plan create: %w", err)
		}
		out := planOut{PlanID: p.ID, Name: p.Name, Currency: p.Currency, Default: p.Default, RefundUndelivered: p.RefundUndelivered, ValidFrom: p.ValidFrom,
			Prices: make([]priceOut, len(p.Prices)), AccountID: max(id, 0)}
		for i, pr := range p.Prices {
			out.Prices[i] = priceOut{Prefix: pr.Prefix, Price: billing.Micros(pr.PriceMicros).String(), PriceMicros: pr.PriceMicros}
		}
		return out, nil
	})
}

// dndImport replaces a country's do-not-disturb registry with FILE (one
// number per line, or CSV with the number first); running instances
// enforce it within seconds.
func (e adminEnv) dndImport(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{errors.New("admin dnd import: give the registry FILE first\n" + adminUsage)}
	}
	var country string
	path, err := e.parse("dnd import", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&country, "country", "", "the registry's country (ISO code: GB, IN, ...)")
	})
	if err != nil {
		return err
	}
	f, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("admin dnd import: %w", err)
	}
	defer f.Close()
	return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) {
		return consent.ImportRegistry(ctx, st, country, f)
	})
}

// rotateKey seals every sealed column again under the first key of
// secrets.key (store.Reseal), while gateways may serve.
func (e adminEnv) rotateKey(ctx context.Context, args []string) error {
	var batch int
	var pause time.Duration
	path, err := e.parse("rotate-key", args, func(fs *flag.FlagSet) {
		fs.IntVar(&batch, "batch", 1000, "rows per transaction (1 to 10000)")
		fs.DurationVar(&pause, "pause", 20*time.Millisecond, "pause between batches")
	})
	if err != nil {
		return err
	}
	var last time.Time
	return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) {
		return st.Reseal(ctx, batch, pause, func(p store.ResealProgress) {
			if time.Since(last) >= 5*time.Second { // progress every few seconds; the totals print at the end
				last = time.Now()
				fmt.Fprintf(e.stderr, "%s: %d read, %d sealed again\n", p.Table, p.Read, p.Resealed)
			}
		})
	})
}
