// Package pdu is the SMPP 3.4 wire format: the 16-octet header, every PDU
// body, TLVs (optional parameters) and command_status codes.
//
// Decoders read straight from a caller's byte slice and return views into it:
// a decoded field such as [SubmitSM.ShortMessage] is valid only until the
// buffer it was decoded from is reused (for a session, until the next read).
// Copy what must outlive it. Encoders append to a caller's buffer, in the
// style of strconv.AppendInt, so a caller that keeps its buffer allocates
// nothing.
//
// Field layouts follow SMPP 3.4 chapter 4 and sections 5.3 (TLVs) and 5.1.3
// (command_status). Bounds are checked before anything is sized from the
// wire: a truncated or oversized PDU yields an error, never a panic.
//
// # Reading
//
// A session finds PDUs in its read buffer with [Frame], which needs no more
// than the octets at hand and reports a bad command_length as a
// [*ProtocolError] with Close set (answer generic_nack ESME_RINVCMDLEN,
// then close). It then decodes the body into a value it keeps, so that
// nothing is allocated per PDU:
//
//	h, n, err := pdu.Frame(buf, maxLen)
//	// n == 0: read more; err != nil: generic_nack and close
//	var sm pdu.SubmitSM // kept in the session
//	err = sm.Decode(buf[pdu.HeaderLen:n])
//	// err != nil: answer submit_sm_resp with pdu.StatusOf(err)
//
// Decode errors are predeclared values such as [ErrSourceAddr]; each
// carries the command_status that answers the request. [NewBody] and
// [DecodeBody] pick the body type from a command id, allocating, for code
// off the hot path. [ReadFrom] reads one PDU from an io.Reader for callers
// that do not frame a buffer themselves.
//
// # Writing
//
// The allocation-free way to write a PDU appends the header, then the
// body, then fixes command_length:
//
//	start := len(buf)
//	buf = pdu.AppendHeader(buf, pdu.Header{ID: pdu.SubmitSMID, Seq: seq})
//	buf = sm.AppendBody(buf)
//	pdu.SetLength(buf[start:])
//
// [Encode] does the same in one call. Encoders do not validate: they write
// what they are given, cutting only fields whose length octet could not
// express them (short_message over 255 octets, TLV values over 65535), so
// that the framing stays intact. Call a body's Validate method on data from
// outside the process before encoding it.
package pdu
