package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Errors of the user flows, beside [ErrUnauthorized], [ErrSuspended],
// [ErrForbidden], [ErrWeakPassword] and [ErrRateLimited].
var (
	// ErrBadEmail means an address that is not a plain email address.
	ErrBadEmail = errors.New("account: invalid email address")
	// ErrEmailTaken means another user already has the email.
	ErrEmailTaken = errors.New("account: email already registered")
	// ErrBadToken means a reset or verification token that is unknown,
	// used or expired.
	ErrBadToken = errors.New("account: invalid or expired token")
)

// Kinds of mailed tokens.
const (
	tokenReset  = "reset"
	tokenVerify = "verify"
)

// UsersConfig configures [Users]. Zero durations and rates take the
// defaults named on each field.
type UsersConfig struct {
	// TokenSecret signs access tokens (HS256); at least MinTokenSecret
	// bytes, the same on every instance. Required.
	TokenSecret []byte
	// AccessTTL is an access token's life; default 15 minutes. Access
	// tokens cannot be revoked, so this is how long a logged-out or
	// demoted user keeps its old rights at most.
	AccessTTL time.Duration
	// RefreshTTL is a refresh token's life; default 30 days.
	RefreshTTL time.Duration
	// ResetTTL is a password reset token's life; default 1 hour.
	ResetTTL time.Duration
	// VerifyTTL is an email verification token's life; default 48 hours.
	VerifyTTL time.Duration
	// Argon2 are the password hash parameters; zero means
	// [DefaultArgon2].
	Argon2 Argon2Params
	// Mailer sends reset and verification mail; nil logs them
	// ([LogMailer]).
	Mailer Mailer
	// Limiter counts login and reset attempts; nil is a fresh
	// [WindowLimiter] (per instance).
	Limiter Limiter
	// LoginPerIP and LoginPerEmail limit login attempts (default 30 and
	// 10 per 15 minutes): per client address, and per target user, so a
	// botnet cannot guess one password from many addresses.
	LoginPerIP, LoginPerEmail Rate
	// ResetPerIP and ResetPerEmail limit reset requests and reset
	// attempts (default 10 and 3 per hour), which also caps the mail a
	// stranger can make us send to someone.
	ResetPerIP, ResetPerEmail Rate
	// RegisterPerIP limits sign-ups per client address (default 10 per
	// hour).
	RegisterPerIP Rate
	// ResetLinkBase and VerifyLinkBase prefix the tokens in the mails,
	// e.g. "https://sms.example.com/reset?token="; default none (the bare
	// token).
	ResetLinkBase, VerifyLinkBase string
}

func (c *UsersConfig) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.AccessTTL, 15*time.Minute)
	def(&c.RefreshTTL, 30*24*time.Hour)
	def(&c.ResetTTL, time.Hour)
	def(&c.VerifyTTL, 48*time.Hour)
	rate := func(r *Rate, n int, w time.Duration) {
		if r.Max <= 0 || r.Window <= 0 {
			*r = Rate{Max: n, Window: w}
		}
	}
	rate(&c.LoginPerIP, 30, 15*time.Minute)
	rate(&c.LoginPerEmail, 10, 15*time.Minute)
	rate(&c.ResetPerIP, 10, time.Hour)
	rate(&c.ResetPerEmail, 3, time.Hour)
	rate(&c.RegisterPerIP, 10, time.Hour)
	if c.Argon2 == (Argon2Params{}) {
		c.Argon2 = DefaultArgon2()
	}
}

// Users runs the dashboard's user flows: registration, login, sessions,
// password change and reset, email verification. It is safe for
// concurrent use.
type Users struct {
	svc   *Service
	st    *store.Store
	log   *slog.Logger
	cfg   UsersConfig
	now   func() time.Time
	dummy string // a hash to check against for unknown emails
}

