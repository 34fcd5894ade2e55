package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// TestHooksUseCase: subscribing checks the caller's rights, the URL (a
// private address is an invalid-url refusal), the events (known, at
// least one, kept once each in a fixed order), and the account's limit;
// hooks are read and removed only by their own account.
func TestHooksUseCase(t *testing.T) {
	if store.MaxHookURL != gateway.MaxCallbackURL {
		t.Fatalf("the hooks column holds %d bytes, a callback URL may have %d", store.MaxHookURL, gateway.MaxCallbackURL)
	}
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "")
		ctx := context.Background()
		shop, err := f.acc.CreateAccount(ctx, "Shop")
		if err != nil {
			t.Fatal(err)
		}
		cafe, err := f.acc.CreateAccount(ctx, "Cafe")
		if err != nil {
			t.Fatal(err)
		}
		owner := Principal{AccountID: shop.AccountID, Role: RoleOwner, CanSend: true}
		member := Principal{AccountID: shop.AccountID, Role: RoleMember}
		unverified := Principal{AccountID: shop.AccountID, Role: RoleOwner, CanSend: true, Unverified: true}
		stranger := Principal{AccountID: cafe.AccountID, Role: RoleOwner, CanSend: true}
		hooks := f.app.Hooks
		const public = "https://93.184.216.34/hook"
		for _, c := range []struct {
			name string
			p    Principal
			in   HookInput
			want Kind
		}{
			{"a member who may not send", member, HookInput{URL: public, Events: []string{"message.inbound"}}, KindForbidden},
			{"an unverified user", unverified, HookInput{URL: public, Events: []string{"message.inbound"}}, KindEmailUnverified},
			{"loopback", owner, HookInput{URL: "http://127.0.0.1:8080/hook", Events: []string{"message.inbound"}}, KindInvalidURL},
			{"a private network", owner, HookInput{URL: "http://10.1.2.3/hook", Events: []string{"message.inbound"}}, KindInvalidURL},
			{"localhost", owner, HookInput{URL: "http://localhost/hook", Events: []string{"message.inbound"}}, KindInvalidURL},
			{"no URL", owner, HookInput{Events: []string{"message.inbound"}}, KindInvalid},
			{"a long URL", owner, HookInput{URL: public + "/" + strings.Repeat("a", gateway.MaxCallbackURL), Events: []string{"message.inbound"}}, KindInvalid},
			{"no events", owner, HookInput{URL: public}, KindInvalid},
			{"an unknown event", owner, HookInput{URL: public, Events: []string{"message.inbound", "message.sent"}}, KindInvalid},
			{"a long description", owner, HookInput{URL: public, Events: []string{"balance.low"}, Description: strings.Repeat("d", 256)}, KindInvalid},
		} {
			if _, err := hooks.Create(ctx, c.p, c.in); KindOf(err) != c.want {
				t.Errorf("%s: %v, want kind %d", c.name, err, c.want)
			}
		}
		h, err := hooks.Create(ctx, owner, HookInput{URL: public, Events: []string{"balance.low", "message.status", "balance.low"}, Description: "zap"})
		if err != nil || h.ID == 0 || !slices.Equal(h.Events, []string{"message.status", "balance.low"}) || h.Description != "zap" || h.CreatedAt.IsZero() {
			t.Fatalf("create = %+v, %v", h, err)
		}
		if got, err := hooks.Get(ctx, owner, h.ID); err != nil || got.URL != public {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if _, err := hooks.Get(ctx, stranger, h.ID); KindOf(err) != KindNotFound {
			t.Fatalf("another account's get: %v", err)
		}
		if err := hooks.Delete(ctx, stranger, h.ID); KindOf(err) != KindNotFound {
			t.Fatalf("another account's delete: %v", err)
		}
		if err := hooks.Delete(ctx, member, h.ID); KindOf(err) != KindForbidden {
			t.Fatalf("a member's delete: %v", err)
		}
		if l, err := hooks.List(ctx, stranger); err != nil || len(l.Data) != 0 {
			t.Fatalf("another account lists %+v, %v", l, err)
		}
		for i := 1; i < store.MaxHooksPerAccount; i++ {
			if _, err := hooks.Create(ctx, owner, HookInput{URL: fmt.Sprintf("%s/%d", public, i), Events: []string{"contact.created"}}); err != nil {
				t.Fatalf("hook %d: %v", i, err)
			}
		}
		if _, err := hooks.Create(ctx, owner, HookInput{URL: public, Events: []string{"contact.created"}}); KindOf(err) != KindUnprocessable {
			t.Fatalf("a hook past the limit: %v", err)
		}
		if l, err := hooks.List(ctx, owner); err != nil || len(l.Data) != store.MaxHooksPerAccount || l.Data[0].ID != h.ID {
			t.Fatalf("list: %d, %v", len(l.Data), err)
		}
		if err := hooks.Delete(ctx, owner, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := hooks.Get(ctx, owner, h.ID); KindOf(err) != KindNotFound {
			t.Fatalf("a removed hook: %v", err)
		}
	})
}

// hookSink is a receiver of hook deliveries on 127.0.0.1.
type hookSink struct {
	*httptest.Server
	mu   sync.Mutex
	envs []webhook.HookEnvelope
	raw  []json.RawMessage
}

