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
	"sync"
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
	// ErrMailUnavailable means a flow that must mail (sign-up, password
	// reset, email verification) on a gateway without a mail relay.
	ErrMailUnavailable = errors.New("account: no mail relay configured")
	// ErrRegistrationClosed means a sign-up while open registration is
	// off.
	ErrRegistrationClosed = errors.New("account: registration is closed")
	// ErrUserDisabled means a login or session of a disabled user.
	ErrUserDisabled = errors.New("account: user disabled")
	// ErrLastOwner refuses to demote, disable or delete the last enabled
	// owner of an account (an owner, reseller or admin user), which would
	// lock the account's people out of it.
	ErrLastOwner = errors.New("account: the account's last owner")
	// ErrSessionEnded means an access token issued before its user's
	// sessions were ended (log out everywhere, a password change, the
	// user disabled, changed or deleted); it is also [ErrUnauthorized].
	ErrSessionEnded = fmt.Errorf("%w: the session was ended; log in again", ErrUnauthorized)
	// ErrSessionTooOld means a refresh of a login older than
	// SessionMaxAge; it is also [ErrUnauthorized].
	ErrSessionTooOld = fmt.Errorf("%w: the session reached its maximum age; log in again", ErrUnauthorized)
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
	// SessionMaxAge is the absolute life of a login: refreshing never
	// makes a session outlive it; default 30 days.
	SessionMaxAge time.Duration
	// OpenRegistration lets anyone sign up ([Users.Register]); off,
	// sign-up is [ErrRegistrationClosed].
	OpenRegistration bool
	// ResetTTL is a password reset token's life; default 1 hour.
	ResetTTL time.Duration
	// VerifyTTL is an email verification token's life; default 48 hours.
	VerifyTTL time.Duration
	// Argon2 are the password hash parameters; zero means
	// [DefaultArgon2].
	Argon2 Argon2Params
	// Mailer sends sign-up, reset and verification mail. Nil means the
	// gateway cannot mail: sign-up, reset and verification requests are
	// then [ErrMailUnavailable], and no token is made.
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
	// hour); RegisterPerEmail per address signed up with (default 3 per
	// hour), which caps the mail a stranger can make us send to someone.
	RegisterPerIP, RegisterPerEmail Rate
	// VerifyPerUser limits verification mails asked for again by one
	// user (default 3 per hour).
	VerifyPerUser Rate
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
	def(&c.SessionMaxAge, 30*24*time.Hour)
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
	rate(&c.RegisterPerEmail, 3, time.Hour)
	rate(&c.VerifyPerUser, 3, time.Hour)
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

	// stateTTL is how long a user's session state read from the store
	// is trusted (see [Users.Authenticate]); tests set 0 to read it on
	// every request.
	stateTTL time.Duration
	mu       sync.Mutex
	states   map[int64]stateEntry // user id -> session state read recently
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
	if cfg.Limiter == nil {
		cfg.Limiter = NewWindowLimiter()
	}
	dummy, err := hashPassword("not a password at all", cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &Users{svc: svc, st: svc.st, log: svc.log, cfg: cfg, now: svc.now, dummy: dummy,
		stateTTL: userStateTTL, states: map[int64]stateEntry{}}, nil
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
	// Disabled users can neither log in nor use their sessions.
	Disabled bool `json:"disabled"`
	// SelfRegistered users signed up on their own: until EmailVerified
	// they may neither send nor manage their account.
	SelfRegistered bool `json:"self_registered"`
}

func publicUser(u *store.User) User {
	return User{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Role: Role(u.Role), CanSend: u.CanSend,
		EmailVerified: !u.EmailVerifiedAt.IsZero(), CreatedAt: u.CreatedAt, Disabled: !u.DisabledAt.IsZero(),
		SelfRegistered: u.SelfRegistered}
}

