package pdu

import "encoding/binary"

// reader walks a body's mandatory fields. Values it returns are views into
// the body, capped so that appending to one cannot overwrite the next.
type reader struct {
	b   []byte
	off int
}

// rest returns the unread octets.
func (r *reader) rest() []byte { return r.b[r.off:len(r.b):len(r.b)] }

// u8 reads a 1-octet integer.
func (r *reader) u8() (byte, error) {
	if r.off >= len(r.b) {
		return 0, ErrTruncated
	}
	v := r.b[r.off]
	r.off++
	return v, nil
}

// fixed reads n octets of consecutive 1-octet fields with one bounds
// check.
func (r *reader) fixed(n int) ([]byte, error) {
	if len(r.b)-r.off < n {
		return nil, ErrTruncated
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v, nil
}

// u32 reads a 4-octet big-endian integer.
func (r *reader) u32() (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, ErrTruncated
	}
	v := binary.BigEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

// octets reads n raw octets (short_message); too few is ErrShortMessage.
func (r *reader) octets(n int) ([]byte, error) {
	if len(r.b)-r.off < n {
		return nil, ErrShortMessage
	}
	v := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return v, nil
}

// cstring reads a C-Octet String of at most limit octets including its NUL
// and returns it without the NUL. A string with no NUL within limit octets
// is bad (tooLong); one cut off by the end of the body is ErrTruncated.
// The fields are short: a plain loop runs fewer instructions than
// bytes.IndexByte or an 8-octet-at-a-time search (measured on submit_sm).
func (r *reader) cstring(limit int, tooLong *ProtocolError) ([]byte, error) {
	rest := r.b[r.off:]
	window := rest
	if len(window) > limit {
		window = window[:limit]
	}
	for i, c := range window {
		if c == 0 {
			r.off += i + 1
			return rest[:i:i], nil
		}
	}
	if len(rest) >= limit {
		return nil, tooLong
	}
	return nil, ErrTruncated
}

// time reads a fixed-format time field: empty, or 16 characters (or 12
// when short is set, as some MCs send in final_date).
func (r *reader) time(bad *ProtocolError, short bool) ([]byte, error) {
	v, err := r.cstring(maxTime, bad)
	if err != nil {
		return nil, err
	}
	if !validTime(v, short) {
		return nil, bad
	}
	return v, nil
}

// addr reads a TON, an NPI and an address of at most limit octets.
func (r *reader) addr(limit int, bad *ProtocolError) (Address, error) {
	var a Address
	var err error
	if a.TON, err = r.u8(); err != nil {
		return Address{}, err
	}
	if a.NPI, err = r.u8(); err != nil {
		return Address{}, err
	}
	if a.Addr, err = r.cstring(limit, bad); err != nil {
		return Address{}, err
	}
	return a, nil
}

// done checks that a PDU without a TLV section has nothing left.
func (r *reader) done() error {
	if r.off != len(r.b) {
		return ErrTrailing
	}
	return nil
}

// tlvs returns the rest of the body as a validated TLV section.
func (r *reader) tlvs() (TLVs, error) {
	t := TLVs(r.rest())
	if err := t.Validate(); err != nil {
		return nil, err
	}
	r.off = len(r.b)
	return t, nil
}

// content reads sm_length, short_message and the TLV section, and rejects
// content in both short_message and message_payload.
func (r *reader) content() ([]byte, TLVs, error) {
	n, err := r.u8()
	if err != nil {
		return nil, nil, err
	}
	sm, err := r.octets(int(n))
	if err != nil {
		return nil, nil, err
	}
	t, err := r.tlvs()
	if err != nil {
		return nil, nil, err
	}
	if len(sm) > 0 && t.Has(TagMessagePayload) {
		return nil, nil, ErrMessageAndPayload
	}
	return sm, t, nil
}
