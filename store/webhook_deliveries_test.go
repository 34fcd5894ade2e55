package store

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestListWebhookAttempts: an account's attempts come newest first, page
// by page through the cursor, filtered by message, never another
// account's; a bad limit is refused.
func TestListWebhookAttempts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		for i := range 5 {
			acct := int64(1)
			if i == 2 {
				acct = 2
			}
			a := &WebhookAttempt{MessageID: sms.ID(1<<63 + uint64(i%2)), AccountID: acct, URL: "https://h.example/cb",
				Attempt: i + 1, StatusCode: 200 + i, At: at.Add(time.Duration(i) * time.Second), GaveUp: i == 4}
			if err := s.RecordWebhookAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		first, err := s.ListWebhookAttempts(ctx, 1, DeliveryFilter{Limit: 2})
		if err != nil || len(first) != 2 {
			t.Fatalf("first page = %+v, %v", first, err)
		}
		if first[0].Attempt != 5 || first[1].Attempt != 4 || !first[0].GaveUp || first[0].StatusCode != 204 ||
			!first[0].At.Equal(at.Add(4*time.Second)) || first[0].MessageID != sms.ID(1<<63) {
			t.Fatalf("first page = %+v", first)
		}
		rest, err := s.ListWebhookAttempts(ctx, 1, DeliveryFilter{Before: first[1].ID, Limit: 10})
		if err != nil || len(rest) != 2 || rest[0].Attempt != 2 || rest[1].Attempt != 1 {
			t.Fatalf("second page = %+v, %v", rest, err)
		}
		odd, err := s.ListWebhookAttempts(ctx, 1, DeliveryFilter{MessageID: sms.ID(1<<63 + 1)})
		if err != nil || len(odd) != 2 || odd[0].Attempt != 4 || odd[1].Attempt != 2 {
			t.Fatalf("message filter = %+v, %v", odd, err)
		}
		other, err := s.ListWebhookAttempts(ctx, 2, DeliveryFilter{})
		if err != nil || len(other) != 1 || other[0].Attempt != 3 {
			t.Fatalf("account 2 = %+v, %v", other, err)
		}
		if _, err := s.ListWebhookAttempts(ctx, 1, DeliveryFilter{Limit: 1001}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("limit 1001: %v", err)
		}
	})
}
