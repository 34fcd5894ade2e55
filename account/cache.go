package account

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/store"
)

// accountEntry is a cached account row.
type accountEntry struct {
	a       *store.Account
	expires int64 // unix nanoseconds
}

// Account returns account id as stored, from a cache that keeps each row
// for cacheTTL (30 seconds): the send path reads an account's rate
// limit, webhook URL and secret per message. A change made through this
// Service ([Service.UpdateAccount], [Service.SetAccountStatus]) is seen
// here at once; one made elsewhere (another instance, gallant admin)
// within cacheTTL. The returned row is shared: callers must not modify
// it.
func (s *Service) Account(ctx context.Context, id int64) (*store.Account, error) {
	now := s.now().UnixNano()
	s.mu.Lock()
	e, ok := s.accounts[id]
	s.mu.Unlock()
	if ok && now < e.expires {
		return e.a, nil
	}
	a, err := s.st.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.accounts[id] = accountEntry{a: a, expires: now + int64(cacheTTL)}
	s.mu.Unlock()
	return a, nil
}

// TPSLimit is account id's rate limit in messages per second (0: none),
// from the cache of [Service.Account]; an account that cannot be read
// has none (the send path then refuses it for its own reasons).
func (s *Service) TPSLimit(id int64) int {
	a, err := s.Account(context.Background(), id)
	if err != nil {
		return 0
	}
	return a.TPSLimit
}

// UpdateAccount applies u to account id and drops its cached row, so
// that this instance sends with the new settings at once (others within
// cacheTTL).
func (s *Service) UpdateAccount(ctx context.Context, id int64, u store.AccountUpdate) error {
	if err := s.st.UpdateAccount(ctx, id, u); err != nil {
		return fmt.Errorf("account: update %d: %w", id, err)
	}
	s.forgetAccount(id)
	return nil
}

// Forget drops what this Service caches of account id (its row, keys and
// binds), so that a change written to the store by other means is seen
// at once here.
func (s *Service) Forget(id int64) { s.forgetAccount(id) }
