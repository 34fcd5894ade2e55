package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/webhook"
)

// bodyMAC is the body signature computed here, independently of the
// package: hex HMAC-SHA256 of body alone.
func bodyMAC(secret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// TestSignBodyVector checks SignBody against a value computed with
// printf '%s' '{"id":"42"}' | openssl dgst -sha256 -hmac whsec_test.
func TestSignBodyVector(t *testing.T) {
	const want = "sha256=d0d4460fe622ab2f4098495983a4aeab5b396ccd41c79db7768bd3dd0ab5b2b1"
	if got := webhook.SignBody("whsec_test", []byte(`{"id":"42"}`)); got != want {
		t.Fatalf("SignBody = %q, want %q", got, want)
	}
	// The empty body: printf '' | openssl dgst -sha256 -hmac whsec_test.
	const empty = "sha256=43c0f4d23c8e8841358fad4624b1a592799222b29f25bb59baea43cdcb522ed1"
	if got := webhook.SignBody("whsec_test", nil); got != empty {
		t.Fatalf("SignBody(nil) = %q, want %q", got, empty)
	}
}

func TestSignBodyMatchesHMAC(t *testing.T) {
	bodies := [][]byte{{}, []byte("x"), []byte(`{"status":"delivered"}`), []byte(strings.Repeat("é", 1000)), {0, 0xFF, '\n'}}
	for _, secret := range []string{"s", "whsec_0123456789abcdef", strings.Repeat("k", 100)} {
		for _, body := range bodies {
			got := webhook.SignBody(secret, body)
			if want := "sha256=" + bodyMAC(secret, body); got != want {
				t.Errorf("SignBody(%q, %q) = %q, want %q", secret, body, got, want)
			}
			if err := webhook.VerifyBody(secret, got, body); err != nil {
				t.Errorf("VerifyBody(SignBody(%q, %q)) = %v", secret, body, err)
			}
		}
	}
}

// The body signature and the timestamped one are different MACs: the
// timestamped one covers "<t>.<body>".
func TestSignBodyIsNotTimestampedMAC(t *testing.T) {
	body := []byte(`{"id":"42"}`)
	ts := webhook.Sign("whsec_test", time.Unix(1767225600, 0), body)
	_, v1, ok := strings.Cut(ts, ",v1=")
	if !ok {
		t.Fatalf("Sign = %q: no v1", ts)
	}
	if v1 == strings.TrimPrefix(webhook.SignBody("whsec_test", body), "sha256=") {
		t.Fatal("the body signature equals the timestamped one")
	}
	if err := webhook.VerifyBody("whsec_test", ts, body); !errors.Is(err, webhook.ErrBadSignatureHeader) {
		t.Fatalf("VerifyBody of an X-Gallant-Signature value = %v, want %v", err, webhook.ErrBadSignatureHeader)
	}
}

func TestVerifyBody(t *testing.T) {
	secret, body := "whsec_test", []byte(`{"id":"42"}`)
	good := "sha256=" + bodyMAC(secret, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   []byte
		want   error
	}{
		{"valid", secret, good, body, nil},
		{"valid upper-case hex", secret, "sha256=" + strings.ToUpper(bodyMAC(secret, body)), body, nil},
		{"valid with spaces", secret, " " + good + " ", body, nil},
		{"tampered body", secret, good, []byte(`{"id":"43"}`), webhook.ErrSignatureMismatch},
		{"wrong secret", "whsec_other", good, body, webhook.ErrSignatureMismatch},
		{"empty secret", "", good, body, webhook.ErrNoSecret},
		{"empty header", secret, "", body, webhook.ErrBadSignatureHeader},
		{"no prefix", secret, bodyMAC(secret, body), body, webhook.ErrBadSignatureHeader},
		{"other scheme", secret, "sha1=" + bodyMAC(secret, body), body, webhook.ErrBadSignatureHeader},
		{"not hex", secret, "sha256=" + strings.Repeat("zz", 32), body, webhook.ErrBadSignatureHeader},
		{"short", secret, "sha256=abcd", body, webhook.ErrBadSignatureHeader},
		{"long", secret, good + "00", body, webhook.ErrBadSignatureHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := webhook.VerifyBody(c.secret, c.header, c.body)
			if c.want == nil {
				if err != nil {
					t.Fatalf("VerifyBody = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("VerifyBody = %v, want %v", err, c.want)
			}
		})
	}
}
