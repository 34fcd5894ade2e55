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

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// adminUsage lists the admin subcommands.
const adminUsage = `usage:
  gallant admin account create --name NAME [--kind customer|reseller|platform] [--parent ID] [--config FILE]
  gallant admin account suspend|activate ID [--config FILE]
` + appsvc.BillingUsage + `
  gallant admin buyrate add --carrier NAME --prefix PREFIX --price AMOUNT [--currency CUR] [--config FILE]
  gallant admin plan assign --account ID --plan ID [--config FILE]
  gallant admin user create --email EMAIL --password PASSWORD --account ID --role admin|reseller|owner|member
                            [--can-send] [--config FILE]
  gallant admin dnd import FILE --country CC [--config FILE]
` + appsvc.RotateKeyUsage + "\n" + appsvc.NumberUsage + "\n" + appsvc.CarrierUsage

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
	case len(args) >= 1 && (args[0] == "topup" || args[0] == "balance"),
		len(args) >= 2 && args[0] == "plan" && args[1] == "create":
		path, run, err := appsvc.BillingCommand(args, e.stderr)
		if err != nil {
			return asUsage(err)
		}
		return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) { return run(ctx, ad) })
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
		path, run, err := appsvc.RotateKeyCommand(args[1:], e.stderr, e.stderr)
		if err != nil {
			return asUsage(err)
		}
		return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) { return run(ctx, st) })
	case len(args) >= 1 && (args[0] == "carrier" || args[0] == "route"):
		path, run, err := appsvc.CarrierCommand(args, e.stderr)
		if err != nil {
			return asUsage(err)
		}
		return e.withStore(ctx, path, func(_ config.Config, st *store.Store) (any, error) { return run(ctx, st) })
	case len(args) >= 1 && args[0] == "number":
		path, run, err := appsvc.NumberCommand(args[1:], e.stderr)
		if err != nil {
			return asUsage(err)
		}
		return e.withStore(ctx, path, func(cfg config.Config, st *store.Store) (any, error) { return run(ctx, st, cfg.Webhooks.Policy()) })
	}
	return usageError{fmt.Errorf("admin: unknown subcommand %q\n%s", strings.Join(args, " "), adminUsage)}
}

// asUsage marks a command-line mistake returned by an app command
// parser as a usage error (exit status 2); a request for help stays as is.
func asUsage(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// requireAccount checks an --account flag's value; 0 means it was not
// given.
func requireAccount(name string, id int64) error {
	if id <= 0 {
		return usageError{fmt.Errorf("admin %s: --account must be a positive account id", name)}
	}
	return nil
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
