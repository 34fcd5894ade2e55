package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"
)

// TestDispatcherSendsBothSignatures: every callback carries the
// timestamped signature and the body-only one, each over the body as
// sent; the body MAC is computed here with crypto/hmac.
func TestDispatcherSendsBothSignatures(t *testing.T) {
	rc := newReceiver(t, always(http.StatusNoContent))
	rec := newFakeRecorder()
	d, _ := newTestDispatcher(t, fast(), rec)
	if err := d.Enqueue(testDelivery(rc.URL, 42)); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "delivery", func(as []Attempt) bool { return finished(as) == 1 })
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if err := Verify("whsec_test", r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
		t.Errorf("%s: %v", SignatureHeader, err)
	}
	mac := hmac.New(sha256.New, []byte("whsec_test"))
	mac.Write(r.body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := r.header.Get("X-Gallant-Signature-256"); got != want {
		t.Errorf("X-Gallant-Signature-256 = %q, want %q", got, want)
	}
	if err := VerifyBody("whsec_test", r.header.Get(BodySignatureHeader), r.body); err != nil {
		t.Errorf("VerifyBody: %v", err)
	}
}
