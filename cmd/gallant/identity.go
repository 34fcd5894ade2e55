package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// testArgon2, when set (by tests), replaces the password hash parameters:
// the defaults cost about 50 ms and 19 MiB a hash, too much for a test
// suite under the race detector.
var testArgon2 *account.Argon2Params

// newUsers builds the user flows from the auth and mail sections
// (config.Users) and registers the account metrics.
func (a *app) newUsers() (*account.Users, error) {
	ucfg, err := a.cfg.Users(a.mailer, a.log)
	if err != nil {
		return nil, err
	}
	if err := a.acc.RegisterMetrics(a.reg); err != nil {
		return nil, err
	}
	if testArgon2 != nil {
		ucfg.Argon2 = *testArgon2
	}
	return account.NewUsers(a.acc, ucfg)
}

// userCreate runs "admin user create": a dashboard user created without
// an acting user, to bootstrap the platform's first admin (role admin on
// the platform account) or a customer's owner. It prints the user as
// JSON; a verification mail is sent when the mail section has a relay.
func (e adminEnv) userCreate(ctx context.Context, args []string) error {
	var (
		email, password, role string
		accountID             int64
		canSend               bool
	)
	path, err := e.parse("user create", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email, used to log in")
		fs.StringVar(&password, "password", "", fmt.Sprintf("the password (%d to %d bytes)", account.MinPasswordLen, account.MaxPasswordLen))
		fs.Int64Var(&accountID, "account", 0, "the account the user belongs to")
		fs.StringVar(&role, "role", "", "admin (platform account only), reseller (reseller account only), owner or member")
		fs.BoolVar(&canSend, "can-send", false, "lets a member send")
	})
	if err != nil {
		return err
	}
	if err := requireAccount("user create", accountID); err != nil {
		return err
	}
	if email == "" || password == "" {
		return usageError{errors.New("admin user create: --email and --password are required")}
	}
	if !account.Role(role).Valid() {
		return usageError{fmt.Errorf("admin user create: --role %q: want admin, reseller, owner or member", role)}
	}
	return e.withStore(ctx, path, func(cfg config.Config, st *store.Store) (any, error) {
		logger, err := config.NewLogger(config.LogConfig{Level: "warn"})
		if err != nil {
			return nil, err
		}
		mailer, err := config.NewMailer(cfg.Mail, logger)
		if err != nil {
			return nil, err
		}
		ad := appsvc.NewAdmin(st, logger, cfg.BillingCurrency())
		// This command signs no tokens: any secret will do.
		secret := make([]byte, account.MinTokenSecret)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		users, err := account.NewUsers(ad.Accounts(), account.UsersConfig{TokenSecret: secret, Mailer: mailer})
		if err != nil {
			return nil, err
		}
		u, err := ad.CreateUser(ctx, users, account.NewUser{AccountID: accountID, Email: email, Password: password,
			Role: account.Role(role), CanSend: canSend})
		if err != nil {
			return nil, fmt.Errorf("admin user create: %w", err)
		}
		return appsvc.UserViewOf(u), nil
	})
}
