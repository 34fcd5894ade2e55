package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// sessionScopes are the scopes of a dashboard user's session: every one
// for admins, resellers and owners; read, and send if allowed, for a
// member.
func sessionScopes(a account.Actor) []string {
	switch a.Role {
	case account.RoleAdmin, account.RoleReseller, account.RoleOwner:
		return []string{ScopeAdmin}
	}
	if a.CanSend {
		return []string{ScopeRead, ScopeSend}
	}
	return []string{ScopeRead}
}

// authenticateSession checks a dashboard access token for Auth.
func authenticateSession(ctx context.Context, s *account.Sessions, token string) (Principal, error) {
	a, err := s.Authenticate(ctx, token)
	switch {
	case errors.Is(err, account.ErrSessionEnded):
		return Principal{}, unauthorized("this session was ended (logged out everywhere, password changed, or the user changed); log in again")
	case errors.Is(err, account.ErrUnauthorized):
		return Principal{}, unauthorized("the access token is not valid or has expired; refresh the session")
	case errors.Is(err, account.ErrUserDisabled):
		return Principal{}, refuse(KindUserDisabled, "", "this user is disabled")
	case errors.Is(err, account.ErrSuspended):
		return Principal{}, Forbidden("the account is suspended")
	case err != nil:
		return Principal{}, err
	}
	return Principal{AccountID: a.AccountID, UserID: a.UserID, Role: string(a.Role), CanSend: a.CanSend,
		Scopes: sessionScopes(a), Unverified: a.Unverified}, nil
}

// Identity serves the identity endpoints from the account services.
type Identity struct {
	acc   *account.Service
	users *account.Users
	log   *slog.Logger
	// gw holds this instance's customer binds, so that binds of a
	// changed or deleted SMPP credential can be ended; nil ends none.
	gw *gateway.Service
}

// identityError turns an account or store error into the problem the
// client sees; unauthorized is what ErrUnauthorized means there.
func identityError(err error, unauthorizedDetail string) error {
	var rl *account.RateLimitError
	var inv *account.InvalidError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rl):
		return rateLimited("too many attempts; try again later", rl.RetryAfter)
	case errors.As(err, &inv):
		return Invalid(inv.Field, inv.Detail)
	case errors.Is(err, account.ErrUnauthorized):
		return unauthorized(unauthorizedDetail)
	case errors.Is(err, account.ErrSuspended):
		return Forbidden("the account is suspended")
	case errors.Is(err, account.ErrForbidden):
		return Forbidden("your role may not do this on this account")
	case errors.Is(err, account.ErrNoAccount):
		return NotFound("no such account")
	case errors.Is(err, account.ErrBadEmail):
		return Invalid("email", "not a plain email address")
	case errors.Is(err, account.ErrWeakPassword):
		return Invalid("password", fmt.Sprintf("a password needs %d to %d bytes", account.MinPasswordLen, account.MaxPasswordLen))
	case errors.Is(err, account.ErrEmailTaken):
		return refuse(KindEmailTaken, "email", "a user with this email exists")
	case errors.Is(err, account.ErrBadToken):
		return invalidToken("token")
	case errors.Is(err, account.ErrEmailUnverified):
		return refuse(KindEmailUnverified, "", "verify your email address first")
	case errors.Is(err, account.ErrMailUnavailable):
		return mailUnavailable("this gateway cannot send mail (it has no mail relay); ask its operator")
	case errors.Is(err, account.ErrUserDisabled):
		return refuse(KindUserDisabled, "", "this user is disabled")
	case errors.Is(err, account.ErrLastOwner):
		return refuse(KindLastOwner, "", "this is the account's last enabled owner")
	case errors.Is(err, account.ErrRegistrationClosed):
		return Forbidden("sign-up is closed on this gateway: ask your provider for an account")
	}
	return err
}

// UserViewOf shows user u.
func UserViewOf(u account.User) UserView {
	return UserView{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Role: string(u.Role), CanSend: u.CanSend,
		EmailVerified: u.EmailVerified, CreatedAt: u.CreatedAt, Disabled: u.Disabled}
}

// Register signs up an owner with a new account (open registration only).
func (i Identity) Register(ctx context.Context, req RegisterRequest, ip string) error {
	return identityError(i.users.Register(ctx, req.Email, req.Password, req.AccountName, ip), "")
}

// session completes a session with its user.
func (i Identity) session(ctx context.Context, s account.Session) (SessionView, error) {
	u, err := i.users.User(ctx, s.Actor.UserID)
	if err != nil {
		return SessionView{}, err
	}
	return SessionView{AccessToken: s.AccessToken, TokenType: "Bearer",
		ExpiresIn: max(int64(time.Until(s.AccessExpiresAt)/time.Second), 0), RefreshToken: s.RefreshToken,
		RefreshExpiresAt: s.RefreshExpiresAt, User: UserViewOf(u)}, nil
}

