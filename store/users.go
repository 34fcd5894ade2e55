package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// User is a dashboard user of an account. Role is a word the account
// package defines; the store only keeps it.
type User struct {
	ID        int64
	AccountID int64
	// Email is normalised (trimmed, lower case) by the caller; it is
	// unique over all users.
	Email        string
	PasswordHash string
	Role         string
	// CanSend lets a member send; other roles ignore it.
	CanSend         bool
	EmailVerifiedAt time.Time // zero: not verified
	CreatedAt       time.Time
	// TokenVersion is written into the user's access tokens; raising it
	// ([Store.BumpTokenVersion]) makes every token issued before refused.
	TokenVersion int64
	// DisabledAt, when set, is when the user was disabled: its logins
	// and sessions are refused.
	DisabledAt time.Time
	// SelfRegistered marks a user who signed up on its own; the account
	// package restricts it until its email is verified.
	SelfRegistered bool
}

// UserToken is a mailed single-use token (password reset, email
// verification). Only the SHA-256 Hash of the token is stored.
type UserToken struct {
	ID        int64
	UserID    int64
	Kind      string
	Hash      string // lower-case hex SHA-256
	ExpiresAt time.Time
	UsedAt    time.Time // zero: not used
	CreatedAt time.Time
}

// RefreshToken is a dashboard session's refresh token. Only its SHA-256
// Hash is stored. Family links the tokens rotated from one login.
type RefreshToken struct {
	ID        int64
	UserID    int64
	Family    string
	Hash      string // lower-case hex SHA-256
	ExpiresAt time.Time
	RevokedAt time.Time // zero: live
	CreatedAt time.Time
	// StartedAt is the login time of the family, copied on rotation; a
	// zero value is stored as CreatedAt.
	StartedAt time.Time
}

// Revoked reports whether the refresh token has been revoked (or rotated).
func (t *RefreshToken) Revoked() bool { return !t.RevokedAt.IsZero() }

const userColumns = "id, account_id, email, password_hash, role, can_send, email_verified_at, created_at, " +
	"token_version, disabled_at, self_registered"

type userRow struct {
	ID              int64  `db:"id"`
	AccountID       int64  `db:"account_id"`
	Email           string `db:"email"`
	PasswordHash    string `db:"password_hash"`
	Role            string `db:"role"`
	CanSend         bool   `db:"can_send"`
	EmailVerifiedAt dbTime `db:"email_verified_at"`
	CreatedAt       dbTime `db:"created_at"`
	TokenVersion    int64  `db:"token_version"`
	DisabledAt      dbTime `db:"disabled_at"`
	SelfRegistered  bool   `db:"self_registered"`
}

func (r *userRow) user() *User {
	return &User{ID: r.ID, AccountID: r.AccountID, Email: r.Email, PasswordHash: r.PasswordHash, Role: r.Role,
		CanSend: r.CanSend, EmailVerifiedAt: r.EmailVerifiedAt.Time, CreatedAt: r.CreatedAt.Time,
		TokenVersion: r.TokenVersion, DisabledAt: r.DisabledAt.Time, SelfRegistered: r.SelfRegistered}
}

// CreateUser stores a new user and sets u.ID. An email already in use is
// [ErrDuplicate]; an unknown account is [ErrNotFound]. A zero CreatedAt is
// stored as now. TokenVersion and DisabledAt start at zero.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	if u.Email == "" || len(u.Email) > 254 || u.PasswordHash == "" || u.Role == "" || len(u.Role) > 16 {
		return fmt.Errorf("%w: user needs an email of at most 254 bytes, a password hash and a role", ErrInvalid)
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := s.w.ExecContext(ctx,
		"INSERT INTO users (account_id, email, password_hash, role, can_send, email_verified_at, created_at, self_registered) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		u.AccountID, u.Email, u.PasswordHash, u.Role, u.CanSend, s.timeArg(u.EmailVerifiedAt), s.timeArg(u.CreatedAt),
		u.SelfRegistered)
	if err != nil {
		return fmt.Errorf("store: create user: %w", mapErr(err))
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create user: %w", mapErr(err))
	}
	return nil
}

