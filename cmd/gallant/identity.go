package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/account"
	appsvc "github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/store"
)

// AuthConfig configures dashboard sessions.
type AuthConfig struct {
	// TokenSecret signs access tokens (HS256): at least 32 bytes, the
	// same on every instance. Empty, serve draws a random one at start
	// and warns: sessions then end at every restart and work on one
	// instance only.
	TokenSecret string `yaml:"token_secret"`
	// AccessTTL is an access token's life (default 15m); a logged-out or
	// demoted user keeps its rights this long at most.
	AccessTTL time.Duration `yaml:"access_ttl"`
	// RefreshTTL is a refresh token's life (default 720h, 30 days);
	// each refresh issues a new one.
	RefreshTTL time.Duration `yaml:"refresh_ttl"`
	// SessionMaxAge is the absolute life of a login (default 720h, 30
	// days; 0 means the default): refreshing never keeps a session past
	// it, and the user must log in again.
	SessionMaxAge time.Duration `yaml:"session_max_age"`
	// OpenRegistration lets anyone sign up (POST /v1/auth/register);
	// off, the default, accounts are made by an admin or a reseller
	// only. A signed-up owner can neither send nor make keys or
	// credentials until it has verified its email, and serve refuses to
	// start with it while billing is off (everyone could send for free)
	// unless AllowUnbilledRegistration.
	OpenRegistration bool `yaml:"open_registration"`
	// AllowUnbilledRegistration lets serve start with open registration
	// and billing off, with a warning at every start: anyone who can
	// verify an email address can then send for free.
	AllowUnbilledRegistration bool `yaml:"allow_unbilled_registration"`
	// ClosedRegistration is the key open_registration replaced (its
	// default was open); a configuration still setting it is refused
	// with a message saying what to write instead.
	ClosedRegistration *bool `yaml:"closed_registration"`
}

// MailConfig says how the gateway sends mail (sign-up, password resets,
// email verification, alerts). Without SMTPHost the gateway sends no
// mail: sign-up, password reset and verification requests are answered
// 503 mail-unavailable, and no token is made.
type MailConfig struct {
	SMTPHost string `yaml:"smtp_host"`
	// SMTPPort defaults to 587 (submission, upgraded with STARTTLS when
	// the relay offers it).
	SMTPPort int `yaml:"smtp_port"`
	// Username and Password, when Username is set, authenticate with
	// AUTH PLAIN (only over TLS or to localhost).
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// From is the sender address; required with SMTPHost.
	From string `yaml:"from"`
	// LogMails, set by gallant demo only (it is no configuration key),
	// logs the mails, tokens included, when SMTPHost is empty.
	LogMails bool `yaml:"-"`
}

// validateIdentity checks the auth and mail sections.
func (c *Config) validateIdentity() error {
	if s := c.Auth.TokenSecret; s != "" && len(s) < account.MinTokenSecret {
		return fmt.Errorf("config: auth.token_secret has %d bytes; it needs at least %d (e.g. 64 hex digits from openssl rand -hex 32)",
			len(s), account.MinTokenSecret)
	}
	if c.Auth.ClosedRegistration != nil {
		return errors.New("config: auth.closed_registration was replaced by auth.open_registration (default false: closed); " +
			"remove closed_registration, and set open_registration: true only to let anyone sign up")
	}
	if c.Auth.AccessTTL < 0 || c.Auth.RefreshTTL < 0 || c.Auth.SessionMaxAge < 0 {
		return errors.New("config: auth.access_ttl, auth.refresh_ttl and auth.session_max_age must not be negative")
	}
	if c.Auth.SessionMaxAge > 0 && c.Auth.AccessTTL > c.Auth.SessionMaxAge {
		return errors.New("config: auth.access_ttl is longer than auth.session_max_age")
	}
	if c.Auth.RefreshTTL > 0 && c.Auth.AccessTTL > c.Auth.RefreshTTL {
		return errors.New("config: auth.access_ttl is longer than auth.refresh_ttl")
	}
	if c.Mail.SMTPPort < 0 || c.Mail.SMTPPort > 65535 {
		return fmt.Errorf("config: mail.smtp_port %d is not a port", c.Mail.SMTPPort)
	}
	if c.Mail.SMTPHost != "" && c.Mail.From == "" {
		return errors.New("config: mail.smtp_host needs mail.from")
	}
	return nil
}

// newMailer is the one place the app's mailer is chosen: SMTP when
// mail.smtp_host is set, else none (nil), or the log for gallant demo
// (LogMails). Only the demo ever prints a mail.
func newMailer(cfg MailConfig, logger *slog.Logger) (account.Mailer, error) {
	if cfg.SMTPHost == "" {
		if cfg.LogMails {
			return account.LogMailer{Log: logger.With("component", "mail")}, nil
		}
		return nil, nil
	}
	port := cfg.SMTPPort
	if port == 0 {
		port = 587
	}
	m, err := account.NewSMTPMailer(account.SMTPConfig{Addr: net.JoinHostPort(cfg.SMTPHost, strconv.Itoa(port)),
		From: cfg.From, Username: cfg.Username, Password: cfg.Password})
	if err != nil {
		return nil, fmt.Errorf("config: mail: %w", err)
	}
	return m, nil
}

