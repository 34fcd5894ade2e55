package api

import (
	"context"
	"crypto/sha256"
	"slices"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// The scopes an API key can hold. ScopeAdmin implies the others.
const (
	ScopeSend  = "send"
	ScopeRead  = "read"
	ScopeAdmin = "admin"
)

// The roles a caller acts with (see package account's policy).
const (
	RoleAdmin    = "admin"    // the platform's administrators
	RoleReseller = "reseller" // a reseller, over its own account and its sub-accounts
	RoleOwner    = "owner"    // an account's owner
	RoleMember   = "member"   // an account's member: reads, and sends if CanSend
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

// Authenticator checks API keys.
type Authenticator interface {
	// AuthenticateAPIKey returns the caller owning key. For an unknown,
	// revoked or expired key it returns an error matching
	// [ErrUnauthorized] (or an [*Error] of type unauthorized); any other
	// error is answered as an internal error.
	AuthenticateAPIKey(ctx context.Context, key string) (Principal, error)
}

// Messages is the message service behind the API. Its methods return an
// [*Error] for answers the client should see (invalid-number, no-route,
// rate-limited, ...), an error matching [ErrNotFound] for a message that
// does not exist or belongs to another account, and any other error for a
// fault, which the API answers as internal without revealing it.
type Messages interface {
	// Send accepts one message for p's account. In durable mode it
	// returns only after the message is committed.
	Send(ctx context.Context, p Principal, req SendRequest) (SendResult, error)
	// SendBatch accepts several messages for p's account and returns one
	// item per request, in order, each a result or an error. An error
	// return fails the whole batch (for example backpressure).
	SendBatch(ctx context.Context, p Principal, reqs []SendRequest) ([]BatchItem, error)
	// Get returns one of p's messages with its status history.
	Get(ctx context.Context, p Principal, id sms.ID) (MessageView, error)
	// List returns p's messages matching f, newest first.
	List(ctx context.Context, p Principal, f ListFilter) (MessagePage, error)
}

// Saturation may be implemented by a [Messages] that can tell cheaply
// that it would refuse every message for backpressure right now. The batch
// endpoint then answers 503 before it reads the request: decoding and
// refusing thousands of messages per retry is what kept a saturated
// gateway saturated (bench/RESULTS.md).
type Saturation interface {
	Saturated() bool
}

// Idempotency stores the first answer to a POST carrying an
// Idempotency-Key header, per account, so that a retry returns it instead
// of sending again. It is backed by the store's idempotency_keys table;
// records may expire after a retention period (24 hours is usual).
type Idempotency interface {
	// Get returns the record stored under (accountID, key), if any.
	Get(ctx context.Context, accountID int64, key string) (rec IdempotencyRecord, found bool, err error)
	// Put stores rec under (accountID, key). It returns an error matching
	// [ErrIdempotencyConflict] when a record is already stored there (by
	// another request, possibly on another instance).
	Put(ctx context.Context, accountID int64, key string, rec IdempotencyRecord) error
}

// Health reports whether the gateway can serve traffic.
type Health interface {
	// Ready returns nil when the store is reachable and the listeners are
	// up, or an error saying what is not.
	Ready(ctx context.Context) error
}

// The encodings of a message body.
const (
	EncodingAuto   = "auto"   // GSM 7-bit when every character fits, else UCS-2
	EncodingGSM7   = "gsm7"   // GSM 03.38 7-bit default alphabet
	EncodingUCS2   = "ucs2"   // UCS-2 (UTF-16 big endian)
	EncodingBinary = "binary" // 8-bit data, from SendRequest.Binary
)

// SendRequest is one message to send, as given by the client. Its JSON
// names are in docs/api.md (to, from, text, binary, encoding, flash,
// send_at, valid_until, callback_url, client_ref, delivery_report).
type SendRequest struct {
	// To is the destination number (E.164, with or without '+').
	To string
	// From is the sender: a number or an alphanumeric name; empty uses the
	// account's default sender.
	From string
	// Text is the message text. Exactly one of Text and Binary is set.
	Text string
	// Binary is an 8-bit body (base64 in JSON "binary").
	Binary []byte
	// Encoding is EncodingAuto (the default, also for an empty string),
	// EncodingGSM7 or EncodingUCS2; binary messages take EncodingAuto.
	Encoding string
	// Flash asks for a class 0 (flash) message.
	Flash bool
	// SendAt holds the message until then; zero sends at once.
	SendAt time.Time
	// ValidUntil expires the message if it could not be delivered by then;
	// zero means the gateway's default validity.
	ValidUntil time.Time
	// CallbackURL receives status webhooks for this message; empty uses
	// the account's default.
	CallbackURL string
	// ClientRef is the client's own reference, echoed in webhooks.
	ClientRef string
	// DeliveryReport asks for delivery receipts. The JSON decoder sets it
	// to true when "delivery_report" is absent; a Go caller must set it.
	DeliveryReport bool
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

// The bounds of ListFilter.Limit.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

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
	// Limit is the page size, 1..MaxListLimit (DefaultListLimit when the
	// client gives none).
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
