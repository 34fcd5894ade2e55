package smpp

import (
	"errors"
	"strconv"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Errors returned by sessions, servers and clients.
var (
	// ErrConnectionLost is given to a Responder (and returned by Call)
	// when the connection ended after the request was queued but before
	// its response arrived. The peer may or may not have processed the
	// request: retrying it may duplicate a message.
	ErrConnectionLost = errors.New("smpp: connection lost before response")
	// ErrResponseTimeout is given to a Responder when no response came
	// within SessionConfig.ResponseTimeout. The peer may still have
	// processed the request; its window slot is freed.
	ErrResponseTimeout = errors.New("smpp: response timeout")
	// ErrSessionClosed means the session was closed or is unbinding; the
	// request was not sent.
	ErrSessionClosed = errors.New("smpp: session closed")
	// ErrWindowFull is returned by TrySend when Window requests are
	// outstanding, or the output buffer is full.
	ErrWindowFull = errors.New("smpp: window full")
	// ErrNotBound means the session (or client) is not bound, so the
	// request was not sent.
	ErrNotBound = errors.New("smpp: not bound")
	// ErrNotAllowed means the bind type or role forbids sending this
	// command (for example submit_sm on a receiver bind).
	ErrNotAllowed = errors.New("smpp: command not allowed in this bind")
	// ErrWriteStalled means the peer stopped reading: the output buffer
	// stayed full past the write timeout. The session is closed.
	ErrWriteStalled = errors.New("smpp: peer not reading, output buffer full")
	// ErrPDUTooLong means a PDU would exceed SessionConfig.MaxPDULength.
	ErrPDUTooLong = errors.New("smpp: pdu too long")
	// ErrBadCommand means the command id cannot be used with this method
	// (a response id, a bind, or a request without a response to Send).
	ErrBadCommand = errors.New("smpp: command id not usable here")
	// ErrServerClosed is returned by Server.Serve after Shutdown or Close.
	ErrServerClosed = errors.New("smpp: server closed")
	// ErrClientClosed is returned by Client methods after Close or Unbind.
	ErrClientClosed = errors.New("smpp: client closed")
)

// IsRetryable reports whether a request that failed with err may be sent
// again, on this or another bind: ErrConnectionLost, ErrResponseTimeout
// (both: the peer may or may not have processed it, so a retry may
// duplicate), ErrSessionClosed, ErrNotBound, ErrWindowFull,
// ErrWriteStalled (never sent), and a temporary command_status
// (pdu.Status.Temporary: throttled, queue full, system error).
func IsRetryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrConnectionLost), errors.Is(err, ErrResponseTimeout),
		errors.Is(err, ErrSessionClosed), errors.Is(err, ErrNotBound),
		errors.Is(err, ErrWindowFull), errors.Is(err, ErrWriteStalled):
		return true
	}
	var st pdu.Status
	if errors.As(err, &st) {
		return st.Temporary()
	}
	return false
}

// BindError is returned when the peer refused a bind. Status is the
// bind_*_resp command_status.
type BindError struct {
	Status pdu.Status
}

// Error returns "smpp: bind refused: " and the status name.
func (e *BindError) Error() string { return "smpp: bind refused: " + e.Status.Name() }

// Unwrap returns the Status, so errors.Is(err, pdu.StatusBindFail) works.
func (e *BindError) Unwrap() error { return e.Status }

// CloseReason says why a session ended.
type CloseReason uint8

// The close reasons. CloseNone means the session is still open.
const (
	CloseNone          CloseReason = iota
	ClosePeerUnbind                // the peer sent unbind
	CloseUnbind                    // we unbound (Session.Unbind, Server.Shutdown)
	CloseReadError                 // the connection failed or the peer closed it
	CloseWriteError                // a write failed or timed out
	CloseProtocolError             // the peer broke framing (bad command_length)
	CloseInactivity                // nothing received for InactivityTimeout
	CloseBindTimeout               // no bind within BindTimeout (server)
	CloseBindFailed                // the bind was refused
	CloseShutdown                  // closed by Close, Server.Close or a forced Shutdown
)

// String returns a short lower-case name for r.
func (r CloseReason) String() string {
	switch r {
	case CloseNone:
		return "none"
	case ClosePeerUnbind:
		return "peer_unbind"
	case CloseUnbind:
		return "unbind"
	case CloseReadError:
		return "read_error"
	case CloseWriteError:
		return "write_error"
	case CloseProtocolError:
		return "protocol_error"
	case CloseInactivity:
		return "inactivity"
	case CloseBindTimeout:
		return "bind_timeout"
	case CloseBindFailed:
		return "bind_failed"
	case CloseShutdown:
		return "shutdown"
	}
	return "close_reason(" + strconv.Itoa(int(r)) + ")"
}
