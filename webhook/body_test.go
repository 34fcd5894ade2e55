package webhook

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// TestDeliveryBodyPostedAsIs: a Delivery with a Body posts those bytes
// instead of the encoded Event, signed as events are, and retries them
// unchanged.
func TestDeliveryBodyPostedAsIs(t *testing.T) {
	rc := newReceiver(t, func(n int, _ *http.Request) answer {
		if n == 0 {
			return answer{status: http.StatusServiceUnavailable}
		}
		return answer{status: http.StatusOK}
	})
	rec := newFakeRecorder()
	d, _ := newTestDispatcher(t, fast(), rec)
	dl := testDelivery(rc.URL+"/mo", 43)
	dl.Body = []byte(`{"type":"message.inbound","id":"43","text":"hi"}`)
	if err := d.Enqueue(dl); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "delivery", func(as []Attempt) bool { return finished(as) == 1 })
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("receiver got %d requests, want 2 (one retry)", len(reqs))
	}
	for i, r := range reqs {
		if !bytes.Equal(r.body, dl.Body) {
			t.Errorf("request %d body %s, want %s", i, r.body, dl.Body)
		}
		if err := Verify("whsec_test", r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
			t.Errorf("request %d signature: %v", i, err)
		}
	}
}