// testArgon2, when set (by tests), replaces the password hash parameters:
// the defaults cost about 50 ms and 19 MiB a hash, too much for a test
// suite under the race detector.
var testArgon2 *account.Argon2Params

// errUnbilledRegistration refuses to serve open registration for free.
var errUnbilledRegistration = errors.New("config: auth.open_registration is on while billing.enabled is off: anyone could " +
	"sign up and send for free; enable billing, turn open_registration off, or set auth.allow_unbilled_registration: true " +
	"if that is really wanted")

// newUsers builds the user flows from the auth and mail sections,
// drawing a random token secret when none is configured, registers the
// account metrics, and refuses open registration without billing
// (unless allowed, loudly). Without a mailer it warns, once, that the
// flows needing mail answer 503.
func (a *app) newUsers() (*account.Users, error) {
	cfg, logger := a.cfg.Auth, a.log
	if cfg.OpenRegistration && !a.cfg.Billing.Enabled {
		if !cfg.AllowUnbilledRegistration {
			return nil, errUnbilledRegistration
		}
		logger.Warn("UNBILLED OPEN REGISTRATION: auth.open_registration is on and billing is off " +
			"(auth.allow_unbilled_registration): anyone who verifies an email address can send messages for free")
	}
	if a.mailer == nil {
		logger.Warn("mail.smtp_host is empty: no mail can be sent; sign-up, password reset and email verification " +
			"requests are answered 503 mail-unavailable")
	}
	if err := a.acc.RegisterMetrics(a.reg); err != nil {
		return nil, err
	}
	secret := []byte(cfg.TokenSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("auth: draw a token secret: %w", err)
		}
		logger.Warn("auth.token_secret is empty: using a random one; dashboard sessions end at restart and work on this instance only")
	}
	ucfg := account.UsersConfig{TokenSecret: secret, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
		SessionMaxAge: cfg.SessionMaxAge, OpenRegistration: cfg.OpenRegistration, Mailer: a.mailer}
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
	return e.withStore(ctx, path, func(cfg Config, st *store.Store) (any, error) {
		logger, err := newLogger(LogConfig{Level: "warn"})
		if err != nil {
			return nil, err
		}
		mailer, err := newMailer(cfg.Mail, logger)
		if err != nil {
			return nil, err
		}
		ad := appsvc.NewAdmin(st, logger, billingCurrency(cfg))
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

// demoUserFile keeps the demo dashboard user's password between runs.
const demoUserFile = "demo-user.json"

// demoLogin is the demo's dashboard user.
type demoLogin struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// demoUserEmail is the demo account's owner.
const demoUserEmail = "demo@gallant.local"

// demoUser returns the demo account's dashboard owner, creating it with a
// random password on first run; the password is kept in dir.
func demoUser(ctx context.Context, a *app, accountID int64, dir string) (demoLogin, error) {
	path := filepath.Join(dir, demoUserFile)
	var l demoLogin
	if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &l) == nil && l.Password != "" {
		if u, err := a.st.UserByEmail(ctx, l.Email); err == nil && u.AccountID == accountID {
			return l, nil
		}
	}
	if _, err := a.st.UserByEmail(ctx, demoUserEmail); err == nil {
		// The user exists but its password file is gone: log in with a
		// password reset (the demo logs its mails).
		return demoLogin{Email: demoUserEmail}, nil
	}
	l = demoLogin{Email: demoUserEmail, Password: rand.Text()[:16]}
	if _, err := a.users.CreateUser(ctx, account.NewUser{AccountID: accountID, Email: l.Email, Password: l.Password,
		Role: account.RoleOwner, CanSend: true, Verified: true}); err != nil {
		return l, fmt.Errorf("create demo user: %w", err)
	}
	b, _ := json.MarshalIndent(l, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return l, fmt.Errorf("save demo user: %w", err)
	}
	return l, nil
}

// printDemoUser prints how to log in as the demo user.
func printDemoUser(w io.Writer, a *app, l demoLogin) {
	base := "http://" + a.httpAddr.String()
	pw := l.Password
	if pw == "" {
		pw = "(unknown: reset it with POST /v1/auth/password-reset; the mail is logged)"
	}
	fmt.Fprintf(w, `Dashboard user  %s  password %s

  curl -s -X POST %s/v1/auth/login -H 'Content-Type: application/json' -d '{"email":"%s","password":"%s"}'; echo

`, l.Email, pw, base, l.Email, l.Password)
}
