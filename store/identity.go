package store

import (
	"context"
	"fmt"
	"time"
)

// The listings below serve the identity endpoints: every one is scoped by
// the account id the caller has already been allowed to see, and none
// returns a secret's hash.

// ListAPIKeys returns the API keys of account accountID, revoked ones
// included, oldest first. Hash is left empty.
func (s *Store) ListAPIKeys(ctx context.Context, accountID int64) ([]APIKey, error) {
	var rows []struct {
		ID         int64  `db:"id"`
		AccountID  int64  `db:"account_id"`
		Name       string `db:"name"`
		Prefix     string `db:"prefix"`
		Scopes     string `db:"scopes"`
		CreatedAt  dbTime `db:"created_at"`
		LastUsedAt dbTime `db:"last_used_at"`
		RevokedAt  dbTime `db:"revoked_at"`
	}
	if err := s.r.SelectContext(ctx, &rows,
		"SELECT id, account_id, name, prefix, scopes, created_at, last_used_at, revoked_at "+
			"FROM api_keys WHERE account_id = ? ORDER BY id", accountID); err != nil {
		return nil, fmt.Errorf("store: list api keys of %d: %w", accountID, mapErr(err))
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = APIKey{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Prefix: r.Prefix,
			Scopes: splitWords(r.Scopes, " "), CreatedAt: r.CreatedAt.Time, LastUsedAt: r.LastUsedAt.Time,
			RevokedAt: r.RevokedAt.Time}
	}
	return out, nil
}

// smppCredentialRow is a smpp_credentials row without the password hash.
type smppCredentialRow struct {
	ID           int64  `db:"id"`
	AccountID    int64  `db:"account_id"`
	SystemID     string `db:"system_id"`
	BindLimit    int    `db:"bind_limit"`
	TPSLimit     int    `db:"tps_limit"`
	AllowedCIDRs string `db:"allowed_cidrs"`
	CreatedAt    dbTime `db:"created_at"`
}

const smppCredentialColumns = "id, account_id, system_id, bind_limit, tps_limit, allowed_cidrs, created_at"

func (r *smppCredentialRow) credential() SMPPCredential {
	return SMPPCredential{ID: r.ID, AccountID: r.AccountID, SystemID: r.SystemID, BindLimit: r.BindLimit,
		TPSLimit: r.TPSLimit, AllowedCIDRs: splitWords(r.AllowedCIDRs, ","), CreatedAt: r.CreatedAt.Time}
}

// ListSMPPCredentials returns the SMPP credentials of account accountID,
// oldest first. PasswordHash is left empty.
func (s *Store) ListSMPPCredentials(ctx context.Context, accountID int64) ([]SMPPCredential, error) {
	var rows []smppCredentialRow
	if err := s.r.SelectContext(ctx, &rows,
		"SELECT "+smppCredentialColumns+" FROM smpp_credentials WHERE account_id = ? ORDER BY id", accountID); err != nil {
		return nil, fmt.Errorf("store: list smpp credentials of %d: %w", accountID, mapErr(err))
	}
	out := make([]SMPPCredential, len(rows))
	for i := range rows {
		out[i] = rows[i].credential()
	}
	return out, nil
}

// GetSMPPCredential returns credential id of account accountID, read from
// the writer so that it reflects an update just made. PasswordHash is
// left empty. A credential of another account is [ErrNotFound].
func (s *Store) GetSMPPCredential(ctx context.Context, accountID, id int64) (*SMPPCredential, error) {
	var row smppCredentialRow
	if err := s.w.GetContext(ctx, &row,
		"SELECT "+smppCredentialColumns+" FROM smpp_credentials WHERE id = ? AND account_id = ?", id, accountID); err != nil {
		return nil, fmt.Errorf("store: get smpp credential %d: %w", id, mapErr(err))
	}
	c := row.credential()
	return &c, nil
}

// SMPPCredentialUpdate changes some fields of an SMPP credential; a nil
// field is left as it is.
type SMPPCredentialUpdate struct {
	PasswordHash *string
	BindLimit    *int
	TPSLimit     *int
	AllowedCIDRs *[]string
}

