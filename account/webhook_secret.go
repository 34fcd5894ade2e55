package account

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/store"
)

// newWebhookSecret returns a fresh secret for signing an account's status
// callbacks: "whsec_" and 32 random letters and digits.
func newWebhookSecret() string { return "whsec_" + randomString(32, alnum) }

// RotateWebhookSecret gives account id a new webhook secret, stores it and
// returns it (the caller shows it once). Callbacks queued on this
// instance from then on are signed with it at once, as the cached row is
// dropped, and so are those resumed from the outbox (their secret is read
// from the store). Other instances sign with the old secret until their
// cached row expires (cacheTTL, 30 seconds); a callback already queued in
// memory keeps the secret it was queued with for its retries. The caller
// checks the right to do it and writes the audit entry.
func (s *Service) RotateWebhookSecret(ctx context.Context, id int64) (string, error) {
	secret := newWebhookSecret()
	if err := s.UpdateAccount(ctx, id, store.AccountUpdate{WebhookSecret: &secret}); err != nil {
		return "", fmt.Errorf("account: rotate webhook secret: %w", err)
	}
	return secret, nil
}
