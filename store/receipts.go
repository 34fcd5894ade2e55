package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// HeldReceipt is a delivery receipt kept for an SMPP customer that had no
// receiver or transceiver bind open, until it binds or ExpiresAt passes.
// *HeldReceipt is a [Row], so busy paths can hold receipts through a
// [Writer].
type HeldReceipt struct {
	ID        int64 // set by the database
	AccountID int64
	SystemID  string
	MessageID sms.ID
	// Payload is what to send when the customer binds (the encoded
	// deliver_sm body, say); the store does not look inside.
	Payload   []byte
	ExpiresAt time.Time // required
	CreatedAt time.Time // zero: when written
}

// maxIDsPerDelete bounds the IN list of one DELETE.
const maxIDsPerDelete = 1000

// HoldReceipt stores a receipt for systemID of account accountID until
// expiresAt and returns its id.
func (s *Store) HoldReceipt(ctx context.Context, accountID int64, systemID string, messageID sms.ID, payload []byte, expiresAt time.Time) (int64, error) {
	if expiresAt.IsZero() || systemID == "" {
		return 0, fmt.Errorf("%w: held receipt needs a system_id and an expiry", ErrInvalid)
	}
	if payload == nil {
		payload = []byte{}
	}
	payload = s.seal(payload)
	res, err := s.w.ExecContext(ctx,
		"INSERT INTO held_receipts (account_id, system_id, message_id, payload, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		accountID, systemID, s.idArg(messageID), payload, s.timeArg(expiresAt), s.timeArg(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: hold receipt: %w", mapErr(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: hold receipt: %w", mapErr(err))
	}
	return id, nil
}

// HeldReceipts returns up to limit (1 to 1,000) unexpired receipts held
// for systemID of account accountID, oldest first. Delete them with
// [Store.DeleteHeldReceipts] once delivered.
func (s *Store) HeldReceipts(ctx context.Context, accountID int64, systemID string, limit int) ([]HeldReceipt, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: held receipts limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	var rows []struct {
		ID        int64  `db:"id"`
		AccountID int64  `db:"account_id"`
		SystemID  string `db:"system_id"`
		MessageID dbID   `db:"message_id"`
		Payload   []byte `db:"payload"`
		ExpiresAt dbTime `db:"expires_at"`
		CreatedAt dbTime `db:"created_at"`
	}
	err := s.r.SelectContext(ctx, &rows,
		"SELECT id, account_id, system_id, message_id, payload, expires_at, created_at FROM held_receipts "+
			"WHERE system_id = ? AND account_id = ? AND expires_at > ? ORDER BY id LIMIT ?",
		systemID, accountID, s.timeArg(s.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("store: held receipts: %w", mapErr(err))
	}
	out := make([]HeldReceipt, len(rows))
	for i, r := range rows {
		payload, err := s.keys.Open(r.Payload)
		if err != nil {
			return nil, fmt.Errorf("store: held receipt %d: %w", r.ID, err)
		}
		out[i] = HeldReceipt{ID: r.ID, AccountID: r.AccountID, SystemID: r.SystemID, MessageID: sms.ID(r.MessageID),
			Payload: payload, ExpiresAt: r.ExpiresAt.Time, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// DeleteHeldReceipts deletes the held receipts with the given ids (those
// already gone are ignored) and returns how many it deleted.
func (s *Store) DeleteHeldReceipts(ctx context.Context, ids []int64) (int64, error) {
	n, err := s.execHeldIDs(ctx, "DELETE FROM held_receipts WHERE id IN (", ids)
	if err != nil {
		return n, fmt.Errorf("store: delete held receipts: %w", err)
	}
	return n, nil
}

// execHeldIDs runs stmt, a statement on held_receipts ending in "id IN (",
// with ids written into its list, maxIDsPerDelete at a time, args before
// them, and returns the rows it affected. Instances claiming, deleting and
// releasing held rows, and the writers inserting them, meet InnoDB
// deadlocks under load: a deadlocked statement was rolled back whole and
// runs again, rather than leaving sent rows claimed, to be sent again
// when the claim expires.
func (s *Store) execHeldIDs(ctx context.Context, stmt string, ids []int64, args ...any) (int64, error) {
	var total int64
	q := make([]byte, 0, len(stmt)+min(len(ids), maxIDsPerDelete)*12+1)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxIDsPerDelete)]
		ids = ids[len(chunk):]
		q = append(q[:0], stmt...)
		for i, id := range chunk {
			if i > 0 {
				q = append(q, ',')
			}
			q = strconv.AppendInt(q, id, 10)
		}
		q = append(q, ')')
		var res sql.Result
		err := retryLockConflicts(ctx, func() (err error) {
			res, err = s.w.ExecContext(ctx, string(q), args...)
			return err
		})
		if err != nil {
			return total, mapErr(err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, mapErr(err)
		}
		total += n
	}
	return total, nil
}

// ExpireHeldReceipts deletes the receipts that expired at or before now
// and returns how many.
func (s *Store) ExpireHeldReceipts(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, "DELETE FROM held_receipts WHERE expires_at <= ?", s.timeArg(now))
	if err != nil {
		return 0, fmt.Errorf("store: expire held receipts: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: expire held receipts: %w", mapErr(err))
	}
	return n, nil
}

// maxHeldClaimTTL bounds a claim's ttl: a claim outlives the flush that
// took it only when its instance died, and then its rows wait that long.
const maxHeldClaimTTL = 10 * time.Minute

// ClaimHeldReceipts claims up to limit (1 to 1,000) unexpired rows held
// for systemID of account accountID that no live claim holds, oldest
// first, under token until ttl from now, and returns them. token must be
// new for every claim (the rows are read back by it). Two claimers
// never get the same row while its claim lasts: on MySQL the UPDATE locks
// each row it claims, and a concurrent claimer re-reads it claimed; on
// SQLite writes are serial. The claimer deletes what it delivered
// ([Store.DeleteHeldReceipts]) and releases the rest
// ([Store.ReleaseHeldReceipts]); rows of a claimer that died are claimed
// again once ttl passed (and sent again: the store cannot tell whether
// the customer had them).
func (s *Store) ClaimHeldReceipts(ctx context.Context, accountID int64, systemID, token string, ttl time.Duration, limit int) ([]HeldReceipt, error) {
	if limit < 1 || limit > maxListLimit {
		return nil, fmt.Errorf("%w: held receipts limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	if token == "" || len(token) > 64 || ttl <= 0 || ttl > maxHeldClaimTTL {
		return nil, fmt.Errorf("%w: held receipt claim needs a token of 1 to 64 characters and a ttl up to %v", ErrInvalid, maxHeldClaimTTL)
	}
	now := s.now()
	const free = "system_id = ? AND account_id = ? AND expires_at > ? AND (claim_until IS NULL OR claim_until <= ?)"
	args := []any{token, s.timeArg(now.Add(ttl)), systemID, accountID, s.timeArg(now), s.timeArg(now), limit}
	q := "UPDATE held_receipts SET claim_token = ?, claim_until = ? WHERE " + free + " ORDER BY id LIMIT ?"
	if s.d == dialectSQLite {
		// SQLite's UPDATE takes no LIMIT (unless built with it).
		q = "UPDATE held_receipts SET claim_token = ?, claim_until = ? WHERE id IN (SELECT id FROM held_receipts WHERE " +
			free + " ORDER BY id LIMIT ?)"
	}
	var res sql.Result
	err := retryLockConflicts(ctx, func() (err error) {
		res, err = s.w.ExecContext(ctx, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim held receipts: %w", mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return nil, fmt.Errorf("store: claim held receipts: %w", mapErr(err))
		}
		return nil, nil
	}
	var rows []struct {
		ID        int64  `db:"id"`
		MessageID dbID   `db:"message_id"`
		Payload   []byte `db:"payload"`
		ExpiresAt dbTime `db:"expires_at"`
		CreatedAt dbTime `db:"created_at"`
	}
	// From the writing connection: the claim was just committed there.
	err = s.w.SelectContext(ctx, &rows,
		"SELECT id, message_id, payload, expires_at, created_at FROM held_receipts "+
			"WHERE system_id = ? AND account_id = ? AND claim_token = ? ORDER BY id LIMIT ?",
		systemID, accountID, token, limit)
	if err != nil {
		return nil, fmt.Errorf("store: claimed held receipts: %w", mapErr(err))
	}
	out := make([]HeldReceipt, len(rows))
	for i, r := range rows {
		payload, err := s.keys.Open(r.Payload)
		if err != nil {
			return nil, fmt.Errorf("store: held receipt %d: %w", r.ID, err)
		}
		out[i] = HeldReceipt{ID: r.ID, AccountID: accountID, SystemID: systemID, MessageID: sms.ID(r.MessageID),
			Payload: payload, ExpiresAt: r.ExpiresAt.Time, CreatedAt: r.CreatedAt.Time}
	}
	return out, nil
}

// ReleaseHeldReceipts hands back the claim token holds on the rows with
// the given ids (those not sent, or not taken by the customer), so the
// next flush, on any instance, claims them at once. Rows another claim
// holds are left alone.
func (s *Store) ReleaseHeldReceipts(ctx context.Context, token string, ids []int64) (int64, error) {
	n, err := s.execHeldIDs(ctx, "UPDATE held_receipts SET claim_token = NULL, claim_until = NULL WHERE claim_token = ? AND id IN (", ids, token)
	if err != nil {
		return n, fmt.Errorf("store: release held receipts: %w", err)
	}
	return n, nil
}

// HeldOwner is a customer with rows held for it: a system_id of an
// account (or the account's MO holder), how many unexpired rows no live
// claim holds, and the highest of their ids.
type HeldOwner struct {
	AccountID int64  `db:"account_id"`
	SystemID  string `db:"system_id"`
	Rows      int64  `db:"n"`
	MaxID     int64  `db:"max_id"`
}

// maxHeldOwnerArgs bounds each list of [Store.HeldOwners].
const maxHeldOwnerArgs = 1000

// HeldOwners returns, in one indexed query, which of systemIDs of
// accountIDs have unexpired rows held that no live claim holds: every
// (system_id, account_id) of the two lists (1 to 1,000 each) is looked
// up in held_receipts_owner, and only those with rows are returned.
// An instance asks it for the customers bound on it, to learn of rows
// another instance held for them.
func (s *Store) HeldOwners(ctx context.Context, systemIDs []string, accountIDs []int64) ([]HeldOwner, error) {
	if len(systemIDs) == 0 || len(accountIDs) == 0 {
		return nil, nil
	}
	if len(systemIDs) > maxHeldOwnerArgs || len(accountIDs) > maxHeldOwnerArgs {
		return nil, fmt.Errorf("%w: held owners of %d system_ids and %d accounts: at most %d each",
			ErrInvalid, len(systemIDs), len(accountIDs), maxHeldOwnerArgs)
	}
	q := make([]byte, 0, 256+len(systemIDs)*2+len(accountIDs)*12)
	q = append(q, "SELECT system_id, account_id, COUNT(*) AS n, MAX(id) AS max_id FROM held_receipts WHERE system_id IN ("...)
	args := make([]any, 0, len(systemIDs)+2)
	for i, id := range systemIDs {
		if i > 0 {
			q = append(q, ',')
		}
		q = append(q, '?')
		args = append(args, id)
	}
	q = append(q, ") AND account_id IN ("...)
	for i, id := range accountIDs {
		if i > 0 {
			q = append(q, ',')
		}
		q = strconv.AppendInt(q, id, 10)
	}
	now := s.timeArg(s.now())
	q = append(q, ") AND expires_at > ? AND (claim_until IS NULL OR claim_until <= ?) GROUP BY system_id, account_id"...)
	args = append(args, now, now)
	var out []HeldOwner
	if err := s.r.SelectContext(ctx, &out, string(q), args...); err != nil {
		return nil, fmt.Errorf("store: held owners: %w", mapErr(err))
	}
	return out, nil
}
