package pdu

import (
	"errors"
	"testing"
)

func TestNetworkErrorCodeRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		n     NetworkErrorCode
		value string // the 3 octets in hex
		str   string
	}{
		{NetworkErrorCode{Type: NetErrGSM, Code: 27}, "03 001B", "GSM error 27"},
		{NetworkErrorCode{Type: NetErrSMPP, Code: uint16(StatusThrottled)}, "07 0058", "SMPP error 88"},
		{NetworkErrorCode{Type: NetErrANSI136Access, Code: 0xBEEF}, "01 BEEF", "ANSI-136 access denied error 48879"},
		{NetworkErrorCode{Type: NetErrMC, Code: 0xFFFF}, "08 FFFF", "MC specific error 65535"},
		{NetworkErrorCode{}, "00 0000", "network type 0 error 0"},
		{NetworkErrorCode{Type: 0xFF, Code: 1}, "FF 0001", "network type 255 error 1"},
	} {
		t.Run(tc.str, func(t *testing.T) {
			val := unhex(t, tc.value)
			mustEqualBytes(t, "Append", tc.n.Append(nil), val)
			prefix := []byte{0xAA}
			mustEqualBytes(t, "Append after a prefix", tc.n.Append(prefix), append([]byte{0xAA}, val...))

			var got NetworkErrorCode
			if err := got.Decode(val); err != nil || got != tc.n {
				t.Errorf("Decode(%x) = %+v, %v; want %+v", val, got, err, tc.n)
			}
			if s := tc.n.String(); s != tc.str {
				t.Errorf("String() = %q, want %q", s, tc.str)
			}

			// As a TLV among others.
			tl := AppendTLVByte(nil, TagMessageState, 5)
			tl = AppendTLVNetworkErrorCode(tl, tc.n)
			tl = AppendTLVCString(tl, TagReceiptedMessageID, []byte("m1"))
			mustEqualBytes(t, "AppendTLVNetworkErrorCode", tl,
				join(unhex(t, "0427 0001 05  0423 0003"), val, unhex(t, "001E 0003 6D3100")))
			if err := TLVs(tl).Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if n, ok := TLVs(tl).NetworkErrorCode(); !ok || n != tc.n {
				t.Errorf("TLVs.NetworkErrorCode() = %+v, %v; want %+v", n, ok, tc.n)
			}
		})
	}
}

func TestNetworkErrorCodeBadLength(t *testing.T) {
	for _, val := range [][]byte{nil, {}, {3}, {3, 0}, {3, 0, 27, 0}, make([]byte, 300)} {
		n := NetworkErrorCode{Type: NetErrGSM, Code: 9}
		err := n.Decode(val)
		if !errors.Is(err, ErrTLVLength) || StatusOf(err) != StatusInvParLen {
			t.Errorf("Decode(%d octets) = %v, want ErrTLVLength", len(val), err)
		}
		if n != (NetworkErrorCode{Type: NetErrGSM, Code: 9}) {
			t.Errorf("Decode(%d octets) changed the value to %+v", len(val), n)
		}
		// The TLVs accessor reports it as not found, without panicking.
		tl := TLVs(AppendTLV(nil, TagNetworkErrorCode, val))
		if n, ok := tl.NetworkErrorCode(); ok || n != (NetworkErrorCode{}) {
			t.Errorf("TLVs.NetworkErrorCode() of %d octets = %+v, %v; want not found", len(val), n, ok)
		}
		if !errors.Is(tl.Validate(), ErrTLVLength) {
			t.Errorf("Validate accepted a %d-octet network_error_code", len(val))
		}
	}
}

func TestNetworkErrorCodeAbsentOrCorrupt(t *testing.T) {
	for name, tl := range map[string]TLVs{
		"empty":        nil,
		"absent":       TLVs(AppendTLVByte(nil, TagMessageState, 2)),
		"stray octets": TLVs{0x04, 0x23, 0x00},
		"runs past":    TLVs(unhex(t, "0423 0009 03001B")),
	} {
		if n, ok := tl.NetworkErrorCode(); ok || n != (NetworkErrorCode{}) {
			t.Errorf("%s: NetworkErrorCode() = %+v, %v; want not found", name, n, ok)
		}
		if st, ok := tl.MessageState(); name != "absent" && (ok || st != 0) {
			t.Errorf("%s: MessageState() = %d, %v; want not found", name, st, ok)
		}
	}
}

func TestMessageStateTLV(t *testing.T) {
	for st := range byte(10) {
		b := AppendTLVMessageState(nil, st)
		mustEqualBytes(t, "AppendTLVMessageState", b, []byte{0x04, 0x27, 0x00, 0x01, st})
		tl := TLVs(AppendTLVNetworkErrorCode(b, NetworkErrorCode{Type: NetErrGSM, Code: 1}))
		if got, ok := tl.MessageState(); !ok || got != st {
			t.Errorf("MessageState() = %d, %v; want %d", got, ok, st)
		}
	}
	// Wrong length: not found, no panic.
	for _, val := range [][]byte{nil, {2, 2}} {
		if got, ok := TLVs(AppendTLV(nil, TagMessageState, val)).MessageState(); ok {
			t.Errorf("MessageState() of %d octets = %d, want not found", len(val), got)
		}
	}
}