// NewUsers returns the user flows over svc's store.
func NewUsers(svc *Service, cfg UsersConfig) (*Users, error) {
	if len(cfg.TokenSecret) < MinTokenSecret {
		return nil, fmt.Errorf("account: token secret needs at least %d bytes", MinTokenSecret)
	}
	cfg.TokenSecret = append([]byte(nil), cfg.TokenSecret...)
	cfg.setDefaults()
	if p := cfg.Argon2; p.Time < 1 || p.Time > maxArgonTime || p.Threads < 1 || p.Threads > maxArgonThreads ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxArgonMemory {
		return nil, fmt.Errorf("account: argon2 parameters %+v out of range", p)
	}
	if cfg.Mailer == nil {
		cfg.Mailer = LogMailer{Log: svc.log}
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewWindowLimiter()
	}
	dummy, err := hashPassword("not a password at all", cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Users{svc: svc, st: svc.st, log: svc.log, cfg: cfg, now: svc.now, dummy: dummy}, nil
}

// NormalizeEmail trims and lower-cases an address and checks that it is a
// bare address (no display name) of at most 254 bytes.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" || len(e) > 254 {
		return "", ErrBadEmail
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", ErrBadEmail
	}
	return e, nil
}

// User is a dashboard user as callers see it: no password hash.
type User struct {
	ID            int64     `json:"id"`
	AccountID     int64     `json:"account_id"`
	Email         string    `json:"email"`
	Role          Role      `json:"role"`
	CanSend       bool      `json:"can_send"`
	EmailVerified bool      `json:"email_verified"`
	CreatedAt     time.Time `json:"created_at"`
}

func publicUser(u *store.User) User {
	return User{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Role: Role(u.Role), CanSend: u.CanSend,
		EmailVerified: !u.EmailVerifiedAt.IsZero(), CreatedAt: u.CreatedAt}
}

func actorOf(u *store.User) Actor {
	return Actor{UserID: u.ID, AccountID: u.AccountID, Role: Role(u.Role), CanSend: u.CanSend}
}

// NewUser describes a user to create.
type NewUser struct {
	AccountID int64
	Email     string
	Password  string
	Role      Role
	CanSend   bool
}

// CreateUser creates a user without checking who asks: for the CLI and
// for bootstrapping the first admin. It mails a verification token.
func (u *Users) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	email, err := NormalizeEmail(nu.Email)
	if err != nil {
		return User{}, err
	}
	if !nu.Role.Valid() {
		return User{}, fmt.Errorf("account: unknown role %q", nu.Role)
	}
	if err := checkNewPassword(nu.Password); err != nil {
		return User{}, err
	}
	h, err := hashPassword(nu.Password, u.cfg.Argon2)
	if err != nil {
		return User{}, err
	}
	su := &store.User{AccountID: nu.AccountID, Email: email, PasswordHash: h, Role: string(nu.Role),
		CanSend: nu.CanSend, CreatedAt: u.now().UTC()}
	if err := u.st.CreateUser(ctx, su); errors.Is(err, store.ErrDuplicate) {
		return User{}, ErrEmailTaken
	} else if err != nil {
		return User{}, fmt.Errorf("account: create user: %w", err)
	}
	if err := u.SendVerification(ctx, su.ID); err != nil {
		u.log.Warn("send verification mail", "user_id", su.ID, "err", err)
	}
	return publicUser(su), nil
}

// AddUser creates a user of nu.AccountID on behalf of by, who must be
// allowed to manage that account and may not grant a role above its own.
func (u *Users) AddUser(ctx context.Context, by Actor, nu NewUser, ip string) (User, error) {
	if err := u.svc.Can(ctx, by, ActionManage, nu.AccountID); err != nil {
		return User{}, err
	}
	if nu.Role.rank() > by.Role.rank() {
		return User{}, ErrForbidden
	}
	usr, err := u.CreateUser(ctx, nu)
	if err != nil {
		return User{}, err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: nu.AccountID, ActorUserID: by.UserID, Action: "user.create",
		Target: fmt.Sprintf("user:%d", usr.ID), Details: "role=" + string(nu.Role), IP: ip})
	return usr, nil
}

// Registered is what [Users.Register] returns: the new owner and the new
// account's credentials, shown this once.
type Registered struct {
	User    User    `json:"user"`
	Account Created `json:"account"`
}

