package pdu

import "encoding/binary"

// tlvHeaderLen is the size of a TLV's tag and length fields.
const tlvHeaderLen = 4

// MaxTLVValue is the largest value a TLV can carry: its length is 16 bits.
const MaxTLVValue = 0xFFFF

// TLVs is the raw TLV section of a PDU (SMPP 3.4 §5.3), kept byte for byte
// so that unknown and vendor-specific TLVs pass through a relay untouched.
// Lookups scan the section; it is short, so this beats building a map.
// A decoded TLVs is a view into the PDU buffer.
type TLVs []byte

// Next splits off the first TLV: its tag, its value (a view) and the TLVs
// after it. On an empty t it returns zeros and a nil error; on 1–3 stray
// octets or a length that runs past t it returns [ErrTLVStream]. Loop with
//
//	for len(t) > 0 {
//		tag, val, t, err = t.Next()
//		...
//	}
func (t TLVs) Next() (tag Tag, val []byte, rest TLVs, err error) {
	if len(t) == 0 {
		return 0, nil, nil, nil
	}
	if len(t) < tlvHeaderLen {
		return 0, nil, nil, ErrTLVStream
	}
	tag = Tag(binary.BigEndian.Uint16(t))
	end := tlvHeaderLen + int(binary.BigEndian.Uint16(t[2:]))
	if end > len(t) {
		return 0, nil, nil, ErrTLVStream
	}
	return tag, t[tlvHeaderLen:end:end], t[end:], nil
}

// Validate checks the section's structure ([ErrTLVStream]) and that every
// known tag has a length it allows ([ErrTLVLength]). Unknown and vendor
// tags are accepted with any length.
func (t TLVs) Validate() error {
	for len(t) > 0 {
		tag, val, rest, err := t.Next()
		if err != nil {
			return err
		}
		if lo, hi, ok := tag.lengths(); ok && (len(val) < lo || len(val) > hi) {
			return ErrTLVLength
		}
		t = rest
	}
	return nil
}

// Get returns the value of the first TLV with the given tag. It stops, not
// finding, at a corrupt TLV; decoders validate before anyone calls Get.
func (t TLVs) Get(tag Tag) ([]byte, bool) {
	for len(t) > 0 {
		g, val, rest, err := t.Next()
		if err != nil {
			return nil, false
		}
		if g == tag {
			return val, true
		}
		t = rest
	}
	return nil, false
}

// Has reports whether a TLV with the given tag is present.
func (t TLVs) Has(tag Tag) bool {
	_, ok := t.Get(tag)
	return ok
}

// Byte returns the value of a 1-octet TLV. ok is false when the tag is
// absent or its value is not exactly one octet.
func (t TLVs) Byte(tag Tag) (byte, bool) {
	v, ok := t.Get(tag)
	if !ok || len(v) != 1 {
		return 0, false
	}
	return v[0], true
}

// Uint16 returns the value of a 2-octet TLV. ok is false when the tag is
// absent or its value is not exactly two octets.
func (t TLVs) Uint16(tag Tag) (uint16, bool) {
	v, ok := t.Get(tag)
	if !ok || len(v) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(v), true
}

// Uint32 returns the value of a 4-octet TLV. ok is false when the tag is
// absent or its value is not exactly four octets.
func (t TLVs) Uint32(tag Tag) (uint32, bool) {
	v, ok := t.Get(tag)
	if !ok || len(v) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(v), true
}

// CString returns the value of a C-Octet String TLV without its NUL. Many
// MCs omit the NUL (in receipted_message_id, for one), so a value without
// one is returned whole; a value is cut at its first NUL.
func (t TLVs) CString(tag Tag) ([]byte, bool) {
	v, ok := t.Get(tag)
	if !ok {
		return nil, false
	}
	for i, c := range v {
		if c == 0 {
			return v[:i:i], true
		}
	}
	return v, true
}

// AppendTLV appends a TLV with the given tag and value to dst. A value is
// at most [MaxTLVValue] octets; a longer one is cut to that length so that
// the section stays well-formed.
func AppendTLV(dst []byte, tag Tag, val []byte) []byte {
	if len(val) > MaxTLVValue {
		val = val[:MaxTLVValue]
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(tag))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(val)))
	return append(dst, val...)
}

// AppendTLVByte appends a TLV with a 1-octet value.
func AppendTLVByte(dst []byte, tag Tag, v byte) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(tag))
	return append(dst, 0, 1, v)
}

// AppendTLVUint16 appends a TLV with a 2-octet value.
func AppendTLVUint16(dst []byte, tag Tag, v uint16) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(tag))
	dst = append(dst, 0, 2)
	return binary.BigEndian.AppendUint16(dst, v)
}

// AppendTLVUint32 appends a TLV with a 4-octet value.
func AppendTLVUint32(dst []byte, tag Tag, v uint32) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(tag))
	dst = append(dst, 0, 4)
	return binary.BigEndian.AppendUint32(dst, v)
}

// AppendTLVCString appends a C-Octet String TLV: s and a NUL, the length
// counting both. s is cut so that the value fits [MaxTLVValue].
func AppendTLVCString(dst []byte, tag Tag, s []byte) []byte {
	if len(s) > MaxTLVValue-1 {
		s = s[:MaxTLVValue-1]
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(tag))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(s)+1))
	dst = append(dst, s...)
	return append(dst, 0)
}
