package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
)

// Errors returned by authentication. They say no more than a client may
// learn: a wrong key and an unknown key are the same error.
var (
	ErrUnauthorized = errors.New("account: invalid credentials")
	ErrSuspended    = errors.New("account: account suspended")
	ErrAddress      = errors.New("account: address not allowed to bind")
)

// Scopes an API key may carry.
const (
	ScopeSend  = "send"
	ScopeRead  = "read"
	ScopeAdmin = "admin"
)

// keyPrefix starts every API key, so keys are recognisable in logs and by
// secret scanners.
const keyPrefix = "gal_"

// bcryptCost is bcrypt's default (about 50 ms a check here); the cache
// below keeps binds cheap.
const bcryptCost = bcrypt.DefaultCost

// cacheTTL bounds how long a revoked key or a changed password keeps
// working in a running gateway.
const cacheTTL = 30 * time.Second

// touchEvery limits last-used updates to one write per key per minute.
const touchEvery = time.Minute

// Principal is an authenticated API caller.
type Principal struct {
	AccountID int64
	KeyID     int64
	Scopes    []string
	// Kind is the kind of the key's account (customer, reseller or
	// platform): with the admin scope it decides the role the key acts
	// with (see [Principal.Actor]).
	Kind store.AccountKind
}

// Actor returns the role p acts with on accounts: a key with the admin
// scope acts as admin on a platform account, as reseller on a reseller
// account and as owner on any other; a key without it acts as a member,
// allowed to send when it holds the send scope. UserID is 0: an API key
// is no user.
func (p Principal) Actor() Actor {
	a := Actor{AccountID: p.AccountID, Role: RoleMember, CanSend: p.Can(ScopeSend)}
	if slices.Contains(p.Scopes, ScopeAdmin) {
		switch p.Kind {
		case store.KindPlatform:
			a.Role = RoleAdmin
		case store.KindReseller:
			a.Role = RoleReseller
		default:
			a.Role = RoleOwner
		}
	}
	return a
}

// Can reports whether p holds scope (admin holds every scope).
func (p Principal) Can(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope || s == ScopeAdmin {
			return true
		}
	}
	return false
}

// Binding is an authenticated SMPP bind.
type Binding struct {
	AccountID int64
	SystemID  string
	BindLimit int
	TPSLimit  int
	// pwTag identifies the password the bind was checked against (a
	// digest of its stored hash), so that [Service.Recheck] can tell that
	// it has been changed since.
	pwTag uint64
}

// passwordTag is the pwTag of a stored password hash.
func passwordTag(hash string) uint64 {
	sum := sha256.Sum256([]byte(hash))
	return binary.BigEndian.Uint64(sum[:8])
}

// Service authenticates callers and creates accounts and credentials. It
// is safe for concurrent use.
type Service struct {
	st   *store.Store
	log  *slog.Logger
	now  func() time.Time
	cost int // bcrypt cost of new SMPP passwords
	m    *metrics

	mu    sync.Mutex
	keys  map[[32]byte]keyEntry // sha256(key) -> principal
	binds map[string]bindEntry  // system_id -> last good password check
	// accounts caches account rows (see [Service.Account]).
	accounts map[int64]accountEntry
}

type keyEntry struct {
	p       Principal
	expires time.Time
	touched time.Time
}

type bindEntry struct {
	pwHash  [32]byte
	b       Binding
	cidrs   []netip.Prefix
	expires time.Time
}

// New returns a Service over st. A nil logger discards.
func New(st *store.Store, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, log: logger, now: time.Now, cost: bcryptCost, m: newMetrics(),
		keys: map[[32]byte]keyEntry{}, binds: map[string]bindEntry{},
		accounts: map[int64]accountEntry{}}
}

// SetPasswordCost sets the bcrypt cost of SMPP passwords created from
// now on (default bcrypt.DefaultCost). Tests lower it to bcrypt.MinCost;
// production should not.
func (s *Service) SetPasswordCost(cost int) {
	s.cost = max(cost, bcrypt.MinCost)
}

// Created is what CreateAccount returns: the only time the secrets are
// shown.
type Created struct {
	AccountID    int64  `json:"account_id"`
	Name         string `json:"name"`
	APIKey       string `json:"api_key"`
	SystemID     string `json:"smpp_system_id"`
	SMPPPassword string `json:"smpp_password"`
	// WebhookSecret signs the account's status callbacks
	// (X-Gallant-Signature); customers verify them with it.
	WebhookSecret string `json:"webhook_secret"`
	// AdminAPIKey is the second key, with the admin scope, of an account
	// created with [AccountSpec.AdminKeyName]; empty otherwise.
	AdminAPIKey string `json:"admin_api_key,omitempty"`
}

