package pdutext

import "slices"

// cr is the GSM 03.38 carriage return, the packing pad character.
const cr = 0x0D

// FillBits returns the number of zero bits that follow a user data header
// of udhLen octets (UDHL included) in a packed GSM 7-bit message, so that
// the text starts on a septet boundary (TS 23.040 §9.2.3.24): 1 after the
// 6-octet concatenation header, 0 after the 7-octet one.
func FillBits(udhLen int) int {
	if udhLen <= 0 {
		return 0
	}
	return (7 - udhLen*8%7) % 7
}

func clampFill(fillBits int) int {
	return min(max(fillBits, 0), 6)
}

// PackGSM7 appends septets packed eight to seven octets, least significant
// bit first (TS 23.038 §6.1.2.1), to dst and returns the extended buffer.
// fillBits zero bits (0–6; other values are clamped) come first, for text
// that follows a user data header; see [FillBits]. Bit 7 of each septet is
// ignored. When the last octet would have 7 spare bits they are filled with
// a carriage return, so the receiver does not read a trailing '@'; when the
// text itself ends in a carriage return exactly on an octet boundary a
// second one is added (both per TS 23.038 §6.1.2.3.1), which [UnpackGSM7]
// returns.
func PackGSM7(dst, septets []byte, fillBits int) []byte {
	n := len(septets)
	if n == 0 {
		return dst
	}
	fill := clampFill(fillBits)
	bits := fill + 7*n
	var tail []byte
	switch free := (8 - bits%8) % 8; {
	case free == 7:
		tail = []byte{cr}
	case free == 0 && septets[n-1]&0x7F == cr:
		tail = []byte{cr}
	}
	dst = slices.Grow(dst, (bits+len(tail)*7+7)/8)
	acc, nbits := uint32(0), fill
	for _, part := range [2][]byte{septets, tail} {
		for _, s := range part {
			acc |= uint32(s&0x7F) << nbits
			nbits += 7
			for nbits >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				nbits -= 8
			}
		}
	}
	if nbits > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}

// UnpackGSM7 appends the septets held in packed GSM 7-bit octets to dst,
// one per octet, and returns the extended buffer. The first fillBits bits
// (0–6; other values are clamped) are skipped. A carriage return that fills
// the last 7 bits exactly is padding and is dropped.
func UnpackGSM7(dst, packed []byte, fillBits int) []byte {
	fill := clampFill(fillBits)
	avail := 8*len(packed) - fill
	if avail < 7 {
		return dst
	}
	count := avail / 7
	dst = slices.Grow(dst, count)
	n0 := len(dst)
	for i := range count {
		pos := fill + 7*i
		k, shift := pos/8, uint(pos%8)
		v := packed[k] >> shift
		if shift > 1 {
			v |= packed[k+1] << (8 - shift)
		}
		dst = append(dst, v&0x7F)
	}
	if avail%7 == 0 && dst[len(dst)-1] == cr && len(dst) > n0 {
		dst = dst[:len(dst)-1]
	}
	return dst
}
