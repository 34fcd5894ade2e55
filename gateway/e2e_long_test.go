package gateway_test

import (
	"bytes"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// checkConcat checks that subs are the segments of one concatenated
// message, in order, with 8-bit reference UDHs, and returns the
// reassembled body.
func checkConcat(t *testing.T, subs []smpptest.Submit, total int) []byte {
	t.Helper()
	if len(subs) != total {
		t.Fatalf("carrier got %d submit_sm, want %d segments", len(subs), total)
	}
	var whole []byte
	var ref byte
	for i, s := range subs {
		if s.SM.ESMClass&0x40 == 0 {
			t.Fatalf("segment %d: esm_class %#x without UDHI", i+1, s.SM.ESMClass)
		}
		body := s.SM.Payload()
		if len(body) < 6 || !bytes.Equal(body[:3], []byte{0x05, 0x00, 0x03}) {
			t.Fatalf("segment %d: UDH % x, want 05 00 03 (8-bit reference)", i+1, body[:min(6, len(body))])
		}
		if i == 0 {
			ref = body[3]
		}
		if body[3] != ref || body[4] != byte(total) || body[5] != byte(i+1) {
			t.Fatalf("segment %d arrived as ref %d part %d/%d, want ref %d part %d/%d",
				i+1, body[3], body[5], body[4], ref, i+1, total)
		}
		if len(body) > 6+160 {
			t.Fatalf("segment %d: %d octets", i+1, len(body))
		}
		whole = append(whole, body[6:]...)
	}
	return whole
}

// TestE2EMessagePayloadSplit: a 400-octet GSM message_payload is sent to
// the carrier as three UDH segments in order; the customer gets one
// receipt for the message.
func TestE2EMessagePayloadSplit(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		text := gsmText(400)
		sm := textSM("")
		sm.ShortMessage = nil
		sm.TLVs = pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, []byte(text)))
		id := submit(t, e, sm)

		whole := checkConcat(t, waitSubmits(t, c, 3), 3)
		if string(whole) != text {
			t.Fatalf("reassembled text differs:\n got %q\nwant %q", whole, text)
		}
		r := waitReceipts(t, e, 1)[0]
		if r.id != id || r.state != pdutext.StateDelivered {
			t.Fatalf("receipt %+v, want DELIVERED for %s", r, id)
		}
		// All three segment receipts were matched before that one went
		// out; no second receipt may follow for the same message.
		eventually(t, "three carrier receipts matched", func() (bool, string) {
			n := g.metric(t, "gallant_gateway_carrier_receipts_total", "result", "matched")
			return n == 3, "matched " + ftoa(n)
		})
		if n := len(e.Delivers()); n != 1 {
			t.Errorf("%d receipts for one long message, want 1", n)
		}
		q, err := query(t, e, id)
		if err != nil || pdutext.MessageState(q.MessageState) != pdutext.StateDelivered {
			t.Errorf("query_sm: %+v, %v", q, err)
		}
	})
}

// TestE2ECustomerUDHPassesThrough: segments a customer concatenated
// itself reach the carrier byte for byte, each its own message with its
// own receipt.
func TestE2ECustomerUDHPassesThrough(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		var bodies [][]byte
		ids := map[string]bool{}
		for seq := byte(1); seq <= 2; seq++ {
			body := append([]byte{0x05, 0x00, 0x03, 0x7A, 0x02, seq}, gsmText(150)...)
			bodies = append(bodies, body)
			sm := textSM("")
			sm.ESMClass = 0x40
			sm.ShortMessage = body
			ids[submit(t, e, sm)] = true
		}
		if len(ids) != 2 {
			t.Fatalf("two segments got ids %v", ids)
		}
		subs := waitSubmits(t, c, 2)
		for i, s := range subs {
			if !bytes.Equal(s.SM.ShortMessage, bodies[i]) || s.SM.ESMClass&0x40 == 0 {
				t.Errorf("segment %d reached the carrier as esm %#x % x, want % x", i+1, s.SM.ESMClass,
					s.SM.ShortMessage[:8], bodies[i][:8])
			}
		}
		got := byID(t, waitReceipts(t, e, 2))
		for id := range ids {
			if got[id].state != pdutext.StateDelivered {
				t.Errorf("segment message %s: receipt %+v", id, got[id])
			}
		}
	})
}

// TestE2EUCS2OverSMPP: a UCS-2 message (data_coding 8) reaches the
// carrier with its coding and bytes unchanged; a long one is split on
// UCS-2 boundaries.
func TestE2EUCS2OverSMPP(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		short, err := pdutext.Encode(nil, "Привет 👋", pdutext.UCS2)
		if err != nil {
			t.Fatal(err)
		}
		sm := textSM("")
		sm.DataCoding, sm.ShortMessage = 8, short
		submit(t, e, sm)
		s := waitSubmits(t, c, 1)[0]
		if s.SM.DataCoding != 8 || !bytes.Equal(s.SM.ShortMessage, short) || s.SM.ESMClass&0x40 != 0 {
			t.Fatalf("carrier got dc %d esm %#x % x, want dc 8 % x", s.SM.DataCoding, s.SM.ESMClass, s.SM.ShortMessage, short)
		}

		// 30 GSM characters and 35 emoji (surrogate pairs): 100 UCS-2
		// units, two segments of at most 67 units, none cutting a pair.
		long := gsmText(30)
		for range 35 {
			long += "😀"
		}
		enc, err := pdutext.Encode(nil, long, pdutext.UCS2)
		if err != nil {
			t.Fatal(err)
		}
		sm = textSM("")
		sm.DataCoding = 8
		sm.TLVs = pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, enc))
		submit(t, e, sm)
		subs := waitSubmits(t, c, 1+2)[1:]
		for _, s := range subs {
			if s.SM.DataCoding != 8 {
				t.Fatalf("segment data_coding %d, want 8", s.SM.DataCoding)
			}
			if body := s.SM.Payload(); len(body) > 140 || (len(body)-6)%2 != 0 {
				t.Fatalf("UCS-2 segment of %d octets", len(body))
			} else if u := uint16(body[len(body)-2])<<8 | uint16(body[len(body)-1]); u >= 0xD800 && u < 0xDC00 {
				t.Fatalf("segment ends inside a surrogate pair")
			}
		}
		whole := checkConcat(t, subs, 2)
		if !bytes.Equal(whole, enc) {
			t.Fatal("reassembled UCS-2 differs from what was sent")
		}
	})
}
