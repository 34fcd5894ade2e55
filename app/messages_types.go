package app

import (
	"crypto/sha256"
	"slices"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Principal is an authenticated caller: an API key (KeyID set) or a
// dashboard user with a session (UserID set), the account it belongs to,
// the scopes it holds and the role it acts with on accounts.
type Principal struct {
	AccountID int64
	KeyID     int64
	// UserID is the dashboard user of a session token; 0 for an API key.
	UserID int64
	// Role is RoleAdmin, RoleReseller, RoleOwner or RoleMember; CanSend
	// lets a member send. For an API key the authenticator derives them
	// from the key's scopes and its account's kind.
	Role    string
	CanSend bool
	Scopes  []string
	// Unverified marks a session of a self-registered user whose email
	// is not verified yet: the services refuse its sends and changes
	// with an email-unverified problem.
	Unverified bool
}

// Has reports whether p holds scope; an admin key holds every scope.
func (p *Principal) Has(scope string) bool {
	return slices.Contains(p.Scopes, scope) || slices.Contains(p.Scopes, ScopeAdmin)
}

// SendResult is the answer to an accepted message.
type SendResult struct {
	ID     sms.ID
	Status sms.Status
	// Segments is the number of parts the message is sent (and billed) as.
	Segments int
	// Encoding is EncodingGSM7, EncodingUCS2 or EncodingBinary.
	Encoding string
	// Price is the charge in micro-units of the account's currency; nil
	// until billing exists, and then left out of the JSON answer.
	Price *int64
}

// BatchItem is the outcome of one message of a batch: Err is nil and
// Result is set when it was accepted.
type BatchItem struct {
	Result SendResult
	Err    error
}

// MessageView is a message as the API shows it, with its status history.
// It is the one view of a message: the service fills it from the store
// and the API encodes it as it is, so its JSON tags are the API's
// (docs/api.md, the OpenAPI document). Ids are strings: they exceed the
// integers JavaScript holds exactly.
type MessageView struct {
	ID             sms.ID     `json:"id,string"`
	To             string     `json:"to"`
	From           string     `json:"from,omitempty"`
	Text           string     `json:"text,omitempty"`
	Binary         []byte     `json:"binary,omitempty"`
	Encoding       string     `json:"encoding,omitempty"`
	Segments       int        `json:"segments"`
	Status         sms.Status `json:"status"`
	Flash          bool       `json:"flash"`
	DeliveryReport bool       `json:"delivery_report"`
	SendAt         time.Time  `json:"send_at,omitzero"`
	ValidUntil     time.Time  `json:"valid_until,omitzero"`
	CallbackURL    string     `json:"callback_url,omitempty"`
	ClientRef      string     `json:"client_ref,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at,omitzero"`
	Price          *int64     `json:"price,omitempty"`
	// History lists every status change, oldest first. List leaves it
	// empty, and an empty history is left out of the JSON.
	History []EventView `json:"history,omitempty"`
}

// EventView is one status change of a message as its sender sees it.
// The carrier's name and its message id stay internal: which carrier
// carried a message is ours to know (resellers rely on it); its error
// code is the customer's.
type EventView struct {
	Status sms.Status `json:"status"`
	At     time.Time  `json:"at"`
	// Segment is the part (from 1) of a long message the change is for;
	// 0 for the whole message.
	Segment   int    `json:"segment,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
}

// eventViews shows a message's stored events to its sender.
func eventViews(events []sms.Event) []EventView {
	if len(events) == 0 {
		return nil
	}
	out := make([]EventView, len(events))
	for i := range events {
		e := &events[i]
		out[i] = EventView{Status: e.Status, At: e.At, Segment: e.Segment, ErrorCode: e.ErrorCode}
	}
	return out
}

// ListFilter selects messages for [Messages.List].
type ListFilter struct {
	// Status selects messages currently in that status; StatusUnknown
	// selects all.
	Status sms.Status
	// To selects messages to that destination; empty selects all.
	To string
	// Sender selects messages from that sender (a number, with or
	// without "+", or an alphanumeric sender); empty selects all.
	Sender string
	// Campaign selects the messages of that campaign of the account;
	// zero selects all.
	Campaign int64
	// From and Until bound the creation time: From <= created < Until. A
	// zero time leaves that side open.
	From, Until time.Time
	// Cursor is the NextCursor of the previous page, empty for the first.
	// It is opaque to the API; the service answers a malformed cursor
	// with an invalid-request [*Error].
	Cursor string
	// Limit is the page size, from 1 to the API's MaxListLimit (its
	// DefaultListLimit when the client gives none).
	Limit int
}

// MessagePage is one page of a message list, as the API encodes it.
type MessagePage struct {
	Items []MessageView `json:"items"`
	// NextCursor fetches the next page; empty at the end.
	NextCursor string `json:"next_cursor,omitempty"`
}

// IdempotencyRecord is the stored first answer to an idempotent POST.
type IdempotencyRecord struct {
	// RequestHash is the SHA-256 of the route and body of the request
	// that produced the answer; a retry with another body is refused.
	RequestHash [sha256.Size]byte
	// StatusCode, ContentType, Location and Body are the answer. An empty
	// ContentType or Location is rebuilt on replay: every error answer is
	// a problem document, every other one JSON, and an accepted message's
	// Location is its id's URL.
	StatusCode  int
	ContentType string
	Location    string
	Body        []byte
	CreatedAt   time.Time
}
