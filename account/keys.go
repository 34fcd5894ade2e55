package account

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
)

// The management of an account's API keys, SMPP credentials and users on
// behalf of an [Actor]. Every method checks the access policy first:
//
//   - an account the actor may not even read is [ErrNoAccount], exactly
//     like an account that does not exist, so ids cannot be probed;
//   - an account it may read but not manage (a member) is [ErrForbidden].

// ErrNoAccount means the target account does not exist for the caller:
// either there is no such account or the caller may not see it.
var ErrNoAccount = errors.New("account: no such account")

// InvalidError is a bad field in a management request.
type InvalidError struct {
	// Field names the request member at fault (JSON name).
	Field string
	// Detail says what is wrong, for a human.
	Detail string
}

// Error implements error.
func (e *InvalidError) Error() string { return "account: " + e.Field + ": " + e.Detail }

func invalid(field, detail string) error { return &InvalidError{Field: field, Detail: detail} }

// authorize checks that by may do action to account target: nil, or
// [ErrNoAccount] when by may not read target (or target does not exist),
// or [ErrForbidden] when by may read it but not do action.
func (s *Service) authorize(ctx context.Context, by Actor, action Action, target int64) error {
	if target <= 0 {
		return ErrNoAccount
	}
	err := s.Can(ctx, by, action, target)
	if errors.Is(err, ErrForbidden) {
		if action != ActionRead && s.Can(ctx, by, ActionRead, target) == nil {
			return ErrForbidden
		}
		return ErrNoAccount
	}
	if err != nil {
		return err
	}
	if _, err := s.st.GetAccount(ctx, target); errors.Is(err, store.ErrNotFound) {
		return ErrNoAccount
	} else if err != nil {
		return fmt.Errorf("account: load account %d: %w", target, err)
	}
	return nil
}

// KeyInfo is an API key as it is listed: never the key nor its hash.
type KeyInfo struct {
	ID         int64
	AccountID  int64
	Name       string
	Prefix     string // shown as gal_<prefix>_…
	Scopes     []string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: live
}

