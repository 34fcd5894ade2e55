package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// TestE2EIdempotencyRetention: an Idempotency-Key replays its first answer
// within retention.idempotency_keys; after it the same key sends again
// (the stored answer counts as gone), and a key never used again is
// purged from the store.
func TestE2EIdempotencyRetention(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Retention.IdempotencyKeys = 2 * time.Second
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", noOwnSecret)

		post := func(key, text string) sent {
			t.Helper()
			r := a.do(t, http.MethodPost, "/v1/messages", cust.APIKey, `{"to":"447700900124","text":"`+text+`"}`,
				"Idempotency-Key", key)
			if r.status != http.StatusAccepted {
				t.Fatalf("POST with key %s: %d %s", key, r.status, r.body)
			}
			var s sent
			r.json(t, &s)
			return s
		}
		first := post("again", "reused")
		post("once", "used once")
		if replay := post("again", "reused"); replay.ID != first.ID {
			t.Fatalf("a retry within retention sent again: ids %s then %s", first.ID, replay.ID)
		}
		eventually(t, "the key to expire", func() (bool, string) {
			again := post("again", "reused")
			return again.ID != first.ID, "still replaying " + first.ID
		})
		eventually(t, "the unused key to be purged", func() (bool, string) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := a.st.GetIdempotent(ctx, cust.AccountID, "once")
			return errors.Is(err, store.ErrNotFound), fmt.Sprintf("the record is still there (%v)", err)
		})
	})
}
