package account

import (
	"context"
	"strings"
)

// Sessions authenticates dashboard sessions for the API: see
// [Users.Authenticate], which it calls. It is safe for concurrent use.
type Sessions struct {
	u *Users
}

// NewSessions returns a session authenticator over u.
func NewSessions(u *Users) *Sessions {
	return &Sessions{u: u}
}

// LooksLikeAccessToken reports whether token has the shape of an access
// token (a JWT: three dot-separated base64url parts) rather than that of
// an API key, so that a caller can tell which to check.
func LooksLikeAccessToken(token string) bool {
	return strings.Count(token, ".") == 2 && strings.HasPrefix(token, jwtHeader+".")
}

// Authenticate checks an access token and its user as stored, as
// [Users.Authenticate] does.
func (s *Sessions) Authenticate(ctx context.Context, token string) (Actor, error) {
	return s.u.Authenticate(ctx, token)
}