// CreateAccount creates an active account with an API key (scopes send
// and read) and an SMPP credential whose system_id is derived from name,
// in one transaction.
func (s *Service) CreateAccount(ctx context.Context, name string) (Created, error) {
	return s.CreateAccountWith(ctx, AccountSpec{Name: name})
}

// AccountSpec says what a new account starts with.
type AccountSpec struct {
	Name string
	// Kind is the account's kind; "" makes a customer.
	Kind store.AccountKind
	// Parent puts the account below a reseller; 0 for none.
	Parent int64
	// KeyName and KeyScopes make its API key; nil KeyScopes make the
	// default key, named "default", with scopes send and read.
	KeyName   string
	KeyScopes []string
	// AdminKeyName, when set, makes a second key of that name with the
	// admin scope ([Created.AdminAPIKey]).
	AdminKeyName string
	// Currency opens its prepaid balance (at zero) in that currency, with
	// Parent as its reseller; "" opens none.
	Currency string
	// Audit returns the audit entries of the creation given the new
	// account's id; nil writes none.
	Audit func(id int64) []*store.AuditEntry
}

// createAttempts bounds the draws of a system_id (and key prefix) not in
// use yet.
const createAttempts = 20

// CreateAccountWith creates the active account spec describes, with its
// API key and an SMPP credential whose system_id is derived from its
// name, in one transaction ([store.Store.CreateAccountWith]): the
// account exists with everything spec asks for, or not at all.
func (s *Service) CreateAccountWith(ctx context.Context, spec AccountSpec) (Created, error) {
	name := strings.TrimSpace(spec.Name)
	keyName, scopes := spec.KeyName, spec.KeyScopes
	if scopes == nil {
		keyName, scopes = "default", []string{ScopeSend, ScopeRead}
	}
	for attempt := 0; ; attempt++ {
		a, err := s.newAccountRow(name)
		if err != nil {
			return Created{}, err
		}
		if spec.Kind != "" {
			a.Kind = spec.Kind
		}
		key, k, err := s.newAPIKey(keyName, scopes)
		if err != nil {
			return Created{}, err
		}
		keys := []*store.APIKey{k}
		var adminKey string
		if spec.AdminKeyName != "" {
			var ak *store.APIKey
			if adminKey, ak, err = s.newAPIKey(spec.AdminKeyName, []string{ScopeAdmin}); err != nil {
				return Created{}, err
			}
			keys = append(keys, ak)
		}
		systemID := systemIDFor(name, attempt)
		password, c, err := s.newCredential(systemID, 0, 0)
		if err != nil {
			return Created{}, err
		}
		n := &store.NewAccount{Account: a, ParentID: spec.Parent, APIKeys: keys,
			SMPPCredentials: []*store.SMPPCredential{c}, Audit: spec.Audit}
		if spec.Currency != "" {
			n.Billing = &store.BillingAccount{ResellerID: spec.Parent, Currency: spec.Currency}
		}
		err = s.st.CreateAccountWith(ctx, n)
		if errors.Is(err, store.ErrDuplicate) && attempt < createAttempts {
			continue // the system_id (or, rarely, the key prefix) is taken: draw again
		}
		if err != nil {
			return Created{}, fmt.Errorf("account: create: %w", err)
		}
		return Created{AccountID: a.ID, Name: name, APIKey: key, SystemID: systemID, SMPPPassword: password,
			WebhookSecret: a.WebhookSecret, AdminAPIKey: adminKey}, nil
	}
}

// newAccountRow returns an active account named name with a webhook
// secret, not yet stored.
func (s *Service) newAccountRow(name string) (*store.Account, error) {
	if name == "" || len(name) > 100 {
		return nil, errors.New("account: name must have 1 to 100 characters")
	}
	return &store.Account{Name: name, Status: store.AccountActive, CreatedAt: s.now().UTC(),
		WebhookSecret: newWebhookSecret()}, nil
}

// systemIDFor makes a system_id (at most 15 characters) from an account
// name: its letters and digits, lower case, plus a random suffix after the
// first attempt.
func systemIDFor(name string, attempt int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 10 {
			break
		}
	}
	id := b.String()
	if id == "" {
		id = "acct"
	}
	if attempt > 0 {
		id += randomString(4, lowerDigits)
	}
	return id
}

