package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Hook limits.
const (
	// MaxHooksPerAccount bounds the hooks one account may subscribe.
	MaxHooksPerAccount = 50
	// MaxHookURL is the longest hook URL, in bytes (the callback URL's
	// limit, webhook.MaxURLLength).
	MaxHookURL = 2048
	// MaxHookDescription is the longest hook description, in bytes.
	MaxHookDescription = 255
	// maxHookEvents bounds the bytes of a hook's event set as stored.
	maxHookEvents = 255
)

// ErrHookLimit means the account already has [MaxHooksPerAccount] hooks.
var ErrHookLimit = fmt.Errorf("%w: the account has %d hooks, the most allowed", ErrInvalid, MaxHooksPerAccount)

// Hook is an event subscription: URL receives account AccountID's events
// of the types in Events (REST hooks, POST /v1/hooks).
type Hook struct {
	ID        int64 // set by the database
	AccountID int64
	URL       string
	// Events are the event types, each once ("message.status", ...); the
	// store keeps them as given and does not judge the names.
	Events []string
	// Description is the subscriber's note, up to 255 bytes.
	Description string
	CreatedAt   time.Time // zero: when written
}

type hookRow struct {
	ID          int64  `db:"id"`
	AccountID   int64  `db:"account_id"`
	URL         string `db:"url"`
	Events      string `db:"events"`
	Description string `db:"description"`
	CreatedAt   dbTime `db:"created_at"`
}

func (r hookRow) hook() Hook {
	var ev []string
	if r.Events != "" {
		ev = strings.Split(r.Events, ",")
	}
	return Hook{ID: r.ID, AccountID: r.AccountID, URL: r.URL, Events: ev, Description: r.Description, CreatedAt: r.CreatedAt.Time}
}

const hookColumns = "id, account_id, url, events, description, created_at"

// CreateHook stores h and sets its ID and CreatedAt. It returns an error
// wrapping [ErrHookLimit] when the account has MaxHooksPerAccount hooks
// already (counted under a lock on the account's row, so that concurrent
// subscriptions cannot pass the limit), and [ErrInvalid] for a hook that
// cannot be stored: no events, or a URL, event or description too long.
func (s *Store) CreateHook(ctx context.Context, h *Hook) error {
	events := strings.Join(h.Events, ",")
	if h.AccountID == 0 || h.URL == "" || len(h.URL) > MaxHookURL || len(h.Events) == 0 || len(events) > maxHookEvents ||
		len(h.Description) > MaxHookDescription {
		return fmt.Errorf("%w: hook of account %d: url of %d bytes, %d events, description of %d bytes",
			ErrInvalid, h.AccountID, len(h.URL), len(h.Events), len(h.Description))
	}
	if h.CreatedAt.IsZero() {
		h.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	}
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	// Lock the account's row: a writer lock on SQLite, a row lock on
	// MySQL, so that two subscriptions count one after the other.
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET id = id WHERE id = ?", h.AccountID)
	if err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// MySQL counts changed rows, not matched ones: look again.
		var one []int64
		if err := tx.SelectContext(ctx, &one, "SELECT id FROM accounts WHERE id = ?", h.AccountID); err != nil {
			return fmt.Errorf("store: create hook: %w", mapErr(err))
		}
		if len(one) == 0 {
			return fmt.Errorf("store: create hook: account %d: %w", h.AccountID, ErrNotFound)
		}
	}
	var count int
	if err := tx.GetContext(ctx, &count, "SELECT COUNT(*) FROM hooks WHERE account_id = ?", h.AccountID); err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	if count >= MaxHooksPerAccount {
		return fmt.Errorf("store: create hook: %w", ErrHookLimit)
	}
	res, err = tx.ExecContext(ctx,
		"INSERT INTO hooks (account_id, url, events, description, created_at) VALUES (?, ?, ?, ?, ?)",
		h.AccountID, h.URL, events, h.Description, s.timeArg(h.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	if h.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create hook: %w", mapErr(err))
	}
	return nil
}

// ListHooks returns account accountID's hooks, oldest first (at most
// MaxHooksPerAccount).
func (s *Store) ListHooks(ctx context.Context, accountID int64) ([]Hook, error) {
	return s.selectHooks(ctx, "list", "SELECT "+hookColumns+" FROM hooks WHERE account_id = ? ORDER BY id", accountID)
}

// AllHooks returns every account's hooks, by account and id: what the
// event fan-out keeps in memory.
func (s *Store) AllHooks(ctx context.Context) ([]Hook, error) {
	return s.selectHooks(ctx, "all", "SELECT "+hookColumns+" FROM hooks ORDER BY account_id, id")
}

// GetHook returns account accountID's hook id, or [ErrNotFound] (also
// for another account's hook).
func (s *Store) GetHook(ctx context.Context, accountID, id int64) (Hook, error) {
	hs, err := s.selectHooks(ctx, "get", "SELECT "+hookColumns+" FROM hooks WHERE id = ? AND account_id = ?", id, accountID)
	if err != nil {
		return Hook{}, err
	}
	if len(hs) == 0 {
		return Hook{}, fmt.Errorf("store: hook %d: %w", id, ErrNotFound)
	}
	return hs[0], nil
}

// DeleteHook deletes account accountID's hook id, or returns
// [ErrNotFound] (also for another account's hook).
func (s *Store) DeleteHook(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM hooks WHERE id = ? AND account_id = ?", id, accountID)
	if err != nil {
		return fmt.Errorf("store: delete hook: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete hook: %w", mapErr(err))
	}
	if n == 0 {
		return fmt.Errorf("store: hook %d: %w", id, ErrNotFound)
	}
	return nil
}

// selectHooks runs q and returns its hooks; op names the call in errors.
func (s *Store) selectHooks(ctx context.Context, op, q string, args ...any) ([]Hook, error) {
	var rows []hookRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("store: %s hooks: %w", op, mapErr(err))
	}
	out := make([]Hook, len(rows))
	for i, r := range rows {
		out[i] = r.hook()
	}
	return out, nil
}
