package pdutext

import (
	"math/big"
	"strconv"
	"strings"
)

// NormalizeID returns the form of a message id used to match a delivery
// receipt to its submit_sm_resp (docs/smpp.md, "Message ids and
// correlation"), for carriers that write the
// same id in hexadecimal in one place and in decimal in the other. hex
// tells the base this id was written in (a per-route, per-direction
// setting, like Kannel's msg-id-type). Spaces are trimmed; an id that is a
// number in that base (with an optional 0x prefix in hexadecimal) becomes
// its decimal digits without leading zeros, so "00FF" with hex and "255"
// without both give "255". Any other id is returned trimmed, to be compared
// exactly.
func NormalizeID(id string, hex bool) string {
	id = strings.TrimSpace(id)
	digits, base := id, 10
	if hex {
		base = 16
		if len(digits) > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') {
			digits = digits[2:]
		}
	}
	if digits == "" || !allDigits(digits, base) {
		return id
	}
	if n, err := strconv.ParseUint(digits, base, 64); err == nil {
		return strconv.FormatUint(n, 10)
	}
	var n big.Int // ids of up to 64 characters can exceed 64 bits
	n.SetString(digits, base)
	return n.String()
}

func allDigits(s string, base int) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case base == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'):
		default:
			return false
		}
	}
	return true
}
