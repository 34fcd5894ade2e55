package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store"
)

// The test-only hook: retention periods of seconds, so that the gateway
// purges within a test. Set before any test runs (no race with the
// configurations other tests validate).
func init() { config.MinRetention = time.Second }

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

// TestE2EMessageRetention: a gateway with retention.messages of a few
// seconds purges delivered messages (GET answers 404 afterwards) while
// the usage report keeps counting them, purges the webhook attempts after
// retention.webhook_attempts, and /metrics counts the purge.
func TestE2EMessageRetention(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Retention.Messages, cfg.Retention.Events, cfg.Retention.PurgeInterval = 3*time.Second, 2*time.Second, time.Second
		cfg.Retention.WebhookAttempts = 3 * time.Second
		a := startApp(t, cfg)
		h := newHooks(t)
		cust := a.customer(t, "Acme", noOwnSecret)
		var ids []string
		for i := range 2 {
			s := a.send(t, cust.APIKey, map[string]any{"to": "447700900125", "text": fmt.Sprint("kept in the totals ", i),
				"callback_url": h.URL})
			a.waitStatus(t, cust.APIKey, s.ID, "delivered")
			ids = append(ids, s.ID)
		}
		attempts := func() int {
			t.Helper()
			r := a.do(t, http.MethodGet, "/v1/webhooks/deliveries", cust.APIKey, "")
			if r.status != http.StatusOK {
				t.Fatalf("deliveries: %d %s", r.status, r.body)
			}
			var page struct {
				Items []json.RawMessage `json:"items"`
			}
			r.json(t, &page)
			return len(page.Items)
		}
		eventually(t, "webhook attempts recorded", func() (bool, string) {
			n := attempts()
			return n > 0, fmt.Sprint(n, " attempts")
		})
		day := time.Now().UTC().Truncate(24 * time.Hour)
		usage := func() (messages, delivered int64) {
			t.Helper()
			r := a.do(t, http.MethodGet, "/v1/usage?from="+day.AddDate(0, 0, -1).Format(time.RFC3339)+
				"&until="+day.AddDate(0, 0, 2).Format(time.RFC3339), cust.APIKey, "")
			if r.status != http.StatusOK {
				t.Fatalf("usage: %d %s", r.status, r.body)
			}
			var u struct {
				Total struct {
					Messages  int64 `json:"messages"`
					Delivered int64 `json:"delivered"`
				} `json:"total"`
			}
			r.json(t, &u)
			return u.Total.Messages, u.Total.Delivered
		}
		if m, d := usage(); m != 2 || d != 2 {
			t.Fatalf("usage before the purge: %d messages, %d delivered; want 2 and 2", m, d)
		}
		for _, id := range ids {
			eventually(t, "message "+id+" purged", func() (bool, string) {
				_, r := a.get(t, cust.APIKey, id)
				return r.status == http.StatusNotFound, fmt.Sprintf("GET answers %d", r.status)
			})
		}
		if m, d := usage(); m != 2 || d != 2 {
			t.Fatalf("usage after the purge: %d messages, %d delivered; want 2 and 2 (from the rollups)", m, d)
		}
		eventually(t, "webhook attempts purged", func() (bool, string) {
			n := attempts()
			return n == 0, fmt.Sprint(n, " attempts left")
		})
		if n := scrapeMetric(t, "http://"+a.metricsAddr.String()+"/metrics", "gallant_retention_purged_rows_total"); n < 2 {
			t.Errorf("/metrics counts %v purged rows, want at least the 2 messages", n)
		}
	})
}
