package api

import (
	"context"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/sms"
)

// The scopes an API key can hold. ScopeAdmin implies the others.
const (
	ScopeSend  = app.ScopeSend
	ScopeRead  = app.ScopeRead
	ScopeAdmin = app.ScopeAdmin
)

// The roles a caller acts with (see package account's policy).
const (
	RoleAdmin    = app.RoleAdmin    // the platform's administrators
	RoleReseller = app.RoleReseller // a reseller, over its own account and its sub-accounts
	RoleOwner    = app.RoleOwner    // an account's owner
	RoleMember   = app.RoleMember   // an account's member: reads, and sends if CanSend
)

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
	EncodingAuto   = app.EncodingAuto   // GSM 7-bit when every character fits, else UCS-2
	EncodingGSM7   = app.EncodingGSM7   // GSM 03.38 7-bit default alphabet
	EncodingUCS2   = app.EncodingUCS2   // UCS-2 (UTF-16 big endian)
	EncodingBinary = app.EncodingBinary // 8-bit data, from SendRequest.Binary
)

// SendRequest is one message to send, as given by the client: the
// gateway's own request ([gateway.SendRequest]), which the JSON decoder
// fills. Its JSON names are in docs/api.md (to, from, text, binary,
// encoding, flash, send_at, valid_until, callback_url, client_ref,
// delivery_report). The decoder sets DeliveryReport to true when
// "delivery_report" is absent; a Go caller must set it. Exactly one of
// Text and Binary is set.
type SendRequest = gateway.SendRequest

// The bounds of ListFilter.Limit.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)
