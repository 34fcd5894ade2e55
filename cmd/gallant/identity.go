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
	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/smpp"
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

// sessionScopes are the scopes of a dashboard user's session: every one
// for admins, resellers and owners; read, and send if allowed, for a
// member.
func sessionScopes(a account.Actor) []string {
	switch a.Role {
	case account.RoleAdmin, account.RoleReseller, account.RoleOwner:
		return []string{api.ScopeAdmin}
	}
	if a.CanSend {
		return []string{api.ScopeRead, api.ScopeSend}
	}
	return []string{api.ScopeRead}
}

// authenticateSession checks a dashboard access token for apiAuth.
func authenticateSession(ctx context.Context, s *account.Sessions, token string) (api.Principal, error) {
	a, err := s.Authenticate(ctx, token)
	switch {
	case errors.Is(err, account.ErrSessionEnded):
		return api.Principal{}, api.Unauthorized("this session was ended (logged out everywhere, password changed, or the user changed); log in again")
	case errors.Is(err, account.ErrUnauthorized):
		return api.Principal{}, api.Unauthorized("the access token is not valid or has expired; refresh the session")
	case errors.Is(err, account.ErrUserDisabled):
		return api.Principal{}, api.UserDisabled()
	case errors.Is(err, account.ErrSuspended):
		return api.Principal{}, api.Forbidden("the account is suspended")
	case err != nil:
		return api.Principal{}, err
	}
	return api.Principal{AccountID: a.AccountID, UserID: a.UserID, Role: string(a.Role), CanSend: a.CanSend,
		Scopes: sessionScopes(a), Unverified: a.Unverified}, nil
}

// apiIdentity serves the identity endpoints from the account services.
type apiIdentity struct {
	acc   *account.Service
	users *account.Users
	log   *slog.Logger
	// binds lists this instance's customer binds, so that binds of a
	// changed or deleted SMPP credential can be ended; nil lists none.
	binds func() []*smpp.Session
}

var _ api.Identity = apiIdentity{}

// identityError turns an account or store error into the problem the
// client sees; unauthorized is what ErrUnauthorized means there.
func identityError(err error, unauthorized string) error {
	var rl *account.RateLimitError
	var inv *account.InvalidError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rl):
		return api.RateLimited("too many attempts; try again later", rl.RetryAfter)
	case errors.As(err, &inv):
		return api.InvalidRequest(inv.Field, inv.Detail)
	case errors.Is(err, account.ErrUnauthorized):
		return api.Unauthorized(unauthorized)
	case errors.Is(err, account.ErrSuspended):
		return api.Forbidden("the account is suspended")
	case errors.Is(err, account.ErrForbidden):
		return api.Forbidden("your role may not do this on this account")
	case errors.Is(err, account.ErrNoAccount):
		return api.NotFound("no such account")
	case errors.Is(err, account.ErrBadEmail):
		return api.InvalidRequest("email", "not a plain email address")
	case errors.Is(err, account.ErrWeakPassword):
		return api.InvalidRequest("password", fmt.Sprintf("a password needs %d to %d bytes", account.MinPasswordLen, account.MaxPasswordLen))
	case errors.Is(err, account.ErrEmailTaken):
		return api.EmailTaken()
	case errors.Is(err, account.ErrBadToken):
		return api.InvalidToken("token")
	case errors.Is(err, account.ErrEmailUnverified):
		return api.EmailUnverified()
	case errors.Is(err, account.ErrMailUnavailable):
		return api.MailUnavailable("this gateway cannot send mail (it has no mail relay); ask its operator")
	case errors.Is(err, account.ErrUserDisabled):
		return api.UserDisabled()
	case errors.Is(err, account.ErrLastOwner):
		return api.LastOwner()
	case errors.Is(err, account.ErrRegistrationClosed):
		return api.Forbidden("sign-up is closed on this gateway: ask your provider for an account")
	}
	return err
}

func userView(u account.User) api.UserView {
	return api.UserView{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Role: string(u.Role), CanSend: u.CanSend,
		EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt, Disabled: u.Disabled}
}

