package gateway

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gallant-sms/gallant/account"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// newHooks returns the fan-out of the hooks stored in st through d,
// signed with each account's webhook secret (def for an account without
// one) read from the account cache, as status callbacks are: a reload
// reads the secrets of the accounts with hooks from memory, a rotation
// reaching it within the cache's life.
func newHooks(st *store.Store, acc *account.Service, d *webhook.Dispatcher, def string, logger *slog.Logger) (*webhook.Hooks, error) {
	return webhook.NewHooks(webhook.HooksConfig{
		Load: func(ctx context.Context) ([]webhook.Subscription, error) { return LoadHooks(ctx, st) },
		Secret: func(ctx context.Context, id int64) (string, error) {
			a, err := acc.Account(ctx, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
				return def, nil
			case err != nil:
				return "", err
			}
			return webhookSecret(a, def), nil
		},
	}, d, logger.With("component", "hooks"))
}

// LoadHooks reads every stored hook as the fan-out keeps it; an event
// name the fan-out does not know (a newer release's) is left out.
func LoadHooks(ctx context.Context, st *store.Store) ([]webhook.Subscription, error) {
	hs, err := st.AllHooks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]webhook.Subscription, 0, len(hs))
	for _, h := range hs {
		var set webhook.HookEvent
		for _, name := range h.Events {
			if e, ok := webhook.ParseHookEvent(name); ok {
				set |= e
			}
		}
		out = append(out, webhook.Subscription{ID: h.ID, AccountID: h.AccountID, URL: h.URL, Events: set})
	}
	return out, nil
}

// Hooks returns the fan-out of the account's subscribed hooks, which
// the use cases publish their events to; nil (wanting nothing) without a
// webhook dispatcher.
func (s *Service) Hooks() *webhook.Hooks { return s.hooks }