// UserByEmail returns the user with email (already normalised), for
// logging in; it is not scoped by account. An unknown email is
// [ErrNotFound].
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var row userRow
	if err := s.r.GetContext(ctx, &row, "SELECT "+userColumns+" FROM users WHERE email = ?", email); err != nil {
		return nil, fmt.Errorf("store: user by email: %w", mapErr(err))
	}
	return row.user(), nil
}

// GetUser returns user id, or [ErrNotFound].
func (s *Store) GetUser(ctx context.Context, id int64) (*User, error) {
	var row userRow
	if err := s.r.GetContext(ctx, &row, "SELECT "+userColumns+" FROM users WHERE id = ?", id); err != nil {
		return nil, fmt.Errorf("store: get user %d: %w", id, mapErr(err))
	}
	return row.user(), nil
}

// SetUserPassword replaces the password hash of user id and raises its
// token version, so that every access token issued before is refused.
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash string) error {
	if hash == "" {
		return fmt.Errorf("%w: empty password hash", ErrInvalid)
	}
	return s.updateOne(ctx, "set user password",
		"UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?", hash, id)
}

// BumpTokenVersion raises the token version of user id, so that every
// access token issued before is refused ("log out everywhere").
func (s *Store) BumpTokenVersion(ctx context.Context, id int64) error {
	return s.updateOne(ctx, "bump token version", "UPDATE users SET token_version = token_version + 1 WHERE id = ?", id)
}

// UserAuth is what checking a session needs of its user and account, in
// one read.
type UserAuth struct {
	UserID         int64
	AccountID      int64
	Role           string
	CanSend        bool
	TokenVersion   int64
	Disabled       bool
	SelfRegistered bool
	EmailVerified  bool
	AccountStatus  AccountStatus
}

// GetUserAuth returns the session-relevant state of user id and the
// status of its account, or [ErrNotFound] for a user that does not exist
// (any more).
func (s *Store) GetUserAuth(ctx context.Context, id int64) (*UserAuth, error) {
	var row struct {
		AccountID       int64  `db:"account_id"`
		Role            string `db:"role"`
		CanSend         bool   `db:"can_send"`
		TokenVersion    int64  `db:"token_version"`
		DisabledAt      dbTime `db:"disabled_at"`
		SelfRegistered  bool   `db:"self_registered"`
		EmailVerifiedAt dbTime `db:"email_verified_at"`
		Status          string `db:"status"`
	}
	if err := s.r.GetContext(ctx, &row,
		"SELECT u.account_id, u.role, u.can_send, u.token_version, u.disabled_at, u.self_registered, u.email_verified_at, "+
			"a.status FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = ?", id); err != nil {
		return nil, fmt.Errorf("store: user auth %d: %w", id, mapErr(err))
	}
	return &UserAuth{UserID: id, AccountID: row.AccountID, Role: row.Role, CanSend: row.CanSend,
		TokenVersion: row.TokenVersion, Disabled: !row.DisabledAt.IsZero(), SelfRegistered: row.SelfRegistered,
		EmailVerified: !row.EmailVerifiedAt.IsZero(), AccountStatus: AccountStatus(row.Status)}, nil
}

// ErrLastOwner refuses a change that would leave an account without an
// enabled user holding one of its owner roles.
var ErrLastOwner = errors.New("store: the account's last owner")

// UserUpdate changes some fields of a user; a nil field stays as it is.
type UserUpdate struct {
	Role    *string
	CanSend *bool
	// Disabled disables (true: DisabledAt becomes the update's time) or
	// enables the user.
	Disabled *bool
	// EndSessions raises the token version and revokes every refresh
	// token of the user, in the same transaction.
	EndSessions bool
}

// userTx runs f in a write transaction (BEGIN IMMEDIATE on SQLite) and
// commits it when f returns nil. f returns driver errors as they are, or
// [ErrNotFound] or [ErrLastOwner], which are returned unchanged.
func (s *Store) userTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrLastOwner) {
			return err
		}
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// accountUserRow is what the owner guard reads of an account's users.
type accountUserRow struct {
	ID         int64  `db:"id"`
	Role       string `db:"role"`
	DisabledAt dbTime `db:"disabled_at"`
}

