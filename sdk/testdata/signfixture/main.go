// Command signfixture prints webhook signature test vectors made by the
// gateway's own signer (package webhook), with the outcome the gateway's
// own verifier gives each, as JSON on stdout. The SDKs' tests check their
// verifiers against it; sdk/test.sh regenerates it and fails when the
// committed copy (sdk/testdata/webhook-fixtures.json) differs.
//
// It lives under testdata so that `go build ./...` and `go vet ./...` of
// the main module skip it; run it with `go run ./sdk/testdata/signfixture`.
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/webhook"
)

// vector is one test case.
type vector struct {
	Name string `json:"name"`
	// Secret keys the verification (not always the signing one).
	Secret string `json:"secret"`
	// Header is X-Gallant-Signature, BodyHeader X-Gallant-Signature-256.
	Header     string `json:"header"`
	BodyHeader string `json:"body_header"`
	// Body is the raw body, base64 (it may hold any bytes).
	Body string `json:"body"`
	// Now is the receiver's clock, unix seconds; Tolerance in seconds (0:
	// the default, 5 minutes).
	Now       int64 `json:"now"`
	Tolerance int64 `json:"tolerance"`
	// Want is webhook.Verify's outcome: ok, mismatch, expired, bad-header
	// or no-secret; WantBody is webhook.VerifyBody's.
	Want     string `json:"want"`
	WantBody string `json:"want_body"`
}

func main() {
	if err := json.NewEncoder(os.Stdout).Encode(vectors()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func vectors() []vector {
	const secret = "whsec_fixture_0123456789abcdef"
	at := time.Unix(1_780_000_000, 0)
	event := []byte(`{"id":"8437613895811074","status":"delivered","to":"447700900123","from":"Gallant",` +
		`"client_ref":"order-17","segments":1,"segment":0,"error_code":"000","carrier":"acme",` +
		`"at":"2026-05-01T09:30:02.4Z","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`)
	unicode := []byte("{\"text\":\"Zoë ☃ 👋 \\u00e9\"}\n")
	sig := webhook.Sign(secret, at, event)
	v1 := strings.TrimPrefix(sig[strings.Index(sig, ",v1="):], ",v1=")
	other := webhook.Sign("whsec_other", at, event)
	otherV1 := strings.TrimPrefix(other[strings.Index(other, ",v1="):], ",v1=")
	ts := fmt.Sprint(at.Unix())

	var out []vector
	add := func(name, verifySecret, header, bodyHeader string, body []byte, now time.Time, tol time.Duration) {
		v := vector{Name: name, Secret: verifySecret, Header: header, BodyHeader: bodyHeader,
			Body: base64.StdEncoding.EncodeToString(body), Now: now.Unix(), Tolerance: int64(tol / time.Second)}
		v.Want = outcome(webhook.Verify(verifySecret, header, body, now, tol))
		v.WantBody = outcome(webhook.VerifyBody(verifySecret, bodyHeader, body))
		out = append(out, v)
	}
	bodySig := webhook.SignBody(secret, event)
	add("valid", secret, sig, bodySig, event, at, 0)
	add("valid at the default tolerance", secret, sig, bodySig, event, at.Add(5*time.Minute), 0)
	add("expired past the default tolerance", secret, sig, bodySig, event, at.Add(5*time.Minute+time.Second), 0)
	add("signed in the future within tolerance", secret, sig, bodySig, event, at.Add(-4*time.Minute), 0)
	add("expired with a 10 s tolerance", secret, sig, bodySig, event, at.Add(-11*time.Second), 10*time.Second)
	add("valid with a 10 s tolerance", secret, sig, bodySig, event, at.Add(10*time.Second), 10*time.Second)
	tampered := []byte(strings.Replace(string(event), "delivered", "failed", 1))
	add("tampered body", secret, sig, bodySig, tampered, at, 0)
	add("wrong secret", "whsec_wrong", sig, bodySig, event, at, 0)
	add("empty secret", "", sig, bodySig, event, at, 0)
	add("rotated secret: two v1", secret, "t="+ts+",v1="+otherV1+",v1="+v1, bodySig, event, at, 0)
	add("unknown keys ignored", secret, "t="+ts+",v0=abc,v1="+v1, bodySig, event, at, 0)
	add("spaces around parts", secret, "t="+ts+", v1="+v1, bodySig, event, at, 0)
	add("tab and no-break space around parts", secret, "\tt="+ts+",\u00a0v1="+v1+"\n", bodySig, event, at, 0)
	add("a control character is no space", secret, "t="+ts+",\x1cv1="+v1, bodySig, event, at, 0)
	add("expired and wrong: mismatch first", "whsec_wrong", sig, bodySig, event, at.Add(time.Hour), 0)
	add("no t", secret, "v1="+v1, bodySig, event, at, 0)
	add("no v1", secret, "t="+ts, bodySig, event, at, 0)
	add("repeated t", secret, "t="+ts+",t="+ts+",v1="+v1, bodySig, event, at, 0)
	add("empty t", secret, "t=,v1="+v1, bodySig, event, at, 0)
	add("t of 13 digits", secret, "t=1"+ts+"99,v1="+v1, bodySig, event, at, 0)
	add("t not a number", secret, "t=12a,v1="+v1, bodySig, event, at, 0)
	add("negative t", secret, "t=-5,v1="+v1, bodySig, event, at, 0)
	plus := webhook.Sign(secret, at, event)
	add("t with a plus sign: the MAC covers it as written", secret, "t=+"+ts+plus[strings.Index(plus, ","):], bodySig, event, at, 0)
	add("t with a leading zero: the MAC covers it as written", secret, "t=0"+ts+",v1="+v1, bodySig, event, at, 0)
	add("v1 not hex", secret, "t="+ts+",v1=zz"+v1[2:], bodySig, event, at, 0)
	add("v1 too short", secret, "t="+ts+",v1="+v1[:62], bodySig, event, at, 0)
	add("part without =", secret, "t="+ts+",v1", bodySig, event, at, 0)
	add("empty header", secret, "", "", event, at, 0)
	add("header too long", secret, sig+strings.Repeat(",x=y", 300), bodySig, event, at, 0)
	add("body header without prefix", secret, sig, strings.TrimPrefix(bodySig, "sha256="), event, at, 0)
	add("upper-case hex", secret, "t="+ts+",v1="+strings.ToUpper(v1), strings.ToUpper(bodySig), event, at, 0)
	add("unicode body", secret, webhook.Sign(secret, at, unicode), webhook.SignBody(secret, unicode), unicode, at, 0)
	add("empty body", secret, webhook.Sign(secret, at, nil), webhook.SignBody(secret, nil), nil, at, 0)
	return out
}

// outcome names a verifier's error.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, webhook.ErrNoSecret):
		return "no-secret"
	case errors.Is(err, webhook.ErrSignatureMismatch):
		return "mismatch"
	case errors.Is(err, webhook.ErrSignatureExpired):
		return "expired"
	case errors.Is(err, webhook.ErrBadSignatureHeader):
		return "bad-header"
	}
	return "error: " + err.Error()
}
