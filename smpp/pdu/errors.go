package pdu

import "errors"

// ErrShortHeader means fewer than HeaderLen octets were given.
var ErrShortHeader = errors.New("smpp/pdu: short header")

// Errors returned by body decoders and Validate methods. Each is a
// predeclared [*ProtocolError] (Seq 0, Close false), so returning one
// allocates nothing; its Status is the command_status with which a session
// answers the request in the request's own *_resp. Compare with errors.Is
// or read the status with [StatusOf]. These values are shared: never modify
// them; use [ProtocolError.WithSeq] for a copy that carries a sequence
// number.
var (
	// ErrTruncated means the body ended inside its mandatory part. The
	// framing is intact (command_length was honoured), so the session
	// answers ESME_RINVCMDLEN and carries on.
	ErrTruncated = &ProtocolError{Status: StatusInvCmdLen, Msg: "body truncated"}
	// ErrTrailing means octets follow the mandatory part of a PDU that has
	// no TLV section (bind, outbind, query_sm, cancel_sm, header-only
	// requests).
	ErrTrailing = &ProtocolError{Status: StatusInvCmdLen, Msg: "unexpected octets after the body"}
	// ErrUnknownCommand means the command_id has no decoder here; the
	// session answers generic_nack ESME_RINVCMDID.
	ErrUnknownCommand = &ProtocolError{Status: StatusInvCmdID, Msg: "unknown command_id"}

	// ErrSystemID means system_id is too long or not NUL-terminated.
	ErrSystemID = &ProtocolError{Status: StatusInvSysID, Msg: "invalid system_id"}
	// ErrPassword means password is too long or not NUL-terminated.
	ErrPassword = &ProtocolError{Status: StatusInvPaswd, Msg: "invalid password"}
	// ErrSystemType means system_type is too long or not NUL-terminated.
	ErrSystemType = &ProtocolError{Status: StatusInvSysTyp, Msg: "invalid system_type"}
	// ErrAddressRange means a bind's address_range is too long. SMPP has
	// no code for it; ESME_RBINDFAIL is the nearest.
	ErrAddressRange = &ProtocolError{Status: StatusBindFail, Msg: "invalid address_range"}
	// ErrServiceType means service_type is too long.
	ErrServiceType = &ProtocolError{Status: StatusInvSerTyp, Msg: "invalid service_type"}
	// ErrSourceAddr means source_addr is too long.
	ErrSourceAddr = &ProtocolError{Status: StatusInvSrcAdr, Msg: "invalid source_addr"}
	// ErrDestAddr means destination_addr is too long.
	ErrDestAddr = &ProtocolError{Status: StatusInvDstAdr, Msg: "invalid destination_addr"}
	// ErrESMEAddr means alert_notification's esme_addr is too long.
	ErrESMEAddr = &ProtocolError{Status: StatusInvDstAdr, Msg: "invalid esme_addr"}
	// ErrDLName means a submit_multi distribution list name is too long.
	ErrDLName = &ProtocolError{Status: StatusInvDLName, Msg: "invalid dl_name"}
	// ErrScheduleTime means schedule_delivery_time is neither empty nor 16
	// characters.
	ErrScheduleTime = &ProtocolError{Status: StatusInvSched, Msg: "invalid schedule_delivery_time"}
	// ErrValidityPeriod means validity_period is neither empty nor 16
	// characters.
	ErrValidityPeriod = &ProtocolError{Status: StatusInvExpiry, Msg: "invalid validity_period"}
	// ErrFinalDate means query_sm_resp's final_date is neither empty nor a
	// 12- or 16-character time.
	ErrFinalDate = &ProtocolError{Status: StatusSysErr, Msg: "invalid final_date"}
	// ErrShortMessage means sm_length runs past the body (or, when
	// encoding, short_message is longer than 255 octets).
	ErrShortMessage = &ProtocolError{Status: StatusInvMsgLen, Msg: "invalid sm_length"}
	// ErrMessageAndPayload means both short_message and the
	// message_payload TLV carry content.
	ErrMessageAndPayload = &ProtocolError{Status: StatusInvMsgLen, Msg: "both short_message and message_payload"}
	// ErrMessageID means message_id is too long.
	ErrMessageID = &ProtocolError{Status: StatusInvMsgID, Msg: "invalid message_id"}
	// ErrNumDests means submit_multi's number_of_dests is zero or does
	// not fit the body.
	ErrNumDests = &ProtocolError{Status: StatusInvNumDests, Msg: "invalid number_of_dests"}
	// ErrDestFlag means a submit_multi dest_flag is neither 1 nor 2.
	ErrDestFlag = &ProtocolError{Status: StatusInvDestFlag, Msg: "invalid dest_flag"}
	// ErrTLVStream means the TLV section is corrupt: 1 to 3 stray octets,
	// or a TLV whose length runs past the body.
	ErrTLVStream = &ProtocolError{Status: StatusInvOptParStream, Msg: "corrupt TLV section"}
	// ErrTLVLength means a known TLV has a length its tag does not allow.
	ErrTLVLength = &ProtocolError{Status: StatusInvParLen, Msg: "invalid TLV length"}
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

// Error returns the message and the spec name of the status.
func (e *ProtocolError) Error() string {
	return "smpp/pdu: " + e.Msg + " (" + e.Status.Name() + ")"
}

// Unwrap returns the Status, so errors.Is(err, pdu.StatusInvCmdLen) works.
func (e *ProtocolError) Unwrap() error { return e.Status }

// WithSeq returns a copy of e that carries seq. Use it before annotating
// one of the shared predeclared errors; it allocates.
func (e *ProtocolError) WithSeq(seq uint32) *ProtocolError {
	c := *e
	c.Seq = seq
	return &c
}

// Is reports whether target is a *ProtocolError with the same status,
// message and Close flag, so that errors.Is matches a [ProtocolError.WithSeq]
// copy against the predeclared value it came from.
func (e *ProtocolError) Is(target error) bool {
	t, ok := target.(*ProtocolError)
	return ok && t.Status == e.Status && t.Msg == e.Msg && t.Close == e.Close
}

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
