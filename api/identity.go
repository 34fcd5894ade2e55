package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"
)

// Identity is the service behind the endpoints for users, sessions, API
// keys and SMPP credentials. Like [Messages], its methods return an
// [*Error] for answers the client should see; any other error is answered
// as internal without revealing it.
//
// The methods taking an accountID act on that account on behalf of p and
// apply the account policy: an account p may not read (or that does not
// exist) is a not-found [*Error], one it may read but not change a
// forbidden one.
type Identity interface {
	// Register signs up a new customer account and its owner, and mails
	// the owner a verification token. An email already registered is
	// answered the same (nil), its owner mailed a notice instead, so the
	// answer does not tell which emails are registered.
	Register(ctx context.Context, req RegisterRequest, ip string) error
	// Login checks email and password and opens a session.
	Login(ctx context.Context, email, password, ip string) (SessionView, error)
	// Refresh trades a refresh token for a new session; the old token
	// stops working.
	Refresh(ctx context.Context, refreshToken, ip string) (SessionView, error)
	// Logout ends the session of a refresh token.
	Logout(ctx context.Context, refreshToken, ip string) error
	// RequestPasswordReset mails a reset token to email if a user has it;
	// it answers the same whether or not one does.
	RequestPasswordReset(ctx context.Context, email, ip string) error
	// ResetPassword sets a new password with a mailed reset token.
	ResetPassword(ctx context.Context, token, password, ip string) error
	// VerifyEmail proves a user's email with a mailed token.
	VerifyEmail(ctx context.Context, token string) (UserView, error)
	// User returns the dashboard user of a session principal.
	User(ctx context.Context, p Principal) (UserView, error)
	// ChangePassword changes the password of a session principal's user.
	ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword, ip string) error
	// LogoutAll ends every session of a session principal's user, on
	// every instance.
	LogoutAll(ctx context.Context, p Principal, ip string) error
	// ResendVerification mails a session principal's user a new email
	// verification token.
	ResendVerification(ctx context.Context, p Principal, ip string) error

	// ListKeys lists an account's API keys.
	ListKeys(ctx context.Context, p Principal, accountID int64) ([]KeyView, error)
	// CreateKey issues an API key, returned this once.
	CreateKey(ctx context.Context, p Principal, accountID int64, req KeyRequest, ip string) (KeyCreated, error)
	// RevokeKey revokes an API key.
	RevokeKey(ctx context.Context, p Principal, accountID, keyID int64, ip string) error

	// ListSMPPCredentials lists an account's SMPP credentials.
	ListSMPPCredentials(ctx context.Context, p Principal, accountID int64) ([]SMPPCredentialView, error)
	// CreateSMPPCredential creates an SMPP credential; a generated
	// password is returned this once.
	CreateSMPPCredential(ctx context.Context, p Principal, accountID int64, req SMPPCredentialRequest, ip string) (SMPPCredentialView, error)
	// UpdateSMPPCredential changes an SMPP credential's password, limits
	// or allowed ranges.
	UpdateSMPPCredential(ctx context.Context, p Principal, accountID, credID int64, req SMPPCredentialPatch, ip string) (SMPPCredentialView, error)
	// DeleteSMPPCredential deletes an SMPP credential.
	DeleteSMPPCredential(ctx context.Context, p Principal, accountID, credID int64, ip string) error

	// ListUsers lists an account's dashboard users.
	ListUsers(ctx context.Context, p Principal, accountID int64) ([]UserView, error)
	// CreateUser adds a dashboard user to an account.
	CreateUser(ctx context.Context, p Principal, accountID int64, req UserRequest, ip string) (UserView, error)
	// UpdateUser changes a dashboard user's role, send right or disabled
	// state; disabling ends its sessions.
	UpdateUser(ctx context.Context, p Principal, accountID, userID int64, req UserPatch, ip string) (UserView, error)
	// DeleteUser removes a dashboard user; its sessions end.
	DeleteUser(ctx context.Context, p Principal, accountID, userID int64, ip string) error
}

// Problem types of the identity endpoints.
const (
	// TypeEmailTaken: a user with this email already exists.
	TypeEmailTaken = "email-taken"
	// TypeInvalidToken: a password reset or email verification token
	// that is unknown, used or expired.
	TypeInvalidToken = "invalid-token"
	// TypeAlreadyExists: the resource exists already.
	TypeAlreadyExists = "already-exists"
	// TypeEmailUnverified: a self-registered user must verify its email
	// before it sends or changes its account.
	TypeEmailUnverified = "email-unverified"
	// TypeMailUnavailable: the gateway has no mail relay, so it cannot
	// do what needs a mail (sign-up, password reset, verification).
	TypeMailUnavailable = "mail-unavailable"
	// TypeUserDisabled: the user was disabled by its account's owner.
	TypeUserDisabled = "user-disabled"
	// TypeLastOwner: the change would leave the account without an
	// enabled owner.
	TypeLastOwner = "last-owner"
)

