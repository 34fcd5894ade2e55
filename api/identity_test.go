package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Session tokens of the identity tests, beside fakeAuth's API keys.
const (
	sessOwner  = "sess-owner"  // user 7, owner of account 1
	sessMember = "sess-member" // user 8, member of account 1, may not send
)

// identityAuth knows fakeAuth's keys plus two dashboard sessions.
type identityAuth struct{ fakeAuth }

func (a identityAuth) AuthenticateAPIKey(ctx context.Context, key string) (Principal, error) {
	switch key {
	case sessOwner:
		return Principal{AccountID: 1, UserID: 7, Role: RoleOwner, Scopes: []string{ScopeAdmin}}, nil
	case sessMember:
		return Principal{AccountID: 1, UserID: 8, Role: RoleMember, Scopes: []string{ScopeRead}}, nil
	}
	return a.fakeAuth.AuthenticateAPIKey(ctx, key)
}

// fakeIdentity is an in-memory identity service. It applies a toy
// policy: a principal sees only its own account (others are not found)
// and only non-members may change it. Email "limited@example.com" is
// rate limited and "boom@example.com" fails with an internal error.
type fakeIdentity struct {
	mu      sync.Mutex
	calls   []string
	revoked []int64
	ips     []string
}

var testTime = time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)

func (f *fakeIdentity) record(call, ip string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	f.ips = append(f.ips, ip)
}

func (f *fakeIdentity) lastIP() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ips) == 0 {
		return ""
	}
	return f.ips[len(f.ips)-1]
}

func fakeUser(id, account int64, email, role string) UserView {
	return UserView{ID: id, AccountID: account, Email: email, Role: role, CanSend: true, CreatedAt: testTime}
}

// check applies the toy policy.
func check(p Principal, accountID int64, write bool) error {
	if p.AccountID != accountID {
		return NotFound("no such account")
	}
	if write && p.Role == RoleMember {
		return Forbidden("members may not change the account")
	}
	return nil
}

func (f *fakeIdentity) Register(_ context.Context, req RegisterRequest, ip string) error {
	f.record("register:"+req.Email, ip)
	if req.Email == "nomail@example.com" {
		return MailUnavailable("this gateway cannot send mail")
	}
	return nil
}

func (f *fakeIdentity) Login(_ context.Context, email, password, ip string) (SessionView, error) {
	f.record("login", ip)
	switch {
	case email == "limited@example.com":
		return SessionView{}, RateLimited("too many attempts", 90*time.Second)
	case email == "boom@example.com":
		return SessionView{}, errors.New("argon2: out of memory at 0xdeadbeef")
	case password != "right password":
		return SessionView{}, Unauthorized("wrong email or password")
	}
	return SessionView{AccessToken: "a.b.c", ExpiresIn: 900, RefreshToken: "grt_1",
		RefreshExpiresAt: testTime, User: fakeUser(7, 1, email, RoleOwner)}, nil
}

func (f *fakeIdentity) Refresh(_ context.Context, tok, ip string) (SessionView, error) {
	f.record("refresh", ip)
	if tok != "grt_1" {
		return SessionView{}, Unauthorized("the refresh token is not valid")
	}
	return SessionView{AccessToken: "d.e.f", ExpiresIn: 900, RefreshToken: "grt_2", User: fakeUser(7, 1, "a@example.com", RoleOwner)}, nil
}

func (f *fakeIdentity) Logout(_ context.Context, tok, ip string) error {
	f.record("logout", ip)
	if tok != "grt_1" {
		return Unauthorized("the refresh token is not valid")
	}
	return nil
}

func (f *fakeIdentity) RequestPasswordReset(_ context.Context, email, ip string) error {
	f.record("reset:"+email, ip)
	return nil
}

func (f *fakeIdentity) ResetPassword(_ context.Context, token, _, ip string) error {
	f.record("reset-confirm", ip)
	if token != "good" {
		return InvalidToken("token")
	}
	return nil
}