// CreateAPIKey makes a new key for an account and returns it; only its
// hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, accountID int64, name string, scopes []string) (string, error) {
	for range 5 {
		key, k, err := s.newAPIKey(name, scopes)
		if err != nil {
			return "", err
		}
		k.AccountID = accountID
		err = s.st.CreateAPIKey(ctx, k)
		if errors.Is(err, store.ErrDuplicate) {
			continue // prefix collision: draw again
		}
		if err != nil {
			return "", fmt.Errorf("account: create api key: %w", err)
		}
		return key, nil
	}
	return "", errors.New("account: could not draw a unique key prefix")
}

// newAPIKey draws a key and returns it with its row (hash only), not yet
// stored and without its account.
func (s *Service) newAPIKey(name string, scopes []string) (string, *store.APIKey, error) {
	for _, sc := range scopes {
		if sc != ScopeSend && sc != ScopeRead && sc != ScopeAdmin {
			return "", nil, fmt.Errorf("account: unknown scope %q", sc)
		}
	}
	prefix := randomString(8, lowerDigits)
	key := keyPrefix + prefix + "_" + randomString(32, alnum)
	sum := sha256.Sum256([]byte(key))
	return key, &store.APIKey{Name: name, Prefix: prefix, Hash: hex.EncodeToString(sum[:]), Scopes: scopes,
		CreatedAt: s.now().UTC()}, nil
}

// CreateSMPPCredential lets an account bind as systemID and returns the
// generated 8-character password (SMPP's maximum).
func (s *Service) CreateSMPPCredential(ctx context.Context, accountID int64, systemID string, bindLimit, tpsLimit int) (string, error) {
	password, c, err := s.newCredential(systemID, bindLimit, tpsLimit)
	if err != nil {
		return "", err
	}
	c.AccountID = accountID
	if err := s.st.CreateSMPPCredential(ctx, c); err != nil {
		return "", fmt.Errorf("account: create smpp credential: %w", err)
	}
	return password, nil
}

// newCredential draws a password for systemID and returns it with the
// credential's row (hash only), not yet stored and without its account.
func (s *Service) newCredential(systemID string, bindLimit, tpsLimit int) (string, *store.SMPPCredential, error) {
	if systemID == "" || len(systemID) > 15 {
		return "", nil, errors.New("account: system_id must have 1 to 15 characters")
	}
	password := randomString(8, alnum)
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return "", nil, fmt.Errorf("account: hash password: %w", err)
	}
	return password, &store.SMPPCredential{SystemID: systemID, PasswordHash: string(h), BindLimit: bindLimit,
		TPSLimit: tpsLimit, CreatedAt: s.now().UTC()}, nil
}

// AuthenticateAPIKey returns the principal for a key, or ErrUnauthorized
// for a malformed, unknown or revoked key and ErrSuspended for a key of a
// suspended account.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (Principal, error) {
	prefix, ok := parseKey(key)
	if !ok {
		return Principal{}, ErrUnauthorized
	}
	sum := sha256.Sum256([]byte(key))
	now := s.now()
	s.mu.Lock()
	e, hit := s.keys[sum]
	s.mu.Unlock()
	if hit && now.Before(e.expires) {
		s.touch(ctx, sum, e, now)
		return e.p, nil
	}
	k, a, err := s.st.APIKeyByPrefix(ctx, prefix)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthorized
	}
	if err != nil {
		return Principal{}, fmt.Errorf("account: look up key: %w", err)
	}
	want, err := hex.DecodeString(k.Hash)
	if err != nil || subtle.ConstantTimeCompare(want, sum[:]) != 1 || k.Revoked() {
		return Principal{}, ErrUnauthorized
	}
	if a.Status != store.AccountActive {
		return Principal{}, ErrSuspended
	}
	p := Principal{AccountID: k.AccountID, KeyID: k.ID, Scopes: k.Scopes, Kind: a.Kind}
	e = keyEntry{p: p, expires: now.Add(cacheTTL)}
	s.touch(ctx, sum, e, now)
	return p, nil
}

// touch stores the cache entry and records the key's last use at most
// once per touchEvery.
func (s *Service) touch(ctx context.Context, sum [32]byte, e keyEntry, now time.Time) {
	due := now.Sub(e.touched) >= touchEvery
	if due {
		e.touched = now
	}
	s.mu.Lock()
	s.keys[sum] = e
	s.mu.Unlock()
	if due {
		if err := s.st.TouchAPIKey(ctx, e.p.AccountID, e.p.KeyID, now.UTC()); err != nil {
			s.log.Warn("record api key use", "key_id", e.p.KeyID, "err", err)
		}
	}
}