// Register signs up a customer: a new active account named accountName
// (with an API key and SMPP credentials, as [Service.CreateAccount]) and
// its owner with email and password. A verification mail is sent.
func (u *Users) Register(ctx context.Context, email, password, accountName, ip string) (Registered, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return Registered{}, err
	}
	if err := checkNewPassword(password); err != nil {
		return Registered{}, err
	}
	if ok, wait := u.cfg.Limiter.Allow("register:ip:"+ip, u.cfg.RegisterPerIP); !ok {
		return Registered{}, &RateLimitError{RetryAfter: wait}
	}
	if _, err := u.st.UserByEmail(ctx, norm); err == nil {
		return Registered{}, ErrEmailTaken
	}
	c, err := u.svc.CreateAccount(ctx, accountName)
	if err != nil {
		return Registered{}, err
	}
	usr, err := u.CreateUser(ctx, NewUser{AccountID: c.AccountID, Email: norm, Password: password, Role: RoleOwner, CanSend: true})
	if err != nil {
		// The account is unreachable without its owner: suspend it
		// rather than leave live keys nobody holds.
		if serr := u.st.SetAccountStatus(ctx, c.AccountID, store.AccountSuspended); serr != nil {
			u.log.Warn("suspend orphan account", "account_id", c.AccountID, "err", serr)
		}
		return Registered{}, err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: c.AccountID, ActorUserID: usr.ID, Action: "account.register",
		Target: fmt.Sprintf("account:%d", c.AccountID), IP: ip})
	return Registered{User: usr, Account: c}, nil
}