// EmailTaken reports a registration or new user with an email in use.
func EmailTaken() *Error {
	return newError(TypeEmailTaken, "Email already registered", http.StatusConflict, "email",
		"a user with this email exists; log in or reset the password")
}

// InvalidToken reports a mailed token that is unknown, used or expired.
func InvalidToken(field string) *Error {
	return newError(TypeInvalidToken, "Invalid or expired token", http.StatusBadRequest, field,
		"the token is unknown, already used or expired; ask for a new one")
}

// AlreadyExists reports a resource that already exists.
func AlreadyExists(field, detail string) *Error {
	return newError(TypeAlreadyExists, "Already exists", http.StatusConflict, field, detail)
}

// EmailUnverified reports a self-registered user acting before it
// verified its email (403).
func EmailUnverified() *Error {
	return newError(TypeEmailUnverified, "Email not verified", http.StatusForbidden, "",
		"verify your email address first: follow the link we mailed you, or ask for a new one with POST /v1/me/verify-email")
}

// MailUnavailable reports a request that needs a mail on a gateway
// without a mail relay (503).
func MailUnavailable(detail string) *Error {
	return newError(TypeMailUnavailable, "Mail not available", http.StatusServiceUnavailable, "", detail)
}

// UserDisabled reports a login or session of a disabled user (403).
func UserDisabled() *Error {
	return newError(TypeUserDisabled, "User disabled", http.StatusForbidden, "",
		"this user is disabled; ask an owner of the account")
}

// LastOwner reports a change that would lock the account's people out
// (409).
func LastOwner() *Error {
	return newError(TypeLastOwner, "Last owner", http.StatusConflict, "",
		"this is the account's last enabled owner: make another user owner first")
}

// registerAnswer is the one answer to a sign-up, for a new email and a
// taken one alike.
const registerAnswer = "check your mailbox: we sent a mail to finish signing up"

// maxIdentityBody bounds the bodies of the identity endpoints; real ones
// are a few hundred bytes.
const maxIdentityBody = 16 << 10

// identityPublicHandler is an unauthenticated handler.
type identityPublicHandler func(ctx *fasthttp.RequestCtx, sctx context.Context)

// identityRoutes registers the endpoints for users, sessions, API keys
// and SMPP credentials.
func (s *Server) identityRoutes(r *router.Router) {
	s.authConfigRoute(r)
	s.identityPublic(r, "/v1/auth/register", s.idRegister)
	s.identityPublic(r, "/v1/auth/login", s.idLogin)
	s.identityPublic(r, "/v1/auth/refresh", s.idRefresh)
	s.identityPublic(r, "/v1/auth/logout", s.idLogout)
	s.identityPublic(r, "/v1/auth/password-reset", s.idPasswordReset)
	s.identityPublic(r, "/v1/auth/password-reset/confirm", s.idPasswordResetConfirm)
	s.identityPublic(r, "/v1/auth/verify-email", s.idVerifyEmail)

	s.identityRoute(r, http.MethodGet, "/v1/me", "", s.idGetMe)
	s.identityRoute(r, http.MethodPost, "/v1/me/password", "", s.idChangePassword)
	s.identityRoute(r, http.MethodPost, "/v1/me/logout-all", "", s.idLogoutAll)
	s.identityRoute(r, http.MethodPost, "/v1/me/verify-email", "", s.idResendVerification)

	s.identityRoute(r, http.MethodGet, "/v1/accounts/{id}/keys", ScopeRead, s.idListKeys)
	s.identityRoute(r, http.MethodPost, "/v1/accounts/{id}/keys", ScopeAdmin, s.idCreateKey)
	s.identityRoute(r, http.MethodDelete, "/v1/accounts/{id}/keys/{key_id}", ScopeAdmin, s.idRevokeKey)
	s.identityRoute(r, http.MethodGet, "/v1/accounts/{id}/smpp-credentials", ScopeRead, s.idListCredentials)
	s.identityRoute(r, http.MethodPost, "/v1/accounts/{id}/smpp-credentials", ScopeAdmin, s.idCreateCredential)
	s.identityRoute(r, http.MethodPatch, "/v1/accounts/{id}/smpp-credentials/{cred_id}", ScopeAdmin, s.idUpdateCredential)
	s.identityRoute(r, http.MethodDelete, "/v1/accounts/{id}/smpp-credentials/{cred_id}", ScopeAdmin, s.idDeleteCredential)
	s.identityRoute(r, http.MethodGet, "/v1/accounts/{id}/users", ScopeRead, s.idListUsers)
	s.identityRoute(r, http.MethodPost, "/v1/accounts/{id}/users", ScopeAdmin, s.idCreateUser)
	s.identityRoute(r, http.MethodPatch, "/v1/accounts/{id}/users/{user_id}", ScopeAdmin, s.idUpdateUser)
	s.identityRoute(r, http.MethodDelete, "/v1/accounts/{id}/users/{user_id}", ScopeAdmin, s.idDeleteUser)
}

