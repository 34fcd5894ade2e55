package pdu

import "errors"

// Errors returned by decoders for malformed bodies. Each wraps a Status so
// that a session can answer the request with it; see [StatusOf].
var (
	// ErrShortHeader means fewer than HeaderLen octets were given.
	ErrShortHeader = errors.New("smpp/pdu: short header")
)

// ProtocolError describes a PDU that cannot be processed. Status is the
// command_status to answer with; Close says whether the stream can no
// longer be trusted (a bad command_length), so the session must send
// generic_nack and close rather than carry on.
type ProtocolError struct {
	Status Status
	Seq    uint32 // the offending PDU's sequence_number, 0 if unknown
	Close  bool
	Msg    string
}

func (e *ProtocolError) Error() string {
	return "smpp/pdu: " + e.Msg + " (" + e.Status.Name() + ")"
}

// Unwrap returns the Status, so errors.Is(err, pdu.StatusInvCmdLen) works.
func (e *ProtocolError) Unwrap() error { return e.Status }

// StatusOf returns the command_status that answers err: the Status itself,
// a ProtocolError's Status, or ESME_RSYSERR for anything else. A nil err is
// ESME_ROK.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var s Status
	if errors.As(err, &s) {
		return s
	}
	return StatusSysErr
}
