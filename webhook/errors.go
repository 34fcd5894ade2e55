package webhook

import "errors"

// Errors returned by the dispatcher and by [Verify].
var (
	// ErrBacklog is returned by [Dispatcher.Enqueue] when a delivery finds
	// no room in memory (Config.QueueSize, Config.AccountQueueSize) and
	// there is no Outbox, or the Outbox fails.
	ErrBacklog = errors.New("webhook: delivery backlog full")
	// ErrStopped is returned by [Dispatcher.Enqueue] once Stop was called.
	ErrStopped = errors.New("webhook: dispatcher stopped")
	// ErrBadURL is wrapped by a [URLError] for a malformed callback URL.
	ErrBadURL = errors.New("webhook: bad callback url")
	// ErrHostNotAllowed is wrapped by a [URLError] for a callback host or
	// address the [AddressPolicy] refuses.
	ErrHostNotAllowed = errors.New("webhook: callback host not allowed")
	// ErrNoSecret is returned for a delivery without a signing secret.
	ErrNoSecret = errors.New("webhook: empty signing secret")
	// ErrBadDelivery wraps other reasons a delivery was refused.
	ErrBadDelivery = errors.New("webhook: bad delivery")

	// ErrBadSignatureHeader is returned by [Verify] for a header it cannot
	// parse.
	ErrBadSignatureHeader = errors.New("webhook: malformed signature header")
	// ErrSignatureMismatch is returned by [Verify] when no v1 value is
	// the MAC of the body with the secret.
	ErrSignatureMismatch = errors.New("webhook: signature mismatch")
	// ErrSignatureExpired is returned by [Verify] when the signed time is
	// further from now than the tolerance.
	ErrSignatureExpired = errors.New("webhook: signature timestamp outside tolerance")
)
