package api

// Bounds on members the API checks itself; numbers, senders, lengths in
// segments and callback URLs (under the webhook address policy, an
// invalid-url problem) are the message service's to judge.
const maxClientRef = 256

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
	if len(r.ClientRef) > maxClientRef {
		return InvalidRequest("client_ref", "must be at most 256 bytes")
	}
	return nil
}
