package gateway

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

func TestDestination(t *testing.T) {
	cases := []struct {
		ton, npi byte
		in, want string
		status   pdu.Status
	}{
		{1, 1, "447700900123", "447700900123", 0},
		{0, 0, "+447700900123", "447700900123", 0},
		{0, 1, "4477009", "4477009", 0},
		{1, 1, "123456", "", pdu.StatusInvDstAdr},           // too short
		{1, 1, "1234567890123456", "", pdu.StatusInvDstAdr}, // 16 digits
		{1, 1, "07700900123", "", pdu.StatusInvDstAdr},      // national format
		{1, 1, "44770090012a", "", pdu.StatusInvDstAdr},     // not digits
		{1, 1, "", "", pdu.StatusInvDstAdr},                 // empty
		{5, 0, "447700900123", "", pdu.StatusInvDstTON},     // alphanumeric TON
		{1, 9, "447700900123", "", pdu.StatusInvDstNPI},     // private plan
		{1, 1, "++447700900123", "", pdu.StatusInvDstAdr},   // two pluses
	}
	for _, c := range cases {
		a, r := Destination(c.ton, c.npi, c.in)
		if c.status != 0 {
			if r == nil || r.Status != c.status || r.Problem != ProblemInvalidNumber || r.Field != "to" {
				t.Errorf("Destination(%d,%d,%q) = %+v, %+v; want refusal %v", c.ton, c.npi, c.in, a, r, c.status)
			}
			continue
		}
		if r != nil || a.Addr != c.want || a.TON != 1 || a.NPI != 1 {
			t.Errorf("Destination(%d,%d,%q) = %+v, %v; want %q 1/1", c.ton, c.npi, c.in, a, r, c.want)
		}
	}
}

func TestSourceAndAutoSource(t *testing.T) {
	cases := []struct {
		ton, npi    byte
		in          string
		wantTON     uint8
		wantAddr    string
		wantRefused bool
	}{
		{5, 0, "MyBrand", 5, "MyBrand", false},
		{5, 0, "MyBrandIsLong", 0, "", true}, // 13 chars
		{5, 0, "Brand€", 5, "Brand€", false}, // € is 2 septets: 7 in all
		{5, 0, "Bränd☃", 0, "", true},        // snowman is not GSM
		{1, 1, "+447700900001", 1, "447700900001", false},
		{1, 1, "4477", 0, "", true},
		{3, 0, "12345", 3, "12345", false},
		{0, 0, "+447700900001", 1, "447700900001", false},
		{0, 0, "447700900001", 1, "447700900001", false},
		{0, 0, "54321", 3, "54321", false},
		{0, 0, "12", 0, "", true},
		{0, 0, "Shop 24", 5, "Shop 24", false},
		{0, 0, "", 0, "", true},
		{7, 0, "abc", 0, "", true},
	}
	for _, c := range cases {
		a, r := Source(c.ton, c.npi, c.in)
		if c.wantRefused {
			if r == nil || r.Problem != ProblemInvalidSender {
				t.Errorf("Source(%d,%d,%q) = %+v; want refusal", c.ton, c.npi, c.in, a)
			}
			continue
		}
		if r != nil || a.TON != c.wantTON || a.Addr != c.wantAddr {
			t.Errorf("Source(%d,%d,%q) = %+v, %v; want TON %d %q", c.ton, c.npi, c.in, a, r, c.wantTON, c.wantAddr)
		}
	}
}

