package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// HookInput is the body of POST /v1/hooks: the URL to post events to and
// the event types it wants (see [webhook.HookEventNames]).
type HookInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Description is the subscriber's own note (up to 255 bytes), such
	// as an automation platform's name for the subscription.
	Description string `json:"description"`
}

// Hook is an event subscription as the API shows it.
type Hook struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// HookList is the answer of GET /v1/hooks: every hook of the account,
// oldest first (at most store.MaxHooksPerAccount).
type HookList struct {
	Data []Hook `json:"data"`
}

// Hooks is the use case behind /v1/hooks: an account subscribes URLs to
// its events (REST hooks, the pattern automation platforms such as
// Zapier use) and removes them. The events are posted by the fan-out
// ([webhook.Hooks]) through the status callbacks' dispatcher, signed
// with the account's webhook secret. Reading needs the read scope,
// subscribing and unsubscribing the send scope (the API's rule for every
// change of an account's data; a hook only carries what a read key could
// read). A hook made or removed here takes effect on this instance at
// once, on others within the fan-out's TTL (5 s).
type Hooks struct {
	st   *store.Store
	fan  *webhook.Hooks
	urls *webhook.Guard
}

// NewHooks returns the hooks use case over st, publishing through fan
// (nil: hooks are stored, and sent by no one here) and judging URLs with
// urls (the dispatcher's guard; nil: the default policy, public
// addresses only).
func NewHooks(st *store.Store, fan *webhook.Hooks, urls *webhook.Guard) *Hooks {
	if urls == nil {
		urls = webhook.PublicOnly()
	}
	return &Hooks{st: st, fan: fan, urls: urls}
}

// mayChangeHooks refuses a caller that may not change the account's
// hooks: the callers that may send for it.
func mayChangeHooks(p Principal) error {
	if p.Unverified {
		return refuse(KindEmailUnverified, "", "verify your email before subscribing hooks")
	}
	if p.Role == RoleMember && !p.CanSend {
		return Forbidden("the caller may not send for this account, nor change its hooks")
	}
	return nil
}

// Create subscribes in.URL to in.Events for the caller's account. The
// URL must be one callbacks may reach (webhook.Guard, with a DNS lookup
// of its host), the events known and given once each at least.
func (s *Hooks) Create(ctx context.Context, p Principal, in HookInput) (Hook, error) {
	if err := mayChangeHooks(p); err != nil {
		return Hook{}, err
	}
	url := strings.TrimSpace(in.URL)
	if url == "" {
		return Hook{}, Invalid("url", "required")
	}
	if len(url) > gateway.MaxCallbackURL {
		return Hook{}, Invalid("url", fmt.Sprintf("at most %d bytes", gateway.MaxCallbackURL))
	}
	events, err := hookEvents(in.Events)
	if err != nil {
		return Hook{}, err
	}
	if len(in.Description) > store.MaxHookDescription {
		return Hook{}, Invalid("description", fmt.Sprintf("at most %d bytes", store.MaxHookDescription))
	}
	if err := s.urls.CheckStoredURL(ctx, url); err != nil {
		return Hook{}, invalidURL("url", err)
	}
	h := store.Hook{AccountID: p.AccountID, URL: url, Events: events, Description: in.Description}
	err = s.st.CreateHook(ctx, &h)
	if errors.Is(err, store.ErrHookLimit) {
		return Hook{}, refuse(KindUnprocessable, "", fmt.Sprintf("the account has %d hooks, the most allowed: delete one first",
			store.MaxHooksPerAccount))
	}
	if err != nil {
		return Hook{}, fmt.Errorf("create hook: %w", err)
	}
	s.changed(ctx)
	return hookView(&h), nil
}

// hookEvents checks the event names of a subscription and returns them
// in the order of [webhook.HookEventNames], each once.
func hookEvents(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, Invalid("events", "name at least one event: "+strings.Join(webhook.HookEventNames(), ", "))
	}
	var set webhook.HookEvent
	for _, n := range names {
		e, ok := webhook.ParseHookEvent(n)
		if !ok {
			return nil, Invalid("events", fmt.Sprintf("unknown event %q: one of %s", n, strings.Join(webhook.HookEventNames(), ", ")))
		}
		set |= e
	}
	var out []string
	for _, n := range webhook.HookEventNames() {
		if e, _ := webhook.ParseHookEvent(n); set&e != 0 {
			out = append(out, n)
		}
	}
	return out, nil
}

// List returns the caller's account's hooks, oldest first.
func (s *Hooks) List(ctx context.Context, p Principal) (HookList, error) {
	hs, err := s.st.ListHooks(ctx, p.AccountID)
	if err != nil {
		return HookList{}, fmt.Errorf("list hooks: %w", err)
	}
	out := HookList{Data: make([]Hook, len(hs))}
	for i := range hs {
		out.Data[i] = hookView(&hs[i])
	}
	return out, nil
}

// Get returns the caller's account's hook id.
func (s *Hooks) Get(ctx context.Context, p Principal, id int64) (Hook, error) {
	h, err := s.st.GetHook(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Hook{}, NotFound("no such hook")
	}
	if err != nil {
		return Hook{}, fmt.Errorf("get hook: %w", err)
	}
	return hookView(&h), nil
}

// Delete unsubscribes the caller's account's hook id: no event is
// posted to it from now on (deliveries already queued still go).
func (s *Hooks) Delete(ctx context.Context, p Principal, id int64) error {
	if err := mayChangeHooks(p); err != nil {
		return err
	}
	err := s.st.DeleteHook(ctx, p.AccountID, id)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound("no such hook")
	}
	if err != nil {
		return fmt.Errorf("delete hook: %w", err)
	}
	s.changed(ctx)
	return nil
}

// changed has the fan-out read the hooks again, so that a change made
// here applies here at once. A failed read leaves it to the next one
// (within the TTL).
func (s *Hooks) changed(ctx context.Context) {
	if s.fan != nil {
		_ = s.fan.Reload(ctx)
	}
}

func hookView(h *store.Hook) Hook {
	return Hook{ID: h.ID, URL: h.URL, Events: slices.Clone(h.Events), Description: h.Description, CreatedAt: h.CreatedAt}
}