// identityPublic registers an unauthenticated POST route: limited per client
// address like every request, with a small body.
func (s *Server) identityPublic(r *router.Router, path string, h identityPublicHandler) {
	route := "POST " + path
	r.POST(path, s.instrument(route, func(ctx *fasthttp.RequestCtx) {
		sctx := s.deadlines.context(time.Now())
		if s.limited(ctx, sctx, nil) {
			return
		}
		if s.identityOff(ctx) || s.identityBodyTooLarge(ctx) {
			return
		}
		h(ctx, sctx)
	}))
}

// identityRoute registers an authenticated route; scope "" lets any
// authenticated caller in.
func (s *Server) identityRoute(r *router.Router, method, path, scope string, h handler) {
	route := method + " " + path
	inner := func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		if s.identityOff(ctx) || s.identityBodyTooLarge(ctx) {
			return
		}
		h(ctx, sctx, p)
	}
	var fh fasthttp.RequestHandler
	if scope == "" {
		fh = s.authedIdentity(inner)
	} else {
		fh = s.authed(scope, inner)
	}
	r.Handle(method, path, s.instrument(route, fh))
}

// authedIdentity is [Server.authed] without a scope check.
func (s *Server) authedIdentity(h handler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		sctx := s.deadlines.context(time.Now())
		if s.limited(ctx, sctx, nil) {
			return
		}
		p, ok := s.authenticate(ctx, sctx)
		if !ok || s.limited(ctx, sctx, &p) {
			return
		}
		h(ctx, sctx, p)
	}
}

// identityOff answers 404 when the gateway has no Identity service.
func (s *Server) identityOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Identity == nil, "user and key management is")
}

func (s *Server) identityBodyTooLarge(ctx *fasthttp.RequestCtx) bool {
	if len(ctx.PostBody()) > maxIdentityBody {
		writeProblem(ctx, PayloadTooLarge("", fmt.Sprintf("the body exceeds %d bytes", maxIdentityBody)))
		return true
	}
	return false
}

// identityIP is the address recorded in the audit log.
func identityIP(ctx *fasthttp.RequestCtx) string { return clientAddr(ctx).String() }

// identityRequired answers 400 and returns false when v is empty.
func identityRequired(ctx *fasthttp.RequestCtx, field, v string) bool {
	if v == "" {
		writeProblem(ctx, InvalidRequest(field, field+" is required"))
		return false
	}
	return true
}

func (s *Server) idRegister(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req RegisterRequest
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "email", req.Email) || !identityRequired(ctx, "password", req.Password) {
		return
	}
	req.AccountName = strings.TrimSpace(req.AccountName)
	if req.AccountName == "" || len(req.AccountName) > maxAccountName {
		writeProblem(ctx, InvalidRequest("account_name", "account_name must have 1 to 100 bytes"))
		return
	}
	// The answer is the same whether or not the email is registered; it
	// is never cached.
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	if err := s.deps.Identity.Register(sctx, req, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusAccepted, map[string]string{"detail": registerAnswer})
}

// loginBody is the body of a login.
type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Cookie asks for the refresh token in a cookie rather than in the
	// answer (api/session_cookie.go).
	Cookie bool `json:"cookie"`
}

func (s *Server) idLogin(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req loginBody
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "email", req.Email) || !identityRequired(ctx, "password", req.Password) {
		return
	}
	if req.Cookie && !jsonContent(ctx) {
		return
	}
	sess, err := s.deps.Identity.Login(sctx, req.Email, req.Password, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if req.Cookie {
		s.idWriteCookieSession(ctx, sess)
		return
	}
	s.idWriteSession(ctx, sess)
}

// idWriteSession answers a new session; it must not be cached.
func (s *Server) idWriteSession(ctx *fasthttp.RequestCtx, sess SessionView) {
	sess.TokenType = "Bearer"
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	s.writeJSON(ctx, fasthttp.StatusOK, sess)
}

