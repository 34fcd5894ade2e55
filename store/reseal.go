package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// sealedColumn is a column whose values are sealed at rest.
type sealedColumn struct {
	table, column string
	text          bool // sealed text (SealText), else sealed bytes
	byName        bool // rows are keyed by a text column name, else by an integer id
}

// sealedColumns are every column the store seals (see [Keyring]).
var sealedColumns = []sealedColumn{
	{table: "messages", column: "body"},
	{table: "mo_messages", column: "body"},
	{table: "held_receipts", column: "payload"},
	{table: "webhook_outbox", column: "body"},
	{table: "accounts", column: "webhook_secret", text: true},
	{table: "carrier_configs", column: "password", text: true, byName: true},
	{table: "privacy_keys", column: "salt"},
}

// ResealProgress is what [Store.Reseal] did to one table so far.
type ResealProgress struct {
	Table    string
	Read     int64 // rows looked at
	Resealed int64 // rows sealed again under the current key (or for the first time)
}

// ErrNoKeys means the store has no key to seal with.
var ErrNoKeys = errors.New("store: no secrets key configured (secrets.key or GALLANT_SECRETS_KEY)")

// Reseal seals again, under the current key, every sealed column's value
// that another key sealed or that was stored in clear (rows written before
// a key was configured), so that the old key can then be dropped. It
// walks each table by its key (id, or a carrier's name) in batches of
// batch rows (1 to 10,000), one short transaction each, pausing pause between batches so that a
// serving gateway's writer is not starved, and calls progress (if not
// nil) after each batch. A value changed meanwhile (a replaced message)
// is left as its writer sealed it: each update applies only if the value
// is still the one read. It may run while gateways serve, and again after
// an interruption: what is done is not redone. Values sealed under a key
// the store lacks stop it with [ErrUnknownKey].
func (s *Store) Reseal(ctx context.Context, batch int, pause time.Duration, progress func(ResealProgress)) ([]ResealProgress, error) {
	if s.keys == nil {
		return nil, ErrNoKeys
	}
	if batch < 1 || batch > 10_000 {
		return nil, fmt.Errorf("%w: reseal batch %d not in 1..10000", ErrInvalid, batch)
	}
	var out []ResealProgress
	for _, c := range sealedColumns {
		p, err := s.resealColumn(ctx, c, batch, pause, progress)
		out = append(out, p)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// resealColumn is [Store.Reseal] for one column.
func (s *Store) resealColumn(ctx context.Context, c sealedColumn, batch int, pause time.Duration, progress func(ResealProgress)) (ResealProgress, error) {
	p := ResealProgress{Table: c.table}
	key := "id"
	if c.byName {
		key = "name"
	}
	sel := "SELECT " + key + ", " + c.column + " AS v FROM " + c.table
	upd := "UPDATE " + c.table + " SET " + c.column + " = ? WHERE " + key + " = ? AND " + c.column + " = ?"
	var after any // the last key read: nil before the first batch
	for {
		q, args := sel+" ORDER BY "+key+" LIMIT ?", []any{batch}
		if after != nil {
			q, args = sel+" WHERE "+key+" > ? ORDER BY "+key+" LIMIT ?", []any{after, batch}
		}
		var rows []struct {
			ID    dbID   `db:"id"`
			Name  string `db:"name"`
			Value []byte `db:"v"`
		}
		if err := s.w.SelectContext(ctx, &rows, q, args...); err != nil {
			return p, fmt.Errorf("store: reseal %s: %w", c.table, mapErr(err))
		}
		if len(rows) == 0 {
			return p, nil
		}
		rowKey := func(i int) (arg any, name string) {
			if c.byName {
				return rows[i].Name, fmt.Sprintf("%q", rows[i].Name)
			}
			return s.idArg(sms.ID(rows[i].ID)), sms.ID(rows[i].ID).String()
		}
		after, _ = rowKey(len(rows) - 1)
		tx, err := s.w.BeginTxx(ctx, nil)
		if err != nil {
			return p, fmt.Errorf("store: reseal %s: %w", c.table, mapErr(err))
		}
		for i, r := range rows {
			p.Read++
			arg, name := rowKey(i)
			next, again, err := s.resealValue(r.Value, c.text)
			if err != nil {
				tx.Rollback()
				return p, fmt.Errorf("store: reseal %s %s: %w", c.table, name, err)
			}
			if !again {
				continue
			}
			old := any(r.Value)
			if c.text {
				old = string(r.Value)
			}
			res, err := tx.ExecContext(ctx, upd, next, arg, old)
			if err != nil {
				tx.Rollback()
				return p, fmt.Errorf("store: reseal %s: %w", c.table, mapErr(err))
			}
			if n, _ := res.RowsAffected(); n == 1 {
				p.Resealed++
			}
		}
		if err := tx.Commit(); err != nil {
			return p, fmt.Errorf("store: reseal %s: %w", c.table, mapErr(err))
		}
		if progress != nil {
			progress(p)
		}
		if len(rows) < batch {
			return p, nil
		}
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return p, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// resealValue returns v sealed under the current key, and whether that
// is a change: false for an empty value and for one the current key
// sealed already.
func (s *Store) resealValue(v []byte, text bool) (any, bool, error) {
	if len(v) == 0 {
		return nil, false, nil
	}
	if text {
		if id, ok := TextKeyOf(string(v)); ok && id == s.keys.current {
			return nil, false, nil
		}
		plain, err := s.keys.OpenText(string(v))
		if err != nil {
			return nil, false, err
		}
		return s.keys.SealText(plain), true, nil
	}
	if id, ok := KeyOf(v); ok && id == s.keys.current {
		return nil, false, nil
	}
	plain, err := s.keys.Open(v)
	if err != nil {
		return nil, false, err
	}
	return s.keys.Seal(plain), true, nil
}
