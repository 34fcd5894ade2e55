package account

import (
	"testing"
	"time"
)

// BenchmarkSessionAuthenticate is the cost of checking a dashboard
// session, token and stored user state: "store" reads the state on every
// request, "cached" as Users does (at most userStateTTL old). It chose
// userStateTTL; see /work/notes/identity.md for the figures.
func BenchmarkSessionAuthenticate(b *testing.B) {
	for _, driver := range []string{"sqlite", "mysql"} {
		for _, mode := range []struct {
			name string
			ttl  time.Duration
		}{{"store", 0}, {"cached", userStateTTL}} {
			b.Run(driver+"/"+mode.name, func(b *testing.B) {
				u, svc, _ := newUsers(b, driver, nil)
				ctx := b.Context()
				acct, err := svc.CreateAccount(ctx, "Bench")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := u.CreateUser(ctx, NewUser{AccountID: acct.AccountID, Email: "b@example.com", Password: "long enough pw",
					Role: RoleOwner, Verified: true}); err != nil {
					b.Fatal(err)
				}
				s, err := u.Login(ctx, "b@example.com", "long enough pw", "")
				if err != nil {
					b.Fatal(err)
				}
				u.stateTTL = mode.ttl
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if _, err := u.Authenticate(ctx, s.AccessToken); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