func (f *fakeIdentity) VerifyEmail(_ context.Context, token string) (UserView, error) {
	if token != "good" {
		return UserView{}, InvalidToken("token")
	}
	u := fakeUser(7, 1, "a@example.com", RoleOwner)
	u.EmailVerified = true
	return u, nil
}

func (f *fakeIdentity) User(_ context.Context, p Principal) (UserView, error) {
	return fakeUser(p.UserID, p.AccountID, "a@example.com", p.Role), nil
}

func (f *fakeIdentity) ChangePassword(_ context.Context, p Principal, old, _, ip string) error {
	f.record("password", ip)
	if old != "old password" {
		return Unauthorized("the old password is wrong")
	}
	return nil
}

func (f *fakeIdentity) LogoutAll(_ context.Context, p Principal, ip string) error {
	f.record(fmt.Sprintf("logout-all:%d", p.UserID), ip)
	return nil
}

func (f *fakeIdentity) ResendVerification(_ context.Context, p Principal, ip string) error {
	f.record(fmt.Sprintf("verify-again:%d", p.UserID), ip)
	return nil
}

func (f *fakeIdentity) UpdateUser(_ context.Context, p Principal, accountID, userID int64, req UserPatch, ip string) (UserView, error) {
	if err := check(p, accountID, true); err != nil {
		return UserView{}, err
	}
	if userID != 10 {
		return UserView{}, NotFound("no such user")
	}
	u := fakeUser(userID, accountID, "bob@example.com", RoleMember)
	if req.Role != nil {
		u.Role = *req.Role
	}
	if req.Disabled != nil {
		u.Disabled = *req.Disabled
	}
	f.record("update-user", ip)
	return u, nil
}

func (f *fakeIdentity) DeleteUser(_ context.Context, p Principal, accountID, userID int64, ip string) error {
	if err := check(p, accountID, true); err != nil {
		return err
	}
	if userID == 7 {
		return LastOwner()
	}
	f.record("delete-user", ip)
	return nil
}

func (f *fakeIdentity) ListKeys(_ context.Context, p Principal, accountID int64) ([]KeyView, error) {
	if err := check(p, accountID, false); err != nil {
		return nil, err
	}
	used := testTime.Add(time.Hour)
	return []KeyView{{ID: 3, AccountID: accountID, Name: "default", Prefix: "gal_abcd1234", Scopes: []string{"send", "read"},
		CreatedAt: testTime, LastUsedAt: &used}}, nil
}

func (f *fakeIdentity) CreateKey(_ context.Context, p Principal, accountID int64, req KeyRequest, ip string) (KeyCreated, error) {
	if err := check(p, accountID, true); err != nil {
		return KeyCreated{}, err
	}
	f.record("create-key", ip)
	return KeyCreated{KeyView: KeyView{ID: 4, AccountID: accountID, Name: req.Name, Prefix: "gal_efgh5678",
		Scopes: req.Scopes, CreatedAt: testTime}, Key: "gal_efgh5678_secret"}, nil
}

func (f *fakeIdentity) RevokeKey(_ context.Context, p Principal, accountID, keyID int64, _ string) error {
	if err := check(p, accountID, true); err != nil {
		return err
	}
	if keyID != 3 {
		return NotFound("no such API key")
	}
	f.mu.Lock()
	f.revoked = append(f.revoked, keyID)
	f.mu.Unlock()
	return nil
}

func (f *fakeIdentity) ListSMPPCredentials(_ context.Context, p Principal, accountID int64) ([]SMPPCredentialView, error) {
	if err := check(p, accountID, false); err != nil {
		return nil, err
	}
	return []SMPPCredentialView{{ID: 2, AccountID: accountID, SystemID: "acme", Password: "leak", CreatedAt: testTime}}, nil
}