// refreshTokenBody is the body of a refresh or a logout.
type refreshTokenBody struct {
	RefreshToken string `json:"refresh_token"`
}

// idRefresh rotates the body's refresh token or, without one, the
// cookie's (answering then as to a login with "cookie": true).
func (s *Server) idRefresh(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req refreshTokenBody
	if !decodeObject(ctx, &req) {
		return
	}
	if req.RefreshToken == "" {
		tok, ok := cookieToken(ctx)
		if !ok {
			return
		}
		sess, err := s.deps.Identity.Refresh(sctx, tok, identityIP(ctx))
		if err != nil {
			s.failCookie(ctx, err)
			return
		}
		s.idWriteCookieSession(ctx, sess)
		return
	}
	sess, err := s.deps.Identity.Refresh(sctx, req.RefreshToken, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.idWriteSession(ctx, sess)
}

// idLogout ends the session of the body's refresh token or, without one,
// the cookie's, clearing the cookie.
func (s *Server) idLogout(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req refreshTokenBody
	if !decodeObject(ctx, &req) {
		return
	}
	tok, cookie := req.RefreshToken, false
	if tok == "" {
		var ok bool
		if tok, ok = cookieToken(ctx); !ok {
			return
		}
		cookie = true
	}
	if err := s.deps.Identity.Logout(sctx, tok, identityIP(ctx)); err != nil {
		if cookie {
			s.failCookie(ctx, err)
			return
		}
		s.fail(ctx, err)
		return
	}
	if cookie {
		clearRefreshCookie(ctx)
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) idPasswordReset(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req struct {
		Email string `json:"email"`
	}
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "email", req.Email) {
		return
	}
	if err := s.deps.Identity.RequestPasswordReset(sctx, req.Email, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusAccepted, map[string]string{
		"detail": "if a user has this email, a reset link is on its way",
	})
}

func (s *Server) idPasswordResetConfirm(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "token", req.Token) || !identityRequired(ctx, "password", req.Password) {
		return
	}
	if err := s.deps.Identity.ResetPassword(sctx, req.Token, req.Password, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) idVerifyEmail(ctx *fasthttp.RequestCtx, sctx context.Context) {
	var req struct {
		Token string `json:"token"`
	}
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "token", req.Token) {
		return
	}
	u, err := s.deps.Identity.VerifyEmail(sctx, req.Token)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, map[string]UserView{"user": u})
}

func (s *Server) idGetMe(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	me := MeView{AccountID: p.AccountID, Role: p.Role, CanSend: p.Has(ScopeSend), Scopes: p.Scopes, KeyID: p.KeyID}
	if me.Scopes == nil {
		me.Scopes = []string{}
	}
	if p.UserID != 0 {
		u, err := s.deps.Identity.User(sctx, p)
		if err != nil {
			s.fail(ctx, err)
			return
		}
		me.User = &u
	}
	s.writeJSON(ctx, fasthttp.StatusOK, me)
}

