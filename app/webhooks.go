package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// DeliveryFilter selects the webhook delivery attempts of
// [Accounts.Deliveries].
type DeliveryFilter struct {
	// AccountID is the account whose attempts are listed; 0 is the
	// caller's own. A reseller or an admin may name an account it
	// manages.
	AccountID int64
	// MessageID keeps the attempts for one message; zero keeps all.
	MessageID sms.ID
	// Cursor is empty for the newest attempts, then the next_cursor of
	// the previous page.
	Cursor string
	// Limit is the page size.
	Limit int
}

// DeliveryItem is one attempt at delivering a status callback.
type DeliveryItem struct {
	ID         int64  `json:"id,string"`
	MessageID  sms.ID `json:"message_id,string"`
	URL        string `json:"url"`
	Attempt    int    `json:"attempt"`
	StatusCode int    `json:"status_code"` // 0: no HTTP answer came
	// Error says why the attempt failed; empty on success.
	Error string    `json:"error"`
	At    time.Time `json:"at"`
	// GaveUp marks the last attempt, after which no retry follows.
	GaveUp bool `json:"gave_up"`
}

// DeliveryPage is a page of webhook delivery attempts, newest first.
type DeliveryPage struct {
	Items      []DeliveryItem `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// WebhookSecretView is the answer of a webhook secret rotation: the new
// secret, shown this once.
type WebhookSecretView struct {
	AccountID     int64  `json:"account_id,string"`
	WebhookSecret string `json:"webhook_secret"`
}

// Deliveries returns a page of the webhook delivery attempts of the
// account f names (the caller's own by default), newest first. An
// account p may not read is answered as unknown.
func (s *Accounts) Deliveries(ctx context.Context, p Principal, f DeliveryFilter) (DeliveryPage, error) {
	id := f.AccountID
	if id == 0 {
		id = p.AccountID
	}
	if id != p.AccountID {
		if _, err := s.visible(ctx, p, id); err != nil {
			return DeliveryPage{}, err
		}
	}
	var before int64
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return DeliveryPage{}, Invalid("cursor", "is not a cursor this API gave")
		}
		before = n
	}
	rows, err := s.st.ListWebhookAttempts(ctx, id, store.DeliveryFilter{MessageID: f.MessageID, Before: before, Limit: f.Limit})
	if err != nil {
		return DeliveryPage{}, fmt.Errorf("app: webhook deliveries: %w", err)
	}
	page := DeliveryPage{Items: make([]DeliveryItem, len(rows))}
	for i, r := range rows {
		page.Items[i] = DeliveryItem{ID: r.ID, MessageID: r.MessageID, URL: r.URL, Attempt: r.Attempt,
			StatusCode: r.StatusCode, Error: r.Error, At: r.At, GaveUp: r.GaveUp}
	}
	if f.Limit > 0 && len(rows) == f.Limit {
		page.NextCursor = strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	return page, nil
}

// RotateWebhookSecret gives account id a new webhook secret, with the
// rights of changing its webhook URL, and returns it once. The audit log
// records the rotation, never the secret. This instance signs with the
// new secret at once, others within 30 seconds (see
// account.Service.RotateWebhookSecret).
func (s *Accounts) RotateWebhookSecret(ctx context.Context, p Principal, id int64, ip string) (WebhookSecretView, error) {
	if _, err := s.visible(ctx, p, id); err != nil {
		return WebhookSecretView{}, err
	}
	if err := s.may(ctx, p, account.ActionManage, id, "change this account's settings"); err != nil {
		return WebhookSecretView{}, err
	}
	secret, err := s.acc.RotateWebhookSecret(ctx, id)
	if err != nil {
		return WebhookSecretView{}, err
	}
	s.audit(ctx, p, id, "account.webhook_secret_rotate", fmt.Sprintf("account:%d", id), "", ip)
	return WebhookSecretView{AccountID: id, WebhookSecret: secret}, nil
}
