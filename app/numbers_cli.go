package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// NumberUsage is the usage of "gallant admin number".
const NumberUsage = `  gallant admin number add --account ID --number NUMBER [--kind long|short|range|keyword] [--keyword WORD]
                           [--carrier NAME] [--webhook-url URL] [--smpp] [--config FILE]
  gallant admin number list [--account ID] [--config FILE]
  gallant admin number remove ID [--config FILE]`

// NumberRun runs a parsed number command on st; webhook URLs must pass
// policy (the configuration's webhooks address policy).
type NumberRun func(ctx context.Context, st *store.Store, policy webhook.AddressPolicy) (any, error)

// cliPlatformAdmin is the command line acting as a platform admin.
var cliPlatformAdmin = Principal{Role: RoleAdmin, Scopes: []string{ScopeAdmin}}

// NumberCommand parses "gallant admin number add|list|remove ..." (args
// after "number") and returns the --config path and the command to run
// on the configuration's store, which returns what to print. It acts as
// a platform admin; a running gateway routes with a change within a
// second. Flag mistakes print to stderr and are returned.
func NumberCommand(args []string, stderr io.Writer) (string, NumberRun, error) {
	if len(args) == 0 {
		return "", nil, fmt.Errorf("admin number: add, list or remove?\n%s", NumberUsage)
	}
	fs := flag.NewFlagSet("gallant admin number "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML)")
	acct := fs.Int64("account", 0, "the owning account")
	var in NumberInput
	switch args[0] {
	case "add":
		fs.StringVar(&in.Number, "number", "", "the number, short code or range prefix")
		fs.StringVar(&in.Kind, "kind", "long", "long, short, range or keyword")
		fs.StringVar(&in.Keyword, "keyword", "", "the keyword (kind keyword)")
		fs.StringVar(&in.Carrier, "carrier", "", "only MOs from this carrier")
		fs.StringVar(&in.WebhookURL, "webhook-url", "", "where MOs are posted")
		fs.BoolVar(&in.SMPP, "smpp", false, "deliver MOs to the account's SMPP receiver binds")
	case "list", "remove":
	default:
		return "", nil, fmt.Errorf("admin number: unknown subcommand %q\n%s", args[0], NumberUsage)
	}
	rest, idArg := args[1:], ""
	if args[0] == "remove" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		idArg, rest = rest[0], rest[1:] // the id may come before the flags
	}
	if err := fs.Parse(rest); err != nil {
		return "", nil, fmt.Errorf("admin number %s: %w", args[0], err)
	}
	if idArg == "" && args[0] == "remove" && fs.NArg() == 1 {
		idArg = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return "", nil, fmt.Errorf("admin number %s: unexpected arguments %v\n%s", args[0], fs.Args(), NumberUsage)
	}
	var id int64
	if args[0] == "remove" {
		if _, err := fmt.Sscan(idArg, &id); err != nil || id <= 0 {
			return "", nil, fmt.Errorf("admin number remove: %q is not a number id\n%s", idArg, NumberUsage)
		}
	}
	in.AccountID = *acct
	return *path, func(ctx context.Context, st *store.Store, policy webhook.AddressPolicy) (any, error) {
		guard, err := webhook.NewGuard(policy, nil)
		if err != nil {
			return nil, fmt.Errorf("admin number: %w", err)
		}
		s := NewNumbers(st, nil, guard)
		switch args[0] {
		case "add":
			return s.Add(ctx, cliPlatformAdmin, in)
		case "list":
			var all []Number
			cursor := ""
			for {
				page, err := s.List(ctx, cliPlatformAdmin, in.AccountID, cursor, 1000)
				if err != nil {
					return nil, err
				}
				all = append(all, page.Data...)
				if cursor = page.NextCursor; cursor == "" {
					return all, nil
				}
			}
		}
		if err := s.Remove(ctx, cliPlatformAdmin, id); err != nil {
			return nil, err
		}
		return map[string]any{"removed": id}, nil
	}, nil
}
