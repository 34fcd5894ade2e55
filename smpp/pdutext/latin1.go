package pdutext

import (
	"slices"
	"unicode/utf8"
)

// EncodeLatin1 appends s in ISO-8859-1, one octet per character, to dst and
// returns the extended buffer. A character above U+00FF, or invalid UTF-8,
// is an [*UnrepresentableError] and dst is returned unchanged.
func EncodeLatin1(dst []byte, s string) ([]byte, error) {
	return encodeOctets(dst, s, 0xFF, "Latin-1")
}

// DecodeLatin1 appends the UTF-8 text of ISO-8859-1 octets b to dst and
// returns the extended buffer. Every octet is a character.
func DecodeLatin1(dst []byte, b []byte) []byte {
	dst = slices.Grow(dst, len(b))
	for _, c := range b {
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}

// EncodeIA5 appends s in IA5 (ASCII), one octet per character, to dst and
// returns the extended buffer. A character above U+007F is an
// [*UnrepresentableError] and dst is returned unchanged.
func EncodeIA5(dst []byte, s string) ([]byte, error) {
	return encodeOctets(dst, s, 0x7F, "IA5")
}

// DecodeIA5 appends the text of IA5 (ASCII) octets b to dst and returns the
// extended buffer. An octet above 0x7F is [ErrBadOctet] and dst is returned
// unchanged.
func DecodeIA5(dst []byte, b []byte) ([]byte, error) {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return dst, octetError(i)
		}
	}
	return append(dst, b...), nil
}

func encodeOctets(dst []byte, s string, maxRune rune, coding string) ([]byte, error) {
	n0 := len(dst)
	dst = slices.Grow(dst, len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r > maxRune || (r == utf8.RuneError && size == 1) {
			return dst[:n0], &UnrepresentableError{Rune: r, Offset: i, Coding: coding}
		}
		dst = append(dst, byte(r))
		i += size
	}
	return dst, nil
}
