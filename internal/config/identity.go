package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
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
	// DashboardURL is where users open the dashboard, such as
	// "https://sms.example.com": the reset and verification mails then
	// link to its pages (/reset-password/confirm?token=…,
	// /verify-email?token=…). Empty, the mails carry the bare token,
	// which the pages also take pasted.
	DashboardURL string `yaml:"dashboard_url"`
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

// SignupOpen reports whether anyone may sign up: open registration with
// a way to mail the verification link (an SMTP relay, or the demo's log).
func (c Config) SignupOpen() bool {
	return c.Auth.OpenRegistration && (c.Mail.SMTPHost != "" || c.Mail.LogMails)
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
	if u := c.Auth.DashboardURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" {
			return fmt.Errorf("config: auth.dashboard_url %q is not an http or https URL without query (e.g. https://sms.example.com)", u)
		}
	}
	if c.Mail.SMTPPort < 0 || c.Mail.SMTPPort > 65535 {
		return fmt.Errorf("config: mail.smtp_port %d is not a port", c.Mail.SMTPPort)
	}
	if c.Mail.SMTPHost != "" && c.Mail.From == "" {
		return errors.New("config: mail.smtp_host needs mail.from")
	}
	return nil
}

// NewMailer is the one place the app's mailer is chosen: SMTP when
// mail.smtp_host is set, else none (nil), or the log for gallant demo
// (LogMails). Only the demo ever prints a mail.
func NewMailer(cfg MailConfig, logger *slog.Logger) (account.Mailer, error) {
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

// errUnbilledRegistration refuses to serve open registration for free.
var errUnbilledRegistration = errors.New("config: auth.open_registration is on while billing.enabled is off: anyone could " +
	"sign up and send for free; enable billing, turn open_registration off, or set auth.allow_unbilled_registration: true " +
	"if that is really wanted")

// Users is the configuration of the user flows from the auth section,
// sending mail with mailer: it refuses open registration without billing
// (unless allowed, loudly), draws a random token secret when none is
// configured, and warns, once, that the flows needing mail answer 503
// when there is no mailer.
func (c Config) Users(mailer account.Mailer, logger *slog.Logger) (account.UsersConfig, error) {
	cfg := c.Auth
	if cfg.OpenRegistration && !c.Billing.Enabled {
		if !cfg.AllowUnbilledRegistration {
			return account.UsersConfig{}, errUnbilledRegistration
		}
		logger.Warn("UNBILLED OPEN REGISTRATION: auth.open_registration is on and billing is off " +
			"(auth.allow_unbilled_registration): anyone who verifies an email address can send messages for free")
	}
	if mailer == nil {
		logger.Warn("mail.smtp_host is empty: no mail can be sent; sign-up, password reset and email verification " +
			"requests are answered 503 mail-unavailable")
	}
	secret := []byte(cfg.TokenSecret)
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return account.UsersConfig{}, fmt.Errorf("auth: draw a token secret: %w", err)
		}
		logger.Warn("auth.token_secret is empty: using a random one; dashboard sessions end at restart and work on this instance only")
	}
	ucfg := account.UsersConfig{TokenSecret: secret, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
		SessionMaxAge: cfg.SessionMaxAge, OpenRegistration: cfg.OpenRegistration, Mailer: mailer}
	if base := strings.TrimRight(cfg.DashboardURL, "/"); base != "" {
		ucfg.ResetLinkBase = base + "/reset-password/confirm?token="
		ucfg.VerifyLinkBase = base + "/verify-email?token="
	}
	return ucfg, nil
}