func (f *fakeIdentity) CreateSMPPCredential(_ context.Context, p Principal, accountID int64, req SMPPCredentialRequest, _ string) (SMPPCredentialView, error) {
	if err := check(p, accountID, true); err != nil {
		return SMPPCredentialView{}, err
	}
	if req.SystemID == "taken" {
		return SMPPCredentialView{}, AlreadyExists("system_id", "in use")
	}
	pw := req.Password
	if pw == "" {
		pw = "Gen3rat3"
	}
	return SMPPCredentialView{ID: 5, AccountID: accountID, SystemID: req.SystemID, Password: pw,
		AllowedCIDRs: req.AllowedCIDRs, BindLimit: req.BindLimit, TPSLimit: req.TPSLimit, CreatedAt: testTime}, nil
}

func (f *fakeIdentity) UpdateSMPPCredential(_ context.Context, p Principal, accountID, credID int64, req SMPPCredentialPatch, _ string) (SMPPCredentialView, error) {
	if err := check(p, accountID, true); err != nil {
		return SMPPCredentialView{}, err
	}
	v := SMPPCredentialView{ID: credID, AccountID: accountID, SystemID: "acme", BindLimit: 1, CreatedAt: testTime}
	if req.BindLimit != nil {
		v.BindLimit = *req.BindLimit
	}
	if req.AllowedCIDRs != nil {
		v.AllowedCIDRs = *req.AllowedCIDRs
	}
	return v, nil
}

func (f *fakeIdentity) DeleteSMPPCredential(_ context.Context, p Principal, accountID, _ int64, _ string) error {
	return check(p, accountID, true)
}

func (f *fakeIdentity) ListUsers(_ context.Context, p Principal, accountID int64) ([]UserView, error) {
	if err := check(p, accountID, false); err != nil {
		return nil, err
	}
	return []UserView{fakeUser(7, accountID, "a@example.com", RoleOwner)}, nil
}

func (f *fakeIdentity) CreateUser(_ context.Context, p Principal, accountID int64, req UserRequest, _ string) (UserView, error) {
	if err := check(p, accountID, true); err != nil {
		return UserView{}, err
	}
	return fakeUser(10, accountID, req.Email, req.Role), nil
}

func newIdentityServer(t *testing.T, id Identity) *testServer {
	t.Helper()
	return newTestServerWith(t, Config{}, func(d *Deps) {
		d.Auth = identityAuth{}
		d.Identity = id
	})
}