// lockAccountUsers reads the users of accountID inside tx, locking their
// rows on MySQL (SQLite's write transaction holds the database lock).
func (s *Store) lockAccountUsers(ctx context.Context, tx *sqlx.Tx, accountID int64) ([]accountUserRow, error) {
	q := "SELECT id, role, disabled_at FROM users WHERE account_id = ? ORDER BY id"
	if s.d == dialectMySQL {
		q += " FOR UPDATE"
	}
	var rows []accountUserRow
	if err := tx.SelectContext(ctx, &rows, q, accountID); err != nil {
		return nil, err
	}
	return rows, nil
}

// guardOwners returns [ErrLastOwner] when user target of rows, enabled
// with a role in ownerRoles, would no longer be (role and disabled as
// given after the change, deleted when gone) while no other enabled user
// of rows has such a role. It returns [ErrNotFound] when target is not in
// rows.
func guardOwners(rows []accountUserRow, target int64, role string, disabled, gone bool, ownerRoles []string) error {
	owner := func(role string, disabled bool) bool { return !disabled && slices.Contains(ownerRoles, role) }
	var cur *accountUserRow
	others := 0
	for i := range rows {
		if rows[i].ID == target {
			cur = &rows[i]
		} else if owner(rows[i].Role, !rows[i].DisabledAt.IsZero()) {
			others++
		}
	}
	if cur == nil {
		return ErrNotFound
	}
	if owner(cur.Role, !cur.DisabledAt.IsZero()) && (gone || !owner(role, disabled)) && others == 0 {
		return ErrLastOwner
	}
	return nil
}

