package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AccountStatus says whether an account may send.
type AccountStatus string

// The account statuses.
const (
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended"
)

// AccountKind says what an account is to the platform.
type AccountKind string

// The account kinds.
const (
	// KindCustomer sends messages (the default).
	KindCustomer AccountKind = "customer"
	// KindReseller also sells to sub-accounts of its own.
	KindReseller AccountKind = "reseller"
	// KindPlatform is the operator's own account: its admin API keys act
	// as platform administrators.
	KindPlatform AccountKind = "platform"
)

// Valid reports whether k is one of the defined kinds.
func (k AccountKind) Valid() bool {
	return k == KindCustomer || k == KindReseller || k == KindPlatform
}

// Account is a customer account.
type Account struct {
	ID     int64
	Name   string
	Status AccountStatus
	// Kind is KindCustomer, KindReseller or KindPlatform; CreateAccount
	// stores a zero Kind as KindCustomer.
	Kind AccountKind
	// WebhookURL receives status callbacks for messages without their own
	// callback URL; WebhookSecret signs them.
	WebhookURL    string
	WebhookSecret string
	// TPSLimit is the account's messages per second; 0 means no limit.
	TPSLimit  int
	CreatedAt time.Time
}

// APIKey is an HTTP API key. Only its Prefix (shown to the customer and
// used to find the key) and the SHA-256 Hash of the whole key are stored.
type APIKey struct {
	ID        int64
	AccountID int64
	Name      string
	Prefix    string
	// Hash is the lower-case hex SHA-256 of the full key, made by the
	// caller.
	Hash string
	// Scopes are the key's permissions; each is a word without spaces.
	Scopes     []string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: not revoked
}

// Revoked reports whether the key has been revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// SMPPCredential lets an account bind over SMPP as SystemID.
type SMPPCredential struct {
	ID        int64
	AccountID int64
	SystemID  string
	// PasswordHash is made by the caller (bcrypt, say).
	PasswordHash string
	// BindLimit caps simultaneous binds; 0 means no limit.
	BindLimit int
	// TPSLimit caps submits per second over all binds; 0 means the
	// account's limit.
	TPSLimit int
	// AllowedCIDRs restricts the peers that may bind; empty allows all.
	AllowedCIDRs []string
	CreatedAt    time.Time
}

// accountColumns selects every column of accounts a, in accountRow's order.
const accountColumns = "a.id, a.name, a.status, a.kind, a.webhook_url, a.webhook_secret, a.tps_limit, a.created_at"

type accountRow struct {
	ID            int64  `db:"id"`
	Name          string `db:"name"`
	Status        string `db:"status"`
	Kind          string `db:"kind"`
	WebhookURL    string `db:"webhook_url"`
	WebhookSecret string `db:"webhook_secret"`
	TPSLimit      int    `db:"tps_limit"`
	CreatedAt     dbTime `db:"created_at"`
}

func (r *accountRow) account() *Account {
	return &Account{ID: r.ID, Name: r.Name, Status: AccountStatus(r.Status), Kind: AccountKind(r.Kind), WebhookURL: r.WebhookURL,
		WebhookSecret: r.WebhookSecret, TPSLimit: r.TPSLimit, CreatedAt: r.CreatedAt.Time}
}

// CreateAccount stores a new account and sets a.ID. A zero Status is
// stored as active, a zero CreatedAt as now.
func (s *Store) CreateAccount(ctx context.Context, a *Account) error {
	return s.createAccount(ctx, s.w, a)
}

func (s *Store) createAccount(ctx context.Context, ex execer, a *Account) error {
	if a.Name == "" {
		return fmt.Errorf("%w: account name is empty", ErrInvalid)
	}
	if a.Status == "" {
		a.Status = AccountActive
	}
	if a.Status != AccountActive && a.Status != AccountSuspended {
		return fmt.Errorf("%w: account status %q", ErrInvalid, a.Status)
	}
	if a.Kind == "" {
		a.Kind = KindCustomer
	}
	if !a.Kind.Valid() {
		return fmt.Errorf("%w: account kind %q", ErrInvalid, a.Kind)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := ex.ExecContext(ctx,
		"INSERT INTO accounts (name, status, kind, webhook_url, webhook_secret, tps_limit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		a.Name, string(a.Status), string(a.Kind), a.WebhookURL, s.sealText(a.WebhookSecret), a.TPSLimit, s.timeArg(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create account: %w", mapErr(err))
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create account: %w", mapErr(err))
	}
	return nil
}

