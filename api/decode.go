package api

import (
	"encoding/base64"
	"strconv"
	"time"
)

// MaxBatch is the most messages one batch request may carry.
const MaxBatch = 10_000

// Bits of the members seen in an object, to refuse duplicates.
const (
	seenTo uint32 = 1 << iota
	seenFrom
	seenText
	seenBinary
	seenEncoding
	seenFlash
	seenSendAt
	seenValidUntil
	seenCallbackURL
	seenClientRef
	seenDeliveryReport
	seenMessages
)

// seenShared holds the bits of the options a batch shares between its
// recipients.
const seenShared = seenFrom | seenText | seenBinary | seenEncoding | seenFlash | seenSendAt |
	seenValidUntil | seenCallbackURL | seenClientRef | seenDeliveryReport

// decodeSend decodes the body of POST /v1/messages. It refuses unknown and
// repeated members; absent members keep their zero value, except
// DeliveryReport, which defaults to true.
func decodeSend(body []byte) (SendRequest, *Error) {
	req := SendRequest{DeliveryReport: true}
	s := scanner{data: body}
	if len(body) == 0 {
		return req, InvalidJSON("the body is empty; want a JSON object")
	}
	if _, err := s.sendObject(&req); err != nil {
		return req, err
	}
	return req, s.end()
}

// sendObject decodes one message object into req and returns the bits of
// the members it saw.
func (s *scanner) sendObject(req *SendRequest) (uint32, *Error) {
	if err := s.expect('{', "a JSON object"); err != nil {
		return 0, err
	}
	var seen uint32
	for first := true; ; first = false {
		name, escaped, done, err := s.member(first)
		if err != nil {
			return seen, err
		}
		if done {
			return seen, nil
		}
		bit, err := s.sendMember(req, name, escaped, seen)
		if err != nil {
			return seen, err
		}
		seen |= bit
	}
}

// sendMember decodes the value of member name into req and returns its
// bit.
func (s *scanner) sendMember(req *SendRequest, name []byte, escaped bool, seen uint32) (uint32, *Error) {
	bit := memberBit(name, escaped)
	if bit == 0 || bit == seenMessages {
		return 0, InvalidRequest(string(name), "unknown field")
	}
	if seen&bit != 0 {
		return 0, InvalidRequest(string(name), "repeated field")
	}
	var err *Error
	switch bit {
	case seenTo:
		req.To, _, err = s.str("to")
	case seenFrom:
		req.From, _, err = s.str("from")
	case seenText:
		req.Text, _, err = s.str("text")
	case seenBinary:
		req.Binary, err = s.base64("binary")
	case seenEncoding:
		req.Encoding, err = s.encoding("encoding")
	case seenFlash:
		req.Flash, _, err = s.boolean("flash")
	case seenSendAt:
		err = s.time("send_at", &req.SendAt)
	case seenValidUntil:
		err = s.time("valid_until", &req.ValidUntil)
	case seenCallbackURL:
		req.CallbackURL, _, err = s.str("callback_url")
	case seenClientRef:
		req.ClientRef, _, err = s.str("client_ref")
	case seenDeliveryReport:
		var v, ok bool
		if v, ok, err = s.boolean("delivery_report"); ok {
			req.DeliveryReport = v
		}
	}
	return bit, err
}

// memberBit returns the bit of a member name, 0 for an unknown one. Names
// are matched exactly (unlike encoding/json, which ignores case); an
// escaped name never matches.
func memberBit(name []byte, escaped bool) uint32 {
	if escaped {
		return 0
	}
	switch string(name) {
	case "to":
		return seenTo
	case "from":
		return seenFrom
	case "text":
		return seenText
	case "binary":
		return seenBinary
	case "encoding":
		return seenEncoding
	case "flash":
		return seenFlash
	case "send_at":
		return seenSendAt
	case "valid_until":
		return seenValidUntil
	case "callback_url":
		return seenCallbackURL
	case "client_ref":
		return seenClientRef
	case "delivery_report":
		return seenDeliveryReport
	case "messages":
		return seenMessages
	}
	return 0
}

// encoding reads the encoding member, returning the package's constant
// for a known name so that the common case does not allocate. Unknown
// names are returned as given and refused by validation.
func (s *scanner) encoding(field string) (string, *Error) {
	b, ok, err := s.bytes(field)
	if !ok || err != nil {
		return "", err
	}
	switch string(b) {
	case EncodingAuto:
		return EncodingAuto, nil
	case EncodingGSM7:
		return EncodingGSM7, nil
	case EncodingUCS2:
		return EncodingUCS2, nil
	}
	return string(b), nil
}

