package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The texts of the message kinds. The GSM text fits one segment (160
// septets), the UCS-2 one too (70 units, the emoji taking two), and the
// long one (longLen septets) needs three segments of 153.
const (
	gsm7Text  = "smppbench: hello from the Gallant SMS gateway benchmark"
	ucs2Text  = "smppbench: Привет, 你好, hello 👋"
	longSeed  = "Gallant long message test, segment after segment. "
	longLen   = 400
	longParts = 3
)

// longText returns the text of a [Long] message: longLen GSM characters.
func longText() string {
	return strings.Repeat(longSeed, longLen/len(longSeed)+1)[:longLen]
}

// textOf returns the text of a message of kind k.
func textOf(k Kind) string {
	switch k {
	case UCS2:
		return ucs2Text
	case Long:
		return longText()
	}
	return gsm7Text
}

// Addressing says who the test messages come from and go to.
type Addressing struct {
	// From is the sender: alphanumeric (sent with TON 5, NPI 0) or digits
	// (TON 1, NPI 1). Default "Gallant".
	From string
	// To is the first destination, digits only, E.164 without '+'.
	// Default "447700900000" (a UK range reserved for drama).
	To string
	// Spread is how many destinations are used: message k goes to
	// To + k mod Spread, written with as many digits as To. Default 1000.
	Spread int
}

// defaults fills in empty fields.
func (a *Addressing) defaults() {
	if a.From == "" {
		a.From = "Gallant"
	}
	if a.To == "" {
		a.To = "447700900000"
	}
	if a.Spread == 0 {
		a.Spread = 1000
	}
}

// Validate checks the sender and the destination range.
func (a Addressing) Validate() error {
	a.defaults()
	switch {
	case len(a.From) > 20:
		return errors.New("from is longer than 20 characters")
	case len(a.To) > 20:
		return errors.New("to is longer than 20 digits")
	case !allDigits(a.To):
		return fmt.Errorf("to %q is not all digits", a.To)
	case a.Spread < 1:
		return errors.New("destination spread must be at least 1")
	}
	if _, err := a.numbers(); err != nil {
		return err
	}
	return nil
}

// numericFrom reports whether the sender is a number.
func (a Addressing) numericFrom() bool { return allDigits(a.From) }

// numbers returns the destination generator.
func (a Addressing) numbers() (numbers, error) {
	base, err := strconv.ParseUint(a.To, 10, 64)
	if err != nil {
		return numbers{}, fmt.Errorf("to %q: %w", a.To, err)
	}
	n := numbers{base: base, spread: uint64(a.Spread), width: len(a.To)}
	last := base + n.spread - 1
	if last < base || len(strconv.FormatUint(last, 10)) > n.width {
		return numbers{}, fmt.Errorf("to %s + spread %d overflows %d digits", a.To, a.Spread, n.width)
	}
	return n, nil
}

// numbers writes destination numbers into pre-encoded messages.
type numbers struct {
	base, spread uint64
	width        int
}

// put writes number k (base + k mod spread), zero-padded to width
// digits, into dst[:width].
func (n numbers) put(dst []byte, k uint64) {
	v := n.base + k%n.spread
	for i := n.width - 1; i >= 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
}

// allDigits reports whether s is a non-empty string of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
