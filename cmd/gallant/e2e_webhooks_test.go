package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

// stallingHooks receives webhooks. While stalled it takes requests and
// never answers them (until the client gives up); then it answers 204
// and counts each event.
type stallingHooks struct {
	*httptest.Server
	mu      sync.Mutex
	stalled bool
	hanging int            // requests taken while stalled
	got     map[string]int // answered: event_id -> times
	status  map[string]map[string]bool
	signed  []signedBody // answered
}

// signedBody is a webhook body and its X-Gallant-Signature.
type signedBody struct {
	body []byte
	sig  string
}

func newStallingHooks(t testing.TB) *stallingHooks {
	h := &stallingHooks{stalled: true, got: map[string]int{}, status: map[string]map[string]bool{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var ev webhook.Event
		if err == nil {
			err = json.Unmarshal(body, &ev)
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		if h.stalled {
			h.hanging++
			h.mu.Unlock()
			<-r.Context().Done()
			return
		}
		h.got[ev.EventID]++
		h.signed = append(h.signed, signedBody{body: body, sig: r.Header.Get(webhook.SignatureHeader)})
		if h.status[ev.ID.String()] == nil {
			h.status[ev.ID.String()] = map[string]bool{}
		}
		h.status[ev.ID.String()][ev.Status.String()] = true
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

// gaugeSum returns the sum of the values of gauge name in reg.
func gaugeSum(t testing.TB, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestE2EWebhooksSurviveRestart: status webhooks pending when serve shuts
// down (two posts hanging at a receiver that does not answer, the rest
// waiting for it) are written to the store's outbox, and the next start
// on the same store delivers each exactly once, with the account's
// secret; the outbox ends empty.
func TestE2EWebhooksSurviveRestart(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Webhooks.HostConcurrency = 2
		hooks := newStallingHooks(t)
		a1 := startApp(t, cfg)
		cust := a1.customer(t, "Acme", "")

		const n = 15 // two events each: submitted, delivered
		ids := map[string]bool{}
		for i := range n {
			s := a1.send(t, cust.APIKey, map[string]any{"to": fmt.Sprintf("4477009%05d", i), "text": "hello",
				"callback_url": hooks.URL + "/hook"})
			ids[s.ID] = true
		}
		for id := range ids {
			a1.waitStatus(t, cust.APIKey, id, "delivered")
		}
		eventually(t, "every webhook pending, two hanging", func() (bool, string) {
			p := gaugeSum(t, a1.reg, "gallant_webhook_pending")
			hooks.mu.Lock()
			hanging := hooks.hanging
			hooks.mu.Unlock()
			return p == 2*n && hanging == 2, fmt.Sprintf("%v pending, %d hanging", p, hanging)
		})
		a1.stop()

		st := storetest.OpenConfig(t, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
		if size, err := st.WebhookOutboxSize(ctx); err != nil || size != 2*n {
			t.Fatalf("outbox holds %d, %v after shutdown; want %d", size, err, 2*n)
		}

		hooks.mu.Lock()
		hooks.stalled = false
		hooks.mu.Unlock()
		a2 := startApp(t, cfg)
		eventually(t, "every webhook after the restart", func() (bool, string) {
			hooks.mu.Lock()
			defer hooks.mu.Unlock()
			return len(hooks.got) == 2*n, fmt.Sprintf("%d of %d", len(hooks.got), 2*n)
		})
		eventually(t, "the outbox emptied", func() (bool, string) {
			size, err := a2.st.WebhookOutboxSize(ctx)
			return err == nil && size == 0, fmt.Sprint(size, err)
		})
		hooks.mu.Lock()
		defer hooks.mu.Unlock()
		for ev, times := range hooks.got {
			if times != 1 {
				t.Errorf("event %s delivered %d times, want once", ev, times)
			}
		}
		for id := range ids {
			if st := hooks.status[id]; !st["submitted"] || !st["delivered"] {
				t.Errorf("message %s: webhooks for %v, want submitted and delivered", id, st)
			}
		}
		// The outbox keeps no secret: the account's is looked up again.
		for _, sb := range hooks.signed {
			if err := webhook.Verify(cust.WebhookSecret, sb.sig, sb.body, time.Now(), 0); err != nil {
				t.Errorf("resumed webhook signature: %v", err)
			}
		}
	})
}