// base64 reads standard base64 (as encoding/json does for []byte).
func (s *scanner) base64(field string) ([]byte, *Error) {
	b, ok, err := s.bytes(field)
	if !ok || err != nil {
		return nil, err
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, derr := base64.StdEncoding.Decode(out, b)
	if derr != nil {
		return nil, InvalidRequest(field, "must be standard base64")
	}
	return out[:n], nil
}

// time reads an RFC 3339 time into t (null leaves it unchanged).
func (s *scanner) time(field string, t *time.Time) *Error {
	b, ok, err := s.bytes(field)
	if !ok || err != nil {
		return err
	}
	if t.UnmarshalText(b) != nil {
		return InvalidRequest(field, "must be an RFC 3339 time such as 2026-05-01T09:30:00Z")
	}
	return nil
}

// batchRequest is a decoded POST /v1/messages/batch body: either recipients
// To sharing the options in Shared, or a list of Messages.
type batchRequest struct {
	Shared   SendRequest
	To       []string
	Messages []SendRequest
	seen     uint32
}

// decodeBatch decodes the body of POST /v1/messages/batch, refusing more
// than limit messages before decoding them.
func decodeBatch(body []byte, limit int) (*batchRequest, *Error) {
	if len(body) == 0 {
		return nil, InvalidJSON("the body is empty; want a JSON object")
	}
	b := &batchRequest{Shared: SendRequest{DeliveryReport: true}}
	s := scanner{data: body}
	if err := s.expect('{', "a JSON object"); err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		name, escaped, done, err := s.member(first)
		if err != nil {
			return nil, err
		}
		if done {
			break
		}
		bit := memberBit(name, escaped)
		if bit != 0 && b.seen&bit != 0 {
			return nil, InvalidRequest(string(name), "repeated field")
		}
		switch bit {
		case seenTo:
			err = s.recipients(b, limit)
		case seenMessages:
			err = s.messages(b, limit)
		default:
			bit, err = s.sendMember(&b.Shared, name, escaped, b.seen)
		}
		if err != nil {
			return nil, err
		}
		b.seen |= bit
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	switch {
	case b.seen&seenTo != 0 && b.seen&seenMessages != 0:
		return nil, InvalidRequest("messages", `give either "to" or "messages", not both`)
	case b.seen&seenMessages != 0 && b.seen&seenShared != 0:
		return nil, InvalidRequest("messages", `shared options go only with "to"; set them on each message`)
	case b.seen&seenTo != 0 && len(b.To) == 0, b.seen&seenMessages != 0 && len(b.Messages) == 0:
		return nil, InvalidRequest("", "the batch is empty")
	case b.seen&(seenTo|seenMessages) == 0:
		return nil, InvalidRequest("to", `give "to" (a list of numbers) or "messages" (a list of messages)`)
	}
	return b, nil
}

// recipients reads the "to" array of strings.
func (s *scanner) recipients(b *batchRequest, limit int) *Error {
	if s.null() {
		return nil
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '[' {
		return s.wrongType("to", "a list of numbers")
	}
	s.pos++
	// Start small and let append grow: the body, not the client's claim,
	// bounds the count.
	b.To = make([]string, 0, min(limit, 64))
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if len(b.To) == limit {
			return PayloadTooLarge("to", "a batch holds at most "+strconv.Itoa(limit)+" messages")
		}
		s.ws()
		v, ok, err := s.str("")
		if err == nil && !ok {
			err = InvalidRequest("", "must be a string")
		}
		if err != nil {
			return inField(err, "to["+strconv.Itoa(len(b.To))+"]")
		}
		b.To = append(b.To, v)
		if done, err := s.next(']'); done || err != nil {
			return err
		}
	}
}

// messages reads the "messages" array of message objects.
func (s *scanner) messages(b *batchRequest, limit int) *Error {
	if s.null() {
		return nil
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '[' {
		return s.wrongType("messages", "a list of messages")
	}
	s.pos++
	b.Messages = make([]SendRequest, 0, min(limit, 64))
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if len(b.Messages) == limit {
			return PayloadTooLarge("messages", "a batch holds at most "+strconv.Itoa(limit)+" messages")
		}
		b.Messages = append(b.Messages, SendRequest{DeliveryReport: true})
		i := len(b.Messages) - 1
		if _, err := s.sendObject(&b.Messages[i]); err != nil {
			return inField(err, "messages["+strconv.Itoa(i)+"]")
		}
		if done, err := s.next(']'); done || err != nil {
			return err
		}
	}
}

// inField places the field of a problem found inside an array element
// under that element's path; problems without a field are left alone
// unless the element itself is at fault (an empty Field on a type error).
func inField(e *Error, path string) *Error {
	switch {
	case e.Type != TypeInvalidRequest:
	case e.Field == "":
		e.Field = path
	default:
		e.Field = path + "." + e.Field
	}
	return e
}

// next reads the separator after an array element: done at closing.
func (s *scanner) next(closing byte) (done bool, err *Error) {
	switch s.peek() {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		return true, nil
	case 0:
		return false, s.syntax("unexpected end of input, want ',' or ']'")
	}
	return false, s.syntax("want ',' or ']'")
}
