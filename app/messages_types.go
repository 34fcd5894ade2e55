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
type MessageView struct {
	ID             sms.ID
	To             string
	From           string
	Text           string
	Binary         []byte
	Encoding       string
	Segments       int
	Status         sms.Status
	Flash          bool
	DeliveryReport bool
	SendAt         time.Time
	ValidUntil     time.Time
	CallbackURL    string
	ClientRef      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Price          *int64
	// History lists every status change, oldest first. List may leave it
	// empty.
	History []sms.Event
}

// ListFilter selects messages for [Messages.List].
type ListFilter struct {
	// Status selects messages currently in that status; StatusUnknown
	// selects all.
	Status sms.Status
	// To selects messages to that destination; empty selects all.
	To string
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

// MessagePage is one page of a message list.
type MessagePage struct {
	Items []MessageView
	// NextCursor fetches the next page; empty at the end.
	NextCursor string
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
