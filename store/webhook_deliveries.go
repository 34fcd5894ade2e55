package store

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/sms"
)

// DeliveryFilter selects webhook attempts for [Store.ListWebhookAttempts].
type DeliveryFilter struct {
	// MessageID keeps the attempts for this message; zero keeps all.
	MessageID sms.ID
	// Before is the cursor: zero for the newest attempts, then the id of
	// the last attempt of the previous page.
	Before int64
	// Limit is the page size, 1 to 1,000; zero means 100.
	Limit int
}

// ListWebhookAttempts returns a page of account accountID's webhook
// delivery attempts matching f, newest first. The index
// webhook_attempts_account (account_id, id) serves it without a scan.
func (s *Store) ListWebhookAttempts(ctx context.Context, accountID int64, f DeliveryFilter) ([]WebhookAttempt, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT id, message_id, account_id, url, attempt, status_code, `error`, at, gave_up " +
		"FROM webhook_attempts WHERE account_id = ?"
	args := []any{accountID}
	if f.MessageID != 0 {
		q += " AND message_id = ?"
		args = append(args, s.idArg(f.MessageID))
	}
	if f.Before > 0 {
		q += " AND id < ?"
		args = append(args, f.Before)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	out, err := s.selectAttempts(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list webhook attempts: %w", err)
	}
	return out, nil
}

// attemptRow is a webhook_attempts row as read.
type attemptRow struct {
	ID         int64  `db:"id"`
	MessageID  dbID   `db:"message_id"`
	AccountID  int64  `db:"account_id"`
	URL        string `db:"url"`
	Attempt    int    `db:"attempt"`
	StatusCode int    `db:"status_code"`
	Error      string `db:"error"`
	At         dbTime `db:"at"`
	GaveUp     bool   `db:"gave_up"`
}

// selectAttempts runs q, which selects every column of webhook_attempts.
func (s *Store) selectAttempts(ctx context.Context, q string, args ...any) ([]WebhookAttempt, error) {
	var rows []attemptRow
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, mapErr(err)
	}
	out := make([]WebhookAttempt, len(rows))
	for i, r := range rows {
		out[i] = WebhookAttempt{ID: r.ID, MessageID: sms.ID(r.MessageID), AccountID: r.AccountID, URL: r.URL,
			Attempt: r.Attempt, StatusCode: r.StatusCode, Error: r.Error, At: r.At.Time, GaveUp: r.GaveUp}
	}
	return out, nil
}