// Session is what a login or refresh returns.
type Session struct {
	AccessToken      string    `json:"access_token"`
	AccessExpiresAt  time.Time `json:"access_expires_at"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	Actor            Actor     `json:"-"`
}

// Login checks email and password and opens a session. Wrong email and
// wrong password are the same [ErrUnauthorized] and take the same time; a
// user of a suspended account gets [ErrSuspended] (admins excepted);
// too many attempts give a [*RateLimitError]. Every outcome is audited.
func (u *Users) Login(ctx context.Context, email, password, ip string) (Session, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return Session{}, ErrUnauthorized
	}
	if ok, wait := u.cfg.Limiter.Allow("login:ip:"+ip, u.cfg.LoginPerIP); !ok {
		return Session{}, &RateLimitError{RetryAfter: wait}
	}
	if ok, wait := u.cfg.Limiter.Allow("login:email:"+norm, u.cfg.LoginPerEmail); !ok {
		return Session{}, &RateLimitError{RetryAfter: wait}
	}
	su, err := u.st.UserByEmail(ctx, norm)
	if errors.Is(err, store.ErrNotFound) {
		_, _ = checkPassword(u.dummy, password)
		u.svc.audit(ctx, store.AuditEntry{Action: "login.failed", Target: "email:" + norm, Details: "unknown email", IP: ip})
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("account: login: %w", err)
	}
	ok, err := checkPassword(su.PasswordHash, password)
	if err != nil || !ok {
		u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, Action: "login.failed",
			Target: fmt.Sprintf("user:%d", su.ID), Details: "wrong password", IP: ip})
		return Session{}, ErrUnauthorized
	}
	if err := u.checkActive(ctx, su); err != nil {
		return Session{}, err
	}
	now := u.now()
	refresh := newRefreshToken()
	rt := &store.RefreshToken{UserID: su.ID, Family: randomString(32, alnum), Hash: sha256Hex(refresh),
		ExpiresAt: now.Add(u.cfg.RefreshTTL).UTC(), CreatedAt: now.UTC()}
	if err := u.st.CreateRefreshToken(ctx, rt); err != nil {
		return Session{}, fmt.Errorf("account: login: %w", err)
	}
	sess, err := u.session(actorOf(su), now, refresh, rt.ExpiresAt)
	if err != nil {
		return Session{}, err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "login",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return sess, nil
}

// checkActive refuses users of suspended accounts, admins excepted.
func (u *Users) checkActive(ctx context.Context, su *store.User) error {
	if Role(su.Role) == RoleAdmin {
		return nil
	}
	a, err := u.st.GetAccount(ctx, su.AccountID)
	if err != nil {
		return fmt.Errorf("account: load account: %w", err)
	}
	if a.Status != store.AccountActive {
		return ErrSuspended
	}
	return nil
}

// refreshPrefix starts every refresh token; 43 random characters
// (about 256 bits) follow.
const refreshPrefix = "grt_"

func newRefreshToken() string { return refreshPrefix + randomString(43, alnum) }

// session signs an access token for who and pairs it with refresh.
func (u *Users) session(who Actor, now time.Time, refresh string, refreshExpires time.Time) (Session, error) {
	access, err := signAccessToken(u.cfg.TokenSecret, who, now, u.cfg.AccessTTL)
	if err != nil {
		return Session{}, err
	}
	return Session{AccessToken: access, AccessExpiresAt: now.Add(u.cfg.AccessTTL).Truncate(time.Second),
		RefreshToken: refresh, RefreshExpiresAt: refreshExpires, Actor: who}, nil
}

// Refresh trades a refresh token for a new session, rotating it: the old
// token stops working. The new access token carries the user's current
// role. An unknown, expired or revoked token is [ErrUnauthorized];
// presenting a rotated-out token again also revokes every token of that
// login, since one of the two holders is a thief.
func (u *Users) Refresh(ctx context.Context, refresh, ip string) (Session, error) {
	if !strings.HasPrefix(refresh, refreshPrefix) || len(refresh) != len(refreshPrefix)+43 {
		return Session{}, ErrUnauthorized
	}
	now := u.now()
	next := newRefreshToken()
	nrt := &store.RefreshToken{Hash: sha256Hex(next), ExpiresAt: now.Add(u.cfg.RefreshTTL).UTC(), CreatedAt: now.UTC()}
	old, err := u.st.RotateRefreshToken(ctx, sha256Hex(refresh), nrt, now.UTC())
	if errors.Is(err, store.ErrTokenReused) {
		u.svc.audit(ctx, store.AuditEntry{Action: "session.reuse", Details: "rotated refresh token presented again; family revoked", IP: ip})
		return Session{}, ErrUnauthorized
	}
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	su, err := u.st.GetUser(ctx, old.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	if err := u.checkActive(ctx, su); err != nil {
		return Session{}, err
	}
	return u.session(actorOf(su), now, next, nrt.ExpiresAt)
}

// Logout revokes the refresh token and every token rotated from the same
// login. An unknown token is [ErrUnauthorized]. The access token stays
// valid until it expires (at most AccessTTL).
func (u *Users) Logout(ctx context.Context, refresh, ip string) error {
	if !strings.HasPrefix(refresh, refreshPrefix) {
		return ErrUnauthorized
	}
	uid, err := u.st.RevokeRefreshFamily(ctx, sha256Hex(refresh), u.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnauthorized
	}
	if err != nil {
		return fmt.Errorf("account: logout: %w", err)
	}
	e := store.AuditEntry{ActorUserID: uid, Action: "logout", Target: fmt.Sprintf("user:%d", uid), IP: ip}
	if su, err := u.st.GetUser(ctx, uid); err == nil {
		e.AccountID = su.AccountID
	}
	u.svc.audit(ctx, e)
	return nil
}

// Authenticate checks an access token (signature, algorithm, expiry) and
// returns its actor. Any failure is [ErrUnauthorized].
func (u *Users) Authenticate(token string) (Actor, error) {
	return parseAccessToken(u.cfg.TokenSecret, token, u.now())
}

// ChangePassword replaces the password of user userID after checking the
// old one, and ends all its sessions (refresh tokens).
func (u *Users) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword, ip string) error {
	if err := checkNewPassword(newPassword); err != nil {
		return err
	}
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: change password: %w", err)
	}
	if ok, wait := u.cfg.Limiter.Allow("login:email:"+su.Email, u.cfg.LoginPerEmail); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	if ok, err := checkPassword(su.PasswordHash, oldPassword); err != nil || !ok {
		u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "password.change_failed",
			Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
		return ErrUnauthorized
	}
	if err := u.setPassword(ctx, su, newPassword); err != nil {
		return err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "password.change",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return nil
}

func (u *Users) setPassword(ctx context.Context, su *store.User, pw string) error {
	h, err := hashPassword(pw, u.cfg.Argon2)
	if err != nil {
		return err
	}
	if err := u.st.SetUserPassword(ctx, su.ID, h); err != nil {
		return fmt.Errorf("account: set password: %w", err)
	}
	if _, err := u.st.RevokeUserRefreshTokens(ctx, su.ID, u.now().UTC()); err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	return nil
}

// RequestPasswordReset mails a single-use reset token to email, valid for
// ResetTTL. It returns nil for an unknown email too, so the answer does
// not tell which emails are registered; it is rate limited per address
// and per email.
func (u *Users) RequestPasswordReset(ctx context.Context, email, ip string) error {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if ok, wait := u.cfg.Limiter.Allow("reset:ip:"+ip, u.cfg.ResetPerIP); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	if ok, wait := u.cfg.Limiter.Allow("reset:email:"+norm, u.cfg.ResetPerEmail); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	su, err := u.st.UserByEmail(ctx, norm)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("account: reset: %w", err)
	}
	tok, err := u.mintToken(ctx, su.ID, tokenReset, u.cfg.ResetTTL)
	if err != nil {
		return err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, Action: "password.reset_requested",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return u.cfg.Mailer.Send(ctx, Mail{To: su.Email, Subject: "Reset your Gallant SMS password",
		Body: "Someone asked to reset the password of this account.\n\nUse this link within " +
			u.cfg.ResetTTL.String() + ":\n\n" + u.cfg.ResetLinkBase + tok +
			"\n\nIf it was not you, ignore this mail: your password is unchanged.\n"})
}

// ResetPassword sets a new password with a mailed reset token, which then
// stops working, and ends the user's sessions. A bad, used or expired
// token is [ErrBadToken].
func (u *Users) ResetPassword(ctx context.Context, token, newPassword, ip string) error {
	if err := checkNewPassword(newPassword); err != nil {
		return err
	}
	if ok, wait := u.cfg.Limiter.Allow("reset:ip:"+ip, u.cfg.ResetPerIP); !ok {
		return &RateLimitError{RetryAfter: wait}
	}
	su, err := u.consume(ctx, tokenReset, token)
	if err != nil {
		return err
	}
	if err := u.setPassword(ctx, su, newPassword); err != nil {
		return err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "password.reset",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return nil
}

// SendVerification mails user userID a token proving its email.
func (u *Users) SendVerification(ctx context.Context, userID int64) error {
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: verification: %w", err)
	}
	tok, err := u.mintToken(ctx, su.ID, tokenVerify, u.cfg.VerifyTTL)
	if err != nil {
		return err
	}
	return u.cfg.Mailer.Send(ctx, Mail{To: su.Email, Subject: "Confirm your email for Gallant SMS",
		Body: "Confirm this address within " + u.cfg.VerifyTTL.String() + ":\n\n" + u.cfg.VerifyLinkBase + tok + "\n"})
}

// VerifyEmail marks the email of the token's user as verified. A bad,
// used or expired token is [ErrBadToken].
func (u *Users) VerifyEmail(ctx context.Context, token string) (User, error) {
	su, err := u.consume(ctx, tokenVerify, token)
	if err != nil {
		return User{}, err
	}
	now := u.now().UTC()
	if err := u.st.SetEmailVerified(ctx, su.ID, now); err != nil {
		return User{}, fmt.Errorf("account: verify email: %w", err)
	}
	su.EmailVerifiedAt = now
	return publicUser(su), nil
}

// mintToken stores a new mailed token of kind for userID and returns it.
func (u *Users) mintToken(ctx context.Context, userID int64, kind string, ttl time.Duration) (string, error) {
	tok := randomString(32, alnum)
	now := u.now().UTC()
	t := &store.UserToken{UserID: userID, Kind: kind, Hash: sha256Hex(tok), ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := u.st.CreateUserToken(ctx, t); err != nil {
		return "", fmt.Errorf("account: store %s token: %w", kind, err)
	}
	return tok, nil
}

// consume uses up a mailed token and returns its user.
func (u *Users) consume(ctx context.Context, kind, token string) (*store.User, error) {
	if len(token) != 32 {
		return nil, ErrBadToken
	}
	t, err := u.st.ConsumeUserToken(ctx, kind, sha256Hex(token), u.now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("account: use %s token: %w", kind, err)
	}
	su, err := u.st.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, fmt.Errorf("account: use %s token: %w", kind, err)
	}
	return su, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