func newHookSink(t *testing.T) *hookSink {
	s := &hookSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var env struct {
			webhook.HookEnvelope
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &env) != nil || webhook.Verify("whsec-hooks", r.Header.Get(webhook.SignatureHeader), b, time.Now(), 0) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.envs, s.raw = append(s.envs, env.HookEnvelope), append(s.raw, env.Data)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.envs)
}

// fanOut returns a started dispatcher and the fan-out of st's hooks
// through it, signing with "whsec-hooks", allowed to post to loopback.
func fanOut(t *testing.T, st *store.Store) *webhook.Hooks {
	d, err := webhook.New(webhook.Config{Policy: webhook.AddressPolicy{AllowPrivate: true}}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitLong)
		defer cancel()
		if _, err := d.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	fan, err := webhook.NewHooks(webhook.HooksConfig{
		Load: func(ctx context.Context) ([]webhook.Subscription, error) {
			hs, err := st.AllHooks(ctx)
			out := make([]webhook.Subscription, len(hs))
			for i, h := range hs {
				for _, n := range h.Events {
					e, _ := webhook.ParseHookEvent(n)
					out[i].Events |= e
				}
				out[i].ID, out[i].AccountID, out[i].URL = h.ID, h.AccountID, h.URL
			}
			return out, err
		},
		Secret: func(context.Context, int64) (string, error) { return "whsec-hooks", nil },
	}, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fan
}

// TestHooksAppEvents: a contact created through the use case, an
// opt-out recorded and a campaign completed are each one event, with
// the view the API shows as data, to the account's hooks subscribed to
// it, and to no other account's.
func TestHooksAppEvents(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		f := newFixture(t, driver, "")
		ctx := context.Background()
		fan := fanOut(t, f.st)
		sink := newHookSink(t)
		loopback, err := webhook.NewGuard(webhook.AddressPolicy{AllowPrivate: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		hooks := NewHooks(f.st, fan, loopback)
		f.app.Contacts.hooks = fan
		shop, err := f.acc.CreateAccount(ctx, "Shop")
		if err != nil {
			t.Fatal(err)
		}
		cafe, err := f.acc.CreateAccount(ctx, "Cafe")
		if err != nil {
			t.Fatal(err)
		}
		owner := Principal{AccountID: shop.AccountID, Role: RoleOwner, CanSend: true}
		stranger := Principal{AccountID: cafe.AccountID, Role: RoleOwner, CanSend: true}
		if _, err := hooks.Create(ctx, owner, HookInput{URL: sink.URL + "/h",
			Events: []string{"contact.created", "contact.opted_out", "campaign.completed"}}); err != nil {
			t.Fatal(err)
		}
		if !fan.Wants(shop.AccountID, webhook.HookContactCreated) || fan.Wants(cafe.AccountID, webhook.HookContactCreated) {
			t.Fatal("the new hook is not in use at once")
		}
		phone := "+447700900123"
		if _, err := f.app.Contacts.Create(ctx, stranger, ContactInput{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		c, err := f.app.Contacts.Create(ctx, owner, ContactInput{Phone: &phone})
		if err != nil {
			t.Fatal(err)
		}
		rec := optOutHooks(fan)
		rec([]store.OptOut{
			{Scope: 2, AccountID: cafe.AccountID, Number: "447700900124", OptedOut: true, Source: "api"},
			{Scope: 2, AccountID: shop.AccountID, Number: "447700900125", OptedOut: false, Source: "api"},
			{Scope: 1, Number: "447700900126", OptedOut: true, Source: "operator"},
			{Scope: 2, AccountID: shop.AccountID, Number: "447700900127", OptedOut: true, Source: "keyword", Keyword: "STOP"},
		})
		camp := store.Campaign{AccountID: shop.AccountID, Name: "Spring", Kind: "transactional", Body: "Hi"}
		if err := f.st.CreateCampaign(ctx, &camp); err != nil {
			t.Fatal(err)
		}
		campaignHooks(f.st, fan, testutil.Logger(t))(ctx, camp)
		campaignHooks(f.st, fan, testutil.Logger(t))(ctx, store.Campaign{AccountID: cafe.AccountID, ID: camp.ID})
		testutil.Eventually(t, "three events", func() (bool, string) { return sink.count() == 3, fmt.Sprint(sink.count()) })
		sink.mu.Lock()
		defer sink.mu.Unlock()
		byType := map[string]json.RawMessage{}
		for i, e := range sink.envs {
			byType[e.Type] = sink.raw[i]
		}
		var cv Contact
		if err := json.Unmarshal(byType["contact.created"], &cv); err != nil || cv.ID != c.ID || cv.Phone != "447700900123" {
			t.Errorf("contact.created data %s: %v", byType["contact.created"], err)
		}
		var oo OptOutEntry
		if err := json.Unmarshal(byType["contact.opted_out"], &oo); err != nil || oo.Number != "447700900127" || oo.Keyword != "STOP" ||
			oo.Scope != "account" || oo.At.IsZero() {
			t.Errorf("contact.opted_out data %s: %v", byType["contact.opted_out"], err)
		}
		var cmp CampaignView
		if err := json.Unmarshal(byType["campaign.completed"], &cmp); err != nil || cmp.ID != camp.ID || cmp.Name != "Spring" {
			t.Errorf("campaign.completed data %s: %v", byType["campaign.completed"], err)
		}
	})
}
