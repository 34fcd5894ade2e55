package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Event is the JSON body of a status callback: one change of a message's
// status. A body looks like
//
//	{"id":"8437613895811074","status":"delivered","to":"447700900123",
//	 "from":"Gallant","client_ref":"order-17","segments":2,"segment":0,
//	 "error_code":"000","carrier":"acme","at":"2026-03-01T10:00:00.123Z",
//	 "event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}
//
// Every field is always present (empty strings and zeros included) so
// receivers can rely on the shape.
type Event struct {
	// ID is the message id, as a decimal string.
	ID sms.ID `json:"id,string"`
	// Status is the new status by its API name ("delivered", ...).
	Status sms.Status `json:"status"`
	// To and From are the destination and source addresses.
	To   string `json:"to"`
	From string `json:"from"`
	// ClientRef is the customer's own reference given at submission.
	ClientRef string `json:"client_ref"`
	// Segments is the number of parts the message was sent in.
	Segments int `json:"segments"`
	// Segment is the 1-based part the event is about; 0 means the whole
	// message.
	Segment int `json:"segment"`
	// ErrorCode is the carrier's error code, if it gave one.
	ErrorCode string `json:"error_code"`
	// Carrier is the name of the carrier that carried the message.
	Carrier string `json:"carrier"`
	// At is when the status changed. [Dispatcher.Enqueue] converts it to
	// UTC, so it is sent in RFC 3339 form with nanoseconds and a "Z".
	At time.Time `json:"at"`
	// EventID identifies this event; retries of it carry the same id, so
	// receivers can drop duplicates. [Dispatcher.Enqueue] fills an empty
	// one with 32 random hex digits; callers that may send one event again
	// after a restart should set it from their stored event instead.
	EventID string `json:"event_id"`
}

// NewEvent returns the callback payload for status event e of message m.
// EventID is left empty for [Dispatcher.Enqueue] to fill.
func NewEvent(m *sms.Message, e sms.Event) Event {
	return Event{
		ID:        m.ID,
		Status:    e.Status,
		To:        m.Dest.Addr,
		From:      m.Source.Addr,
		ClientRef: m.ClientRef,
		Segments:  m.Segments,
		Segment:   e.Segment,
		ErrorCode: e.ErrorCode,
		Carrier:   e.Carrier,
		At:        e.At,
	}
}

// newEventID returns 128 random bits in hex.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return hex.EncodeToString(b[:])
}
