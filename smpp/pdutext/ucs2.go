package pdutext

import (
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// EncodeUCS2 appends s as UTF-16BE without a byte order mark to dst and
// returns the extended buffer. A character outside the Basic Multilingual
// Plane (most emoji) becomes a surrogate pair, two 16-bit units, which
// handsets display although strict UCS-2 has no such thing. Invalid UTF-8
// is an [*UnrepresentableError] wrapping ErrUnrepresentable and dst is
// returned unchanged.
func EncodeUCS2(dst []byte, s string) ([]byte, error) {
	n0 := len(dst)
	dst = slices.Grow(dst, 2*len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, 0, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return dst[:n0], &UnrepresentableError{Rune: r, Offset: i, Coding: "UTF-8 input"}
		}
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			dst = append(dst, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
		} else {
			dst = append(dst, byte(r>>8), byte(r))
		}
		i += size
	}
	return dst, nil
}

// DecodeUCS2 appends the UTF-8 text of UTF-16BE octets b to dst and returns
// the extended buffer. Surrogate pairs are joined; a lone surrogate becomes
// U+FFFD. An odd length is [ErrOddLength] and dst is returned unchanged.
func DecodeUCS2(dst []byte, b []byte) ([]byte, error) {
	if len(b)%2 != 0 {
		return dst, ErrOddLength
	}
	dst = slices.Grow(dst, len(b))
	for i := 0; i < len(b); i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		if utf16.IsSurrogate(u) && u < 0xDC00 && i+3 < len(b) {
			lo := rune(b[i+2])<<8 | rune(b[i+3])
			if r := utf16.DecodeRune(u, lo); r != utf8.RuneError {
				dst = utf8.AppendRune(dst, r)
				i += 2
				continue
			}
		}
		dst = utf8.AppendRune(dst, u) // a lone surrogate appends U+FFFD
	}
	return dst, nil
}
