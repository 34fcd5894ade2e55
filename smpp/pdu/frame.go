package pdu

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Frame inspects the start of a byte stream for a whole PDU. It returns
// the header and the PDU's length when b holds the whole PDU (pduLen > 0),
// and pduLen 0 when more octets are needed. A command_length outside
// [HeaderLen, maxLen] (maxLen 0 means [DefaultMaxLength]) is a [*ProtocolError]
// with Close set and Status ESME_RINVCMDLEN, reported as soon as the 4
// length octets are in; its Seq is the PDU's when b holds the header.
//
// The PDU is b[:pduLen] and its body b[HeaderLen:pduLen]. h is complete
// once b holds 16 octets; before that only h.Length is set. Frame copies
// and allocates nothing unless it reports an error.
func Frame(b []byte, maxLen uint32) (h Header, pduLen int, err error) {
	if len(b) < 4 {
		return Header{}, 0, nil
	}
	h.Length = binary.BigEndian.Uint32(b)
	if len(b) >= HeaderLen {
		h, _ = DecodeHeader(b)
	}
	if err := CheckLength(h, maxLen); err != nil {
		return h, 0, err
	}
	if len(b) < HeaderLen || uint64(len(b)) < uint64(h.Length) {
		return h, 0, nil
	}
	return h, int(h.Length), nil
}

// ReadFrom reads one PDU from r into buf, growing it only when a PDU is
// longer than its capacity, and only after checking command_length
// against maxLen (0 means [DefaultMaxLength]). It returns the header, the
// body (a view into the returned buffer) and the buffer to pass to the
// next call. r should be buffered (a *bufio.Reader): ReadFrom makes two
// reads per PDU. A bad command_length is a [*ProtocolError] with Close set;
// read errors are wrapped: a stream that ends between PDUs matches
// errors.Is(err, io.EOF), one that ends inside a PDU io.ErrUnexpectedEOF.
func ReadFrom(r io.Reader, buf []byte, maxLen uint32) (h Header, body, newBuf []byte, err error) {
	if cap(buf) < HeaderLen {
		buf = make([]byte, HeaderLen, 512)
	}
	buf = buf[:HeaderLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return Header{}, nil, buf, fmt.Errorf("smpp/pdu: read header: %w", err)
	}
	h, _ = DecodeHeader(buf)
	if err := CheckLength(h, maxLen); err != nil {
		return h, nil, buf, err
	}
	n := int(h.Length)
	if cap(buf) < n {
		grown := make([]byte, n)
		copy(grown, buf)
		buf = grown
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf[HeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return h, nil, buf, fmt.Errorf("smpp/pdu: read %s body: %w", h.ID, err)
	}
	return h, buf[HeaderLen:n:n], buf, nil
}