// GetAccount returns account id, or [ErrNotFound].
func (s *Store) GetAccount(ctx context.Context, id int64) (*Account, error) {
	var row accountRow
	if err := s.r.GetContext(ctx, &row, "SELECT "+accountColumns+" FROM accounts a WHERE a.id = ?", id); err != nil {
		return nil, fmt.Errorf("store: get account %d: %w", id, mapErr(err))
	}
	a := row.account()
	if err := s.openAccount(a); err != nil {
		return nil, err
	}
	return a, nil
}

// SetAccountStatus suspends or reactivates account id.
func (s *Store) SetAccountStatus(ctx context.Context, id int64, status AccountStatus) error {
	if status != AccountActive && status != AccountSuspended {
		return fmt.Errorf("%w: account status %q", ErrInvalid, status)
	}
	return s.updateOne(ctx, "set account status", "UPDATE accounts SET status = ? WHERE id = ?", string(status), id)
}

// SetAccountKind makes account id a customer, a reseller or the platform.
func (s *Store) SetAccountKind(ctx context.Context, id int64, kind AccountKind) error {
	if !kind.Valid() {
		return fmt.Errorf("%w: account kind %q", ErrInvalid, kind)
	}
	return s.updateOne(ctx, "set account kind", "UPDATE accounts SET kind = ? WHERE id = ?", string(kind), id)
}

// CreateAPIKey stores a new API key for k.AccountID and sets k.ID. A
// prefix already in use gives [ErrDuplicate], an unknown account
// [ErrNotFound]. A zero CreatedAt is stored as now.
func (s *Store) CreateAPIKey(ctx context.Context, k *APIKey) error {
	return s.createAPIKey(ctx, s.w, k)
}

