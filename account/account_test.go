package account

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func newService(t testing.TB, driver string) (*Service, *store.Store) {
	t.Helper()
	st := storetest.Open(t, driver)
	svc := New(st, nil)
	svc.SetPasswordCost(bcrypt.MinCost)
	return svc, st
}

func forEachDriver(t *testing.T, f func(t *testing.T, driver string)) {
	for _, d := range storetest.Drivers {
		t.Run(d, func(t *testing.T) { f(t, d) })
	}
}

func TestCreateAccountAndAuthenticate(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		svc, st := newService(t, driver)
		c, err := svc.CreateAccount(ctx, "Acme Corp")
		if err != nil {
			t.Fatal(err)
		}
		if c.AccountID == 0 || !strings.HasPrefix(c.APIKey, "gal_") || c.SystemID != "acmecorp" || len(c.SMPPPassword) != 8 || len(c.WebhookSecret) != 38 {
			t.Fatalf("created: %+v", c)
		}
		p, err := svc.AuthenticateAPIKey(ctx, c.APIKey)
		if err != nil || p.AccountID != c.AccountID || !p.Can(ScopeSend) || !p.Can(ScopeRead) || p.Can(ScopeAdmin) {
			t.Fatalf("AuthenticateAPIKey: %+v, %v", p, err)
		}
		// The stored key is a hash, never the key.
		k, _, err := st.APIKeyByPrefix(ctx, c.APIKey[4:12])
		if err != nil || strings.Contains(k.Hash, c.APIKey[13:]) || len(k.Hash) != 64 {
			t.Fatalf("stored key: %+v, %v", k, err)
		}
		b, err := svc.AuthenticateSMPP(ctx, c.SystemID, c.SMPPPassword, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000})
		if err != nil || b.AccountID != c.AccountID || b.SystemID != c.SystemID {
			t.Fatalf("AuthenticateSMPP: %+v, %v", b, err)
		}
		cred, _, err := st.SMPPCredentialBySystemID(ctx, c.SystemID)
		if err != nil || cred.PasswordHash == c.SMPPPassword || !strings.HasPrefix(cred.PasswordHash, "$2") {
			t.Fatalf("stored password is not a bcrypt hash: %q, %v", cred.PasswordHash, err)
		}

		// A second account with the same name gets another system_id.
		c2, err := svc.CreateAccount(ctx, "Acme Corp")
		if err != nil || c2.SystemID == c.SystemID || c2.AccountID == c.AccountID {
			t.Fatalf("second account: %+v, %v", c2, err)
		}
	})
}

func TestAuthenticationFailures(t *testing.T) {
	forEachDriver(t, func(t *testing.T, driver string) {
		ctx := context.Background()
		svc, st := newService(t, driver)
		c, err := svc.CreateAccount(ctx, "beta")
		if err != nil {
			t.Fatal(err)
		}
		// The real key with its last character replaced by another one.
		last, other := c.APIKey[len(c.APIKey)-1], "Q"
		if last == 'Q' {
			other = "R"
		}
		for _, bad := range []string{"", "gal_", "nope", c.APIKey + "x", c.APIKey[:len(c.APIKey)-1] + other, "gal_zzzzzzzz_" + strings.Repeat("a", 32)} {
			if _, err := svc.AuthenticateAPIKey(ctx, bad); !errors.Is(err, ErrUnauthorized) {
				t.Errorf("key %q: err %v, want ErrUnauthorized", bad, err)
			}
		}
		addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
		if _, err := svc.AuthenticateSMPP(ctx, c.SystemID, "wrong", addr); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, "nobody", "x", addr); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("unknown system_id: %v", err)
		}
		// Suspension takes effect (after the cache expires).
		if err := st.SetAccountStatus(ctx, c.AccountID, store.AccountSuspended); err != nil {
			t.Fatal(err)
		}
		svc.now = func() time.Time { return time.Now().Add(2 * cacheTTL) }
		if _, err := svc.AuthenticateAPIKey(ctx, c.APIKey); !errors.Is(err, ErrSuspended) {
			t.Errorf("suspended key: %v", err)
		}
		if _, err := svc.AuthenticateSMPP(ctx, c.SystemID, c.SMPPPassword, addr); !errors.Is(err, ErrSuspended) {
			t.Errorf("suspended bind: %v", err)
		}
	})
}

func TestAllowedRanges(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite)
	ctx := context.Background()
	c, err := svc.CreateAccount(ctx, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	pw, err := svc.CreateSMPPCredential(ctx, c.AccountID, "gamma-ip", 2, 100)
	if err != nil {
		t.Fatal(err)
	}
	cidrs, err := parseCIDRs([]string{"10.0.0.0/8", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	if !allowed(cidrs, &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 9}) || allowed(cidrs, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}) || !allowed(cidrs, &net.TCPAddr{IP: net.IPv6loopback, Port: 9}) {
		t.Fatal("range matching wrong")
	}
	b, err := svc.AuthenticateSMPP(ctx, "gamma-ip", pw, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9})
	if err != nil || b.BindLimit != 2 || b.TPSLimit != 100 {
		t.Fatalf("bind without ranges: %+v, %v", b, err)
	}
}

func TestCreateAPIKeyScopes(t *testing.T) {
	svc, _ := newService(t, storetest.SQLite)
	ctx := context.Background()
	c, err := svc.CreateAccount(ctx, "delta")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateAPIKey(ctx, c.AccountID, "x", []string{"root"}); err == nil {
		t.Fatal("unknown scope accepted")
	}
	k, err := svc.CreateAPIKey(ctx, c.AccountID, "reader", []string{ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.AuthenticateAPIKey(ctx, k)
	if err != nil || p.Can(ScopeSend) || !p.Can(ScopeRead) {
		t.Fatalf("read-only key: %+v, %v", p, err)
	}
}

func TestRandomString(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := randomString(8, lowerDigits)
		if len(s) != 8 || strings.Trim(s, lowerDigits) != "" || seen[s] {
			t.Fatalf("randomString gave %q (dup %v)", s, seen[s])
		}
		seen[s] = true
	}
}
