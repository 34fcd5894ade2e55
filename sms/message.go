package sms

import "time"

// Address is a phone number or sender name with its SMPP type of number
// and numbering plan (TON 1 / NPI 1 for E.164 digits without '+', TON 5 /
// NPI 0 for alphanumeric senders).
type Address struct {
	TON  uint8  `json:"ton"`
	NPI  uint8  `json:"npi"`
	Addr string `json:"addr"`
}

// Ingress says how a message entered the gateway.
type Ingress uint8

// The ingresses.
const (
	IngressSMPP Ingress = iota + 1
	IngressHTTP
)

// String returns "smpp" or "http".
func (i Ingress) String() string {
	switch i {
	case IngressSMPP:
		return "smpp"
	case IngressHTTP:
		return "http"
	}
	return "unknown"
}

// Message is one message as accepted from a customer. Body holds the
// content already encoded in DataCoding; when ESMClass has the UDHI bit
// (0x40) Body starts with the customer's own user data header and the
// message is one segment of a concatenated set. Otherwise a Body longer
// than one segment is split by the dispatcher, and Segments says into how
// many parts (each billed, tracked and receipted by the carrier).
type Message struct {
	ID        ID
	AccountID int64
	Ingress   Ingress
	// SystemID is the SMPP system_id of the customer's bind; receipts go
	// back to a receiver or transceiver bind of it. Empty for HTTP.
	SystemID string
	// ClientRef is the customer's own reference, echoed in callbacks.
	ClientRef string

	Source Address
	Dest   Address

	DataCoding         byte
	ESMClass           byte
	ProtocolID         byte
	Priority           byte
	RegisteredDelivery byte
	Body               []byte
	Segments           int

	// SendAt holds the message until then; zero sends at once.
	SendAt time.Time
	// ValidUntil expires the message if it could not be sent by then; zero
	// means the gateway's default validity.
	ValidUntil time.Time
	// CallbackURL receives status webhooks; empty uses the account default.
	CallbackURL string

	// Price is what the message costs its account, in micro-units of the
	// account's currency (all segments); 0 when billing is off.
	Price int64

	CreatedAt time.Time
	Status    Status
}

// UDHI is the esm_class bit saying the body starts with a user data header.
const UDHI = 0x40

// HasUDH reports whether Body starts with a user data header.
func (m *Message) HasUDH() bool { return m.ESMClass&UDHI != 0 }

// WantsReceipt reports whether the customer asked for a delivery receipt
// for a final status s (registered_delivery bits 1-0: 01 any final
// outcome, 10 failure only, 11 success only).
func (m *Message) WantsReceipt(s Status) bool {
	switch m.RegisteredDelivery & 0x03 {
	case 1:
		return s.Final()
	case 2:
		return s.Final() && !s.Success()
	case 3:
		return s.Success()
	}
	return false
}

// Event is one change of a message's status, in its history.
type Event struct {
	MessageID ID
	Status    Status
	At        time.Time
	// Segment is the 1-based segment the event is about, 0 for the whole
	// message.
	Segment int
	// Carrier is the carrier that sent the message, CarrierMsgID the id it
	// gave in submit_sm_resp (set on the "submitted" event only: a final
	// event of the same segment leaves it empty, so the store indexes
	// each carrier id once), ErrorCode its error code (a command_status in
	// hex, or the err field of its receipt).
	Carrier      string
	CarrierMsgID string
	ErrorCode    string
}

// Receipt is a delivery receipt from a carrier, matched to our message.
type Receipt struct {
	MessageID    ID
	Segment      int
	Status       Status
	Carrier      string
	CarrierMsgID string
	ErrorCode    string
	DoneAt       time.Time
}

// MO is a mobile-originated message received from a carrier.
type MO struct {
	ID         ID
	AccountID  int64 // 0 until routed to an account
	Carrier    string
	Source     Address
	Dest       Address
	DataCoding byte
	ESMClass   byte
	Body       []byte
	ReceivedAt time.Time
}
