package pdutext

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors returned by this package. Functions wrap them with context, so
// test with errors.Is.
var (
	// ErrUnrepresentable means a character has no code in the target
	// coding. The concrete error is an [*UnrepresentableError].
	ErrUnrepresentable = errors.New("smpp/pdutext: character not representable")
	// ErrOddLength means UCS-2 octets of odd length.
	ErrOddLength = errors.New("smpp/pdutext: odd UCS-2 length")
	// ErrBadOctet means an octet that the coding does not allow: a septet
	// above 0x7F in unpacked GSM 7-bit, or a non-ASCII octet in IA5.
	ErrBadOctet = errors.New("smpp/pdutext: octet out of range")
	// ErrUnsupportedCoding means a data_coding whose alphabet this package
	// does not convert (see [AlphabetUnsupported]).
	ErrUnsupportedCoding = errors.New("smpp/pdutext: unsupported data_coding")
	// ErrTooManySegments means a message would need more than
	// [MaxSegments] segments.
	ErrTooManySegments = errors.New("smpp/pdutext: too many segments")
	// ErrBadUDH means a user data header whose lengths do not fit.
	ErrBadUDH = errors.New("smpp/pdutext: malformed user data header")
	// ErrBadConcat means concatenation numbers that cannot be valid:
	// total 0, sequence 0 or sequence above total.
	ErrBadConcat = errors.New("smpp/pdutext: invalid concatenation numbers")
	// ErrBadTime means an SMPP time field that is not one of the formats
	// of SMPP 3.4 §7.1.
	ErrBadTime = errors.New("smpp/pdutext: invalid time field")
	// ErrNotReceipt means text without a delivery receipt id.
	ErrNotReceipt = errors.New("smpp/pdutext: not a delivery receipt")
)

// UnrepresentableError reports the first character of a text that a coding
// cannot carry, or the first byte of invalid UTF-8 (Rune is then
// utf8.RuneError). It matches [ErrUnrepresentable] under errors.Is.
type UnrepresentableError struct {
	Rune   rune   // the character; utf8.RuneError for an invalid byte
	Offset int    // its byte offset in the text
	Coding string // the coding's name, e.g. "GSM 03.38"
}

// Error names the character, its offset and the coding.
func (e *UnrepresentableError) Error() string {
	return "smpp/pdutext: " + strconv.QuoteRune(e.Rune) + " (" + runeCode(e.Rune) +
		") at byte " + strconv.Itoa(e.Offset) + " not representable in " + e.Coding
}

// Unwrap returns ErrUnrepresentable.
func (e *UnrepresentableError) Unwrap() error { return ErrUnrepresentable }

func runeCode(r rune) string {
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	for len(h) < 4 {
		h = "0" + h
	}
	return "U+" + h
}

func octetError(offset int) error {
	return fmt.Errorf("octet at %d: %w", offset, ErrBadOctet)
}