func (s *Server) idChangePassword(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if p.UserID == 0 {
		writeProblem(ctx, Forbidden("an API key has no password; log in as the user to change it"))
		return
	}
	var req struct {
		OldPassword string `json:"old_password"`
		NewPassword string `json:"new_password"`
	}
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "old_password", req.OldPassword) ||
		!identityRequired(ctx, "new_password", req.NewPassword) {
		return
	}
	if err := s.deps.Identity.ChangePassword(sctx, p, req.OldPassword, req.NewPassword, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// sessionOnly answers 403 and returns false for an API key: the /v1/me
// actions concern a dashboard user.
func sessionOnly(ctx *fasthttp.RequestCtx, p Principal, what string) bool {
	if p.UserID == 0 {
		writeProblem(ctx, Forbidden("an API key has no user: "+what+" needs a dashboard session"))
		return false
	}
	return true
}

// noBody answers 400 and returns false when the request has a body.
func noBody(ctx *fasthttp.RequestCtx) bool {
	if len(bytes.TrimSpace(ctx.PostBody())) > 0 {
		writeProblem(ctx, InvalidRequest("", "this endpoint takes no body"))
		return false
	}
	return true
}

func (s *Server) idLogoutAll(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if !sessionOnly(ctx, p, "logging out everywhere") || !noBody(ctx) {
		return
	}
	if err := s.deps.Identity.LogoutAll(sctx, p, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	clearRefreshCookie(ctx) // a browser's session is over too
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) idResendVerification(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if !sessionOnly(ctx, p, "email verification") || !noBody(ctx) {
		return
	}
	if err := s.deps.Identity.ResendVerification(sctx, p, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusAccepted, map[string]string{
		"detail": "unless the email is verified already, a verification link is on its way",
	})
}

// writeIdentityItems answers a list as {"items": [...]}.
func writeIdentityItems[T any](s *Server, ctx *fasthttp.RequestCtx, items []T) {
	if items == nil {
		items = []T{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, struct {
		Items []T `json:"items"`
	}{items})
}

func (s *Server) idListKeys(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	keys, err := s.deps.Identity.ListKeys(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	writeIdentityItems(s, ctx, keys)
}

func (s *Server) idCreateKey(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	var req KeyRequest
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "name", strings.TrimSpace(req.Name)) {
		return
	}
	if len(req.Scopes) == 0 {
		writeProblem(ctx, InvalidRequest("scopes", `scopes is identityRequired: some of "send", "read" and "admin"`))
		return
	}
	k, err := s.deps.Identity.CreateKey(sctx, p, id, req, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	ctx.Response.Header.Set(fasthttp.HeaderLocation, fmt.Sprintf("/v1/accounts/%d/keys/%d", id, k.ID))
	s.writeJSON(ctx, fasthttp.StatusCreated, k)
}

func (s *Server) idRevokeKey(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	keyID, ok := pathParamID(ctx, "key_id", "API key")
	if !ok {
		return
	}
	if err := s.deps.Identity.RevokeKey(sctx, p, id, keyID, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) idListCredentials(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	list, err := s.deps.Identity.ListSMPPCredentials(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	for i := range list {
		list[i].Password = "" // shown only when generated
		if list[i].AllowedCIDRs == nil {
			list[i].AllowedCIDRs = []string{}
		}
	}
	writeIdentityItems(s, ctx, list)
}

func (s *Server) idCreateCredential(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	var req SMPPCredentialRequest
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "system_id", req.SystemID) {
		return
	}
	c, err := s.deps.Identity.CreateSMPPCredential(sctx, p, id, req, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if c.AllowedCIDRs == nil {
		c.AllowedCIDRs = []string{}
	}
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	ctx.Response.Header.Set(fasthttp.HeaderLocation, fmt.Sprintf("/v1/accounts/%d/smpp-credentials/%d", id, c.ID))
	s.writeJSON(ctx, fasthttp.StatusCreated, c)
}

func (s *Server) idUpdateCredential(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	credID, ok := pathParamID(ctx, "cred_id", "SMPP credential")
	if !ok {
		return
	}
	var req SMPPCredentialPatch
	if !decodeObject(ctx, &req) {
		return
	}
	c, err := s.deps.Identity.UpdateSMPPCredential(sctx, p, id, credID, req, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	if c.AllowedCIDRs == nil {
		c.AllowedCIDRs = []string{}
	}
	ctx.Response.Header.Set(fasthttp.HeaderCacheControl, "no-store")
	s.writeJSON(ctx, fasthttp.StatusOK, c)
}

func (s *Server) idDeleteCredential(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	credID, ok := pathParamID(ctx, "cred_id", "SMPP credential")
	if !ok {
		return
	}
	if err := s.deps.Identity.DeleteSMPPCredential(sctx, p, id, credID, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) idListUsers(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	users, err := s.deps.Identity.ListUsers(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	writeIdentityItems(s, ctx, users)
}

func (s *Server) idCreateUser(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	var req UserRequest
	if !decodeObject(ctx, &req) || !identityRequired(ctx, "email", req.Email) || !identityRequired(ctx, "password", req.Password) ||
		!identityRequired(ctx, "role", req.Role) {
		return
	}
	u, err := s.deps.Identity.CreateUser(sctx, p, id, req, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.Header.Set(fasthttp.HeaderLocation, fmt.Sprintf("/v1/accounts/%d/users/%d", id, u.ID))
	s.writeJSON(ctx, fasthttp.StatusCreated, u)
}

func (s *Server) idUpdateUser(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	userID, ok := pathParamID(ctx, "user_id", "user")
	if !ok {
		return
	}
	var req UserPatch
	if !decodeObject(ctx, &req) {
		return
	}
	if req.Role == nil && req.CanSend == nil && req.Disabled == nil {
		writeProblem(ctx, InvalidRequest("", "give at least one of role, can_send, disabled"))
		return
	}
	u, err := s.deps.Identity.UpdateUser(sctx, p, id, userID, req, identityIP(ctx))
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, u)
}

func (s *Server) idDeleteUser(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	userID, ok := pathParamID(ctx, "user_id", "user")
	if !ok {
		return
	}
	if err := s.deps.Identity.DeleteUser(sctx, p, id, userID, identityIP(ctx)); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}