func (i apiIdentity) Register(ctx context.Context, req api.RegisterRequest, ip string) error {
	return identityError(i.users.Register(ctx, req.Email, req.Password, req.AccountName, ip), "")
}

// session completes a session with its user.
func (i apiIdentity) session(ctx context.Context, s account.Session) (api.SessionView, error) {
	u, err := i.users.User(ctx, s.Actor.UserID)
	if err != nil {
		return api.SessionView{}, err
	}
	return api.SessionView{AccessToken: s.AccessToken, TokenType: "Bearer",
		ExpiresIn: max(int64(time.Until(s.AccessExpiresAt)/time.Second), 0), RefreshToken: s.RefreshToken,
		RefreshExpiresAt: s.RefreshExpiresAt, User: userView(u)}, nil
}

func (i apiIdentity) Login(ctx context.Context, email, password, ip string) (api.SessionView, error) {
	s, err := i.users.Login(ctx, email, password, ip)
	if err != nil {
		return api.SessionView{}, identityError(err, "wrong email or password")
	}
	return i.session(ctx, s)
}

func (i apiIdentity) Refresh(ctx context.Context, refreshToken, ip string) (api.SessionView, error) {
	s, err := i.users.Refresh(ctx, refreshToken, ip)
	if err != nil {
		return api.SessionView{}, identityError(err, "the refresh token is not valid; log in again")
	}
	return i.session(ctx, s)
}

func (i apiIdentity) Logout(ctx context.Context, refreshToken, ip string) error {
	return identityError(i.users.Logout(ctx, refreshToken, ip), "the refresh token is not valid")
}

func (i apiIdentity) RequestPasswordReset(ctx context.Context, email, ip string) error {
	err := i.users.RequestPasswordReset(ctx, email, ip)
	var rl *account.RateLimitError
	if err == nil || errors.As(err, &rl) || errors.Is(err, account.ErrBadEmail) || errors.Is(err, account.ErrMailUnavailable) {
		return identityError(err, "")
	}
	// A failure to mail happens only for a registered email: answering
	// it would tell which emails are. Log it and answer as usual.
	i.log.Error("password reset mail", "err", err)
	return nil
}

func (i apiIdentity) ResetPassword(ctx context.Context, token, password, ip string) error {
	return identityError(i.users.ResetPassword(ctx, token, password, ip), "")
}

func (i apiIdentity) VerifyEmail(ctx context.Context, token string) (api.UserView, error) {
	u, err := i.users.VerifyEmail(ctx, token)
	if err != nil {
		return api.UserView{}, identityError(err, "")
	}
	return userView(u), nil
}

func (i apiIdentity) User(ctx context.Context, p api.Principal) (api.UserView, error) {
	u, err := i.users.User(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return api.UserView{}, api.NotFound("no such user")
	}
	if err != nil {
		return api.UserView{}, err
	}
	return userView(u), nil
}

func (i apiIdentity) ChangePassword(ctx context.Context, p api.Principal, oldPassword, newPassword, ip string) error {
	if p.UserID == 0 {
		return api.Forbidden("an API key has no password")
	}
	return identityError(i.users.ChangePassword(ctx, p.UserID, oldPassword, newPassword, ip), "the old password is wrong")
}

func (i apiIdentity) LogoutAll(ctx context.Context, p api.Principal, ip string) error {
	if p.UserID == 0 {
		return api.Forbidden("an API key has no sessions; revoke the key instead")
	}
	return identityError(i.users.LogoutAll(ctx, p.UserID, ip), "")
}

func (i apiIdentity) ResendVerification(ctx context.Context, p api.Principal, ip string) error {
	if p.UserID == 0 {
		return api.Forbidden("an API key has no email to verify")
	}
	err := i.users.ResendVerification(ctx, p.UserID, ip)
	var rl *account.RateLimitError
	if err == nil || errors.As(err, &rl) || errors.Is(err, account.ErrMailUnavailable) {
		return identityError(err, "")
	}
	i.log.Error("verification mail", "err", err)
	return api.Internal()
}

