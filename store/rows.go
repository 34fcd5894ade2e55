package store

import (
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Event is a status change to store: an [sms.Event] with the account its
// message belongs to, which every status row carries so reads can filter
// by account. *Event is a [Row].
type Event struct {
	AccountID int64
	sms.Event
	// SubmittedAt, when not zero, folds the segment's "submitted" event
	// into this final one: the carrier took the segment then (with this
	// event's Carrier and CarrierMsgID). Readers show it as an event of
	// its own. See [Writer.Amend].
	SubmittedAt time.Time
}

// Built-in tables. Column lists are the INSERT order of the append
// functions below and the schema in migrations/.
var (
	messagesTable = mustTable("messages", true,
		"id", "account_id", "ingress", "system_id", "client_ref",
		"src_ton", "src_npi", "src_addr", "dst_ton", "dst_npi", "dst_addr",
		"data_coding", "esm_class", "protocol_id", "priority", "registered_delivery",
		"body", "segments", "send_at", "valid_until", "callback_url", "created_at", "status",
		"price_micros")
	eventsTable = mustTable("message_events", false,
		"message_id", "account_id", "status", "at", "segment", "carrier", "carrier_msg_id", "error_code",
		"submitted_at")
	moTable = mustTable("mo_messages", true,
		"id", "account_id", "carrier", "src_ton", "src_npi", "src_addr",
		"dst_ton", "dst_npi", "dst_addr", "data_coding", "esm_class", "body", "received_at")
	heldReceiptsTable = mustTable("held_receipts", false,
		"account_id", "system_id", "message_id", "payload", "expires_at", "created_at")
	webhookAttemptsTable = mustTable("webhook_attempts", false,
		"message_id", "account_id", "url", "attempt", "status_code", "error", "at", "gave_up")
)

// appendMessage writes a message row. A zero CreatedAt is stored as now; a
// zero Status as scheduled when SendAt is after the creation time, else
// accepted.
func appendMessage(v *Values, m *sms.Message, now time.Time) {
	created := m.CreatedAt
	if created.IsZero() {
		created = now
	}
	status := m.Status
	if status == sms.StatusUnknown {
		status = sms.StatusAccepted
		if m.SendAt.After(created) {
			status = sms.StatusScheduled
		}
	}
	v.ID(m.ID)
	v.Int(m.AccountID)
	v.Int(int64(m.Ingress))
	v.String(m.SystemID)
	v.String(m.ClientRef)
	v.Int(int64(m.Source.TON))
	v.Int(int64(m.Source.NPI))
	v.String(m.Source.Addr)
	v.Int(int64(m.Dest.TON))
	v.Int(int64(m.Dest.NPI))
	v.String(m.Dest.Addr)
	v.Int(int64(m.DataCoding))
	v.Int(int64(m.ESMClass))
	v.Int(int64(m.ProtocolID))
	v.Int(int64(m.Priority))
	v.Int(int64(m.RegisteredDelivery))
	v.Sealed(m.Body)
	v.Int(int64(m.Segments))
	v.Time(m.SendAt)
	v.Time(m.ValidUntil)
	v.String(m.CallbackURL)
	v.Time(created)
	v.Int(int64(status))
	v.Int(m.Price)
}

// appendEvent writes a status row; a zero At is stored as now.
func appendEvent(v *Values, e *Event, now time.Time) {
	at := e.At
	if at.IsZero() {
		at = now
	}
	v.ID(e.MessageID)
	v.Int(e.AccountID)
	v.Int(int64(e.Status))
	v.Time(at)
	v.Int(int64(e.Segment))
	v.String(e.Carrier)
	v.String(e.CarrierMsgID)
	v.String(e.ErrorCode)
	v.Time(e.SubmittedAt)
}

// appendMO writes an MO row; a zero ReceivedAt is stored as now.
func appendMO(v *Values, m *sms.MO, now time.Time) {
	at := m.ReceivedAt
	if at.IsZero() {
		at = now
	}
	v.ID(m.ID)
	v.Int(m.AccountID)
	v.String(m.Carrier)
	v.Int(int64(m.Source.TON))
	v.Int(int64(m.Source.NPI))
	v.String(m.Source.Addr)
	v.Int(int64(m.Dest.TON))
	v.Int(int64(m.Dest.NPI))
	v.String(m.Dest.Addr)
	v.Int(int64(m.DataCoding))
	v.Int(int64(m.ESMClass))
	v.Sealed(m.Body)
	v.Time(at)
}

// appendHeldReceipt writes a held receipt; a zero CreatedAt is stored as
// now. A zero ExpiresAt is stored as NULL, which the schema refuses.
func appendHeldReceipt(v *Values, h *HeldReceipt, now time.Time) {
	created := h.CreatedAt
	if created.IsZero() {
		created = now
	}
	v.Int(h.AccountID)
	v.String(h.SystemID)
	v.ID(h.MessageID)
	v.Sealed(h.Payload)
	v.Time(h.ExpiresAt)
	v.Time(created)
}

// maxWebhookError is the length of the webhook_attempts.error column.
const maxWebhookError = 1024

// appendWebhookAttempt writes a webhook attempt; a zero At is stored as
// now and an error text longer than the column is cut at a UTF-8 boundary.
func appendWebhookAttempt(v *Values, a *WebhookAttempt, now time.Time) {
	at := a.At
	if at.IsZero() {
		at = now
	}
	v.ID(a.MessageID)
	v.Int(a.AccountID)
	v.String(a.URL)
	v.Int(int64(a.Attempt))
	v.Int(int64(a.StatusCode))
	v.String(truncateUTF8(a.Error, maxWebhookError))
	v.Time(at)
	v.Bool(a.GaveUp)
}

// truncateUTF8 cuts s to at most n bytes without splitting a UTF-8
// sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