func TestIdentitySessions(t *testing.T) {
	f := &fakeIdentity{}
	ts := newIdentityServer(t, f)

	a := ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"ann@example.com","password":"right password"}`))
	if a.Code != http.StatusOK || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %d %v %s", a.Code, a.Header, a.Body)
	}
	var sess map[string]any
	a.decode(t, &sess)
	user, _ := sess["user"].(map[string]any)
	if sess["token_type"] != "Bearer" || sess["access_token"] != "a.b.c" || sess["expires_in"] != float64(900) ||
		sess["refresh_token"] != "grt_1" || user["id"] != "7" || user["email"] != "ann@example.com" {
		t.Fatalf("session %s", a.Body)
	}
	if ip := f.lastIP(); ip != "127.0.0.1" {
		t.Errorf("the service got client address %q", ip)
	}

	p := ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"ann@example.com","password":"wrong"}`)).
		wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
	if p["detail"] != "wrong email or password" {
		t.Errorf("detail %v", p["detail"])
	}
	a = ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"limited@example.com","password":"x"}`))
	a.wantProblem(t, http.StatusTooManyRequests, TypeRateLimited)
	if a.Header.Get("Retry-After") != "90" {
		t.Errorf("Retry-After %q, want 90", a.Header.Get("Retry-After"))
	}
	a = ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"boom@example.com","password":"x"}`))
	a.wantProblem(t, http.StatusInternalServerError, TypeInternal)
	if strings.Contains(string(a.Body), "deadbeef") {
		t.Errorf("internal error leaked: %s", a.Body)
	}

	a = ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{"refresh_token":"grt_1"}`))
	a.decode(t, &sess)
	if a.Code != http.StatusOK || sess["refresh_token"] != "grt_2" || sess["token_type"] != "Bearer" {
		t.Fatalf("refresh: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{"refresh_token":"grt_old"}`)).
		wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
	if a := ts.do(t, "POST", "/v1/auth/logout", "", []byte(`{"refresh_token":"grt_1"}`)); a.Code != http.StatusNoContent || len(a.Body) != 0 {
		t.Fatalf("logout: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/auth/logout", "", []byte(`{"refresh_token":"nope"}`)).
		wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)

	// Sign-up: one answer, never cached.
	a = ts.do(t, "POST", "/v1/auth/register", "", []byte(`{"email":"new@example.com","password":"long enough pw","account_name":" Acme "}`))
	var reg map[string]any
	a.decode(t, &reg)
	if a.Code != http.StatusAccepted || reg["detail"] != registerAnswer || len(reg) != 1 || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("register: %d %v %s", a.Code, a.Header, a.Body)
	}
	a = ts.do(t, "POST", "/v1/auth/register", "", []byte(`{"email":"nomail@example.com","password":"long enough pw","account_name":"A"}`))
	a.wantProblem(t, http.StatusServiceUnavailable, TypeMailUnavailable)
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a refused sign-up may be cached: %v", a.Header)
	}

	a = ts.do(t, "POST", "/v1/auth/password-reset", "", []byte(`{"email":"whoever@example.com"}`))
	if a.Code != http.StatusAccepted {
		t.Fatalf("reset: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", []byte(`{"token":"good","password":"new password!"}`)); a.Code != http.StatusNoContent {
		t.Fatalf("reset confirm: %d %s", a.Code, a.Body)
	}
	p = ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", []byte(`{"token":"bad","password":"new password!"}`)).
		wantProblem(t, http.StatusBadRequest, TypeInvalidToken)
	if p["field"] != "token" {
		t.Errorf("field %v", p["field"])
	}
	a = ts.do(t, "POST", "/v1/auth/verify-email", "", []byte(`{"token":"good"}`))
	var ver struct {
		User UserView `json:"user"`
	}
	a.decode(t, &ver)
	if a.Code != http.StatusOK || !ver.User.EmailVerified || ver.User.ID != 7 {
		t.Fatalf("verify: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/auth/verify-email", "", []byte(`{"token":"bad"}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidToken)
}

// TestIdentityBadBodies: malformed, incomplete and oversized bodies are
// refused before the service is called.
func TestIdentityBadBodies(t *testing.T) {
	f := &fakeIdentity{}
	ts := newIdentityServer(t, f)
	cases := []struct {
		path, body, typ, field string
		code                   int
	}{
		{"/v1/auth/login", ``, TypeInvalidJSON, "", 400},
		{"/v1/auth/login", `{"email":`, TypeInvalidJSON, "", 400},
		{"/v1/auth/login", `{"email":"a@b.c"}`, TypeInvalidRequest, "password", 400},
		{"/v1/auth/login", `{"email":"a@b.c","password":"x","remember":true}`, TypeInvalidRequest, "remember", 400},
		{"/v1/auth/login", `{"email":5,"password":"x"}`, TypeInvalidRequest, "email", 400},
		{"/v1/auth/login", `{"email":"a@b.c","password":"x"} {}`, TypeInvalidJSON, "", 400},
		{"/v1/auth/register", `{"email":"a@b.c","password":"long enough pw","account_name":"  "}`, TypeInvalidRequest, "account_name", 400},
		{"/v1/auth/refresh", `{}`, TypeInvalidRequest, "refresh_token", 400},
		{"/v1/auth/login", `{"email":"` + strings.Repeat("a", maxIdentityBody) + `"}`, TypePayloadTooLarge, "", 413},
	}
	for _, c := range cases {
		p := ts.do(t, "POST", c.path, "", []byte(c.body)).wantProblem(t, c.code, c.typ)
		if c.field != "" && p["field"] != c.field {
			t.Errorf("%s %s: field %v, want %s", c.path, c.body, p["field"], c.field)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 0 {
		t.Fatalf("the service was called for bad bodies: %v", f.calls)
	}
}

func TestIdentityMe(t *testing.T) {
	f := &fakeIdentity{}
	ts := newIdentityServer(t, f)
	var me MeView
	a := ts.do(t, "GET", "/v1/me", keySend, nil)
	a.decode(t, &me)
	if a.Code != http.StatusOK || me.AccountID != 1 || me.KeyID != 11 || me.User != nil || !me.CanSend ||
		strings.Join(me.Scopes, ",") != "send" {
		t.Fatalf("me with a send-only key: %d %s", a.Code, a.Body)
	}
	me = MeView{}
	a = ts.do(t, "GET", "/v1/me", sessMember, nil)
	a.decode(t, &me)
	if a.Code != http.StatusOK || me.User == nil || me.User.ID != 8 || me.Role != RoleMember || me.CanSend || me.KeyID != 0 {
		t.Fatalf("me with a session: %d %s", a.Code, a.Body)
	}
	if strings.Contains(string(a.Body), `"key_id"`) {
		t.Errorf("a session shows a key id: %s", a.Body)
	}
	ts.do(t, "GET", "/v1/me", "", nil).wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)

	ts.do(t, "POST", "/v1/me/password", keyAll, []byte(`{"old_password":"old password","new_password":"new password!"}`)).
		wantProblem(t, http.StatusForbidden, TypeForbidden)
	if a := ts.do(t, "POST", "/v1/me/password", sessMember, []byte(`{"old_password":"old password","new_password":"new password!"}`)); a.Code != http.StatusNoContent {
		t.Fatalf("change password: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/me/password", sessMember, []byte(`{"old_password":"nope","new_password":"new password!"}`)).
		wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)

	// Log out everywhere and a new verification mail: sessions only.
	for _, path := range []string{"/v1/me/logout-all", "/v1/me/verify-email"} {
		ts.do(t, "POST", path, keyAll, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
		ts.do(t, "POST", path, sessMember, []byte(`{"x":1}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
		ts.do(t, "POST", path, "", nil).wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
	}
	if a := ts.do(t, "POST", "/v1/me/logout-all", sessMember, nil); a.Code != http.StatusNoContent {
		t.Fatalf("logout-all: %d %s", a.Code, a.Body)
	}
	if a := ts.do(t, "POST", "/v1/me/verify-email", sessOwner, nil); a.Code != http.StatusAccepted {
		t.Fatalf("verify-email: %d %s", a.Code, a.Body)
	}
	f.mu.Lock()
	calls := strings.Join(f.calls, " ")
	f.mu.Unlock()
	if !strings.Contains(calls, "logout-all:8") || !strings.Contains(calls, "verify-again:7") {
		t.Fatalf("calls %s", calls)
	}
}

func TestIdentityKeys(t *testing.T) {
	f := &fakeIdentity{}
	ts := newIdentityServer(t, f)

	a := ts.do(t, "GET", "/v1/accounts/1/keys", sessMember, nil)
	var list struct {
		Items []map[string]any `json:"items"`
	}
	a.decode(t, &list)
	if a.Code != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	k := list.Items[0]
	if k["id"] != "3" || k["prefix"] != "gal_abcd1234" || k["revoked_at"] != nil || k["last_used_at"] != "2026-05-01T10:30:00Z" {
		t.Errorf("key %v", k)
	}
	if _, ok := k["key"]; ok {
		t.Errorf("the listing shows a key: %s", a.Body)
	}
	ts.do(t, "GET", "/v1/accounts/1/keys", keySend, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "GET", "/v1/accounts/2/keys", keyAll, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "GET", "/v1/accounts/x/keys", keyAll, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)

	body := []byte(`{"name":"ci","scopes":["send"]}`)
	ts.do(t, "POST", "/v1/accounts/1/keys", keyAll, body).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "POST", "/v1/accounts/1/keys", sessMember, body).wantProblem(t, http.StatusForbidden, TypeForbidden)
	ts.do(t, "POST", "/v1/accounts/2/keys", sessOwner, body).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "POST", "/v1/accounts/1/keys", sessOwner, []byte(`{"name":"ci"}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "POST", "/v1/accounts/1/keys", sessOwner, []byte(`{"name":" ","scopes":["send"]}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	a = ts.do(t, "POST", "/v1/accounts/1/keys", sessOwner, body)
	var created KeyCreated
	a.decode(t, &created)
	if a.Code != http.StatusCreated || created.Key != "gal_efgh5678_secret" || created.ID != 4 || created.Name != "ci" ||
		a.Header.Get("Location") != "/v1/accounts/1/keys/4" || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %v %s", a.Code, a.Header, a.Body)
	}

	if a := ts.do(t, "DELETE", "/v1/accounts/1/keys/3", sessOwner, nil); a.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", a.Code, a.Body)
	}
	ts.do(t, "DELETE", "/v1/accounts/1/keys/99", sessOwner, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "DELETE", "/v1/accounts/1/keys/-1", sessOwner, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "DELETE", "/v1/accounts/1/keys/3", keyRead, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.revoked) != 1 || f.revoked[0] != 3 {
		t.Fatalf("revoked %v", f.revoked)
	}
}

func TestIdentitySMPPCredentialsAndUsers(t *testing.T) {
	ts := newIdentityServer(t, &fakeIdentity{})

	a := ts.do(t, "GET", "/v1/accounts/1/smpp-credentials", keyRead, nil)
	if a.Code != http.StatusOK || strings.Contains(string(a.Body), "leak") || !strings.Contains(string(a.Body), `"allowed_cidrs":[]`) {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "POST", "/v1/accounts/1/smpp-credentials", sessOwner,
		[]byte(`{"system_id":"acme2","allowed_cidrs":["10.0.0.0/8"],"bind_limit":2,"tps_limit":50}`))
	var c SMPPCredentialView
	a.decode(t, &c)
	if a.Code != http.StatusCreated || c.Password != "Gen3rat3" || c.BindLimit != 2 || c.TPSLimit != 50 ||
		a.Header.Get("Location") != "/v1/accounts/1/smpp-credentials/5" {
		t.Fatalf("create: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/accounts/1/smpp-credentials", sessOwner, []byte(`{"system_id":"taken"}`)).
		wantProblem(t, http.StatusConflict, TypeAlreadyExists)
	ts.do(t, "POST", "/v1/accounts/1/smpp-credentials", sessOwner, []byte(`{"password":"x"}`)).
		wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "POST", "/v1/accounts/1/smpp-credentials", sessMember, []byte(`{"system_id":"m"}`)).
		wantProblem(t, http.StatusForbidden, TypeForbidden)

	a = ts.do(t, "PATCH", "/v1/accounts/1/smpp-credentials/5", sessOwner, []byte(`{"bind_limit":4,"allowed_cidrs":[]}`))
	c = SMPPCredentialView{}
	a.decode(t, &c)
	if a.Code != http.StatusOK || c.BindLimit != 4 || c.Password != "" || c.AllowedCIDRs == nil {
		t.Fatalf("patch: %d %s", a.Code, a.Body)
	}
	ts.do(t, "PATCH", "/v1/accounts/1/smpp-credentials/5", sessOwner, []byte(`{"bind_limit":"4"}`)).
		wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "PATCH", "/v1/accounts/2/smpp-credentials/5", sessOwner, []byte(`{}`)).
		wantProblem(t, http.StatusNotFound, TypeNotFound)
	if a := ts.do(t, "DELETE", "/v1/accounts/1/smpp-credentials/5", sessOwner, nil); a.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", a.Code, a.Body)
	}
	ts.do(t, "DELETE", "/v1/accounts/1/smpp-credentials/5", sessMember, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)

	a = ts.do(t, "GET", "/v1/accounts/1/users", sessMember, nil)
	if a.Code != http.StatusOK || !strings.Contains(string(a.Body), `"email":"a@example.com"`) {
		t.Fatalf("users: %d %s", a.Code, a.Body)
	}
	a = ts.do(t, "POST", "/v1/accounts/1/users", sessOwner, []byte(`{"email":"bob@example.com","password":"long enough pw","role":"member","can_send":true}`))
	var u UserView
	a.decode(t, &u)
	if a.Code != http.StatusCreated || u.Email != "bob@example.com" || u.Role != RoleMember || a.Header.Get("Location") != "/v1/accounts/1/users/10" {
		t.Fatalf("create user: %d %s", a.Code, a.Body)
	}
	ts.do(t, "POST", "/v1/accounts/1/users", sessOwner, []byte(`{"email":"bob@example.com","password":"long enough pw"}`)).
		wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)

	// Change and remove users.
	a = ts.do(t, "PATCH", "/v1/accounts/1/users/10", sessOwner, []byte(`{"role":"owner","disabled":true}`))
	u = UserView{}
	a.decode(t, &u)
	if a.Code != http.StatusOK || u.Role != RoleOwner || !u.Disabled || !strings.Contains(string(a.Body), `"disabled":true`) {
		t.Fatalf("patch user: %d %s", a.Code, a.Body)
	}
	ts.do(t, "PATCH", "/v1/accounts/1/users/10", sessOwner, []byte(`{}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "PATCH", "/v1/accounts/1/users/10", sessOwner, []byte(`{"disabled":"yes"}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "PATCH", "/v1/accounts/1/users/99", sessOwner, []byte(`{"disabled":true}`)).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "PATCH", "/v1/accounts/1/users/x", sessOwner, []byte(`{"disabled":true}`)).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "PATCH", "/v1/accounts/2/users/10", sessOwner, []byte(`{"disabled":true}`)).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "PATCH", "/v1/accounts/1/users/10", sessMember, []byte(`{"disabled":true}`)).wantProblem(t, http.StatusForbidden, TypeForbidden)
	if a := ts.do(t, "DELETE", "/v1/accounts/1/users/10", sessOwner, nil); a.Code != http.StatusNoContent {
		t.Fatalf("delete user: %d %s", a.Code, a.Body)
	}
	ts.do(t, "DELETE", "/v1/accounts/1/users/7", sessOwner, nil).wantProblem(t, http.StatusConflict, TypeLastOwner)
	ts.do(t, "DELETE", "/v1/accounts/1/users/10", keyRead, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
}