func keyView(k account.KeyInfo) api.KeyView {
	v := api.KeyView{ID: k.ID, AccountID: k.AccountID, Name: k.Name, Prefix: "gal_" + k.Prefix, Scopes: k.Scopes,
		CreatedAt: k.CreatedAt}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		v.LastUsedAt = &t
	}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt
		v.RevokedAt = &t
	}
	return v
}

func (i apiIdentity) ListKeys(ctx context.Context, p api.Principal, accountID int64) ([]api.KeyView, error) {
	keys, err := i.acc.ListAPIKeys(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]api.KeyView, len(keys))
	for j, k := range keys {
		out[j] = keyView(k)
	}
	return out, nil
}

func (i apiIdentity) CreateKey(ctx context.Context, p api.Principal, accountID int64, req api.KeyRequest, ip string) (api.KeyCreated, error) {
	k, key, err := i.acc.CreateKey(ctx, actorOf(p), accountID, req.Name, req.Scopes, ip)
	if err != nil {
		return api.KeyCreated{}, identityError(err, "")
	}
	return api.KeyCreated{KeyView: keyView(k), Key: key}, nil
}

func (i apiIdentity) RevokeKey(ctx context.Context, p api.Principal, accountID, keyID int64, ip string) error {
	err := i.acc.RevokeKey(ctx, actorOf(p), accountID, keyID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return api.NotFound("no such API key")
	}
	return identityError(err, "")
}

func credentialView(c account.CredentialInfo, password string) api.SMPPCredentialView {
	v := api.SMPPCredentialView{ID: c.ID, AccountID: c.AccountID, SystemID: c.SystemID, Password: password,
		AllowedCIDRs: c.AllowedCIDRs, BindLimit: c.BindLimit, TPSLimit: c.TPSLimit, CreatedAt: c.CreatedAt}
	if v.AllowedCIDRs == nil {
		v.AllowedCIDRs = []string{}
	}
	return v
}

func (i apiIdentity) ListSMPPCredentials(ctx context.Context, p api.Principal, accountID int64) ([]api.SMPPCredentialView, error) {
	cs, err := i.acc.ListSMPPCredentials(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]api.SMPPCredentialView, len(cs))
	for j, c := range cs {
		out[j] = credentialView(c, "")
	}
	return out, nil
}

func (i apiIdentity) CreateSMPPCredential(ctx context.Context, p api.Principal, accountID int64, req api.SMPPCredentialRequest, ip string) (api.SMPPCredentialView, error) {
	c, pw, err := i.acc.AddSMPPCredential(ctx, actorOf(p), accountID, account.NewCredential{SystemID: req.SystemID,
		Password: req.Password, AllowedCIDRs: req.AllowedCIDRs, BindLimit: req.BindLimit, TPSLimit: req.TPSLimit}, ip)
	if err != nil {
		return api.SMPPCredentialView{}, identityError(err, "")
	}
	return credentialView(c, pw), nil
}

func (i apiIdentity) UpdateSMPPCredential(ctx context.Context, p api.Principal, accountID, credID int64, req api.SMPPCredentialPatch, ip string) (api.SMPPCredentialView, error) {
	c, pw, err := i.acc.UpdateSMPPCredential(ctx, actorOf(p), accountID, credID, account.CredentialChange{
		Password: req.Password, GeneratePassword: req.GeneratePassword, AllowedCIDRs: req.AllowedCIDRs,
		BindLimit: req.BindLimit, TPSLimit: req.TPSLimit}, ip)
	if errors.Is(err, store.ErrNotFound) {
		return api.SMPPCredentialView{}, api.NotFound("no such SMPP credential")
	}
	if err != nil {
		return api.SMPPCredentialView{}, identityError(err, "")
	}
	i.unbind(ctx, c.SystemID)
	return credentialView(c, pw), nil
}

func (i apiIdentity) DeleteSMPPCredential(ctx context.Context, p api.Principal, accountID, credID int64, ip string) error {
	systemID, err := i.acc.DeleteSMPPCredential(ctx, actorOf(p), accountID, credID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return api.NotFound("no such SMPP credential")
	}
	if err != nil {
		return identityError(err, "")
	}
	i.unbind(ctx, systemID)
	return nil
}