func TestTextContent(t *testing.T) {
	c, r := TextContent("Hello @ 5€", "auto", false, 0)
	if r != nil || c.DataCoding != 0 || !bytes.Equal(c.Body, []byte{0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x00, 0x20, 0x35, 0x1B, 0x65}) || c.Segments != 1 {
		t.Fatalf("GSM text: %+v %v", c, r)
	}
	c, r = TextContent("Hi 👋", "", false, 0)
	if r != nil || c.DataCoding != 0x08 || len(c.Body) != 10 || c.Segments != 1 {
		t.Fatalf("UCS-2 text: %+v %v", c, r)
	}
	c, r = TextContent(strings.Repeat("a", 161), "auto", false, 0)
	if r != nil || c.Segments != 2 {
		t.Fatalf("161 chars: %+v %v", c, r)
	}
	c, r = TextContent(strings.Repeat("ж", 71), "auto", false, 0)
	if r != nil || c.Segments != 2 || c.DataCoding != 0x08 {
		t.Fatalf("71 Cyrillic: %+v %v", c, r)
	}
	c, r = TextContent("flash!", "gsm7", true, 0)
	if r != nil || pdutext.DataCoding(c.DataCoding).Alphabet() != pdutext.AlphabetGSM7 {
		t.Fatalf("flash: %+v %v", c, r)
	}
	if cl, ok := pdutext.DataCoding(c.DataCoding).Class(); !ok || cl != 0 {
		t.Fatalf("flash data_coding %#x has class %d %v", c.DataCoding, cl, ok)
	}
	for _, bad := range []struct{ text, enc, field string }{
		{"", "auto", "text"},
		{"snow ☃", "gsm7", "text"},
		{"hi", "utf8", "encoding"},
		{strings.Repeat("a", 153*10+1), "auto", "text"},
		{"\xff\xfe", "auto", "text"},
	} {
		if _, r := TextContent(bad.text, bad.enc, false, 10); r == nil || r.Field != bad.field {
			t.Errorf("TextContent(%.20q, %q) refusal = %+v, want field %q", bad.text, bad.enc, r, bad.field)
		}
	}
}

func TestSubmitContent(t *testing.T) {
	// Plain short message.
	c, r := SubmitContent(0, 0, []byte("hello"), nil, 0)
	if r != nil || c.Segments != 1 || string(c.Body) != "hello" {
		t.Fatalf("plain: %+v %v", c, r)
	}
	// Long payload is counted.
	c, r = SubmitContent(0, 0, bytes.Repeat([]byte("x"), 400), nil, 0)
	if r != nil || c.Segments != 3 {
		t.Fatalf("payload: %+v %v", c, r)
	}
	// The customer's own UDH segment.
	seg := append([]byte{0x05, 0x00, 0x03, 0x2A, 0x02, 0x02}, "see you"...)
	c, r = SubmitContent(0, 0x40, seg, nil, 0)
	if r != nil || c.Segments != 1 || c.ESMClass&0x40 == 0 || !bytes.Equal(c.Body, seg) {
		t.Fatalf("udh: %+v %v", c, r)
	}
	// SAR TLVs become a UDH.
	var tlvs pdu.TLVs
	tlvs = pdu.TLVs(pdu.AppendTLVUint16(nil, pdu.TagSarMsgRefNum, 42))
	tlvs = pdu.TLVs(pdu.AppendTLVByte(tlvs, pdu.TagSarTotalSegments, 2))
	tlvs = pdu.TLVs(pdu.AppendTLVByte(tlvs, pdu.TagSarSegmentSeqnum, 1))
	c, r = SubmitContent(0, 0, []byte("part one"), tlvs, 0)
	if r != nil || c.ESMClass&0x40 == 0 || !bytes.Equal(c.Body, append([]byte{0x05, 0x00, 0x03, 42, 2, 1}, "part one"...)) {
		t.Fatalf("sar: %+v %v", c, r)
	}
	// Refusals.
	if _, r := SubmitContent(0, 0, nil, nil, 0); r == nil || r.Status != pdu.StatusInvMsgLen {
		t.Errorf("empty: %+v", r)
	}
	if _, r := SubmitContent(0x08, 0, []byte{0x00}, nil, 0); r == nil {
		t.Errorf("odd UCS-2 accepted")
	}
	if _, r := SubmitContent(0, 0x40, []byte{0x09, 0x00}, nil, 0); r == nil || r.Status != pdu.StatusInvEsmClass {
		t.Errorf("bad UDH: %+v", r)
	}
	if _, r := SubmitContent(0, 0, bytes.Repeat([]byte("x"), 153*10+1), nil, 10); r == nil || r.Problem != ProblemTooLong {
		t.Errorf("too long: %+v", r)
	}
	bad := pdu.TLVs(pdu.AppendTLVUint16(nil, pdu.TagSarMsgRefNum, 1))
	if _, r := SubmitContent(0, 0, []byte("x"), bad, 0); r == nil || r.Status != pdu.StatusInvOptParamVal {
		t.Errorf("incomplete SAR: %+v", r)
	}
}
