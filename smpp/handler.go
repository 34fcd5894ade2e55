package smpp

import "github.com/gallant-sms/gallant/smpp/pdu"

// Handler receives the requests that passed a session's checks: on a
// server, post-bind requests legal for the bind type (submit_sm, data_sm,
// query_sm...); on a client, deliver_sm, data_sm and alert_notification.
//
// HandlePDU is called on the session's reader goroutine, one PDU at a
// time, so it must not block for long: hand slow work (database commits,
// routing) to other goroutines. body is a view into the read buffer, valid
// only until HandlePDU returns; copy what must outlive it. Decoding the
// body is the handler's job, and a body that fails to decode is answered
// with pdu.StatusOf(err) in the request's own *_resp.
//
// For every request that has a response (h.ID.HasResponse), the handler
// must eventually call [Session.Respond] with h, from any goroutine and at
// any time, even after HandlePDU returned. The session does not time
// these out; they count against SessionConfig.MaxInbound until answered
// (or detached with [Session.Detach]), and Close drops them. Under
// InboundBackpressure the session reads nothing more, responses
// included, while MaxInbound requests await Respond: an answer that waits
// for a later PDU of this session, or of another session the same
// reason may pause, must be detached first. HandlePDU must not call Session.Send, Call,
// Unbind or Close (which wait for the reader); TrySend and Abort are fine.
type Handler interface {
	HandlePDU(s *Session, h pdu.Header, body []byte)
}

// HandlerFunc adapts a function to [Handler].
type HandlerFunc func(s *Session, h pdu.Header, body []byte)

// HandlePDU calls f(s, h, body).
func (f HandlerFunc) HandlePDU(s *Session, h pdu.Header, body []byte) { f(s, h, body) }

// Responder receives the outcome of a request sent with [Session.Send].
// Response is called exactly once per successful Send: with the response
// (err nil; h.Status holds its command_status, and h.ID is
// pdu.GenericNack when the peer answered with generic_nack) on the
// session's reader goroutine, or with ErrResponseTimeout or
// ErrConnectionLost (h zero, body nil) on one of the session's
// goroutines. body is valid only during the call.
//
// The Responder is the request's own context: make it a pointer to the
// caller's per-request value (a pooled struct that knows what was sent),
// so that Send allocates nothing and Response needs no type assertion. A
// value that sends two kinds of request can answer each through a named
// pointer type of its own (type receiptCall T).
//
// Response runs on the goroutines that read and time out the session, so
// it must return quickly and must not call Send, Call, Unbind or Close on
// the same session (TrySend and Abort are fine).
type Responder interface {
	Response(h pdu.Header, body []byte, err error)
}

// ResponderFunc adapts a function to [Responder], for tests and low-rate
// requests: a closure allocates, so hot paths use a pointer type instead.
type ResponderFunc func(h pdu.Header, body []byte, err error)

// Response calls f(h, body, err).
func (f ResponderFunc) Response(h pdu.Header, body []byte, err error) { f(h, body, err) }
