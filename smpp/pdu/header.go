package pdu

import "encoding/binary"

// HeaderLen is the length in octets of every PDU header (SMPP 3.4 §3.2).
const HeaderLen = 16

// DefaultMaxLength is the largest command_length accepted unless configured
// otherwise: 64 KiB leaves room for a full message_payload TLV.
const DefaultMaxLength = 64 * 1024

// Header is the fixed 16-octet PDU header.
type Header struct {
	Length uint32    // command_length: the whole PDU including the header
	ID     CommandID // command_id
	Status Status    // command_status: zero in requests
	Seq    uint32    // sequence_number
}

// DecodeHeader reads a header from the first [HeaderLen] octets of b.
// It checks nothing but the slice's length; use [CheckLength] on the
// returned Length before reading a body.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, ErrShortHeader
	}
	return Header{
		Length: binary.BigEndian.Uint32(b[0:4]),
		ID:     CommandID(binary.BigEndian.Uint32(b[4:8])),
		Status: Status(binary.BigEndian.Uint32(b[8:12])),
		Seq:    binary.BigEndian.Uint32(b[12:16]),
	}, nil
}

// AppendHeader appends h to dst. Length is written as given; callers that
// append a body afterwards fix it with [SetLength].
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.BigEndian.AppendUint32(dst, h.Length)
	dst = binary.BigEndian.AppendUint32(dst, uint32(h.ID))
	dst = binary.BigEndian.AppendUint32(dst, uint32(h.Status))
	return binary.BigEndian.AppendUint32(dst, h.Seq)
}

// SetLength writes len(p) into the command_length field of the PDU p,
// which must start with a header.
func SetLength(p []byte) {
	binary.BigEndian.PutUint32(p[0:4], uint32(len(p)))
}

// CheckLength validates a command_length against the protocol minimum and
// max (DefaultMaxLength when max is zero). A failure is a [*ProtocolError]
// that asks the session to answer generic_nack ESME_RINVCMDLEN and close,
// because the byte stream can no longer be trusted.
func CheckLength(h Header, max uint32) error {
	if max == 0 {
		max = DefaultMaxLength
	}
	if h.Length < HeaderLen || h.Length > max {
		return &ProtocolError{Status: StatusInvCmdLen, Seq: h.Seq, Close: true, Msg: "command_length out of bounds"}
	}
	return nil
}

// NextSeq returns the sequence number after s, wrapping from 0x7FFFFFFF
// back to 1 (0 is never used for requests, SMPP 3.4 §5.1.4).
func NextSeq(s uint32) uint32 {
	s++
	if s == 0 || s > 0x7FFFFFFF {
		return 1
	}
	return s
}
