package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestEventViewsKeepCarrierInternal: a message's history as its sender
// sees it keeps each event's status, time, segment and error code, and
// neither the carrier's name nor its message id.
func TestEventViewsKeepCarrierInternal(t *testing.T) {
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	events := []sms.Event{
		{MessageID: 9, Status: sms.StatusSubmitted, At: at, Segment: 2, Carrier: "secret-carrier", CarrierMsgID: "cmid-77"},
		{MessageID: 9, Status: sms.StatusUndelivered, At: at.Add(time.Second), ErrorCode: "0x0b", Carrier: "secret-carrier"},
	}
	got := eventViews(events)
	want := []EventView{
		{Status: sms.StatusSubmitted, At: at, Segment: 2},
		{Status: sms.StatusUndelivered, At: at.Add(time.Second), ErrorCode: "0x0b"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("eventViews = %+v, want %+v", got, want)
	}
	b, err := json.Marshal(MessageView{ID: 9, History: got})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "secret-carrier") || strings.Contains(s, "cmid-77") {
		t.Fatalf("the carrier leaks into %s", s)
	}
	if eventViews(nil) != nil {
		t.Fatal("no events should be no history (left out of the JSON)")
	}
}

// TestViewOfStoredMessage: a stored message is shown with numbers in
// E.164 form, an alphanumeric sender as it is, its text decoded, its
// current status and delivery report flag.
func TestViewOfStoredMessage(t *testing.T) {
	created := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	m := &sms.Message{ID: 42, Status: sms.StatusDelivered, Dest: sms.Address{TON: 1, NPI: 1, Addr: "447700900123"},
		Source: sms.Address{TON: 1, NPI: 1, Addr: "15550001"}, Body: []byte("hello"), Segments: 1,
		RegisteredDelivery: 1, ClientRef: "c1", CreatedAt: created, Price: 35_000}
	v := Messages{}.view(m, created.Add(time.Minute))
	if v.ID != 42 || v.To != "+447700900123" || v.From != "+15550001" || v.Text != "hello" || v.Encoding != "gsm7" ||
		v.Status != sms.StatusDelivered || !v.DeliveryReport || v.ClientRef != "c1" || !v.UpdatedAt.Equal(created.Add(time.Minute)) {
		t.Fatalf("view = %+v", v)
	}
	if v.Price != nil {
		t.Fatalf("a price without billing: %d", *v.Price)
	}
	m.Source = sms.Address{TON: 5, Addr: "Gallant"}
	m.RegisteredDelivery = 0
	if v := (Messages{billing: true}).view(m, created); v.From != "Gallant" || v.DeliveryReport || v.Price == nil || *v.Price != 35_000 {
		t.Fatalf("alphanumeric sender, no report, priced: %+v", v)
	}
}