func (s *Store) createAPIKey(ctx context.Context, ex execer, k *APIKey) error {
	if k.Prefix == "" || len(k.Hash) != 64 {
		return fmt.Errorf("%w: api key needs a prefix and a 64-digit hex hash", ErrInvalid)
	}
	scopes, err := joinWords(k.Scopes, " ")
	if err != nil {
		return fmt.Errorf("%w: api key scopes: %v", ErrInvalid, err)
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := ex.ExecContext(ctx,
		"INSERT INTO api_keys (account_id, name, prefix, hash, scopes, created_at, last_used_at, revoked_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		k.AccountID, k.Name, k.Prefix, strings.ToLower(k.Hash), scopes, s.timeArg(k.CreatedAt),
		s.timeArg(k.LastUsedAt), s.timeArg(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("store: create api key: %w", mapErr(err))
	}
	if k.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create api key: %w", mapErr(err))
	}
	return nil
}

// APIKeyByPrefix returns the API key with prefix and its account, in one
// query, for authenticating a request: the caller compares the hash of the
// presented key with the returned Hash (in constant time) and checks
// Revoked and the account's Status. This lookup is by the key itself, so
// it is not scoped by account. An unknown prefix is [ErrNotFound].
func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (*APIKey, *Account, error) {
	var row struct {
		KeyID      int64  `db:"key_id"`
		KeyName    string `db:"key_name"`
		Prefix     string `db:"prefix"`
		Hash       string `db:"hash"`
		Scopes     string `db:"scopes"`
		KeyCreated dbTime `db:"key_created_at"`
		LastUsedAt dbTime `db:"last_used_at"`
		RevokedAt  dbTime `db:"revoked_at"`
		accountRow
	}
	err := s.r.GetContext(ctx, &row,
		"SELECT k.id AS key_id, k.name AS key_name, k.prefix, k.hash, k.scopes, k.created_at AS key_created_at, "+
			"k.last_used_at, k.revoked_at, "+accountColumns+
			" FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.prefix = ?", prefix)
	if err != nil {
		return nil, nil, fmt.Errorf("store: api key by prefix: %w", mapErr(err))
	}
	k := &APIKey{ID: row.KeyID, AccountID: row.ID, Name: row.KeyName, Prefix: row.Prefix, Hash: row.Hash,
		Scopes: splitWords(row.Scopes, " "), CreatedAt: row.KeyCreated.Time,
		LastUsedAt: row.LastUsedAt.Time, RevokedAt: row.RevokedAt.Time}
	a := row.account()
	if err := s.openAccount(a); err != nil {
		return nil, nil, err
	}
	return k, a, nil
}

// TouchAPIKey records that key keyID of account accountID was used at at.
// It writes only when the stored time is more than a minute older, so
// calling it on every request costs one cheap indexed statement and
// rarely a row write.
func (s *Store) TouchAPIKey(ctx context.Context, accountID, keyID int64, at time.Time) error {
	_, err := s.w.ExecContext(ctx,
		"UPDATE api_keys SET last_used_at = ? WHERE id = ? AND account_id = ? "+
			"AND (last_used_at IS NULL OR last_used_at < ?)",
		s.timeArg(at), keyID, accountID, s.timeArg(at.Add(-time.Minute)))
	if err != nil {
		return fmt.Errorf("store: touch api key %d: %w", keyID, mapErr(err))
	}
	return nil
}

// RevokeAPIKey revokes key keyID of account accountID as of at; a key of
// another account is [ErrNotFound].
func (s *Store) RevokeAPIKey(ctx context.Context, accountID, keyID int64, at time.Time) error {
	return s.updateOne(ctx, "revoke api key",
		"UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ?", s.timeArg(at), keyID, accountID)
}

// CreateSMPPCredential stores new SMPP credentials and sets c.ID. A
// system_id already in use gives [ErrDuplicate], an unknown account
// [ErrNotFound]. A zero CreatedAt is stored as now.
func (s *Store) CreateSMPPCredential(ctx context.Context, c *SMPPCredential) error {
	return s.createSMPPCredential(ctx, s.w, c)
}

func (s *Store) createSMPPCredential(ctx context.Context, ex execer, c *SMPPCredential) error {
	if c.SystemID == "" || len(c.SystemID) > 16 || c.PasswordHash == "" {
		return fmt.Errorf("%w: smpp credential needs a system_id of 1 to 16 characters and a password hash", ErrInvalid)
	}
	cidrs, err := joinWords(c.AllowedCIDRs, ",")
	if err != nil {
		return fmt.Errorf("%w: allowed cidrs: %v", ErrInvalid, err)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := ex.ExecContext(ctx,
		"INSERT INTO smpp_credentials (account_id, system_id, password_hash, bind_limit, tps_limit, allowed_cidrs, created_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?)",
		c.AccountID, c.SystemID, c.PasswordHash, c.BindLimit, c.TPSLimit, cidrs, s.timeArg(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create smpp credential: %w", mapErr(err))
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create smpp credential: %w", mapErr(err))
	}
	return nil
}

// SMPPCredentialBySystemID returns the credentials for systemID and their
// account, in one query, for authenticating a bind; like
// [Store.APIKeyByPrefix] it is not scoped by account. An unknown system_id
// is [ErrNotFound].
func (s *Store) SMPPCredentialBySystemID(ctx context.Context, systemID string) (*SMPPCredential, *Account, error) {
	var row struct {
		CredID       int64  `db:"cred_id"`
		SystemID     string `db:"system_id"`
		PasswordHash string `db:"password_hash"`
		BindLimit    int    `db:"bind_limit"`
		CredTPS      int    `db:"cred_tps_limit"`
		AllowedCIDRs string `db:"allowed_cidrs"`
		CredCreated  dbTime `db:"cred_created_at"`
		accountRow
	}
	err := s.r.GetContext(ctx, &row,
		"SELECT c.id AS cred_id, c.system_id, c.password_hash, c.bind_limit, c.tps_limit AS cred_tps_limit, "+
			"c.allowed_cidrs, c.created_at AS cred_created_at, "+accountColumns+
			" FROM smpp_credentials c JOIN accounts a ON a.id = c.account_id WHERE c.system_id = ?", systemID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: smpp credential %q: %w", systemID, mapErr(err))
	}
	c := &SMPPCredential{ID: row.CredID, AccountID: row.ID, SystemID: row.SystemID, PasswordHash: row.PasswordHash,
		BindLimit: row.BindLimit, TPSLimit: row.CredTPS, AllowedCIDRs: splitWords(row.AllowedCIDRs, ","),
		CreatedAt: row.CredCreated.Time}
	a := row.account()
	if err := s.openAccount(a); err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// updateOne runs an UPDATE that must match exactly one row, else
// ErrNotFound.
func (s *Store) updateOne(ctx context.Context, what, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

// joinWords joins words with sep, refusing empty words and words that
// contain sep or white space.
func joinWords(words []string, sep string) (string, error) {
	for _, w := range words {
		if w == "" || strings.Contains(w, sep) || strings.ContainsAny(w, " \t\r\n") {
			return "", fmt.Errorf("bad entry %q", w)
		}
	}
	return strings.Join(words, sep), nil
}

// splitWords undoes joinWords; an empty string is no words.
func splitWords(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}
