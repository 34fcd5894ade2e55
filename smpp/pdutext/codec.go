package pdutext

import "fmt"

// Choose returns the data_coding a handset would be sent s in: the GSM
// default alphabet ([DefaultAlphabet]) when every character is in the GSM
// 03.38 default or extension table, else [UCS2].
func Choose(s string) DataCoding {
	if _, ok := GSM7Septets(s); ok {
		return DefaultAlphabet
	}
	return UCS2
}

// Encode appends s encoded for dc to dst and returns the extended buffer.
// GSM 7-bit is unpacked. An 8-bit binary coding takes the string's bytes as
// they are. An unsupported coding is [ErrUnsupportedCoding]; a character the
// coding cannot carry is an [*UnrepresentableError]. On error dst is
// returned unchanged.
func Encode(dst []byte, s string, dc DataCoding) ([]byte, error) {
	switch dc.Alphabet() {
	case AlphabetGSM7:
		return EncodeGSM7(dst, s)
	case AlphabetUCS2:
		return EncodeUCS2(dst, s)
	case AlphabetLatin1:
		return EncodeLatin1(dst, s)
	case AlphabetIA5:
		return EncodeIA5(dst, s)
	case AlphabetBinary:
		return append(dst, s...), nil
	}
	return dst, fmt.Errorf("encode data_coding 0x%02X: %w", byte(dc), ErrUnsupportedCoding)
}

// Decode appends the text of b, encoded for dc, to dst and returns the
// extended buffer. GSM 7-bit is expected unpacked. An 8-bit binary coding
// returns the octets as they are, which need not be UTF-8. On error dst is
// returned unchanged.
func Decode(dst []byte, b []byte, dc DataCoding) ([]byte, error) {
	switch dc.Alphabet() {
	case AlphabetGSM7:
		return DecodeGSM7(dst, b), nil
	case AlphabetUCS2:
		return DecodeUCS2(dst, b)
	case AlphabetLatin1:
		return DecodeLatin1(dst, b), nil
	case AlphabetIA5:
		return DecodeIA5(dst, b)
	case AlphabetBinary:
		return append(dst, b...), nil
	}
	return dst, fmt.Errorf("decode data_coding 0x%02X: %w", byte(dc), ErrUnsupportedCoding)
}
