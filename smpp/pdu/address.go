package pdu

import "bytes"

// Address is an SMPP address: type of number, numbering plan indicator and
// the address itself (digits, or text for an alphanumeric sender), without
// its NUL. Decoded addresses are views into the PDU buffer.
type Address struct {
	TON  byte
	NPI  byte
	Addr []byte
}

// Equal reports whether a and b have the same TON, NPI and address.
func (a Address) Equal(b Address) bool {
	return a.TON == b.TON && a.NPI == b.NPI && bytes.Equal(a.Addr, b.Addr)
}
