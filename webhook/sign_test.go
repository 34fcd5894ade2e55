package webhook

import (
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Vector computed independently: printf '%s' '1767225600.{"id":"42"}' |
// openssl dgst -sha256 -hmac whsec_test.
const (
	vecSecret = "whsec_test"
	vecBody   = `{"id":"42"}`
	vecHeader = "t=1767225600,v1=4b33add947d4f03715482923904e780c15bfc68f2f19c33672c7b0af95a00fd3"
)

var vecTime = time.Unix(1767225600, 0)

func TestSignVector(t *testing.T) {
	if got := Sign(vecSecret, vecTime, []byte(vecBody)); got != vecHeader {
		t.Fatalf("Sign = %q, want %q", got, vecHeader)
	}
	// Sub-second parts of t are not signed.
	if got := Sign(vecSecret, vecTime.Add(999*time.Millisecond), []byte(vecBody)); got != vecHeader {
		t.Fatalf("Sign with fraction = %q, want %q", got, vecHeader)
	}
}

func TestVerify(t *testing.T) {
	body := []byte(vecBody)
	cases := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		tol    time.Duration
		want   error
	}{
		{"valid", vecSecret, vecHeader, body, vecTime, time.Minute, nil},
		{"valid with spaces", vecSecret, "t=1767225600, v1=4b33add947d4f03715482923904e780c15bfc68f2f19c33672c7b0af95a00fd3", body, vecTime, time.Minute, nil},
		{"valid within tolerance late", vecSecret, vecHeader, body, vecTime.Add(59 * time.Second), time.Minute, nil},
		{"valid within tolerance early", vecSecret, vecHeader, body, vecTime.Add(-60 * time.Second), time.Minute, nil},
		{"default tolerance", vecSecret, vecHeader, body, vecTime.Add(4 * time.Minute), 0, nil},
		{"rotation: second v1 matches", vecSecret, "t=1767225600,v1=" + strings.Repeat("00", 32) + ",v1=4b33add947d4f03715482923904e780c15bfc68f2f19c33672c7b0af95a00fd3", body, vecTime, time.Minute, nil},
		{"unknown scheme skipped", vecSecret, vecHeader + ",v2=zz", body, vecTime, time.Minute, nil},
		{"tampered body", vecSecret, vecHeader, []byte(`{"id":"43"}`), vecTime, time.Minute, ErrSignatureMismatch},
		{"wrong secret", "whsec_other", vecHeader, body, vecTime, time.Minute, ErrSignatureMismatch},
		{"tampered time", vecSecret, "t=1767225601,v1=4b33add947d4f03715482923904e780c15bfc68f2f19c33672c7b0af95a00fd3", body, vecTime, time.Minute, ErrSignatureMismatch},
		{"stale", vecSecret, vecHeader, body, vecTime.Add(61 * time.Second), time.Minute, ErrSignatureExpired},
		{"from the future", vecSecret, vecHeader, body, vecTime.Add(-2 * time.Minute), time.Minute, ErrSignatureExpired},
		{"stale by default tolerance", vecSecret, vecHeader, body, vecTime.Add(6 * time.Minute), 0, ErrSignatureExpired},
		{"empty secret", "", vecHeader, body, vecTime, time.Minute, ErrNoSecret},
		{"empty header", vecSecret, "", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"no v1", vecSecret, "t=1767225600", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"no t", vecSecret, "v1=4b33add947d4f03715482923904e780c15bfc68f2f19c33672c7b0af95a00fd3", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"two t", vecSecret, "t=1,t=2,v1=" + strings.Repeat("00", 32), body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"t not a number", vecSecret, "t=abc,v1=" + strings.Repeat("00", 32), body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"t negative", vecSecret, "t=-5,v1=" + strings.Repeat("00", 32), body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"t too large", vecSecret, "t=9223372036854775807,v1=" + strings.Repeat("00", 32), body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"v1 not hex", vecSecret, "t=1767225600,v1=xyz", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"v1 short", vecSecret, "t=1767225600,v1=abcd", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"part without =", vecSecret, "t=1767225600,garbage", body, vecTime, time.Minute, ErrBadSignatureHeader},
		{"huge header", vecSecret, vecHeader + strings.Repeat(",x=y", 400), body, vecTime, time.Minute, ErrBadSignatureHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Verify(c.secret, c.header, c.body, c.now, c.tol)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	now := time.Now()
	for _, body := range [][]byte{nil, {}, []byte("x"), []byte(strings.Repeat("é", 1000))} {
		h := Sign("s3cret", now, body)
		if err := Verify("s3cret", h, body, now, time.Minute); err != nil {
			t.Fatalf("Verify(Sign(%q)) = %v", body, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(vecHeader, []byte(vecBody))
	f.Add("t=1,v1=00", []byte{})
	f.Add(",,,=,=", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if Verify(vecSecret, header, body, vecTime, time.Minute) != nil {
			return
		}
		// Accepted: the header's t and one of its v1 values must be a
		// true MAC of the body.
		var ts string
		var v1s []string
		for part := range strings.SplitSeq(header, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "t":
				ts = v
			case "v1":
				v1s = append(v1s, strings.ToLower(v))
			}
		}
		want := hex.EncodeToString(signature(vecSecret, ts, body))
		if !slices.Contains(v1s, want) {
			t.Fatalf("Verify accepted %q for body %q", header, body)
		}
	})
}
