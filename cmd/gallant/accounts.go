package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// The admin subcommands for the account tree ("gallant admin account
// suspend|activate", "gallant admin plan assign"). They act as the
// platform admin from the command line (audit entries carry no user),
// on the store directly: running instances see a suspension within their
// cache life (30 seconds; open SMPP sessions there end at their next
// recheck of open binds, 15 seconds) and a plan change at their next
// price reload (pricesReload).

// accountStatusOut is the output of "admin account suspend|activate".
type accountStatusOut struct {
	AccountID int64  `json:"account_id"`
	Status    string `json:"status"`
}

// accountSetStatus suspends or reactivates the account whose id is the
// one argument in args.
func (e adminEnv) accountSetStatus(ctx context.Context, args []string, status store.AccountStatus) error {
	name := "account suspend"
	if status == store.AccountActive {
		name = "account activate"
	}
	// The id comes first ("suspend 12 --config f"); flags may follow.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usageError{fmt.Errorf("admin %s: give the account id: gallant admin %s ID", name, name)}
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Errorf("admin %s: %q is not an account id", name, args[0])}
	}
	path, err := e.parse(name, args[1:], func(*flag.FlagSet) {})
	if err != nil {
		return err
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		if err := ad.SetAccountStatus(ctx, id, status); err != nil {
			return nil, fmt.Errorf("admin %s: %w", name, err)
		}
		return accountStatusOut{AccountID: id, Status: string(status)}, nil
	})
}

// planAssignOut is the output of "admin plan assign".
type planAssignOut struct {
	AccountID int64  `json:"account_id"`
	PlanID    int64  `json:"plan_id"`
	Name      string `json:"name"`
	Currency  string `json:"currency"`
}

// planAssign makes a plan an account's only plan.
func (e adminEnv) planAssign(ctx context.Context, args []string) error {
	var id, planID int64
	path, err := e.parse("plan assign", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&id, "account", 0, "the account")
		fs.Int64Var(&planID, "plan", 0, "the plan to give it")
	})
	if err != nil {
		return err
	}
	if err := requireAccount("plan assign", id); err != nil {
		return err
	}
	if planID <= 0 {
		return usageError{errors.New("admin plan assign: --plan must be a positive plan id")}
	}
	return e.withAdmin(ctx, path, func(_ config.Config, ad *appsvc.Admin) (any, error) {
		pl, err := ad.AssignPlan(ctx, id, planID)
		if err != nil {
			return nil, fmt.Errorf("admin plan assign: %w", err)
		}
		return planAssignOut{AccountID: id, PlanID: planID, Name: pl.Name, Currency: pl.Currency}, nil
	})
}
