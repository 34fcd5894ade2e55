package pdutext

import (
	"encoding/binary"
	"fmt"
)

// Information element identifiers (TS 23.040 §9.2.3.24) and the lengths
// of the concatenation headers this package writes, UDHL included.
const (
	ieiConcat8  = 0x00 // concatenated short messages, 8-bit reference
	ieiPorts8   = 0x04 // application port addressing, 8-bit ports
	ieiPorts16  = 0x05 // application port addressing, 16-bit ports
	ieiConcat16 = 0x08 // concatenated short messages, 16-bit reference

	udhLenConcat8  = 6 // 05 00 03 RR TT SS
	udhLenConcat16 = 7 // 06 08 04 RH RL TT SS
)

// UDH is what this package reads from a user data header: the
// concatenation and port information elements. Other elements are skipped;
// the raw header is the first Len octets of the input.
type UDH struct {
	Len int // octets in the header, UDHL included

	Concat bool   // a valid concatenation element was found
	Ref16  bool   // the reference is 16-bit (IEI 0x08) rather than 8-bit (IEI 0x00)
	Ref    uint16 // concatenation reference number
	Total  byte   // number of segments, 1–255
	Seq    byte   // this segment's number, 1–Total

	Ports   bool   // an application port element was found
	Ports16 bool   // the ports are 16-bit (IEI 0x05) rather than 8-bit (IEI 0x04)
	DstPort uint16 // destination port
	SrcPort uint16 // originator port
}

// ParseUDH reads the user data header at the start of b (a short_message
// or message_payload whose esm_class has UDHI, 0x40) and returns it with
// the rest of b, the message body. Elements are read in order until UDHL
// is used up; when one appears twice the last
// valid one wins. A concatenation element
// with total 0, sequence 0 or sequence above total is ignored, so the
// message is delivered on its own (as Kannel does). An element of the wrong
// length is skipped. A header longer than b, or an element running past the
// header, is [ErrBadUDH].
func ParseUDH(b []byte) (UDH, []byte, error) {
	if len(b) == 0 {
		return UDH{}, b, fmt.Errorf("empty: %w", ErrBadUDH)
	}
	end := 1 + int(b[0])
	if end > len(b) {
		return UDH{}, b, fmt.Errorf("UDHL %d exceeds %d octets: %w", b[0], len(b)-1, ErrBadUDH)
	}
	u := UDH{Len: end}
	for i := 1; i < end; {
		if i+2 > end {
			return UDH{}, b, fmt.Errorf("element header at %d truncated: %w", i, ErrBadUDH)
		}
		iei, n := b[i], int(b[i+1])
		data := b[i+2:]
		if i+2+n > end {
			return UDH{}, b, fmt.Errorf("element 0x%02X at %d overruns header: %w", iei, i, ErrBadUDH)
		}
		data = data[:n]
		switch {
		case iei == ieiConcat8 && n == 3:
			u.setConcat(uint16(data[0]), data[1], data[2], false)
		case iei == ieiConcat16 && n == 4:
			u.setConcat(binary.BigEndian.Uint16(data), data[2], data[3], true)
		case iei == ieiPorts8 && n == 2:
			u.Ports, u.Ports16 = true, false
			u.DstPort, u.SrcPort = uint16(data[0]), uint16(data[1])
		case iei == ieiPorts16 && n == 4:
			u.Ports, u.Ports16 = true, true
			u.DstPort, u.SrcPort = binary.BigEndian.Uint16(data), binary.BigEndian.Uint16(data[2:])
		}
		i += 2 + n
	}
	return u, b[end:], nil
}

func (u *UDH) setConcat(ref uint16, total, seq byte, ref16 bool) {
	if total == 0 || seq == 0 || seq > total {
		return
	}
	u.Concat, u.Ref16, u.Ref, u.Total, u.Seq = true, ref16, ref, total, seq
}

// AppendConcatUDH appends a user data header holding only a concatenation
// element to dst: 05 00 03 RR TT SS, or with ref16 06 08 04 RH RL TT SS.
// Without ref16 only the low 8 bits of ref are written.
func AppendConcatUDH(dst []byte, ref uint16, total, seq byte, ref16 bool) []byte {
	if ref16 {
		return append(dst, udhLenConcat16-1, ieiConcat16, 4, byte(ref>>8), byte(ref), total, seq)
	}
	return append(dst, udhLenConcat8-1, ieiConcat8, 3, byte(ref), total, seq)
}