// UpdateSMPPCredential applies u to credential id of account accountID. A
// credential of another account is [ErrNotFound]; an empty update only
// checks that the credential exists.
func (s *Store) UpdateSMPPCredential(ctx context.Context, accountID, id int64, u SMPPCredentialUpdate) error {
	set := ""
	var args []any
	add := func(col string, v any) {
		if set != "" {
			set += ", "
		}
		set += col + " = ?"
		args = append(args, v)
	}
	if u.PasswordHash != nil {
		if *u.PasswordHash == "" {
			return fmt.Errorf("%w: empty password hash", ErrInvalid)
		}
		add("password_hash", *u.PasswordHash)
	}
	if u.BindLimit != nil {
		if *u.BindLimit < 0 {
			return fmt.Errorf("%w: negative bind limit", ErrInvalid)
		}
		add("bind_limit", *u.BindLimit)
	}
	if u.TPSLimit != nil {
		if *u.TPSLimit < 0 {
			return fmt.Errorf("%w: negative tps limit", ErrInvalid)
		}
		add("tps_limit", *u.TPSLimit)
	}
	if u.AllowedCIDRs != nil {
		cidrs, err := joinWords(*u.AllowedCIDRs, ",")
		if err != nil {
			return fmt.Errorf("%w: allowed cidrs: %v", ErrInvalid, err)
		}
		add("allowed_cidrs", cidrs)
	}
	if set == "" {
		_, err := s.GetSMPPCredential(ctx, accountID, id)
		return err
	}
	args = append(args, id, accountID)
	return s.updateOne(ctx, "update smpp credential",
		"UPDATE smpp_credentials SET "+set+" WHERE id = ? AND account_id = ?", args...)
}

// DeleteSMPPCredential deletes credential id of account accountID and
// returns its system_id, which can then no longer bind. A credential of
// another account is [ErrNotFound].
func (s *Store) DeleteSMPPCredential(ctx context.Context, accountID, id int64) (string, error) {
	c, err := s.GetSMPPCredential(ctx, accountID, id)
	if err != nil {
		return "", err
	}
	if err := s.updateOne(ctx, "delete smpp credential",
		"DELETE FROM smpp_credentials WHERE id = ? AND account_id = ?", id, accountID); err != nil {
		return "", err
	}
	return c.SystemID, nil
}

// ListUsers returns the dashboard users of account accountID, oldest
// first. PasswordHash is left empty.
func (s *Store) ListUsers(ctx context.Context, accountID int64) ([]User, error) {
	var rows []userRow
	if err := s.r.SelectContext(ctx, &rows,
		"SELECT "+userColumns+" FROM users WHERE account_id = ? ORDER BY id", accountID); err != nil {
		return nil, fmt.Errorf("store: list users of %d: %w", accountID, mapErr(err))
	}
	out := make([]User, len(rows))
	for i := range rows {
		out[i] = *rows[i].user()
		out[i].PasswordHash = ""
	}
	return out, nil
}

// GetAPIKey returns key id of account accountID without its hash. A key
// of another account is [ErrNotFound].
func (s *Store) GetAPIKey(ctx context.Context, accountID, id int64) (*APIKey, error) {
	var row struct {
		ID         int64  `db:"id"`
		AccountID  int64  `db:"account_id"`
		Name       string `db:"name"`
		Prefix     string `db:"prefix"`
		Scopes     string `db:"scopes"`
		CreatedAt  dbTime `db:"created_at"`
		LastUsedAt dbTime `db:"last_used_at"`
		RevokedAt  dbTime `db:"revoked_at"`
	}
	if err := s.w.GetContext(ctx, &row,
		"SELECT id, account_id, name, prefix, scopes, created_at, last_used_at, revoked_at "+
			"FROM api_keys WHERE id = ? AND account_id = ?", id, accountID); err != nil {
		return nil, fmt.Errorf("store: get api key %d: %w", id, mapErr(err))
	}
	return &APIKey{ID: row.ID, AccountID: row.AccountID, Name: row.Name, Prefix: row.Prefix,
		Scopes: splitWords(row.Scopes, " "), CreatedAt: row.CreatedAt.Time, LastUsedAt: row.LastUsedAt.Time,
		RevokedAt: row.RevokedAt.Time}, nil
}

// APIKeyIDByPrefix returns the id and creation time of the key of account
// accountID with prefix, read from the writer (just after creating it).
func (s *Store) APIKeyIDByPrefix(ctx context.Context, accountID int64, prefix string) (int64, time.Time, error) {
	var row struct {
		ID        int64  `db:"id"`
		CreatedAt dbTime `db:"created_at"`
	}
	if err := s.w.GetContext(ctx, &row, "SELECT id, created_at FROM api_keys WHERE prefix = ? AND account_id = ?",
		prefix, accountID); err != nil {
		return 0, time.Time{}, fmt.Errorf("store: api key by prefix: %w", mapErr(err))
	}
	return row.ID, row.CreatedAt.Time, nil
}