// AuthenticateSMPP checks an SMPP bind: the password, the account's
// status and the peer's address against the credential's allowed ranges.
func (s *Service) AuthenticateSMPP(ctx context.Context, systemID, password string, remote net.Addr) (Binding, error) {
	pw := sha256.Sum256([]byte(password))
	now := s.now()
	s.mu.Lock()
	e, hit := s.binds[systemID]
	s.mu.Unlock()
	if !hit || !now.Before(e.expires) || subtle.ConstantTimeCompare(e.pwHash[:], pw[:]) != 1 {
		c, a, err := s.st.SMPPCredentialBySystemID(ctx, systemID)
		if errors.Is(err, store.ErrNotFound) {
			// Spend the same time as a real check, so timing does not
			// reveal which system_ids exist.
			_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
			return Binding{}, ErrUnauthorized
		}
		if err != nil {
			return Binding{}, fmt.Errorf("account: look up smpp credential: %w", err)
		}
		if bcrypt.CompareHashAndPassword([]byte(c.PasswordHash), []byte(password)) != nil {
			return Binding{}, ErrUnauthorized
		}
		if a.Status != store.AccountActive {
			return Binding{}, ErrSuspended
		}
		cidrs, err := parseCIDRs(c.AllowedCIDRs)
		if err != nil {
			return Binding{}, fmt.Errorf("account: credential %s: %w", systemID, err)
		}
		e = bindEntry{pwHash: pw, cidrs: cidrs, expires: now.Add(cacheTTL),
			b: Binding{AccountID: c.AccountID, SystemID: c.SystemID, BindLimit: c.BindLimit, TPSLimit: c.TPSLimit,
				pwTag: passwordTag(c.PasswordHash)}}
		s.mu.Lock()
		s.binds[systemID] = e
		s.mu.Unlock()
	}
	if !allowed(e.cidrs, remote) {
		return Binding{}, ErrAddress
	}
	return e.b, nil
}

// ErrPasswordChanged is what [Service.Recheck] says of a bind whose
// credential's password has been changed since it bound; it is also
// [ErrUnauthorized].
var ErrPasswordChanged = fmt.Errorf("%w: the credential's password was changed", ErrUnauthorized)

// Recheck tells whether an open bind b from remote is still allowed, from
// the store and not the cache: nil if so, else ErrUnauthorized (its
// credential was deleted or moved to another account, or its password
// changed: [ErrPasswordChanged]), ErrSuspended (its account was
// suspended) or ErrAddress (remote left the allowed ranges).
// Other errors are the store's. The gateway calls it now and then for
// every open bind, so changes made on another instance end binds here
// too.
func (s *Service) Recheck(ctx context.Context, b Binding, remote net.Addr) error {
	c, a, err := s.st.SMPPCredentialBySystemID(ctx, b.SystemID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrUnauthorized
	case err != nil:
		return fmt.Errorf("account: recheck bind %s: %w", b.SystemID, err)
	case c.AccountID != b.AccountID:
		return ErrUnauthorized
	case passwordTag(c.PasswordHash) != b.pwTag:
		return ErrPasswordChanged
	case a.Status != store.AccountActive:
		return ErrSuspended
	}
	cidrs, err := parseCIDRs(c.AllowedCIDRs)
	if err != nil {
		return fmt.Errorf("account: credential %s: %w", b.SystemID, err)
	}
	if !allowed(cidrs, remote) {
		return ErrAddress
	}
	return nil
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password"), bcryptCost)

func parseCIDRs(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range list {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("bad allowed range %q: %w", c, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func allowed(cidrs []netip.Prefix, remote net.Addr) bool {
	if len(cidrs) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(addrString(remote))
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range cidrs {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// parseKey checks a key's shape and returns its lookup prefix.
func parseKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, keyPrefix)
	if !ok || len(rest) != 8+1+32 || rest[8] != '_' {
		return "", false
	}
	return rest[:8], true
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString draws n characters uniformly from set with crypto/rand.
func randomString(n int, set string) string {
	out := make([]byte, n)
	var buf [64]byte
	limit := byte(256 - 256%len(set)) // reject the biased tail
	for i := 0; i < n; {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if b < limit && i < n {
				out[i] = set[int(b)%len(set)]
				i++
			}
		}
	}
	return string(out)
}
