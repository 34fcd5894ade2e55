package api

import (
	"strconv"

	"github.com/gallant-sms/gallant/gateway"
)

// The API checks the lengths of client_ref and callback_url itself,
// against the gateway's limits, so a batch refuses them per item before
// anything is sent; numbers, senders, lengths in segments and the
// webhook address policy are the message service's to judge. Problems
// are made fresh each time: a caller may place their field under a path.
var (
	longClientRef   = "must be at most " + strconv.Itoa(gateway.MaxClientRef) + " bytes"
	longCallbackURL = "the URL is longer than " + strconv.Itoa(gateway.MaxCallbackURL) + " bytes"
)

// validateSend checks the shape of one message and normalises its
// encoding. Field names in problems are relative to the message.
func validateSend(r *SendRequest) *Error {
	if err := validateTo(r.To); err != nil {
		return err
	}
	return validateOptions(r)
}

// validateTo checks that a destination is present.
func validateTo(to string) *Error {
	if to == "" {
		return InvalidRequest("to", "is required")
	}
	return nil
}

// validateOptions checks everything but the destination: the options a
// batch shares between its recipients.
func validateOptions(r *SendRequest) *Error {
	switch {
	case r.Text == "" && len(r.Binary) == 0:
		return InvalidRequest("text", "give text or binary")
	case r.Text != "" && len(r.Binary) > 0:
		return InvalidRequest("binary", "give text or binary, not both")
	}
	switch r.Encoding {
	case "":
		r.Encoding = EncodingAuto
	case EncodingAuto:
	case EncodingGSM7, EncodingUCS2:
		if len(r.Binary) > 0 {
			return InvalidRequest("encoding", "a binary message takes no encoding")
		}
	default:
		return InvalidRequest("encoding", `must be "auto", "gsm7" or "ucs2"`)
	}
	if !r.SendAt.IsZero() && !r.ValidUntil.IsZero() && !r.ValidUntil.After(r.SendAt) {
		return InvalidRequest("valid_until", "must be after send_at")
	}
	if len(r.ClientRef) > gateway.MaxClientRef {
		return InvalidRequest("client_ref", longClientRef)
	}
	if len(r.CallbackURL) > gateway.MaxCallbackURL {
		return InvalidURL("callback_url", longCallbackURL)
	}
	return nil
}
