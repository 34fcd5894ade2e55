package webhook

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

func TestEventJSON(t *testing.T) {
	ev := Event{
		ID: 8437613895811074, Status: sms.StatusUndelivered, To: "447700900123", From: "Gallant",
		ClientRef: "order-17", Segments: 2, Segment: 1, ErrorCode: "0x0b", Carrier: "acme",
		At:      time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC),
		EventID: "9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f",
	}
	const want = `{"id":"8437613895811074","status":"undelivered","to":"447700900123","from":"Gallant",` +
		`"client_ref":"order-17","segments":2,"segment":1,"error_code":"0x0b","carrier":"acme",` +
		`"at":"2026-03-01T10:00:00.123456789Z","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("Marshal =\n%s\nwant\n%s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != ev {
		t.Fatalf("round trip = %+v, want %+v", back, ev)
	}
	// Empty optional fields are still present.
	b, _ = json.Marshal(Event{ID: 1, Status: sms.StatusDelivered})
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "status", "to", "from", "client_ref", "segments", "segment", "error_code", "carrier", "at", "event_id"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, b)
		}
	}
}

func TestNewEvent(t *testing.T) {
	m := &sms.Message{
		ID: 99, ClientRef: "ref", Segments: 3,
		Source: sms.Address{Addr: "Shop"}, Dest: sms.Address{Addr: "15551234567"},
	}
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	got := NewEvent(m, sms.Event{MessageID: 99, Status: sms.StatusDelivered, At: at, Segment: 2, Carrier: "c1", ErrorCode: "000"})
	want := Event{ID: 99, Status: sms.StatusDelivered, To: "15551234567", From: "Shop", ClientRef: "ref",
		Segments: 3, Segment: 2, ErrorCode: "000", Carrier: "c1", At: at}
	if got != want {
		t.Fatalf("NewEvent = %+v, want %+v", got, want)
	}
}

func TestEventIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newEventID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("event id %q short or repeated", id)
		}
		seen[id] = true
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		n    int
		want time.Duration // nominal; the result is in [0.8 want, want]
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {8, 128 * time.Second},
		{10, 512 * time.Second}, {11, 10 * time.Minute}, {1000, 10 * time.Minute},
	}
	for _, c := range cases {
		for range 50 {
			got := backoff(time.Second, 10*time.Minute, c.n)
			if got > c.want || got < c.want*8/10 {
				t.Fatalf("backoff(n=%d) = %v, want in [%v, %v]", c.n, got, c.want*8/10, c.want)
			}
		}
	}
	if got := backoff(time.Nanosecond, time.Nanosecond, 5); got < 0 || got > time.Nanosecond {
		t.Fatalf("tiny backoff = %v", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		v    string
		want time.Duration
	}{
		{"", -1},
		{"120", 2 * time.Minute},
		{"0", 0},
		{"-5", -1},
		{"1.5", -1},
		{"soon", -1},
		{"99999999999999", -1},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, c := range cases {
		if got := parseRetryAfter(c.v, now); got != c.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}
