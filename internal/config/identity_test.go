package config

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
)

// TestIdentityConfig: the auth and mail sections load from YAML and the
// environment and are checked.
func TestIdentityConfig(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	cfg, err := Load("", []string{"GALLANT_AUTH_TOKEN_SECRET=" + strings.Repeat("k", 32), "GALLANT_AUTH_ACCESS_TTL=5m",
		"GALLANT_MAIL_SMTP_HOST=smtp.example.com", "GALLANT_MAIL_FROM=noreply@example.com", "GALLANT_MAIL_SMTP_PORT=2525"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.SessionMaxAge != 0 || cfg.Auth.OpenRegistration || cfg.Auth.AllowUnbilledRegistration || cfg.Mail.LogMails {
		t.Fatalf("defaults %+v %+v", cfg.Auth, cfg.Mail)
	}
	if c, err := Load("", []string{"GALLANT_AUTH_SESSION_MAX_AGE=24h", "GALLANT_AUTH_ALLOW_UNBILLED_REGISTRATION=true"}); err != nil ||
		c.Auth.SessionMaxAge != 24*time.Hour || !c.Auth.AllowUnbilledRegistration {
		t.Fatalf("session_max_age, allow_unbilled_registration: %+v, %v", c.Auth, err)
	}
	if cfg.Auth.TokenSecret != strings.Repeat("k", 32) || cfg.Auth.AccessTTL != 5*time.Minute ||
		cfg.Mail.SMTPHost != "smtp.example.com" || cfg.Mail.SMTPPort != 2525 {
		t.Fatalf("config %+v %+v", cfg.Auth, cfg.Mail)
	}
	for _, env := range [][]string{
		{"GALLANT_AUTH_TOKEN_SECRET=short"},
		{"GALLANT_AUTH_ACCESS_TTL=-1s"},
		{"GALLANT_AUTH_ACCESS_TTL=2h", "GALLANT_AUTH_REFRESH_TTL=1h"},
		{"GALLANT_MAIL_SMTP_HOST=smtp.example.com"},
		{"GALLANT_MAIL_SMTP_PORT=70000"},
		{"GALLANT_AUTH_SESSION_MAX_AGE=-1s"},
		{"GALLANT_AUTH_ACCESS_TTL=2h", "GALLANT_AUTH_SESSION_MAX_AGE=1h"},
		{"GALLANT_AUTH_CLOSED_REGISTRATION=true"},
		{"GALLANT_MAIL_LOGMAILS=true"},
		{"GALLANT_MAIL_LOG_MAILS=true"},
	} {
		if _, err := Load("", env); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
	if _, err := Load(filepath.Join("..", "..", "configs", "production.yaml"), nil); err != nil {
		t.Errorf("production.yaml: %v", err)
	}
	m, err := NewMailer(MailConfig{}, discard)
	if m != nil || err != nil {
		t.Errorf("no smtp_host: %T, %v; want no mailer", m, err)
	}
	m, err = NewMailer(MailConfig{LogMails: true}, discard)
	if _, ok := m.(account.LogMailer); err != nil || !ok {
		t.Errorf("the demo's mailer: %T, %v", m, err)
	}
	m, err = NewMailer(MailConfig{SMTPHost: "smtp.example.com", From: "noreply@example.com"}, discard)
	if _, ok := m.(*account.SMTPMailer); err != nil || !ok {
		t.Errorf("smtp_host: %T, %v", m, err)
	}
}

// TestUsersConfig: the auth section becomes the user flows' configuration:
// open registration without billing is refused unless allowed (then with
// a warning), an empty token secret is replaced by a random one with a
// warning, and a missing mailer is warned about.
func TestUsersConfig(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := Default()
	cfg.Auth.OpenRegistration = true
	if _, err := cfg.Users(nil, logger); err == nil || !strings.Contains(err.Error(), "auth.open_registration is on while billing.enabled is off") {
		t.Fatalf("open registration without billing: %v, want refused", err)
	}
	cfg.Auth.AllowUnbilledRegistration = true
	cfg.Auth.AccessTTL, cfg.Auth.RefreshTTL = time.Minute, time.Hour
	u, err := cfg.Users(nil, logger)
	if err != nil || len(u.TokenSecret) != 32 || !u.OpenRegistration || u.AccessTTL != time.Minute || u.RefreshTTL != time.Hour {
		t.Fatalf("users config %+v, %v", u, err)
	}
	again, _ := cfg.Users(nil, logger)
	if bytes.Equal(again.TokenSecret, u.TokenSecret) {
		t.Fatal("two random token secrets are equal")
	}
	for _, warning := range []string{"UNBILLED OPEN REGISTRATION", "mail.smtp_host is empty", "auth.token_secret is empty"} {
		if !strings.Contains(logs.String(), warning) {
			t.Errorf("no warning %q in the log:\n%s", warning, logs.String())
		}
	}
	cfg.Auth.TokenSecret = strings.Repeat("s", 32)
	if u, err := cfg.Users(account.LogMailer{Log: logger}, logger); err != nil || string(u.TokenSecret) != cfg.Auth.TokenSecret || u.Mailer == nil {
		t.Fatalf("configured secret and mailer: %+v, %v", u, err)
	}
}

// TestSignupOpen: sign-up is announced open only with open registration
// and a way to mail the verification link.
func TestSignupOpen(t *testing.T) {
	for _, c := range []struct {
		open, smtp, logMails, want bool
	}{
		{false, true, false, false},
		{true, false, false, false},
		{true, true, false, true},
		{true, false, true, true},
	} {
		var cfg Config
		cfg.Auth.OpenRegistration = c.open
		cfg.Mail.LogMails = c.logMails
		if c.smtp {
			cfg.Mail.SMTPHost = "mail.example.com"
		}
		if got := cfg.SignupOpen(); got != c.want {
			t.Errorf("open=%v smtp=%v log=%v: SignupOpen %v, want %v", c.open, c.smtp, c.logMails, got, c.want)
		}
	}
}

// TestDashboardURL: auth.dashboard_url must be an http(s) URL, and the
// reset and verification mails then link to the dashboard's pages.
func TestDashboardURL(t *testing.T) {
	for _, bad := range []string{"sms.example.com", "ftp://sms.example.com", "https://", "https://x.example/?a=1", "::"} {
		cfg := Default()
		cfg.Auth.DashboardURL = bad
		if err := cfg.validateIdentity(); err == nil || !strings.Contains(err.Error(), "auth.dashboard_url") {
			t.Errorf("dashboard_url %q: %v, want refused", bad, err)
		}
	}
	cfg := Default()
	cfg.Auth.DashboardURL = "https://sms.example.com/"
	if err := cfg.validateIdentity(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	u, err := cfg.Users(nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	if u.ResetLinkBase != "https://sms.example.com/reset-password/confirm?token=" || u.VerifyLinkBase != "https://sms.example.com/verify-email?token=" {
		t.Errorf("link bases %q, %q", u.ResetLinkBase, u.VerifyLinkBase)
	}
	cfg.Auth.DashboardURL = ""
	if u, _ := cfg.Users(nil, logger); u.ResetLinkBase != "" || u.VerifyLinkBase != "" {
		t.Errorf("without dashboard_url the mails carry the bare token, got %q, %q", u.ResetLinkBase, u.VerifyLinkBase)
	}
}
