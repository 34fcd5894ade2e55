package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// BillingUsage is the usage of the billing commands of "gallant admin".
const BillingUsage = `  gallant admin topup --account ID --amount AMOUNT [--reference REF] [--config FILE]
  gallant admin balance --account ID [--config FILE]
  gallant admin plan create --name NAME [--currency CUR] [--default] [--account ID]
                            [--refund-undelivered] --price PREFIX=AMOUNT [--price ...] [--config FILE]`

// maxReference is the longest top-up reference, the length of the
// ledger's reason column.
const maxReference = 255

// BillingRun runs a parsed billing command with the platform admin's use
// cases and returns what to print.
type BillingRun func(ctx context.Context, ad *Admin) (any, error)

// BalanceOut is a billing account as the admin commands print it.
// Amounts are given both as decimal text and in micros.
type BalanceOut struct {
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

func newBalanceOut(a *store.BillingAccount) BalanceOut {
	return BalanceOut{
		AccountID: a.AccountID, Currency: a.Currency,
		Balance: billing.Micros(a.Balance).String(), BalanceMicros: a.Balance,
		Held: billing.Micros(a.Held).String(), HeldMicros: a.Held,
		CreditLimit: billing.Micros(a.CreditLimit).String(), CreditLimitMicros: a.CreditLimit,
		Available: billing.Micros(a.Available()).String(), AvailableMicros: a.Available(),
	}
}

// TopUpOut is the output of "admin topup": the ledger row written and
// the balance read right after it.
type TopUpOut struct {
	LedgerID     int64      `json:"ledger_id"`
	Amount       string     `json:"amount"`
	AmountMicros int64      `json:"amount_micros"`
	Reference    string     `json:"reference,omitempty"`
	Account      BalanceOut `json:"account"`
}

// PlanOut is the output of "admin plan create".
type PlanOut struct {
	PlanID   int64  `json:"plan_id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Default  bool   `json:"default"`
	// RefundUndelivered: the plan refunds messages not delivered.
	RefundUndelivered bool       `json:"refund_undelivered"`
	ValidFrom         time.Time  `json:"valid_from"`
	Prices            []PriceOut `json:"prices"`
	// AccountID is the account the plan was assigned to; 0 for none.
	AccountID int64 `json:"account_id,omitempty"`
}

// PriceOut is one price of a plan.
type PriceOut struct {
	Prefix      string `json:"prefix"`
	Price       string `json:"price"`
	PriceMicros int64  `json:"price_micros"`
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
	pr, err := ParsePlanPrice(s, *p)
	if err != nil {
		return err
	}
	*p = append(*p, pr)
	return nil
}

// BillingCommand parses "gallant admin topup|balance|plan create ..."
// (args from the subcommand's name on) and returns the --config path and
// the command to run. Flag and value mistakes are returned (printed to
// stderr by the flag package where it prints them); flag.ErrHelp as is.
func BillingCommand(args []string, stderr io.Writer) (string, BillingRun, error) {
	name := ""
	switch {
	case len(args) >= 1 && (args[0] == "topup" || args[0] == "balance"):
		name, args = args[0], args[1:]
	case len(args) >= 2 && args[0] == "plan" && args[1] == "create":
		name, args = "plan create", args[2:]
	default:
		return "", nil, fmt.Errorf("admin: unknown billing command %q\n%s", strings.Join(args, " "), BillingUsage)
	}
	fs := flag.NewFlagSet("gallant admin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	var build func() (BillingRun, error)
	switch name {
	case "topup":
		build = topUpFlags(fs)
	case "balance":
		build = balanceFlags(fs)
	default:
		build = planCreateFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("admin %s: %w", name, err)
	}
	if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("admin %s: unexpected arguments %v", name, fs.Args())
	}
	run, err := build()
	return *path, run, err
}

// requireAccount checks an --account flag's value; 0 means it was not
// given.
func requireAccount(name string, id int64) error {
	if id <= 0 {
		return fmt.Errorf("admin %s: --account must be a positive account id", name)
	}
	return nil
}

// topUpFlags defines the flags of "admin topup", which adds money to an
// account's balance with a top-up ledger row.
func topUpFlags(fs *flag.FlagSet) func() (BillingRun, error) {
	id := fs.Int64("account", 0, "the account to top up")
	amount := fs.String("amount", "", "the amount in currency units, e.g. 12.50")
	reason := fs.String("reference", "", "a reference, such as a bank transfer's")
	return func() (BillingRun, error) {
		if err := requireAccount("topup", *id); err != nil {
			return nil, err
		}
		if *amount == "" {
			return nil, errors.New("admin topup: --amount is required")
		}
		m, err := billing.ParseMicros(*amount)
		if err != nil {
			return nil, fmt.Errorf("admin topup: --amount: %w", err)
		}
		if m <= 0 {
			return nil, fmt.Errorf("admin topup: --amount %s must be positive", *amount)
		}
		if len(*reason) > maxReference {
			return nil, fmt.Errorf("admin topup: --reference is longer than %d bytes", maxReference)
		}
		ref := *reason
		if ref == "" {
			ref = "admin top-up"
		}
		return func(ctx context.Context, ad *Admin) (any, error) {
			pay, a, err := ad.TopUp(ctx, *id, m, ref)
			if err != nil {
				return nil, err
			}
			return TopUpOut{LedgerID: pay.LedgerID, Amount: m.String(), AmountMicros: int64(m), Reference: pay.Reference,
				Account: newBalanceOut(a)}, nil
		}, nil
	}
}

// balanceFlags defines the flags of "admin balance", which prints an
// account's balance.
func balanceFlags(fs *flag.FlagSet) func() (BillingRun, error) {
	id := fs.Int64("account", 0, "the account")
	return func() (BillingRun, error) {
		if err := requireAccount("balance", *id); err != nil {
			return nil, err
		}
		return func(ctx context.Context, ad *Admin) (any, error) {
			a, err := ad.st.GetBillingAccount(ctx, *id)
			if err != nil {
				return nil, err
			}
			return newBalanceOut(a), nil
		}, nil
	}
}

// planCreateFlags defines the flags of "admin plan create", which
// creates a price plan in force from now and optionally assigns it to an
// account.
func planCreateFlags(fs *flag.FlagSet) func() (BillingRun, error) {
	name := fs.String("name", "", "the plan's name")
	currency := fs.String("currency", "", "ISO 4217 currency (default billing.currency of the configuration)")
	isDefault := fs.Bool("default", false, "make it the default plan")
	refund := fs.Bool("refund-undelivered", false, "refund messages whose final status is not delivered")
	id := fs.Int64("account", 0, "assign the plan to this account")
	var prices priceFlags
	fs.Var(&prices, "price", "PREFIX=AMOUNT, the price per segment of destinations starting with PREFIX (repeatable)")
	return func() (BillingRun, error) {
		switch {
		case strings.TrimSpace(*name) == "":
			return nil, errors.New("admin plan create: --name is required")
		case *currency != "" && !billing.ValidCurrency(*currency):
			return nil, fmt.Errorf("admin plan create: --currency %q is not an ISO 4217 code such as EUR", *currency)
		case *id < 0:
			return nil, errors.New("admin plan create: --account must be a positive account id")
		case len(prices) == 0:
			return nil, errors.New("admin plan create: at least one --price PREFIX=AMOUNT is required")
		}
		return func(ctx context.Context, ad *Admin) (any, error) {
			p := &store.PricePlan{Name: *name, Currency: *currency, Default: *isDefault, RefundUndelivered: *refund,
				ValidFrom: time.Now().UTC().Truncate(time.Microsecond), Prices: prices}
			if err := ad.CreatePlan(ctx, p, *id); err != nil {
				return nil, fmt.Errorf("admin plan create: %w", err)
			}
			out := PlanOut{PlanID: p.ID, Name: p.Name, Currency: p.Currency, Default: p.Default, RefundUndelivered: p.RefundUndelivered,
				ValidFrom: p.ValidFrom, Prices: make([]PriceOut, len(p.Prices)), AccountID: max(*id, 0)}
			for i, pr := range p.Prices {
				out.Prices[i] = PriceOut{Prefix: pr.Prefix, Price: billing.Micros(pr.PriceMicros).String(), PriceMicros: pr.PriceMicros}
			}
			return out, nil
		}, nil
	}
}