// UpdateAccountUser applies u to user id of account accountID at time at,
// in one transaction that refuses with [ErrLastOwner] to leave the
// account without an enabled user whose role is in ownerRoles, and
// returns the user as it now is. A user of another account is
// [ErrNotFound].
func (s *Store) UpdateAccountUser(ctx context.Context, accountID, id int64, u UserUpdate, at time.Time, ownerRoles []string) (*User, error) {
	if u.Role != nil && (*u.Role == "" || len(*u.Role) > 16) {
		return nil, fmt.Errorf("%w: a role has 1 to 16 bytes", ErrInvalid)
	}
	var out *User
	err := s.userTx(ctx, func(tx *sqlx.Tx) error {
		rows, err := s.lockAccountUsers(ctx, tx, accountID)
		if err != nil {
			return err
		}
		var cur *accountUserRow
		for i := range rows {
			if rows[i].ID == id {
				cur = &rows[i]
			}
		}
		if cur == nil {
			return ErrNotFound
		}
		role, disabled := cur.Role, !cur.DisabledAt.IsZero()
		if u.Role != nil {
			role = *u.Role
		}
		if u.Disabled != nil {
			disabled = *u.Disabled
		}
		if err := guardOwners(rows, id, role, disabled, false, ownerRoles); err != nil {
			return err
		}
		set, args := "role = ?", []any{role}
		if u.CanSend != nil {
			set += ", can_send = ?"
			args = append(args, *u.CanSend)
		}
		if u.Disabled != nil && *u.Disabled != !cur.DisabledAt.IsZero() {
			set += ", disabled_at = ?"
			if *u.Disabled {
				args = append(args, s.timeArg(at))
			} else {
				args = append(args, nil)
			}
		}
		if u.EndSessions {
			set += ", token_version = token_version + 1"
			if _, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
				s.timeArg(at), id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		var row userRow
		if err := tx.GetContext(ctx, &row, "SELECT "+userColumns+" FROM users WHERE id = ?", id); err != nil {
			return err
		}
		out = row.user()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update user %d: %w", id, err)
	}
	return out, nil
}

// DeleteAccountUser deletes user id of account accountID with its mailed
// tokens and refresh tokens, in one transaction that refuses with
// [ErrLastOwner] to leave the account without an enabled user whose role
// is in ownerRoles, and returns the deleted user. A user of another
// account is [ErrNotFound]. The audit log keeps its entries.
func (s *Store) DeleteAccountUser(ctx context.Context, accountID, id int64, ownerRoles []string) (*User, error) {
	var out *User
	err := s.userTx(ctx, func(tx *sqlx.Tx) error {
		rows, err := s.lockAccountUsers(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if err := guardOwners(rows, id, "", true, true, ownerRoles); err != nil {
			return err
		}
		var row userRow
		if err := tx.GetContext(ctx, &row, "SELECT "+userColumns+" FROM users WHERE id = ?", id); err != nil {
			return err
		}
		out = row.user()
		for _, q := range []string{"DELETE FROM user_tokens WHERE user_id = ?", "DELETE FROM refresh_tokens WHERE user_id = ?",
			"DELETE FROM users WHERE id = ?"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: delete user %d: %w", id, err)
	}
	return out, nil
}

// SetEmailVerified records that user id proved its email at at.
func (s *Store) SetEmailVerified(ctx context.Context, id int64, at time.Time) error {
	return s.updateOne(ctx, "set email verified", "UPDATE users SET email_verified_at = ? WHERE id = ?",
		s.timeArg(at), id)
}

// CreateUserToken stores a mailed token and sets t.ID.
func (s *Store) CreateUserToken(ctx context.Context, t *UserToken) error {
	if len(t.Hash) != 64 || t.Kind == "" || t.ExpiresAt.IsZero() {
		return fmt.Errorf("%w: user token needs a kind, a 64-digit hex hash and an expiry", ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := s.w.ExecContext(ctx,
		"INSERT INTO user_tokens (user_id, kind, hash, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		t.UserID, t.Kind, strings.ToLower(t.Hash), s.timeArg(t.ExpiresAt), s.timeArg(t.UsedAt), s.timeArg(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create user token: %w", mapErr(err))
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create user token: %w", mapErr(err))
	}
	return nil
}

// CreateSignup stores a self sign-up in one transaction: account a, its
// user u (AccountID set here), u's verification token tok (UserID set
// here) and the audit entry e (AccountID and ActorUserID set here; an
// empty Target becomes "account:<id>"). It sets the ids. An email in use
// is [ErrDuplicate], and nothing is stored. One commit, so that a sign-up
// costs about what the notice to an existing email's owner costs.
func (s *Store) CreateSignup(ctx context.Context, a *Account, u *User, tok *UserToken, e *AuditEntry) error {
	if a.Name == "" || u.Email == "" || len(u.Email) > 254 || u.PasswordHash == "" || u.Role == "" || len(u.Role) > 16 {
		return fmt.Errorf("%w: a sign-up needs an account name, an email, a password hash and a role", ErrInvalid)
	}
	if len(tok.Hash) != 64 || tok.Kind == "" || tok.ExpiresAt.IsZero() || e.Action == "" {
		return fmt.Errorf("%w: a sign-up needs a token and an audit action", ErrInvalid)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for _, t := range []*time.Time{&a.CreatedAt, &u.CreatedAt, &tok.CreatedAt, &e.At} {
		if t.IsZero() {
			*t = now
		}
	}
	if a.Status == "" {
		a.Status = AccountActive
	}
	if a.Kind == "" {
		a.Kind = KindCustomer
	}
	err := s.userTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx,
			"INSERT INTO accounts (name, status, kind, webhook_url, webhook_secret, tps_limit, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			a.Name, string(a.Status), string(a.Kind), a.WebhookURL, s.sealText(a.WebhookSecret), a.TPSLimit, s.timeArg(a.CreatedAt))
		if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		u.AccountID = a.ID
		if res, err = tx.ExecContext(ctx,
			"INSERT INTO users (account_id, email, password_hash, role, can_send, email_verified_at, created_at, self_registered) "+
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			u.AccountID, u.Email, u.PasswordHash, u.Role, u.CanSend, s.timeArg(u.EmailVerifiedAt), s.timeArg(u.CreatedAt),
			u.SelfRegistered); err != nil {
			return err
		}
		if u.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		tok.UserID = u.ID
		if res, err = tx.ExecContext(ctx,
			"INSERT INTO user_tokens (user_id, kind, hash, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			tok.UserID, tok.Kind, strings.ToLower(tok.Hash), s.timeArg(tok.ExpiresAt), s.timeArg(tok.UsedAt), s.timeArg(tok.CreatedAt)); err != nil {
			return err
		}
		if tok.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		e.AccountID, e.ActorUserID = a.ID, u.ID
		if e.Target == "" {
			e.Target = fmt.Sprintf("account:%d", a.ID)
		}
		if res, err = tx.ExecContext(ctx,
			"INSERT INTO audit_log (account_id, actor_user_id, action, target, details, ip, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			e.AccountID, e.ActorUserID, cut(e.Action, 64), cut(e.Target, 255), cut(e.Details, 1024), cut(e.IP, 64),
			s.timeArg(e.At)); err != nil {
			return err
		}
		e.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: sign up: %w", err)
	}
	return nil
}

// InvalidateUserTokens marks every unused token of kind of user userID as
// used at at (a password reset or change makes the other reset tokens
// worthless) and returns how many it marked.
func (s *Store) InvalidateUserTokens(ctx context.Context, userID int64, kind string, at time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, "UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL",
		s.timeArg(at), userID, kind)
	if err != nil {
		return 0, fmt.Errorf("store: invalidate user tokens: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: invalidate user tokens: %w", mapErr(err))
	}
	return n, nil
}

// LiveUserTokens returns how many unused, unexpired tokens of kind user
// userID holds at now.
func (s *Store) LiveUserTokens(ctx context.Context, userID int64, kind string, now time.Time) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n,
		"SELECT COUNT(*) FROM user_tokens WHERE user_id = ? AND kind = ? AND used_at IS NULL AND expires_at > ?",
		userID, kind, s.timeArg(now)); err != nil {
		return 0, fmt.Errorf("store: live user tokens: %w", mapErr(err))
	}
	return n, nil
}

// ConsumeUserToken marks the unused, unexpired token of kind with hash as
// used at now and returns it. The check and the mark are one UPDATE, so
// two concurrent calls cannot both succeed. An unknown, used or expired
// token is [ErrNotFound].
func (s *Store) ConsumeUserToken(ctx context.Context, kind, hash string, now time.Time) (*UserToken, error) {
	hash = strings.ToLower(hash)
	err := s.updateOne(ctx, "consume user token",
		"UPDATE user_tokens SET used_at = ? WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?",
		s.timeArg(now), hash, kind, s.timeArg(now))
	if err != nil {
		return nil, err
	}
	var row struct {
		ID        int64  `db:"id"`
		UserID    int64  `db:"user_id"`
		Kind      string `db:"kind"`
		Hash      string `db:"hash"`
		ExpiresAt dbTime `db:"expires_at"`
		UsedAt    dbTime `db:"used_at"`
		CreatedAt dbTime `db:"created_at"`
	}
	// Read from the writer: a reader could lag behind on SQLite's WAL.
	if err := s.w.GetContext(ctx, &row,
		"SELECT id, user_id, kind, hash, expires_at, used_at, created_at FROM user_tokens WHERE hash = ?", hash); err != nil {
		return nil, fmt.Errorf("store: consume user token: %w", mapErr(err))
	}
	return &UserToken{ID: row.ID, UserID: row.UserID, Kind: row.Kind, Hash: row.Hash, ExpiresAt: row.ExpiresAt.Time,
		UsedAt: row.UsedAt.Time, CreatedAt: row.CreatedAt.Time}, nil
}

// CreateRefreshToken stores a new refresh token and sets t.ID.
func (s *Store) CreateRefreshToken(ctx context.Context, t *RefreshToken) error {
	return s.insertRefresh(ctx, s.w, t)
}

// execer is what insertRefresh needs of a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) insertRefresh(ctx context.Context, db execer, t *RefreshToken) error {
	if len(t.Hash) != 64 || t.Family == "" || len(t.Family) > 32 || t.ExpiresAt.IsZero() {
		return fmt.Errorf("%w: refresh token needs a family, a 64-digit hex hash and an expiry", ErrInvalid)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	if t.StartedAt.IsZero() {
		t.StartedAt = t.CreatedAt
	}
	res, err := db.ExecContext(ctx,
		"INSERT INTO refresh_tokens (user_id, family, hash, expires_at, revoked_at, created_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.UserID, t.Family, strings.ToLower(t.Hash), s.timeArg(t.ExpiresAt), s.timeArg(t.RevokedAt), s.timeArg(t.CreatedAt),
		s.timeArg(t.StartedAt))
	if err != nil {
		return fmt.Errorf("store: create refresh token: %w", mapErr(err))
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create refresh token: %w", mapErr(err))
	}
	return nil
}

// ErrTokenReused means a refresh token that had already been rotated out
// was presented again: a sign that it was stolen. [Store.RotateRefreshToken]
// has then revoked every token of its family.
var ErrTokenReused = errors.New("store: refresh token reused")

// ErrSessionExpired means a refresh token whose family (login) started
// too long ago: [Store.RotateRefreshToken] has then revoked the family.
var ErrSessionExpired = errors.New("store: session past its maximum age")

// RotateRefreshToken revokes the live, unexpired refresh token with hash
// and stores next in its place (same user, family and start, set by this
// call), in one transaction, returning the old token. An unknown or
// expired token is [ErrNotFound]; a revoked one is [ErrTokenReused], and
// its whole family is revoked; when maxAge is positive, one whose family
// started maxAge or longer before now is [ErrSessionExpired], and its
// family is revoked too, and next never outlives its family's maxAge.
func (s *Store) RotateRefreshToken(ctx context.Context, hash string, next *RefreshToken, now time.Time, maxAge time.Duration) (*RefreshToken, error) {
	hash = strings.ToLower(hash)
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: rotate refresh token: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	var row struct {
		ID        int64  `db:"id"`
		UserID    int64  `db:"user_id"`
		Family    string `db:"family"`
		Hash      string `db:"hash"`
		ExpiresAt dbTime `db:"expires_at"`
		RevokedAt dbTime `db:"revoked_at"`
		CreatedAt dbTime `db:"created_at"`
		StartedAt dbTime `db:"started_at"`
	}
	q := "SELECT id, user_id, family, hash, expires_at, revoked_at, created_at, started_at FROM refresh_tokens WHERE hash = ?"
	if s.d == dialectMySQL {
		q += " FOR UPDATE"
	}
	if err := tx.GetContext(ctx, &row, q, hash); err != nil {
		return nil, fmt.Errorf("store: rotate refresh token: %w", mapErr(err))
	}
	old := &RefreshToken{ID: row.ID, UserID: row.UserID, Family: row.Family, Hash: row.Hash,
		ExpiresAt: row.ExpiresAt.Time, RevokedAt: row.RevokedAt.Time, CreatedAt: row.CreatedAt.Time,
		StartedAt: row.StartedAt.Time}
	if old.StartedAt.IsZero() {
		old.StartedAt = old.CreatedAt // a row from before migration 0010
	}
	tooOld := maxAge > 0 && !now.Before(old.StartedAt.Add(maxAge))
	if old.Revoked() || tooOld {
		if _, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
			s.timeArg(now), old.Family); err != nil {
			return nil, fmt.Errorf("store: revoke refresh family: %w", mapErr(err))
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("store: revoke refresh family: %w", mapErr(err))
		}
		if old.Revoked() {
			return nil, ErrTokenReused
		}
		return nil, ErrSessionExpired
	}
	if !now.Before(old.ExpiresAt) {
		return nil, fmt.Errorf("store: rotate refresh token: expired: %w", ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE id = ?", s.timeArg(now), old.ID); err != nil {
		return nil, fmt.Errorf("store: rotate refresh token: %w", mapErr(err))
	}
	next.UserID, next.Family, next.StartedAt = old.UserID, old.Family, old.StartedAt
	if end := old.StartedAt.Add(maxAge); maxAge > 0 && next.ExpiresAt.After(end) {
		next.ExpiresAt = end
	}
	if err := s.insertRefresh(ctx, tx, next); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: rotate refresh token: %w", mapErr(err))
	}
	return old, nil
}

// RevokeRefreshFamily revokes every live token of the family of the
// token with hash (logout) and returns the token's user. An unknown token
// is [ErrNotFound]; revoking an already revoked family is not an error.
func (s *Store) RevokeRefreshFamily(ctx context.Context, hash string, at time.Time) (userID int64, err error) {
	var row struct {
		UserID int64  `db:"user_id"`
		Family string `db:"family"`
	}
	if err := s.w.GetContext(ctx, &row, "SELECT user_id, family FROM refresh_tokens WHERE hash = ?", strings.ToLower(hash)); err != nil {
		return 0, fmt.Errorf("store: revoke refresh token: %w", mapErr(err))
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
		s.timeArg(at), row.Family); err != nil {
		return 0, fmt.Errorf("store: revoke refresh token: %w", mapErr(err))
	}
	return row.UserID, nil
}

// RevokeUserRefreshTokens revokes every live refresh token of user id
// (after a password change or reset) and returns how many it revoked.
func (s *Store) RevokeUserRefreshTokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
		s.timeArg(at), userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke user refresh tokens: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: revoke user refresh tokens: %w", mapErr(err))
	}
	return n, nil
}