// TestIdentityOff: without an identity service every identity route
// answers 404, authenticated or not.
func TestIdentityOff(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"a@b.c","password":"x"}`)).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "GET", "/v1/me", keyAll, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	ts.do(t, "GET", "/v1/accounts/1/keys", keyAll, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
}

// TestAuthConfig: GET /v1/auth/config tells a signed-out client whether
// sign-up is open, as configured, and is never cached.
func TestAuthConfig(t *testing.T) {
	for _, open := range []bool{false, true} {
		ts := newTestServerWith(t, Config{SignupOpen: open}, func(d *Deps) {
			d.Auth = identityAuth{}
			d.Identity = &fakeIdentity{}
		})
		a := ts.do(t, "GET", "/v1/auth/config", "", nil)
		if a.Code != http.StatusOK {
			t.Fatalf("open=%v: %d %s", open, a.Code, a.Body)
		}
		want := fmt.Sprintf(`{"signup_open":%v}`, open)
		if strings.TrimSpace(string(a.Body)) != want {
			t.Errorf("open=%v: body %s, want %s", open, a.Body, want)
		}
		if cc := a.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("open=%v: Cache-Control %q, want no-store", open, cc)
		}
	}
	off := newTestServer(t, Config{SignupOpen: true})
	off.do(t, "GET", "/v1/auth/config", "", nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
}

// TestIdentitySessionCookie: the refresh token of a browser session
// lives in the gallant_refresh cookie (api/session_cookie.go).
func TestIdentitySessionCookie(t *testing.T) {
	f := &fakeIdentity{}
	ts := newIdentityServer(t, f)
	const clear = "gallant_refresh=; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=0"
	cookie := func(tok string) []string { return []string{"Cookie", "gallant_refresh=" + tok} }
	wantCookie := func(what string, a answer, code int, setCookie string) {
		t.Helper()
		if a.Code != code {
			t.Fatalf("%s: %d %s, want %d", what, a.Code, a.Body, code)
		}
		if got := strings.Join(a.Header.Values("Set-Cookie"), " | "); got != setCookie {
			t.Fatalf("%s: Set-Cookie %q, want %q", what, got, setCookie)
		}
		if bytes.Contains(a.Body, []byte("refresh_token")) {
			t.Fatalf("%s: the body shows a refresh token: %s", what, a.Body)
		}
	}

	a := ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"ann@example.com","password":"right password","cookie":true}`))
	// The fake's token expired long ago: the cookie lives the shortest time.
	wantCookie("login", a, http.StatusOK, "gallant_refresh=grt_1; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=1")
	var sess map[string]any
	a.decode(t, &sess)
	if sess["access_token"] != "a.b.c" || sess["token_type"] != "Bearer" || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %s", a.Body)
	}
	ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"ann@example.com","password":"right password","cookie":true}`),
		"Content-Type", "text/plain;charset=UTF-8").wantProblem(t, http.StatusUnsupportedMediaType, TypeUnsupportedMediaType)
	ts.do(t, "POST", "/v1/auth/login", "", []byte(`{"email":"ann@example.com","password":"right password","cookie":"yes"}`)).
		wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)

	a = ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{}`), cookie("grt_1")...)
	wantCookie("refresh", a, http.StatusOK, "gallant_refresh=grt_2; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict; Max-Age=1")
	a = ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{}`), cookie("grt_old")...)
	a.wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
	wantCookie("refresh with a bad cookie", a, http.StatusUnauthorized, clear)
	a = ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{}`), append(cookie("grt_1"), "Content-Type", "text/plain")...)
	a.wantProblem(t, http.StatusUnsupportedMediaType, TypeUnsupportedMediaType)
	wantCookie("refresh as text/plain", a, http.StatusUnsupportedMediaType, "")
	ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{}`)).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)

	a = ts.do(t, "POST", "/v1/auth/logout", "", []byte(`{}`), cookie("grt_old")...)
	wantCookie("logout with a bad cookie", a, http.StatusUnauthorized, clear)
	a = ts.do(t, "POST", "/v1/auth/logout", "", []byte(`{}`), cookie("grt_1")...)
	wantCookie("logout", a, http.StatusNoContent, clear)
	a = ts.do(t, "POST", "/v1/me/logout-all", sessMember, nil)
	wantCookie("logout-all", a, http.StatusNoContent, clear)

	// A body token is used, and no cookie set, as before.
	a = ts.do(t, "POST", "/v1/auth/refresh", "", []byte(`{"refresh_token":"grt_1"}`), cookie("grt_old")...)
	if a.Code != http.StatusOK || !bytes.Contains(a.Body, []byte(`"refresh_token":"grt_2"`)) || len(a.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("body refresh: %d %v %s", a.Code, a.Header, a.Body)
	}
	f.mu.Lock()
	calls := strings.Join(f.calls, " ")
	f.mu.Unlock()
	if strings.Count(calls, "refresh") != 3 || strings.Count(calls, "logout") != 3 {
		t.Fatalf("calls %s", calls)
	}
}