// Login starts a dashboard session.
func (i Identity) Login(ctx context.Context, email, password, ip string) (SessionView, error) {
	s, err := i.users.Login(ctx, email, password, ip)
	if err != nil {
		return SessionView{}, identityError(err, "wrong email or password")
	}
	return i.session(ctx, s)
}

// Refresh exchanges a refresh token for the next session.
func (i Identity) Refresh(ctx context.Context, refreshToken, ip string) (SessionView, error) {
	s, err := i.users.Refresh(ctx, refreshToken, ip)
	if err != nil {
		return SessionView{}, identityError(err, "the refresh token is not valid; log in again")
	}
	return i.session(ctx, s)
}

// Logout ends the session of a refresh token.
func (i Identity) Logout(ctx context.Context, refreshToken, ip string) error {
	return identityError(i.users.Logout(ctx, refreshToken, ip), "the refresh token is not valid")
}

// RequestPasswordReset mails a reset token to email, if it is registered;
// the answer does not tell.
func (i Identity) RequestPasswordReset(ctx context.Context, email, ip string) error {
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

// ResetPassword sets a new password with a mailed token.
func (i Identity) ResetPassword(ctx context.Context, token, password, ip string) error {
	return identityError(i.users.ResetPassword(ctx, token, password, ip), "")
}

// VerifyEmail marks a user's email verified with a mailed token.
func (i Identity) VerifyEmail(ctx context.Context, token string) (UserView, error) {
	u, err := i.users.VerifyEmail(ctx, token)
	if err != nil {
		return UserView{}, identityError(err, "")
	}
	return UserViewOf(u), nil
}

// User returns p's user.
func (i Identity) User(ctx context.Context, p Principal) (UserView, error) {
	u, err := i.users.User(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return UserView{}, NotFound("no such user")
	}
	if err != nil {
		return UserView{}, err
	}
	return UserViewOf(u), nil
}

// ChangePassword changes p's password; its other sessions end.
func (i Identity) ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword, ip string) error {
	if p.UserID == 0 {
		return Forbidden("an API key has no password")
	}
	return identityError(i.users.ChangePassword(ctx, p.UserID, oldPassword, newPassword, ip), "the old password is wrong")
}

// LogoutAll ends every session of p's user.
func (i Identity) LogoutAll(ctx context.Context, p Principal, ip string) error {
	if p.UserID == 0 {
		return Forbidden("an API key has no sessions; revoke the key instead")
	}
	return identityError(i.users.LogoutAll(ctx, p.UserID, ip), "")
}

// ResendVerification mails p's user a new verification token.
func (i Identity) ResendVerification(ctx context.Context, p Principal, ip string) error {
	if p.UserID == 0 {
		return Forbidden("an API key has no email to verify")
	}
	err := i.users.ResendVerification(ctx, p.UserID, ip)
	var rl *account.RateLimitError
	if err == nil || errors.As(err, &rl) || errors.Is(err, account.ErrMailUnavailable) {
		return identityError(err, "")
	}
	i.log.Error("verification mail", "err", err)
	return refuse(KindInternal, "", "internal error")
}

func keyView(k account.KeyInfo) KeyView {
	v := KeyView{ID: k.ID, AccountID: k.AccountID, Name: k.Name, Prefix: "gal_" + k.Prefix, Scopes: k.Scopes,
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

// ListKeys lists the API keys of account accountID.
func (i Identity) ListKeys(ctx context.Context, p Principal, accountID int64) ([]KeyView, error) {
	keys, err := i.acc.ListAPIKeys(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]KeyView, len(keys))
	for j, k := range keys {
		out[j] = keyView(k)
	}
	return out, nil
}

// CreateKey makes an API key for account accountID; the key is shown once.
func (i Identity) CreateKey(ctx context.Context, p Principal, accountID int64, req KeyRequest, ip string) (KeyCreated, error) {
	k, key, err := i.acc.CreateKey(ctx, actorOf(p), accountID, req.Name, req.Scopes, ip)
	if err != nil {
		return KeyCreated{}, identityError(err, "")
	}
	return KeyCreated{KeyView: keyView(k), Key: key}, nil
}

// RevokeKey revokes key keyID of account accountID.
func (i Identity) RevokeKey(ctx context.Context, p Principal, accountID, keyID int64, ip string) error {
	err := i.acc.RevokeKey(ctx, actorOf(p), accountID, keyID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such API key")
	}
	return identityError(err, "")
}

func credentialView(c account.CredentialInfo, password string) SMPPCredentialView {
	v := SMPPCredentialView{ID: c.ID, AccountID: c.AccountID, SystemID: c.SystemID, Password: password,
		AllowedCIDRs: c.AllowedCIDRs, BindLimit: c.BindLimit, TPSLimit: c.TPSLimit, CreatedAt: c.CreatedAt}
	if v.AllowedCIDRs == nil {
		v.AllowedCIDRs = []string{}
	}
	return v
}

// ListSMPPCredentials lists the SMPP credentials of account accountID.
func (i Identity) ListSMPPCredentials(ctx context.Context, p Principal, accountID int64) ([]SMPPCredentialView, error) {
	cs, err := i.acc.ListSMPPCredentials(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]SMPPCredentialView, len(cs))
	for j, c := range cs {
		out[j] = credentialView(c, "")
	}
	return out, nil
}

