package pdutext

import (
	"slices"
	"unicode/utf8"
)

// esc is the GSM 03.38 escape to the extension table.
const esc = 0x1B

// gsmDefault is the GSM 03.38 default alphabet (TS 23.038 §6.2.1): septet
// to code point. The escape entry is -1. Read-only.
var gsmDefault = [128]rune{
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, -1, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
}

// gsmExt is the GSM 03.38 extension table (TS 23.038 §6.2.1.1): the code
// after an escape to its code point; 0 marks codes with no entry. Read-only.
var gsmExt = [128]rune{
	0x0A: 0x000C, // form feed
	0x14: 0x005E, // ^
	0x28: 0x007B, // {
	0x29: 0x007D, // }
	0x2F: 0x005C, // backslash
	0x3C: 0x005B, // [
	0x3D: 0x007E, // ~
	0x3E: 0x005D, // ]
	0x40: 0x007C, // |
	0x65: 0x20AC, // euro sign
}

// Reverse lookups, built once from the tables above and never written
// again. An entry is the septet, with gsmExtFlag set for an extension
// character (sent as escape + septet), or gsmNone.
const (
	gsmNone    = 0xFF
	gsmExtFlag = 0x80
	greekBase  = 0x0390 // the Greek capitals of the default table lie in U+0390–U+03AF
	euro       = 0x20AC
)

var (
	latinToGSM = func() (t [256]byte) {
		for i := range t {
			t[i] = gsmNone
		}
		for code, r := range gsmExt {
			if r != 0 && r < 256 {
				t[r] = byte(code) | gsmExtFlag
			}
		}
		for code, r := range gsmDefault {
			if r >= 0 && r < 256 {
				t[r] = byte(code)
			}
		}
		return t
	}()
	greekToGSM = func() (t [32]byte) {
		for i := range t {
			t[i] = gsmNone
		}
		for code, r := range gsmDefault {
			if r >= greekBase && r < greekBase+32 {
				t[r-greekBase] = byte(code)
			}
		}
		return t
	}()
)

// gsmLookup returns the table entry for r: a septet, a septet with
// gsmExtFlag, or gsmNone.
func gsmLookup(r rune) byte {
	switch {
	case r < 256:
		if r < 0 {
			return gsmNone
		}
		return latinToGSM[r]
	case r >= greekBase && r < greekBase+32:
		return greekToGSM[r-greekBase]
	case r == euro:
		return 0x65 | gsmExtFlag
	}
	return gsmNone
}

// EncodeGSM7 appends s in the GSM 03.38 default alphabet, unpacked (one
// septet per octet), to dst and returns the extended buffer. Extension
// characters such as € and { take two septets (escape + code). The first
// character that neither table holds, or an invalid UTF-8 byte, stops
// encoding with an [*UnrepresentableError] naming it, and dst is returned
// unchanged. Mapping is exact: ç, for instance, is not folded to Ç.
func EncodeGSM7(dst []byte, s string) ([]byte, error) {
	n0 := len(dst)
	dst = slices.Grow(dst, len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if v := latinToGSM[c]; v < gsmExtFlag { // the common case
				dst = append(dst, v)
				i++
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		v := gsmLookup(r)
		if v == gsmNone || (r == utf8.RuneError && size == 1) {
			return dst[:n0], &UnrepresentableError{Rune: r, Offset: i, Coding: "GSM 03.38"}
		}
		if v&gsmExtFlag != 0 {
			dst = append(dst, esc, v&^gsmExtFlag)
		} else {
			dst = append(dst, v)
		}
		i += size
	}
	return dst, nil
}

// DecodeGSM7 appends the UTF-8 text of unpacked GSM 7-bit septets b to dst
// and returns the extended buffer. Bit 7 of each octet is ignored. An
// escape followed by a code without an extension entry gives that code's
// default-table character; escape + escape (reserved) and an escape at the
// very end give a space. Every input decodes; the result always encodes
// back with [EncodeGSM7].
func DecodeGSM7(dst []byte, b []byte) []byte {
	dst = slices.Grow(dst, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i] & 0x7F
		if c != esc {
			if r := gsmDefault[c]; r < utf8.RuneSelf {
				dst = append(dst, byte(r))
			} else {
				dst = utf8.AppendRune(dst, r)
			}
			continue
		}
		if i+1 == len(b) {
			dst = append(dst, ' ')
			continue
		}
		i++
		c = b[i] & 0x7F
		switch {
		case c == esc:
			dst = append(dst, ' ')
		case gsmExt[c] != 0:
			dst = utf8.AppendRune(dst, gsmExt[c])
		default:
			dst = utf8.AppendRune(dst, gsmDefault[c])
		}
	}
	return dst
}

// GSM7Septets returns the number of septets s takes in the GSM 03.38
// default alphabet, counting two for each extension character, and false
// when some character is in neither table (n is then 0).
func GSM7Septets(s string) (n int, ok bool) {
	for i := 0; i < len(s); {
		var r rune
		size := 1
		if c := s[i]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return 0, false
			}
		}
		switch v := gsmLookup(r); {
		case v == gsmNone:
			return 0, false
		case v&gsmExtFlag != 0:
			n += 2
		default:
			n++
		}
		i += size
	}
	return n, true
}
