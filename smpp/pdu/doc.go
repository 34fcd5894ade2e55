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
package pdu
