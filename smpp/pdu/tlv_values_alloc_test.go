//go:build !race

package pdu

import "testing"

// TestTLVValueAllocs checks that the typed TLV getters and encoders
// allocate nothing when the caller keeps its buffer.
func TestTLVValueAllocs(t *testing.T) {
	tl := TLVs(AppendTLVNetworkErrorCode(AppendTLVMessageState(nil, 5), NetworkErrorCode{Type: NetErrGSM, Code: 27}))
	val := []byte{3, 0, 27}
	buf := make([]byte, 0, 64)
	var n NetworkErrorCode
	var ok bool
	var st byte
	cases := []struct {
		name string
		fn   func()
	}{
		{"TLVs.NetworkErrorCode", func() { n, ok = tl.NetworkErrorCode() }},
		{"TLVs.MessageState", func() { st, ok = tl.MessageState() }},
		{"NetworkErrorCode.Decode", func() { _ = n.Decode(val) }},
		{"NetworkErrorCode.Decode bad length", func() { _ = n.Decode(val[:2]) }},
		{"NetworkErrorCode.Append", func() { buf = n.Append(buf[:0]) }},
		{"AppendTLVNetworkErrorCode", func() { buf = AppendTLVNetworkErrorCode(buf[:0], n) }},
		{"AppendTLVMessageState", func() { buf = AppendTLVMessageState(buf[:0], 2) }},
	}
	for _, c := range cases {
		if a := testing.AllocsPerRun(100, c.fn); a != 0 {
			t.Errorf("%s: %.1f allocations, want 0", c.name, a)
		}
	}
	if !ok || st != 5 || n != (NetworkErrorCode{Type: NetErrGSM, Code: 27}) {
		t.Errorf("getters returned %+v, state %d, %v", n, st, ok)
	}
}