// SetAccountParent makes account child a sub-account of parent. An
// account is the child of at most one parent: setting it again is
// [ErrDuplicate]. Unknown accounts are [ErrNotFound]; an account cannot
// be its own parent.
func (s *Store) SetAccountParent(ctx context.Context, child, parent int64) error {
	return s.setAccountParent(ctx, s.w, child, parent)
}

func (s *Store) setAccountParent(ctx context.Context, ex execer, child, parent int64) error {
	if child == parent {
		return fmt.Errorf("%w: account %d cannot be its own parent", ErrInvalid, child)
	}
	if _, err := ex.ExecContext(ctx, "INSERT INTO account_parents (account_id, parent_id) VALUES (?, ?)", child, parent); err != nil {
		return fmt.Errorf("store: set account parent: %w", mapErr(err))
	}
	return nil
}

// AccountParent returns the parent (reseller) of account id, or 0 when it
// has none.
func (s *Store) AccountParent(ctx context.Context, id int64) (int64, error) {
	var parent int64
	err := s.r.GetContext(ctx, &parent, "SELECT parent_id FROM account_parents WHERE account_id = ?", id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: account parent %d: %w", id, mapErr(err))
	}
	return parent, nil
}

// ChildAccounts returns the ids of the direct sub-accounts of parent, in
// creation order.
func (s *Store) ChildAccounts(ctx context.Context, parent int64) ([]int64, error) {
	var ids []int64
	if err := s.r.SelectContext(ctx, &ids,
		"SELECT account_id FROM account_parents WHERE parent_id = ? ORDER BY account_id", parent); err != nil {
		return nil, fmt.Errorf("store: child accounts of %d: %w", parent, mapErr(err))
	}
	return ids, nil
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID int64
	// AccountID is the account the action concerns; 0 when unknown.
	AccountID int64
	// ActorUserID is the user who acted; 0 for an API key or the CLI.
	ActorUserID int64
	Action      string
	Target      string
	Details     string
	IP          string
	At          time.Time
}

