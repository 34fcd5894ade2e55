package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// WebhookAttempt records one try at delivering a status callback.
// *WebhookAttempt is a [Row].
type WebhookAttempt struct {
	ID         int64 // set by the database
	MessageID  sms.ID
	AccountID  int64
	URL        string
	Attempt    int // 1 for the first try
	StatusCode int // HTTP status; 0 when no answer came
	// Error says why the attempt failed (stored up to 1,024 bytes); empty
	// on success.
	Error string
	At    time.Time // zero: when written
	// GaveUp marks the last attempt, after which no retry follows.
	GaveUp bool
}

// RecordWebhookAttempt stores a. Busy senders batch attempts through a
// [Writer] instead.
func (s *Store) RecordWebhookAttempt(ctx context.Context, a *WebhookAttempt) error {
	return s.Insert(ctx, a)
}

// WebhookAttempts returns the attempts for message messageID of account
// accountID in the order they were recorded.
func (s *Store) WebhookAttempts(ctx context.Context, accountID int64, messageID sms.ID) ([]WebhookAttempt, error) {
	out, err := s.selectAttempts(ctx,
		"SELECT id, message_id, account_id, url, attempt, status_code, `error`, at, gave_up "+
			"FROM webhook_attempts WHERE message_id = ? AND account_id = ? ORDER BY id",
		s.idArg(messageID), accountID)
	if err != nil {
		return nil, fmt.Errorf("store: webhook attempts: %w", err)
	}
	return out, nil
}
