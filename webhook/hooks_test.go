package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

// hookSource is a Load whose hooks a test changes.
type hookSource struct {
	mu   sync.Mutex
	subs []Subscription
}

func (s *hookSource) load(context.Context) ([]Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Subscription(nil), s.subs...), nil
}

func (s *hookSource) set(subs ...Subscription) {
	s.mu.Lock()
	s.subs = subs
	s.mu.Unlock()
}

func secretOf(_ context.Context, account int64) (string, error) {
	return "whsec_" + string(rune('0'+account)), nil
}

// TestHookEventNames: every event type has a name that parses back to it.
func TestHookEventNames(t *testing.T) {
	names := HookEventNames()
	if len(names) != 6 || names[0] != "message.status" || names[5] != "balance.low" {
		t.Fatalf("names = %v", names)
	}
	for _, n := range names {
		e, ok := ParseHookEvent(n)
		if !ok || e.String() != n {
			t.Fatalf("%s parses to %v (%s), %v", n, e, e, ok)
		}
	}
	if _, ok := ParseHookEvent("message.sent"); ok {
		t.Fatal("an unknown event parsed")
	}
	if (HookMessageStatus | HookBalanceLow).String() != "" {
		t.Fatal("a set of two has a name")
	}
}

// TestHooksPublish: an event goes, signed with its account's secret and
// in the envelope, to each of the account's hooks subscribed to it and to
// no other; a reload drops a removed hook; a nil Hooks wants nothing.
func TestHooksPublish(t *testing.T) {
	rc := newReceiver(t, always(http.StatusOK))
	rec := newFakeRecorder()
	d, _ := newTestDispatcher(t, fast(), rec)
	src := &hookSource{}
	src.set(
		Subscription{ID: 1, AccountID: 1, URL: rc.URL + "/a", Events: HookContactCreated | HookMessageStatus},
		Subscription{ID: 2, AccountID: 1, URL: rc.URL + "/b", Events: HookContactCreated},
		Subscription{ID: 3, AccountID: 1, URL: rc.URL + "/c", Events: HookBalanceLow},
		Subscription{ID: 4, AccountID: 2, URL: rc.URL + "/d", Events: HookContactCreated},
	)
	h, err := NewHooks(HooksConfig{Load: src.load, Secret: secretOf, TTL: time.Hour}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(context.Background())
	defer h.Stop()
	if !h.Wants(1, HookContactCreated) || !h.Wants(1, HookBalanceLow) || h.Wants(1, HookMessageInbound) || h.Wants(3, HookContactCreated) {
		t.Fatal("Wants does not match the subscriptions")
	}
	if n := h.Publish(1, HookContactCreated, 0, "", map[string]string{"phone": "447700900123"}); n != 2 {
		t.Fatalf("queued %d deliveries, want 2", n)
	}
	rec.waitFor(t, "two deliveries", func(as []Attempt) bool { return finished(as) == 2 })
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	var ids []string
	for _, r := range reqs {
		if err := Verify("whsec_1", r.header.Get(SignatureHeader), r.body, time.Now(), 0); err != nil {
			t.Fatalf("signature: %v", err)
		}
		var env struct {
			ID        string            `json:"id"`
			Type      string            `json:"type"`
			CreatedAt time.Time         `json:"created_at"`
			Data      map[string]string `json:"data"`
		}
		if err := json.Unmarshal(r.body, &env); err != nil || env.Type != "contact.created" || len(env.ID) != 32 ||
			env.CreatedAt.IsZero() || env.Data["phone"] != "447700900123" {
			t.Fatalf("envelope %s: %v", r.body, err)
		}
		ids = append(ids, env.ID)
	}
	if ids[0] != ids[1] {
		t.Fatalf("one event, two ids: %v", ids)
	}
	// Hook 2 removed: after a reload only hook 1 gets the event.
	src.set(Subscription{ID: 1, AccountID: 1, URL: rc.URL + "/a", Events: HookContactCreated})
	if err := h.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.Wants(1, HookBalanceLow) || h.Publish(1, HookContactCreated, 0, "e2", struct{}{}) != 1 || h.Publish(2, HookContactCreated, 0, "", nil) != 0 {
		t.Fatal("a removed hook still gets events")
	}
	var nilHooks *Hooks
	if nilHooks.Wants(1, HookMessageStatus) || nilHooks.Publish(1, HookMessageStatus, 0, "", nil) != 0 {
		t.Fatal("a nil Hooks wants events")
	}
}

// TestHooksWantsAllocs: the check every event source makes first
// allocates nothing, for an account with hooks or without.
func TestHooksWantsAllocs(t *testing.T) {
	d, _ := newTestDispatcher(t, fast(), nil)
	src := &hookSource{}
	src.set(Subscription{ID: 1, AccountID: 1, URL: "http://127.0.0.1:1/", Events: HookMessageInbound})
	h, err := NewHooks(HooksConfig{Load: src.load, Secret: secretOf}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = h.Wants(2, HookMessageStatus) || h.Wants(1, HookMessageStatus) }); n != 0 {
		t.Fatalf("Wants allocates %v times", n)
	}
}

// BenchmarkHooksWantsNone is the cost the message status path pays for
// an account without hooks.
func BenchmarkHooksWantsNone(b *testing.B) {
	d, err := New(fast(), nil, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	src := &hookSource{}
	src.set(Subscription{ID: 1, AccountID: 1, URL: "http://127.0.0.1:1/", Events: HookMessageInbound})
	h, err := NewHooks(HooksConfig{Load: src.load, Secret: secretOf}, d, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if h.Wants(2, HookMessageStatus) {
			b.Fatal("wants")
		}
	}
}