func keyInfo(k *store.APIKey) KeyInfo {
	return KeyInfo{ID: k.ID, AccountID: k.AccountID, Name: k.Name, Prefix: k.Prefix, Scopes: k.Scopes,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

// ListAPIKeys returns the API keys of accountID, revoked ones included,
// oldest first, for by, who must be allowed to read the account.
func (s *Service) ListAPIKeys(ctx context.Context, by Actor, accountID int64) ([]KeyInfo, error) {
	if err := s.authorize(ctx, by, ActionRead, accountID); err != nil {
		return nil, err
	}
	keys, err := s.st.ListAPIKeys(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("account: list api keys: %w", err)
	}
	out := make([]KeyInfo, len(keys))
	for i := range keys {
		out[i] = keyInfo(&keys[i])
	}
	return out, nil
}

// keyRole is the role a key with scopes acts with on an account of kind
// (see [Principal.Actor]).
func keyRole(scopes []string, kind store.AccountKind) Role {
	return Principal{Scopes: scopes, Kind: kind}.Actor().Role
}

// maxKeyName bounds a key's name.
const maxKeyName = 100

// CreateKey issues a new API key named name with scopes for accountID on
// behalf of by, who must be allowed to manage the account and may not
// mint a key acting above its own role (an admin-scope key on a reseller
// account acts as the reseller). It is audited. The key is returned this
// once.
func (s *Service) CreateKey(ctx context.Context, by Actor, accountID int64, name string, scopes []string, ip string) (KeyInfo, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > maxKeyName {
		return KeyInfo{}, "", invalid("name", fmt.Sprintf("give the key a name of 1 to %d bytes", maxKeyName))
	}
	if len(scopes) == 0 {
		return KeyInfo{}, "", invalid("scopes", `give at least one scope: "send", "read" or "admin"`)
	}
	var uniq []string
	for _, sc := range scopes {
		if sc != ScopeSend && sc != ScopeRead && sc != ScopeAdmin {
			return KeyInfo{}, "", invalid("scopes", fmt.Sprintf(`unknown scope %q; want "send", "read" or "admin"`, sc))
		}
		if !slices.Contains(uniq, sc) {
			uniq = append(uniq, sc)
		}
	}
	if err := s.authorize(ctx, by, ActionManage, accountID); err != nil {
		return KeyInfo{}, "", err
	}
	a, err := s.st.GetAccount(ctx, accountID)
	if err != nil {
		return KeyInfo{}, "", fmt.Errorf("account: load account %d: %w", accountID, err)
	}
	if keyRole(uniq, a.Kind).rank() > by.Role.rank() {
		return KeyInfo{}, "", fmt.Errorf("%w: the key would act with more rights than its creator", ErrForbidden)
	}
	key, err := s.IssueAPIKey(ctx, by, accountID, name, uniq, ip)
	if err != nil {
		return KeyInfo{}, "", err
	}
	prefix, _ := parseKey(key)
	id, created, err := s.st.APIKeyIDByPrefix(ctx, accountID, prefix)
	if err != nil {
		return KeyInfo{}, "", fmt.Errorf("account: read new api key: %w", err)
	}
	return KeyInfo{ID: id, AccountID: accountID, Name: name, Prefix: prefix, Scopes: uniq, CreatedAt: created}, key, nil
}

// RevokeKey revokes key keyID of accountID on behalf of by, who must be
// allowed to manage the account; this instance refuses the key at once,
// others within their cache life (30 seconds). Revoking a revoked key
// changes nothing. A key of another account is [store.ErrNotFound].
func (s *Service) RevokeKey(ctx context.Context, by Actor, accountID, keyID int64, ip string) error {
	if err := s.authorize(ctx, by, ActionManage, accountID); err != nil {
		return err
	}
	k, err := s.st.GetAPIKey(ctx, accountID, keyID)
	if err != nil {
		return fmt.Errorf("account: revoke api key: %w", err)
	}
	if k.Revoked() {
		return nil
	}
	return s.RevokeAPIKey(ctx, by, accountID, keyID, ip)
}

// CredentialInfo is an SMPP credential as it is listed: never the
// password nor its hash.
type CredentialInfo struct {
	ID           int64
	AccountID    int64
	SystemID     string
	BindLimit    int // 0: no limit
	TPSLimit     int // 0: the account's limit
	AllowedCIDRs []string
	CreatedAt    time.Time
}

func credentialInfo(c *store.SMPPCredential) CredentialInfo {
	return CredentialInfo{ID: c.ID, AccountID: c.AccountID, SystemID: c.SystemID, BindLimit: c.BindLimit,
		TPSLimit: c.TPSLimit, AllowedCIDRs: c.AllowedCIDRs, CreatedAt: c.CreatedAt}
}

// NewCredential describes an SMPP credential to create.
type NewCredential struct {
	// SystemID is the bind's system_id: 1 to 15 printable ASCII
	// characters, unique over the gateway.
	SystemID string
	// Password, if set, is the bind password (1 to 8 printable ASCII
	// characters, SMPP's maximum); empty generates 8 random characters.
	Password string
	// AllowedCIDRs restricts the peers that may bind (addresses or
	// prefixes such as 203.0.113.0/24); empty allows all.
	AllowedCIDRs []string
	// BindLimit caps simultaneous binds (0: no limit); TPSLimit caps
	// submits per second over the credential's binds (0: the account's
	// limit).
	BindLimit, TPSLimit int
}

// Bounds of credential limits: far above any real contract, low enough
// to catch typos.
const (
	maxBindLimit = 1000
	maxTPSLimit  = 1_000_000
	maxCIDRs     = 100
)

// printable reports whether s has 1 to n printable ASCII characters
// without spaces.
func printable(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := range len(s) {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// normalizeCIDRs parses addresses and prefixes into canonical prefixes
// (a bare address is a /32 or /128).
func normalizeCIDRs(list []string) ([]string, error) {
	if len(list) > maxCIDRs {
		return nil, invalid("allowed_cidrs", fmt.Sprintf("at most %d ranges", maxCIDRs))
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		c = strings.TrimSpace(c)
		var p netip.Prefix
		if strings.Contains(c, "/") {
			var err error
			if p, err = netip.ParsePrefix(c); err != nil {
				return nil, invalid("allowed_cidrs", fmt.Sprintf("%q is not an address range like 203.0.113.0/24", c))
			}
		} else {
			a, err := netip.ParseAddr(c)
			if err != nil || a.Zone() != "" {
				return nil, invalid("allowed_cidrs", fmt.Sprintf("%q is not an IP address or range", c))
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		s := p.Masked().String()
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func checkLimits(bind, tps *int) error {
	if bind != nil && (*bind < 0 || *bind > maxBindLimit) {
		return invalid("bind_limit", fmt.Sprintf("must be 0 (no limit) to %d", maxBindLimit))
	}
	if tps != nil && (*tps < 0 || *tps > maxTPSLimit) {
		return invalid("tps_limit", fmt.Sprintf("must be 0 (the account's limit) to %d", maxTPSLimit))
	}
	return nil
}

// ListSMPPCredentials returns the SMPP credentials of accountID, oldest
// first, for by, who must be allowed to read the account.
func (s *Service) ListSMPPCredentials(ctx context.Context, by Actor, accountID int64) ([]CredentialInfo, error) {
	if err := s.authorize(ctx, by, ActionRead, accountID); err != nil {
		return nil, err
	}
	cs, err := s.st.ListSMPPCredentials(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("account: list smpp credentials: %w", err)
	}
	out := make([]CredentialInfo, len(cs))
	for i := range cs {
		out[i] = credentialInfo(&cs[i])
	}
	return out, nil
}

// systemIDUnusable is the one answer to a system_id that cannot be
// used: malformed, or in use by this or any other account. It does not
// say which, so that creating credentials cannot probe other tenants'
// system_ids.
const systemIDUnusable = "this system_id cannot be used: choose another of 1 to 15 printable ASCII characters " +
	"without spaces that is not in use on this gateway"

// AddSMPPCredential creates an SMPP credential for accountID on behalf of
// by, who must be allowed to manage the account, and audits it. It
// returns the generated password (empty when nc.Password was given),
// shown this once. A malformed system_id and one in use (by any account)
// are the same [*InvalidError], which does not tell whether, or where, it
// exists.
func (s *Service) AddSMPPCredential(ctx context.Context, by Actor, accountID int64, nc NewCredential, ip string) (CredentialInfo, string, error) {
	if !printable(nc.SystemID, 15) {
		return CredentialInfo{}, "", invalid("system_id", systemIDUnusable)
	}
	if nc.Password != "" && !printable(nc.Password, 8) {
		return CredentialInfo{}, "", invalid("password", "must have 1 to 8 printable ASCII characters without spaces (SMPP's limit); leave it out to generate one")
	}
	if err := checkLimits(&nc.BindLimit, &nc.TPSLimit); err != nil {
		return CredentialInfo{}, "", err
	}
	cidrs, err := normalizeCIDRs(nc.AllowedCIDRs)
	if err != nil {
		return CredentialInfo{}, "", err
	}
	if err := s.authorize(ctx, by, ActionManage, accountID); err != nil {
		return CredentialInfo{}, "", err
	}
	password, generated := nc.Password, ""
	if password == "" {
		password = randomString(8, alnum)
		generated = password
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return CredentialInfo{}, "", fmt.Errorf("account: hash password: %w", err)
	}
	c := &store.SMPPCredential{AccountID: accountID, SystemID: nc.SystemID, PasswordHash: string(h),
		BindLimit: nc.BindLimit, TPSLimit: nc.TPSLimit, AllowedCIDRs: cidrs, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	if err := s.st.CreateSMPPCredential(ctx, c); errors.Is(err, store.ErrDuplicate) {
		return CredentialInfo{}, "", invalid("system_id", systemIDUnusable)
	} else if err != nil {
		return CredentialInfo{}, "", fmt.Errorf("account: create smpp credential: %w", err)
	}
	s.forgetBind(c.SystemID)
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "smpp_credential.create",
		Target: "system_id:" + c.SystemID, Details: credentialDetails(c.BindLimit, c.TPSLimit, cidrs), IP: ip})
	return credentialInfo(c), generated, nil
}

func credentialDetails(bind, tps int, cidrs []string) string {
	return fmt.Sprintf("bind_limit=%d tps_limit=%d allowed_cidrs=%s", bind, tps, strings.Join(cidrs, ","))
}

// CredentialChange changes an SMPP credential; nil fields stay as they
// are.
type CredentialChange struct {
	// Password sets a new bind password (1 to 8 printable ASCII
	// characters); GeneratePassword draws one instead.
	Password         *string
	GeneratePassword bool
	AllowedCIDRs     *[]string
	BindLimit        *int
	TPSLimit         *int
}

// UpdateSMPPCredential changes credential credID of accountID on behalf
// of by, who must be allowed to manage the account, and audits it. It
// returns the credential as it now is and the generated password, if
// one was asked for. This instance checks the next bind against the new
// values at once (other instances within 30 seconds); binds already up
// are the caller's to end. A credential of another account is
// [store.ErrNotFound].
func (s *Service) UpdateSMPPCredential(ctx context.Context, by Actor, accountID, credID int64, ch CredentialChange, ip string) (CredentialInfo, string, error) {
	if ch.Password != nil && ch.GeneratePassword {
		return CredentialInfo{}, "", invalid("password", "give a password or ask to generate one, not both")
	}
	if ch.Password != nil && !printable(*ch.Password, 8) {
		return CredentialInfo{}, "", invalid("password", "must have 1 to 8 printable ASCII characters without spaces (SMPP's limit)")
	}
	if err := checkLimits(ch.BindLimit, ch.TPSLimit); err != nil {
		return CredentialInfo{}, "", err
	}
	u := store.SMPPCredentialUpdate{BindLimit: ch.BindLimit, TPSLimit: ch.TPSLimit}
	var details []string
	if ch.AllowedCIDRs != nil {
		cidrs, err := normalizeCIDRs(*ch.AllowedCIDRs)
		if err != nil {
			return CredentialInfo{}, "", err
		}
		u.AllowedCIDRs = &cidrs
		details = append(details, "allowed_cidrs="+strings.Join(cidrs, ","))
	}
	if ch.BindLimit != nil {
		details = append(details, fmt.Sprintf("bind_limit=%d", *ch.BindLimit))
	}
	if ch.TPSLimit != nil {
		details = append(details, fmt.Sprintf("tps_limit=%d", *ch.TPSLimit))
	}
	if err := s.authorize(ctx, by, ActionManage, accountID); err != nil {
		return CredentialInfo{}, "", err
	}
	var generated string
	if ch.Password != nil || ch.GeneratePassword {
		pw := ""
		if ch.Password != nil {
			pw = *ch.Password
		} else {
			pw = randomString(8, alnum)
			generated = pw
		}
		h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cost)
		if err != nil {
			return CredentialInfo{}, "", fmt.Errorf("account: hash password: %w", err)
		}
		hs := string(h)
		u.PasswordHash = &hs
		details = append(details, "password changed")
	}
	if err := s.st.UpdateSMPPCredential(ctx, accountID, credID, u); err != nil {
		return CredentialInfo{}, "", fmt.Errorf("account: update smpp credential: %w", err)
	}
	c, err := s.st.GetSMPPCredential(ctx, accountID, credID)
	if err != nil {
		return CredentialInfo{}, "", fmt.Errorf("account: update smpp credential: %w", err)
	}
	s.forgetBind(c.SystemID)
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "smpp_credential.update",
		Target: "system_id:" + c.SystemID, Details: strings.Join(details, " "), IP: ip})
	return credentialInfo(c), generated, nil
}

// DeleteSMPPCredential deletes credential credID of accountID on behalf
// of by, who must be allowed to manage the account, and audits it; it
// returns the deleted credential's system_id. This instance refuses new
// binds at once (others within 30 seconds); binds already up are the
// caller's to end. A credential of another account is
// [store.ErrNotFound].
func (s *Service) DeleteSMPPCredential(ctx context.Context, by Actor, accountID, credID int64, ip string) (string, error) {
	if err := s.authorize(ctx, by, ActionManage, accountID); err != nil {
		return "", err
	}
	systemID, err := s.st.DeleteSMPPCredential(ctx, accountID, credID)
	if err != nil {
		return "", fmt.Errorf("account: delete smpp credential: %w", err)
	}
	s.forgetBind(systemID)
	s.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "smpp_credential.delete",
		Target: "system_id:" + systemID, IP: ip})
	return systemID, nil
}

// forgetBind drops the cached bind check of systemID.
func (s *Service) forgetBind(systemID string) {
	s.mu.Lock()
	delete(s.binds, systemID)
	s.mu.Unlock()
}

// ListUsers returns the dashboard users of accountID, oldest first, for
// by, who must be allowed to read the account.
func (u *Users) ListUsers(ctx context.Context, by Actor, accountID int64) ([]User, error) {
	if err := u.svc.authorize(ctx, by, ActionRead, accountID); err != nil {
		return nil, err
	}
	list, err := u.st.ListUsers(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("account: list users: %w", err)
	}
	out := make([]User, len(list))
	for i := range list {
		out[i] = publicUser(&list[i])
	}
	return out, nil
}

// AddAccountUser creates a user of nu.AccountID on behalf of by, who must
// be allowed to manage the account and may not grant a role above its
// own; the role must also fit the account's kind (admin only on the
// platform account, reseller only on a reseller account). It is audited
// and a verification mail is sent.
func (u *Users) AddAccountUser(ctx context.Context, by Actor, nu NewUser, ip string) (User, error) {
	if !nu.Role.Valid() {
		return User{}, invalid("role", `want "admin", "reseller", "owner" or "member"`)
	}
	if err := u.svc.authorize(ctx, by, ActionManage, nu.AccountID); err != nil {
		return User{}, err
	}
	if nu.Role.rank() > by.Role.rank() {
		return User{}, fmt.Errorf("%w: you may not grant a role above your own", ErrForbidden)
	}
	a, err := u.st.GetAccount(ctx, nu.AccountID)
	if err != nil {
		return User{}, fmt.Errorf("account: load account %d: %w", nu.AccountID, err)
	}
	if err := RoleFitsKind(nu.Role, a.Kind); err != nil {
		return User{}, err
	}
	return u.AddUser(ctx, by, nu, ip)
}

// ownerRoles are the roles that count as an account's owner for
// [ErrLastOwner]: an enabled user with one of them must remain.
var ownerRoles = []string{string(RoleOwner), string(RoleReseller), string(RoleAdmin)}

// UserChange changes a user; nil fields stay as they are.
type UserChange struct {
	Role     *Role
	CanSend  *bool
	Disabled *bool
}

// accountUser loads user userID of accountID on behalf of by, who must
// be allowed to manage the account and to act on the user: a user whose
// role ranks above by's is [ErrForbidden]. A user of another account is
// [store.ErrNotFound].
func (u *Users) accountUser(ctx context.Context, by Actor, accountID, userID int64) (*store.User, error) {
	if err := u.svc.authorize(ctx, by, ActionManage, accountID); err != nil {
		return nil, err
	}
	su, err := u.st.GetUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && su.AccountID != accountID) {
		return nil, fmt.Errorf("account: user %d of account %d: %w", userID, accountID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("account: user %d: %w", userID, err)
	}
	if Role(su.Role).rank() > by.Role.rank() {
		return nil, fmt.Errorf("%w: the user's role ranks above yours", ErrForbidden)
	}
	return su, nil
}

// UpdateAccountUser changes user userID of accountID on behalf of by,
// under the rules of [Users.AddAccountUser] (manage rights on the
// account, no role above by's own, on the user as it is and as it will
// be, and a role that fits the account's kind). Disabling a user ends
// its sessions on every instance (within a second) and refuses its
// logins; a role or send-right change reaches its sessions within a
// second too, without ending them. The account's last enabled owner
// (owner, reseller or admin) can be neither demoted nor disabled:
// [ErrLastOwner]. It is audited. A user of another account is
// [store.ErrNotFound].
func (u *Users) UpdateAccountUser(ctx context.Context, by Actor, accountID, userID int64, ch UserChange, ip string) (User, error) {
	if ch.Role != nil && !ch.Role.Valid() {
		return User{}, invalid("role", `want "admin", "reseller", "owner" or "member"`)
	}
	if ch.Role == nil && ch.CanSend == nil && ch.Disabled == nil {
		return User{}, invalid("", "give at least one of role, can_send, disabled")
	}
	su, err := u.accountUser(ctx, by, accountID, userID)
	if err != nil {
		return User{}, err
	}
	up := store.UserUpdate{CanSend: ch.CanSend, Disabled: ch.Disabled}
	var details []string
	if ch.Role != nil {
		if ch.Role.rank() > by.Role.rank() {
			return User{}, fmt.Errorf("%w: you may not grant a role above your own", ErrForbidden)
		}
		a, err := u.st.GetAccount(ctx, accountID)
		if err != nil {
			return User{}, fmt.Errorf("account: load account %d: %w", accountID, err)
		}
		if err := RoleFitsKind(*ch.Role, a.Kind); err != nil {
			return User{}, err
		}
		r := string(*ch.Role)
		up.Role = &r
		details = append(details, "role="+r)
	}
	if ch.CanSend != nil {
		details = append(details, fmt.Sprintf("can_send=%t", *ch.CanSend))
	}
	if ch.Disabled != nil {
		details = append(details, fmt.Sprintf("disabled=%t", *ch.Disabled))
		// Disabling ends the user's sessions; enabling raises the token
		// version too, so that its new tokens make every instance read
		// the user again at once instead of trusting a cached "disabled".
		up.EndSessions = *ch.Disabled == su.DisabledAt.IsZero()
	}
	got, err := u.st.UpdateAccountUser(ctx, accountID, userID, up, u.now().UTC(), ownerRoles)
	u.forget(userID)
	if errors.Is(err, store.ErrLastOwner) {
		return User{}, ErrLastOwner
	}
	if err != nil {
		return User{}, fmt.Errorf("account: update user: %w", err)
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "user.update",
		Target: fmt.Sprintf("user:%d", userID), Details: strings.Join(details, " "), IP: ip})
	return publicUser(got), nil
}

// DeleteAccountUser deletes user userID of accountID on behalf of by,
// under the rules of [Users.UpdateAccountUser]: its sessions end on every
// instance within a second. The last enabled owner cannot be deleted
// ([ErrLastOwner]). It is audited. A user of another account is
// [store.ErrNotFound].
func (u *Users) DeleteAccountUser(ctx context.Context, by Actor, accountID, userID int64, ip string) error {
	if _, err := u.accountUser(ctx, by, accountID, userID); err != nil {
		return err
	}
	gone, err := u.st.DeleteAccountUser(ctx, accountID, userID, ownerRoles)
	u.forget(userID)
	if errors.Is(err, store.ErrLastOwner) {
		return ErrLastOwner
	}
	if err != nil {
		return fmt.Errorf("account: delete user: %w", err)
	}
	u.svc.audit(ctx, store.AuditEntry{AccountID: accountID, ActorUserID: by.UserID, Action: "user.delete",
		Target: fmt.Sprintf("user:%d", userID), Details: "email=" + gone.Email + " role=" + gone.Role, IP: ip})
	return nil
}

// RoleFitsKind checks that a user of an account of kind may have role:
// admin only on the platform account, reseller only on a reseller
// account; owner and member anywhere.
func RoleFitsKind(role Role, kind store.AccountKind) error {
	switch {
	case role == RoleAdmin && kind != store.KindPlatform:
		return invalid("role", "only users of the platform account can be admins")
	case role == RoleReseller && kind != store.KindReseller:
		return invalid("role", "only users of a reseller account can be resellers")
	}
	return nil
}

// User returns user id as callers see it.
func (u *Users) User(ctx context.Context, id int64) (User, error) {
	su, err := u.st.GetUser(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("account: user %d: %w", id, err)
	}
	return publicUser(su), nil
}
