package account

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func TestAccessToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	who := Actor{UserID: 7, AccountID: 42, Role: RoleMember, CanSend: true}
	tok, err := signAccessToken(testSecret, who, 3, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got, ver, err := parseAccessToken(testSecret, tok, now.Add(14*time.Minute))
	if err != nil || got != who || ver != 3 {
		t.Fatalf("parse = %+v, version %d, %v; want %+v, 3", got, ver, err, who)
	}
	if _, _, err := parseAccessToken(testSecret, tok, now.Add(15*time.Minute)); !errors.Is(err, errTokenExpired) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("expired token: %v", err)
	}
	parts := strings.Split(tok, ".")
	enc := base64.RawURLEncoding.EncodeToString
	forged := strings.Replace(string(mustDecode(t, parts[1])), `"role":"member"`, `"role":"admin"`, 1)
	noneHeader := enc([]byte(`{"alg":"none","typ":"JWT"}`))
	for name, bad := range map[string]string{
		"empty":        "",
		"two parts":    parts[0] + "." + parts[1],
		"four parts":   tok + ".x",
		"other key":    mustSign(t, []byte("another secret of thirty-two bytes"), who, now),
		"role raised":  parts[0] + "." + enc([]byte(forged)) + "." + parts[2],
		"alg none":     noneHeader + "." + parts[1] + ".",
		"sig flipped":  parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"bad base64":   parts[0] + ".%%%." + parts[2],
		"huge":         strings.Repeat("a", maxTokenLen+1),
		"claims json":  signRaw(t, `{"sub":"7"`),
		"no expiry":    signRaw(t, `{"sub":"7","acc":42,"role":"owner","iat":1}`),
		"bad role":     signRaw(t, `{"sub":"7","acc":42,"role":"god","exp":9999999999}`),
		"bad subject":  signRaw(t, `{"sub":"x","acc":42,"role":"owner","exp":9999999999}`),
		"zero account": signRaw(t, `{"sub":"7","acc":0,"role":"owner","exp":9999999999}`),
		"bad version":  signRaw(t, `{"sub":"7","acc":42,"role":"owner","ver":-1,"exp":9999999999}`),
	} {
		if _, _, err := parseAccessToken(testSecret, bad, now); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%s: err %v, want ErrUnauthorized", name, err)
		}
	}
	// The raw-claims signer itself is sound: a valid body passes.
	if _, _, err := parseAccessToken(testSecret, signRaw(t, `{"sub":"7","acc":42,"role":"owner","exp":9999999999}`), now); err != nil {
		t.Fatalf("signRaw control: %v", err)
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSign(t *testing.T, secret []byte, who Actor, now time.Time) string {
	t.Helper()
	tok, err := signAccessToken(secret, who, 0, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signRaw signs arbitrary claims with testSecret.
func signRaw(t *testing.T, claims string) string {
	t.Helper()
	s := jwtHeader + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	return s + "." + base64.RawURLEncoding.EncodeToString(mac(testSecret, s))
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func FuzzParseAccessToken(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	tok, _ := signAccessToken(testSecret, Actor{UserID: 1, AccountID: 2, Role: RoleOwner}, 0, now, time.Hour)
	f.Add(tok)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		who, ver, err := parseAccessToken(testSecret, s, now)
		if err == nil && (who.UserID <= 0 || !who.Role.Valid() || ver < 0) {
			t.Fatalf("accepted %q as %+v", s, who)
		}
	})
}

func BenchmarkParseAccessToken(b *testing.B) {
	now := time.Unix(1_800_000_000, 0)
	tok, err := signAccessToken(testSecret, Actor{UserID: 1, AccountID: 2, Role: RoleOwner}, 0, now, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseAccessToken(testSecret, tok, now); err != nil {
			b.Fatal(err)
		}
	}
}

func TestJWTHeader(t *testing.T) {
	if got := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)); got != jwtHeader {
		t.Fatalf("jwtHeader = %q, want %q", jwtHeader, got)
	}
}
