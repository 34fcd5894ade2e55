package account

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// statusTTL bounds how long a suspension takes to reach a session whose
// access token is still valid. It is shorter than the API keys' cache
// (30 s) since [Service.SetAccountStatus] cannot clear this cache.
const statusTTL = 5 * time.Second

// maxStatusEntries bounds the account status cache; when it is full it
// is emptied (about 50 bytes an entry).
const maxStatusEntries = 100_000

// Sessions authenticates dashboard sessions: an access token, and the
// account behind it still active. It is safe for concurrent use.
type Sessions struct {
	u *Users

	mu sync.Mutex
	m  map[int64]statusEntry // account id -> status read recently
}

// NewSessions returns a session authenticator over u.
func NewSessions(u *Users) *Sessions {
	return &Sessions{u: u, m: map[int64]statusEntry{}}
}

type statusEntry struct {
	status  store.AccountStatus
	expires time.Time
}

// LooksLikeAccessToken reports whether token has the shape of an access
// token (a JWT: three dot-separated base64url parts) rather than that of
// an API key, so that a caller can tell which to check.
func LooksLikeAccessToken(token string) bool {
	return strings.Count(token, ".") == 2 && strings.HasPrefix(token, jwtHeader+".")
}

// Authenticate checks an access token like [Users.Authenticate] and
// that the user's account is still active (admins excepted), as read at
// most 5 seconds ago. A bad or expired token is [ErrUnauthorized], a
// suspended account [ErrSuspended].
func (s *Sessions) Authenticate(ctx context.Context, token string) (Actor, error) {
	a, err := s.u.Authenticate(token)
	if err != nil {
		return Actor{}, err
	}
	if a.Role == RoleAdmin {
		return a, nil
	}
	st, err := s.accountStatus(ctx, a.AccountID)
	if err != nil {
		return Actor{}, err
	}
	if st != store.AccountActive {
		return Actor{}, ErrSuspended
	}
	return a, nil
}

// accountStatus returns the status of account id, cached for statusTTL.
func (s *Sessions) accountStatus(ctx context.Context, id int64) (store.AccountStatus, error) {
	now := s.u.now()
	c := s
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.status, nil
	}
	a, err := s.u.st.GetAccount(ctx, id)
	if err != nil {
		return "", fmt.Errorf("account: load account %d: %w", id, err)
	}
	c.mu.Lock()
	if len(c.m) >= maxStatusEntries {
		c.m = map[int64]statusEntry{}
	}
	c.m[id] = statusEntry{status: a.Status, expires: now.Add(statusTTL)}
	c.mu.Unlock()
	return a.Status, nil
}