func actorOf(u *store.User) Actor {
	return Actor{UserID: u.ID, AccountID: u.AccountID, Role: Role(u.Role), CanSend: u.CanSend,
		Unverified: u.SelfRegistered && u.EmailVerifiedAt.IsZero()}
}

// NewUser describes a user to create.
type NewUser struct {
	AccountID int64
	Email     string
	Password  string
	Role      Role
	CanSend   bool
	// Verified creates the user with its email already verified: for
	// the operator's own tools (the CLI, the demo), which vouch for the
	// address. Otherwise a verification mail is sent, when a mailer is
	// configured.
	Verified bool
}

// CreateUser creates a user without checking who asks: for the CLI and
// for bootstrapping the first admin.
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
	if nu.Verified {
		su.EmailVerifiedAt = su.CreatedAt
	}
	if err := u.st.CreateUser(ctx, su); errors.Is(err, store.ErrDuplicate) {
		return User{}, ErrEmailTaken
	} else if err != nil {
		return User{}, fmt.Errorf("account: create user: %w", err)
	}
	if !nu.Verified && u.cfg.Mailer != nil {
		if err := u.SendVerification(ctx, su.ID); err != nil {
			u.log.Warn("send verification mail", "user_id", su.ID, "err", err)
		}
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

// maxAccountName bounds the name of a signed-up account.
const maxAccountName = 100

// Register signs up a customer: a new active account named accountName,
// without keys or credentials, and its owner with email and password,
// marked self-registered: until it verifies its email (mailed now) it may
// read its account but neither send nor create keys, credentials or
// users. An email already registered gets the same nil answer, in about
// the same time, and its owner a mail saying someone tried to sign up
// with it, so the answer does not tell which emails are registered.
//
// Sign-up is [ErrRegistrationClosed] unless OpenRegistration, and
// [ErrMailUnavailable] without a mailer; both are answered before the
// email is looked up. Attempts are limited per address and per email.
func (u *Users) Register(ctx context.Context, email, password, accountName, ip string) error {
	if !u.cfg.OpenRegistration {
		u.svc.refused(RefusedRegistrationClosed)
		return ErrRegistrationClosed
	}
	norm, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := checkNewPassword(password); err != nil {
		return err
	}
	accountName = strings.TrimSpace(accountName)
	if accountName == "" || len(accountName) > maxAccountName {
		return invalid("account_name", fmt.Sprintf("give a name of 1 to %d bytes", maxAccountName))
	}
	if u.cfg.Mailer == nil {
		u.svc.refused(RefusedMailUnavailable)
		return ErrMailUnavailable
	}
	if err := u.limit(RefusedRegisterRateLimited, "register:ip:"+ip, u.cfg.RegisterPerIP); err != nil {
		return err
	}
	if err := u.limit(RefusedRegisterRateLimited, "register:email:"+norm, u.cfg.RegisterPerEmail); err != nil {
		return err
	}
	// Hash first, whether or not the email is taken: it is most of the
	// work, and the two answers should take the same time.
	h, err := hashPassword(password, u.cfg.Argon2)
	if err != nil {
		return err
	}
	if taken, err := u.st.UserByEmail(ctx, norm); err == nil {
		u.mailTaken(ctx, taken, ip)
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("account: register: %w", err)
	}
	// The account, its owner, the verification token and the audit
	// entry are one transaction: one commit, as the notice's audit entry
	// is, and no account without its owner.
	a, err := u.svc.newAccountRow(accountName)
	if err != nil {
		return err
	}
	now := u.now().UTC()
	tok := randomString(32, alnum)
	su := &store.User{Email: norm, PasswordHash: h, Role: string(RoleOwner), CanSend: true, SelfRegistered: true, CreatedAt: now}
	vt := &store.UserToken{Kind: tokenVerify, Hash: sha256Hex(tok), ExpiresAt: now.Add(u.cfg.VerifyTTL), CreatedAt: now}
	err = u.st.CreateSignup(ctx, a, su, vt, &store.AuditEntry{Action: "account.register", IP: ip, At: now})
	if errors.Is(err, store.ErrDuplicate) {
		// Registered meanwhile by a concurrent sign-up.
		if taken, terr := u.st.UserByEmail(ctx, norm); terr == nil {
			u.mailTaken(ctx, taken, ip)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("account: register: %w", err)
	}
	if err := u.sendVerificationMail(ctx, su.Email, tok); err != nil {
		// The user can ask for another (POST /v1/me/verify-email).
		u.log.Warn("send verification mail", "user_id", su.ID, "err", err)
	}
	return nil
}

// mailTaken tells the owner of an email that someone tried to sign up
// with it, and audits the attempt.
func (u *Users) mailTaken(ctx context.Context, owner *store.User, ip string) {
	u.svc.audit(ctx, store.AuditEntry{AccountID: owner.AccountID, Action: "account.register_existing",
		Target: fmt.Sprintf("user:%d", owner.ID), Details: "sign-up with an email already registered", IP: ip})
	err := u.cfg.Mailer.Send(ctx, Mail{To: owner.Email, Subject: "Someone tried to sign up with your address",
		Body: "Someone tried to open a Gallant SMS account with this email address, which already has one.\n\n" +
			"If it was you: sign in with your password, or reset it if you have forgotten it.\n" +
			"If it was not you, ignore this mail: nothing has changed.\n"})
	if err != nil {
		u.log.Warn("send sign-up notice", "user_id", owner.ID, "err", err)
	}
}

// limit counts an attempt for key under r; over the limit it counts a
// refusal for reason and returns a [*RateLimitError].
func (u *Users) limit(reason, key string, r Rate) error {
	if ok, wait := u.cfg.Limiter.Allow(key, r); !ok {
		u.svc.refused(reason)
		return &RateLimitError{RetryAfter: wait}
	}
	return nil
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
// user of a suspended account gets [ErrSuspended] (admins excepted), a
// disabled user [ErrUserDisabled]; too many attempts give a
// [*RateLimitError]. Every outcome is audited.
func (u *Users) Login(ctx context.Context, email, password, ip string) (Session, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return Session{}, ErrUnauthorized
	}
	if err := u.limit(RefusedLoginRateLimited, "login:ip:"+ip, u.cfg.LoginPerIP); err != nil {
		return Session{}, err
	}
	if err := u.limit(RefusedLoginRateLimited, "login:email:"+norm, u.cfg.LoginPerEmail); err != nil {
		return Session{}, err
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
	if !su.DisabledAt.IsZero() {
		u.svc.refused(RefusedUserDisabled)
		u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, Action: "login.failed",
			Target: fmt.Sprintf("user:%d", su.ID), Details: "user disabled", IP: ip})
		return Session{}, ErrUserDisabled
	}
	if err := u.checkActive(ctx, su); err != nil {
		return Session{}, err
	}
	now := u.now()
	refresh := newRefreshToken()
	rt := &store.RefreshToken{UserID: su.ID, Family: randomString(32, alnum), Hash: sha256Hex(refresh),
		ExpiresAt: now.Add(min(u.cfg.RefreshTTL, u.cfg.SessionMaxAge)).UTC(), CreatedAt: now.UTC()}
	if err := u.st.CreateRefreshToken(ctx, rt); err != nil {
		return Session{}, fmt.Errorf("account: login: %w", err)
	}
	sess, err := u.session(actorOf(su), su.TokenVersion, now, refresh, rt.ExpiresAt)
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

// session signs an access token for who at token version ver and pairs
// it with refresh.
func (u *Users) session(who Actor, ver int64, now time.Time, refresh string, refreshExpires time.Time) (Session, error) {
	access, err := signAccessToken(u.cfg.TokenSecret, who, ver, now, u.cfg.AccessTTL)
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
// login, since one of the two holders is a thief. A login older than
// SessionMaxAge is [ErrSessionTooOld]: rotation never extends a session
// beyond it.
func (u *Users) Refresh(ctx context.Context, refresh, ip string) (Session, error) {
	if !strings.HasPrefix(refresh, refreshPrefix) || len(refresh) != len(refreshPrefix)+43 {
		return Session{}, ErrUnauthorized
	}
	now := u.now()
	next := newRefreshToken()
	nrt := &store.RefreshToken{Hash: sha256Hex(next), ExpiresAt: now.Add(u.cfg.RefreshTTL).UTC(), CreatedAt: now.UTC()}
	old, err := u.st.RotateRefreshToken(ctx, sha256Hex(refresh), nrt, now.UTC(), u.cfg.SessionMaxAge)
	switch {
	case errors.Is(err, store.ErrTokenReused):
		u.svc.refused(RefusedRefreshReused)
		u.svc.audit(ctx, store.AuditEntry{Action: "session.reuse", Details: "rotated refresh token presented again; family revoked", IP: ip})
		return Session{}, ErrUnauthorized
	case errors.Is(err, store.ErrSessionExpired):
		u.svc.refused(RefusedSessionMaxAge)
		u.svc.audit(ctx, store.AuditEntry{Action: "session.expired", Details: "login older than auth.session_max_age", IP: ip})
		return Session{}, ErrSessionTooOld
	case errors.Is(err, store.ErrNotFound):
		return Session{}, ErrUnauthorized
	case err != nil:
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	su, err := u.st.GetUser(ctx, old.UserID)
	if err != nil {
		return Session{}, fmt.Errorf("account: refresh: %w", err)
	}
	if !su.DisabledAt.IsZero() {
		u.svc.refused(RefusedUserDisabled)
		return Session{}, ErrUserDisabled
	}
	if err := u.checkActive(ctx, su); err != nil {
		return Session{}, err
	}
	return u.session(actorOf(su), su.TokenVersion, now, next, nrt.ExpiresAt)
}

// Logout revokes the refresh token and every token rotated from the same
// login. An unknown token is [ErrUnauthorized]. The access token stays
// valid until it expires (at most AccessTTL); [Users.LogoutAll] ends
// those too.
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

// LogoutAll ends every session of user userID on every instance: its
// refresh tokens are revoked and its token version raised, so that its
// access tokens are refused too (here at once, on other instances within
// the session state's life, under a second).
func (u *Users) LogoutAll(ctx context.Context, userID int64, ip string) error {
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: log out everywhere: %w", err)
	}
	if err := u.endSessions(ctx, userID); err != nil {
		return err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "session.logout_all",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return nil
}

// endSessions raises the token version of user id and revokes its
// refresh tokens.
func (u *Users) endSessions(ctx context.Context, id int64) error {
	if err := u.st.BumpTokenVersion(ctx, id); err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	u.forget(id)
	if _, err := u.st.RevokeUserRefreshTokens(ctx, id, u.now().UTC()); err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	return nil
}

// userStateTTL is how long a user's session state read from the store
// serves [Users.Authenticate]. Every instance reads it again at most this
// long after a change (disabled, logged out everywhere, password, role),
// so a change made on one instance ends sessions on the others within
// it; the instance making the change forgets it at once. See
// BenchmarkSessionAuthenticate for what a read per request would cost.
const userStateTTL = 500 * time.Millisecond

// maxStateEntries bounds the session state cache; when it is full it is
// emptied (about 150 bytes an entry).
const maxStateEntries = 100_000

type stateEntry struct {
	st      store.UserAuth
	expires time.Time
}

// userState returns user id's session state, read from the store at most
// stateTTL ago, and at once when the cached state's token version is
// below minVersion (a token newer than the cache: versions only rise).
func (u *Users) userState(ctx context.Context, id, minVersion int64) (store.UserAuth, error) {
	now := u.now()
	u.mu.Lock()
	e, ok := u.states[id]
	u.mu.Unlock()
	if ok && now.Before(e.expires) && e.st.TokenVersion >= minVersion {
		return e.st, nil
	}
	st, err := u.st.GetUserAuth(ctx, id)
	if err != nil {
		return store.UserAuth{}, err
	}
	if u.stateTTL > 0 {
		u.mu.Lock()
		if len(u.states) >= maxStateEntries {
			u.states = map[int64]stateEntry{}
		}
		u.states[id] = stateEntry{st: *st, expires: now.Add(u.stateTTL)}
		u.mu.Unlock()
	}
	return *st, nil
}

// forget drops the cached session state of user id, after a change.
func (u *Users) forget(id int64) {
	u.mu.Lock()
	delete(u.states, id)
	u.mu.Unlock()
}

// Authenticate checks an access token (signature, algorithm, expiry)
// and then its user as stored, read at most half a second ago: the token
// must carry the user's current token version, the user must be enabled
// and its account active (admins excepted). The actor returned carries
// the stored role and send right, so a role change takes effect at once,
// and is Unverified for a self-registered user who has not verified its
// email. A bad or expired token is [ErrUnauthorized]; a token of a
// deleted user or issued before its user's sessions were ended is
// [ErrSessionEnded] (also ErrUnauthorized); a disabled user
// [ErrUserDisabled]; a suspended account [ErrSuspended].
func (u *Users) Authenticate(ctx context.Context, token string) (Actor, error) {
	a, ver, err := parseAccessToken(u.cfg.TokenSecret, token, u.now())
	if err != nil {
		return Actor{}, err
	}
	st, err := u.userState(ctx, a.UserID, ver)
	if errors.Is(err, store.ErrNotFound) {
		u.svc.refused(RefusedSessionRevoked)
		return Actor{}, ErrSessionEnded
	}
	if err != nil {
		return Actor{}, fmt.Errorf("account: session of user %d: %w", a.UserID, err)
	}
	if st.Disabled {
		u.svc.refused(RefusedUserDisabled)
		return Actor{}, ErrUserDisabled
	}
	if st.TokenVersion != ver || st.AccountID != a.AccountID {
		u.svc.refused(RefusedSessionRevoked)
		return Actor{}, ErrSessionEnded
	}
	who := Actor{UserID: a.UserID, AccountID: st.AccountID, Role: Role(st.Role), CanSend: st.CanSend,
		Unverified: st.SelfRegistered && !st.EmailVerified}
	if !who.Role.Valid() {
		return Actor{}, fmt.Errorf("account: user %d has an unknown role %q", a.UserID, st.Role)
	}
	if who.Role != RoleAdmin && st.AccountStatus != store.AccountActive {
		return Actor{}, ErrSuspended
	}
	return who, nil
}

// ChangePassword replaces the password of user userID after checking the
// old one, and ends all its sessions (see [Users.LogoutAll]) and
// outstanding reset tokens.
func (u *Users) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword, ip string) error {
	if err := checkNewPassword(newPassword); err != nil {
		return err
	}
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: change password: %w", err)
	}
	if err := u.limit(RefusedLoginRateLimited, "login:email:"+su.Email, u.cfg.LoginPerEmail); err != nil {
		return err
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

// setPassword stores a new password and ends every session and every
// outstanding reset token of su: the password change raises the token
// version in the same write.
func (u *Users) setPassword(ctx context.Context, su *store.User, pw string) error {
	h, err := hashPassword(pw, u.cfg.Argon2)
	if err != nil {
		return err
	}
	if err := u.st.SetUserPassword(ctx, su.ID, h); err != nil {
		return fmt.Errorf("account: set password: %w", err)
	}
	u.forget(su.ID)
	now := u.now().UTC()
	if _, err := u.st.RevokeUserRefreshTokens(ctx, su.ID, now); err != nil {
		return fmt.Errorf("account: end sessions: %w", err)
	}
	if _, err := u.st.InvalidateUserTokens(ctx, su.ID, tokenReset, now); err != nil {
		return fmt.Errorf("account: void reset tokens: %w", err)
	}
	return nil
}

// RequestPasswordReset mails a single-use reset token to email, valid for
// ResetTTL. It returns nil for an unknown email too, so the answer does
// not tell which emails are registered; it is rate limited per address
// and per email. Without a mailer it is [ErrMailUnavailable], for every
// email, and no token is made.
func (u *Users) RequestPasswordReset(ctx context.Context, email, ip string) error {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if u.cfg.Mailer == nil {
		u.svc.refused(RefusedMailUnavailable)
		return ErrMailUnavailable
	}
	if err := u.limit(RefusedResetRateLimited, "reset:ip:"+ip, u.cfg.ResetPerIP); err != nil {
		return err
	}
	if err := u.limit(RefusedResetRateLimited, "reset:email:"+norm, u.cfg.ResetPerEmail); err != nil {
		return err
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
// stops working, and ends the user's sessions and its other reset tokens.
// A bad, used or expired token is [ErrBadToken].
func (u *Users) ResetPassword(ctx context.Context, token, newPassword, ip string) error {
	if err := checkNewPassword(newPassword); err != nil {
		return err
	}
	if err := u.limit(RefusedResetRateLimited, "reset:ip:"+ip, u.cfg.ResetPerIP); err != nil {
		return err
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

// SendVerification mails user userID a token proving its email; without
// a mailer it is [ErrMailUnavailable] and no token is made.
func (u *Users) SendVerification(ctx context.Context, userID int64) error {
	if u.cfg.Mailer == nil {
		return ErrMailUnavailable
	}
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: verification: %w", err)
	}
	tok, err := u.mintToken(ctx, su.ID, tokenVerify, u.cfg.VerifyTTL)
	if err != nil {
		return err
	}
	return u.sendVerificationMail(ctx, su.Email, tok)
}

// sendVerificationMail mails the verification token tok to email.
func (u *Users) sendVerificationMail(ctx context.Context, email, tok string) error {
	return u.cfg.Mailer.Send(ctx, Mail{To: email, Subject: "Confirm your email for Gallant SMS",
		Body: "Confirm this address within " + u.cfg.VerifyTTL.String() + ":\n\n" + u.cfg.VerifyLinkBase + tok + "\n"})
}

// ResendVerification mails user userID a new verification token, at
// most VerifyPerUser times; a verified user gets none (nil). Without a
// mailer it is [ErrMailUnavailable].
func (u *Users) ResendVerification(ctx context.Context, userID int64, ip string) error {
	if u.cfg.Mailer == nil {
		u.svc.refused(RefusedMailUnavailable)
		return ErrMailUnavailable
	}
	su, err := u.st.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: verification: %w", err)
	}
	if !su.EmailVerifiedAt.IsZero() {
		return nil
	}
	if err := u.limit(RefusedVerifyRateLimited, fmt.Sprintf("verify:user:%d", userID), u.cfg.VerifyPerUser); err != nil {
		return err
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: su.AccountID, ActorUserID: su.ID, Action: "email.verification_requested",
		Target: fmt.Sprintf("user:%d", su.ID), IP: ip})
	return u.SendVerification(ctx, su.ID)
}

// VerifyEmail marks the email of the token's user as verified (which
// lifts a self-registered user's restrictions at once). A bad, used or
// expired token is [ErrBadToken].
func (u *Users) VerifyEmail(ctx context.Context, token string) (User, error) {
	su, err := u.consume(ctx, tokenVerify, token)
	if err != nil {
		return User{}, err
	}
	now := u.now().UTC()
	if err := u.st.SetEmailVerified(ctx, su.ID, now); err != nil {
		return User{}, fmt.Errorf("account: verify email: %w", err)
	}
	u.forget(su.ID)
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
