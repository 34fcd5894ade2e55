package store

import (
	"context"
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
	var total int64
	q := make([]byte, 0, 64+min(len(ids), maxIDsPerDelete)*12)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), maxIDsPerDelete)]
		ids = ids[len(chunk):]
		q = append(q[:0], "DELETE FROM held_receipts WHERE id IN ("...)
		for i, id := range chunk {
			if i > 0 {
				q = append(q, ',')
			}
			q = strconv.AppendInt(q, id, 10)
		}
		q = append(q, ')')
		res, err := s.w.ExecContext(ctx, string(q))
		if err != nil {
			return total, fmt.Errorf("store: delete held receipts: %w", mapErr(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("store: delete held receipts: %w", mapErr(err))
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
