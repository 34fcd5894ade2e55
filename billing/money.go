package billing

import (
	"fmt"
	"math"
	"strconv"
)

// Micros is an amount of money in millionths of a currency unit.
type Micros int64

// MicrosPerUnit is the number of micros in one unit of a currency.
const MicrosPerUnit Micros = 1_000_000

// maxPrice caps a price per segment (one million units) so that a price
// times the largest segment count cannot overflow.
const maxPrice = 1_000_000 * MicrosPerUnit

// maxSegments is the most segments a concatenated message can have.
const maxSegments = 255

// String formats m as units with six decimals, such as "-1.250000".
func (m Micros) String() string {
	return string(m.Append(nil))
}

// Append appends m formatted as by [Micros.String] to dst.
func (m Micros) Append(dst []byte) []byte {
	u := uint64(m)
	if m < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = strconv.AppendUint(dst, u/uint64(MicrosPerUnit), 10)
	frac := u % uint64(MicrosPerUnit)
	dst = append(dst, '.')
	for d := uint64(100_000); d > 0; d /= 10 {
		dst = append(dst, byte('0'+frac/d%10))
	}
	return dst
}

// ParseMicros parses a decimal amount of units with at most six decimals,
// such as "12", "-0.5" or "0.000125".
func ParseMicros(s string) (Micros, error) {
	neg := false
	t := s
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	var v uint64
	digits, decimals, dot := 0, 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c < '0' || c > '9':
			return 0, fmt.Errorf("billing: parse amount %q: bad character", s)
		}
		if dot {
			decimals++
			if decimals > 6 {
				return 0, fmt.Errorf("billing: parse amount %q: more than 6 decimals", s)
			}
		}
		digits++
		d := uint64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, fmt.Errorf("billing: parse amount %q: out of range", s)
		}
		v = v*10 + d
	}
	if digits == 0 {
		return 0, fmt.Errorf("billing: parse amount %q: no digits", s)
	}
	for ; decimals < 6; decimals++ {
		if v > math.MaxInt64/10 {
			return 0, fmt.Errorf("billing: parse amount %q: out of range", s)
		}
		v *= 10
	}
	if neg {
		return -Micros(v), nil
	}
	return Micros(v), nil
}

// Times returns m multiplied by n, or [ErrBadAmount] if the product
// overflows.
func (m Micros) Times(n int64) (Micros, error) {
	if n == 0 || m == 0 {
		return 0, nil
	}
	p := int64(m) * n
	if p/n != int64(m) || (n == -1 && m == math.MinInt64) {
		return 0, ErrBadAmount
	}
	return Micros(p), nil
}

// Money is an amount in a currency.
type Money struct {
	Amount Micros
	// Currency is an ISO 4217 code such as "EUR".
	Currency string
}

// String formats the money as "12.500000 EUR".
func (m Money) String() string { return m.Amount.String() + " " + m.Currency }

// ValidCurrency reports whether c has the form of an ISO 4217 code: three
// upper-case ASCII letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := range 3 {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}