// CreateSMPPCredential adds an SMPP credential to account accountID.
func (i Identity) CreateSMPPCredential(ctx context.Context, p Principal, accountID int64, req SMPPCredentialRequest, ip string) (SMPPCredentialView, error) {
	c, pw, err := i.acc.AddSMPPCredential(ctx, actorOf(p), accountID, account.NewCredential{SystemID: req.SystemID,
		Password: req.Password, AllowedCIDRs: req.AllowedCIDRs, BindLimit: req.BindLimit, TPSLimit: req.TPSLimit}, ip)
	if err != nil {
		return SMPPCredentialView{}, identityError(err, "")
	}
	return credentialView(c, pw), nil
}

// UpdateSMPPCredential changes credential credID; this instance's binds
// of it end at once.
func (i Identity) UpdateSMPPCredential(ctx context.Context, p Principal, accountID, credID int64, req SMPPCredentialPatch, ip string) (SMPPCredentialView, error) {
	c, pw, err := i.acc.UpdateSMPPCredential(ctx, actorOf(p), accountID, credID, account.CredentialChange{
		Password: req.Password, GeneratePassword: req.GeneratePassword, AllowedCIDRs: req.AllowedCIDRs,
		BindLimit: req.BindLimit, TPSLimit: req.TPSLimit}, ip)
	if errors.Is(err, store.ErrNotFound) {
		return SMPPCredentialView{}, NotFound("no such SMPP credential")
	}
	if err != nil {
		return SMPPCredentialView{}, identityError(err, "")
	}
	i.unbind(ctx, c.SystemID)
	return credentialView(c, pw), nil
}

// DeleteSMPPCredential deletes credential credID; this instance's binds of
// it end at once.
func (i Identity) DeleteSMPPCredential(ctx context.Context, p Principal, accountID, credID int64, ip string) error {
	systemID, err := i.acc.DeleteSMPPCredential(ctx, actorOf(p), accountID, credID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such SMPP credential")
	}
	if err != nil {
		return identityError(err, "")
	}
	i.unbind(ctx, systemID)
	return nil
}

// unbind ends this instance's binds of systemID, so that a changed or
// deleted credential takes effect here at once (see
// gateway.Service.UnbindSystemID).
func (i Identity) unbind(ctx context.Context, systemID string) {
	if i.gw != nil {
		i.gw.UnbindSystemID(ctx, systemID)
	}
}

// ListUsers lists the dashboard users of account accountID.
func (i Identity) ListUsers(ctx context.Context, p Principal, accountID int64) ([]UserView, error) {
	us, err := i.users.ListUsers(ctx, actorOf(p), accountID)
	if err != nil {
		return nil, identityError(err, "")
	}
	out := make([]UserView, len(us))
	for j, u := range us {
		out[j] = UserViewOf(u)
	}
	return out, nil
}

// UpdateUser changes user userID of account accountID.
func (i Identity) UpdateUser(ctx context.Context, p Principal, accountID, userID int64, req UserPatch, ip string) (UserView, error) {
	ch := account.UserChange{CanSend: req.CanSend, Disabled: req.Disabled}
	if req.Role != nil {
		r := account.Role(*req.Role)
		ch.Role = &r
	}
	u, err := i.users.UpdateAccountUser(ctx, actorOf(p), accountID, userID, ch, ip)
	if errors.Is(err, store.ErrNotFound) {
		return UserView{}, NotFound("no such user")
	}
	if err != nil {
		return UserView{}, identityError(err, "")
	}
	return UserViewOf(u), nil
}

// DeleteUser deletes user userID of account accountID.
func (i Identity) DeleteUser(ctx context.Context, p Principal, accountID, userID int64, ip string) error {
	err := i.users.DeleteAccountUser(ctx, actorOf(p), accountID, userID, ip)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such user")
	}
	return identityError(err, "")
}

// CreateUser adds a dashboard user to account accountID.
func (i Identity) CreateUser(ctx context.Context, p Principal, accountID int64, req UserRequest, ip string) (UserView, error) {
	u, err := i.users.AddAccountUser(ctx, actorOf(p), account.NewUser{AccountID: accountID, Email: req.Email,
		Password: req.Password, Role: account.Role(req.Role), CanSend: req.CanSend}, ip)
	if err != nil {
		return UserView{}, identityError(err, "")
	}
	return UserViewOf(u), nil
}
