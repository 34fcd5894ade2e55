//go:build !race

package pdu

import "testing"

// TestZeroAllocs checks that the hot-path decoders and encoders allocate
// nothing when the caller keeps its body values and buffers.
func TestZeroAllocs(t *testing.T) {
	vs := vectors(t)
	body := func(i int) []byte { return unhex(t, vs[i].hex)[HeaderLen:] }
	a4, a7, a9, a10, a2 := body(3), body(6), body(8), body(9), body(1)
	a9pdu := unhex(t, vs[8].hex)
	multi := samples()[15].AppendBody(nil)
	multiResp := samples()[16].AppendBody(nil)

	var sm SubmitSM
	var dsm DeliverSM
	var smr SubmitSMResp
	var dsmr DeliverSMResp
	var br BindResp
	var mul SubmitMulti
	var mulr SubmitMultiResp
	if err := mul.Decode(multi); err != nil { // warm the reused slices
		t.Fatal(err)
	}
	if err := mulr.Decode(multiResp); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	h := Header{ID: DeliverSMID, Seq: 7}

	cases := []struct {
		name string
		fn   func()
	}{
		{"SubmitSM.Decode", func() { _ = sm.Decode(a4) }},
		{"DeliverSM.Decode", func() { _ = dsm.Decode(a9) }},
		{"SubmitSMResp.Decode", func() { _ = smr.Decode(a7) }},
		{"DeliverSMResp.Decode", func() { _ = dsmr.Decode(a10) }},
		{"BindResp.Decode", func() { _ = br.Decode(a2) }},
		{"SubmitMulti.Decode reused", func() { _ = mul.Decode(multi) }},
		{"SubmitMultiResp.Decode reused", func() { _ = mulr.Decode(multiResp) }},
		{"SubmitSM.Decode error", func() { _ = sm.Decode(a4[:20]) }},
		{"Frame", func() { _, _, _ = Frame(a9pdu, 0) }},
		{"TLVs lookups", func() {
			_, _ = dsm.TLVs.CString(TagReceiptedMessageID)
			_, _ = dsm.TLVs.Byte(TagMessageState)
			_ = dsm.TLVs.Validate()
		}},
		{"AppendHeader+DeliverSM.AppendBody+SetLength", func() {
			b := AppendHeader(buf[:0], h)
			b = dsm.AppendBody(b)
			SetLength(b)
		}},
		{"SubmitSM.AppendBody", func() { _ = sm.AppendBody(buf[:0]) }},
		{"SubmitSMResp.AppendBody", func() { _ = smr.AppendBody(buf[:0]) }},
		{"DeliverSMResp.AppendBody", func() { _ = dsmr.AppendBody(buf[:0]) }},
		{"BindResp.AppendBody", func() { _ = br.AppendBody(buf[:0]) }},
		{"Encode", func() { _ = Encode(buf[:0], h, &dsm) }},
		{"AppendTLV*", func() {
			b := AppendTLVCString(buf[:0], TagReceiptedMessageID, smr.MessageID)
			b = AppendTLVByte(b, TagMessageState, 2)
			_ = AppendTLVUint16(b, TagSarMsgRefNum, 1)
		}},
	}
	for _, c := range cases {
		c.fn() // and check it did something below
		if n := testing.AllocsPerRun(100, c.fn); n != 0 {
			t.Errorf("%s: %.1f allocs, want 0", c.name, n)
		}
	}
	if string(dsm.ShortMessage) != a9Text || string(smr.MessageID) != "1A2B3C4D" || len(sm.ShortMessage) != 0 {
		t.Error("the measured calls did not decode what they were given")
	}
}
