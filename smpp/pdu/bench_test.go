package pdu

import "testing"

// benchPDUs returns the PDUs the benchmarks use: A4 (submit_sm), A7
// (submit_sm_resp) and A9 (a deliver_sm receipt with TLVs).
func benchPDUs(b *testing.B) (submit, resp, receipt []byte) {
	vs := vectors(b)
	return unhex(b, vs[3].hex), unhex(b, vs[6].hex), unhex(b, vs[8].hex)
}

func benchDecode(b *testing.B, pdu []byte, body Body) {
	b.ReportAllocs()
	b.SetBytes(int64(len(pdu)))
	for b.Loop() {
		_, n, err := Frame(pdu, 0)
		if err != nil || n == 0 {
			b.Fatal(err)
		}
		if err := body.Decode(pdu[HeaderLen:n]); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, pdu []byte, body Body) {
	h, _ := DecodeHeader(pdu)
	if err := body.Decode(pdu[HeaderLen:]); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(pdu)))
	for b.Loop() {
		buf = AppendHeader(buf[:0], h)
		buf = body.AppendBody(buf)
		SetLength(buf)
	}
	if len(buf) != len(pdu) {
		b.Fatalf("encoded %d octets, want %d", len(buf), len(pdu))
	}
}

func BenchmarkDecodeSubmitSM(b *testing.B) {
	p, _, _ := benchPDUs(b)
	benchDecode(b, p, &SubmitSM{})
}

func BenchmarkEncodeSubmitSM(b *testing.B) {
	p, _, _ := benchPDUs(b)
	benchEncode(b, p, &SubmitSM{})
}

func BenchmarkDecodeSubmitSMResp(b *testing.B) {
	_, p, _ := benchPDUs(b)
	benchDecode(b, p, &SubmitSMResp{})
}

func BenchmarkEncodeSubmitSMResp(b *testing.B) {
	_, p, _ := benchPDUs(b)
	benchEncode(b, p, &SubmitSMResp{})
}

func BenchmarkDecodeDeliverSMReceipt(b *testing.B) {
	_, _, p := benchPDUs(b)
	benchDecode(b, p, &DeliverSM{})
}

func BenchmarkEncodeDeliverSMReceipt(b *testing.B) {
	_, _, p := benchPDUs(b)
	benchEncode(b, p, &DeliverSM{})
}

// BenchmarkReceiptFields is what a gateway does per receipt after
// decoding: find the receipted id and the state.
func BenchmarkReceiptFields(b *testing.B) {
	_, _, p := benchPDUs(b)
	var d DeliverSM
	if err := d.Decode(p[HeaderLen:]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		id, ok1 := d.TLVs.CString(TagReceiptedMessageID)
		st, ok2 := d.TLVs.Byte(TagMessageState)
		if !ok1 || !ok2 || len(id) != 8 || st != 2 || !d.IsReceipt() {
			b.Fatal("receipt fields not found")
		}
	}
}