// unbindWait bounds how long a credential change waits for the binds it
// ends to drain; then they are closed.
const unbindWait = 5 * time.Second

// unbind ends this instance's binds of systemID gracefully (they drain,
// then unbind), so that a changed or deleted credential takes effect at
// once here: the client binds again and is checked against the new
// settings. Other instances end theirs at their next recheck against the
// store (gateway.Config.BindRecheck): a deleted credential, a narrowed
// range or a changed password.
func (i apiIdentity) unbind(ctx context.Context, systemID string) {
	if i.binds == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unbindWait)
	defer cancel()
	for _, s := range i.binds() {
		if s.SystemID() != systemID {
			continue
		}
		if err := s.Unbind(ctx); err != nil {
			i.log.Warn("unbind after credential change", "system_id", systemID, "err", err)
		}
	}
}

func (i apiIdentity) ListUsers(ctx context.Context, p api.Principal, accountID int64) ([]api.UserView, error) {
	us, err := i.users.ListUsers(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]api.UserView, len(us))
	for j, u := range us {
		out[j] = userView(u)
	}
	return out, nil
}

func (i apiIdentity) UpdateUser(ctx context.Context, p api.Principal, accountID, userID int64, req api.UserPatch, ip string) (api.UserView, error) {
	ch := account.UserChange{CanSend: req.CanSend, Disabled: req.Disabled}
	if req.Role != nil {
		r := account.Role(*req.Role)
		ch.Role = &r
	}
	u, err := i.users.UpdateAccountUser(ctx, actorOf(p), accountID, userID, ch, ip)
	if errors.Is(err, store.ErrNotFound) {
		return api.UserView{}, api.NotFound("no such user")
	}
	if err != nil {
		return api.UserView{}, identityError(err, "")
	}
	return userView(u), nil
}

func (i apiIdentity) DeleteUser(ctx context.Context, p api.Principal, accountID, userID int64, ip string) error {
	err := i.users.DeleteAccountUser(ctx, actorOf(p), accountID, userID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return api.NotFound("no such user")
	}
	return identityError(err, "")
}

func (i apiIdentity) CreateUser(ctx context.Context, p api.Principal, accountID int64, req api.UserRequest, ip string) (api.UserView, error) {
	u, err := i.users.AddAccountUser(ctx, actorOf(p), account.NewUser{AccountID: accountID, Email: req.Email,
		Password: req.Password, Role: account.Role(req.Role), CanSend: req.CanSend}, ip)
	if err != nil {
		return api.UserView{}, identityError(err, "")
	}
	return userView(u), nil
}

// apiIdentity is the API's identity service.
func (a *app) apiIdentity() api.Identity {
	return apiIdentity{acc: a.acc, users: a.users, log: a.log.With("component", "identity"),
		binds: a.gw.SMPPServer().Sessions}
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
		a, err := st.GetAccount(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("admin user create: account %d: %w", accountID, err)
		}
		if err := account.RoleFitsKind(account.Role(role), a.Kind); err != nil {
			return nil, fmt.Errorf("admin user create: account %d is a %s account: %w", accountID, a.Kind, err)
		}
		mailer, err := newMailer(cfg.Mail, logger)
		if err != nil {
			return nil, err
		}
		// This command signs no tokens: any secret will do.
		secret := make([]byte, account.MinTokenSecret)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		users, err := account.NewUsers(account.New(st, logger), account.UsersConfig{TokenSecret: secret, Mailer: mailer})
		if err != nil {
			return nil, err
		}
		u, err := users.CreateUser(ctx, account.NewUser{AccountID: accountID, Email: email, Password: password,
			Role: account.Role(role), CanSend: canSend})
		if err != nil {
			return nil, fmt.Errorf("admin user create: %w", err)
		}
		if err := st.AppendAudit(ctx, &store.AuditEntry{AccountID: accountID, Action: "user.create",
			Target: fmt.Sprintf("user:%d", u.ID), Details: "role=" + role + " by gallant admin"}); err != nil {
			logger.Warn("write audit log", "err", err)
		}
		return userView(u), nil
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
