// Package smpp runs SMPP 3.4 sessions over TCP or TLS: the bind state
// machine, sequence numbers, request windows, enquire_link keepalive and
// timeouts. It provides a [Server] for the MC (SMSC) role towards
// customers, a [Client] that keeps a persistent bind to a carrier with
// reconnects, and the [Session] both are built on.
//
// A session owns one connection, one reader goroutine and one writer
// goroutine. The reader frames PDUs from a reusable buffer (many PDUs per
// read system call) and dispatches them; the writer sends what producers
// have encoded into a shared pending buffer, so that under load many PDUs
// leave in one write. Requests are tracked by sequence number without a
// timer or goroutine per request; one ticker per session drives every
// timeout (SMPP 3.4 §7.2: session_init, enquire_link, inactivity and
// response timers).
//
// Bodies handed to a [Handler] or a [Responder] are views into the
// session's read buffer, valid only until the call returns: copy what must
// outlive it. The package knows nothing of accounts, routes or storage;
// the gateway supplies those through [Authenticator] and [Handler].
//
// The protocol facts (bind state matrix, generic_nack rules, timer
// defaults) follow docs/smpp.md, "PDU framing and generic_nack" and
// "Session states and who may send what".
package smpp