// AppendAudit appends e to the audit log and sets e.ID. Text longer than
// its column is cut, so an audit write never fails on a long value. A
// zero At is stored as now.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	return s.appendAudit(ctx, s.w, e)
}

func (s *Store) appendAudit(ctx context.Context, ex execer, e *AuditEntry) error {
	if e.Action == "" {
		return fmt.Errorf("%w: audit entry without an action", ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = s.now().UTC().Truncate(time.Microsecond)
	}
	res, err := ex.ExecContext(ctx,
		"INSERT INTO audit_log (account_id, actor_user_id, action, target, details, ip, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		e.AccountID, e.ActorUserID, cut(e.Action, 64), cut(e.Target, 255), cut(e.Details, 1024), cut(e.IP, 64),
		s.timeArg(e.At))
	if err != nil {
		return fmt.Errorf("store: append audit: %w", mapErr(err))
	}
	if e.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: append audit: %w", mapErr(err))
	}
	return nil
}

// AuditAllAccounts is the accountID that makes [Store.ListAudit] read
// every account's entries (for platform admins).
const AuditAllAccounts int64 = -1

// ListAudit returns up to limit audit entries of account accountID (or of
// every account for [AuditAllAccounts]), newest first, with ids below
// beforeID (0: from the newest). limit is capped at 1000.
func (s *Store) ListAudit(ctx context.Context, accountID, beforeID int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	cond, args := "1 = 1", []any(nil)
	if accountID != AuditAllAccounts {
		cond, args = "account_id = ?", []any{accountID}
	}
	return s.selectAudit(ctx, "list audit", cond, args, beforeID, limit)
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
