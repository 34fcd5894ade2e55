// Package gallant is a client for the Gallant SMS HTTP API: sending
// messages and batches, reading their status and history, listing
// messages and inbound messages, contacts, lists, campaigns and the
// balance, and verifying the signatures of the webhooks the gateway sends.
//
// It uses the standard library only. Create a [Client] with [NewClient]
// and call its methods with a context:
//
//	c := gallant.NewClient("https://sms.example.com", os.Getenv("GALLANT_API_KEY"))
//	res, err := c.SendMessage(ctx, &gallant.SendRequest{To: "+447700900123", Text: "Hello"},
//		gallant.IdempotencyKey("order-17-sms"))
//
// Every error the API answers is an [*Error] carrying its problem document
// (RFC 9457): inspect it with [errors.As] and switch on [Error.Slug].
// Answers 429 (rate-limited) and 503 (backpressure) are retried a bounded
// number of times, after the delay their Retry-After header asks for
// ([WithRetries]).
//
// [VerifyWebhook] checks the X-Gallant-Signature header of a status or
// inbound callback exactly as the gateway computes it: an HMAC-SHA256 of
// "<t>.<body>" keyed with the account's webhook secret, compared in constant
// time, with the timestamp within a tolerance of the receiver's clock.
//
// A Client is safe for concurrent use by several goroutines.
package gallant
