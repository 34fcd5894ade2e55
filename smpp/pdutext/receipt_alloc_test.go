//go:build !race

package pdutext

import "testing"

func TestParseReceiptViewAllocs(t *testing.T) {
	upper := []byte("id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:delivrd err:000 text:Hello")
	for _, in := range [][]byte{benchDLR, upper} {
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseReceiptView(in) }); n != 0 {
			t.Errorf("ParseReceiptView(%q): %v allocs, want 0", in, n)
		}
	}
}
