package pdu

import (
	"testing"
)

// vector is one test vector of docs/smpp.md, "Test vectors".
type vector struct {
	name string
	hex  string
	h    Header
	body Body
}

// a9Text is the receipt text of vector A9.
const a9Text = "id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello"

// vectors returns the appendix A vectors with their documented fields.
func vectors(tb testing.TB) []vector {
	return []vector{
		{
			name: "A1 bind_transceiver",
			hex:  "00000025 00000009 00000000 00000001 6777636C69656E7400 73336372337400 00 34 00 00 00",
			h:    Header{Length: 37, ID: BindTransceiver, Seq: 1},
			body: &Bind{ID: BindTransceiver, SystemID: []byte("gwclient"), Password: []byte("s3cr3t"), InterfaceVersion: 0x34},
		},
		{
			name: "A2 bind_transceiver_resp",
			hex:  "0000001C 80000009 00000000 00000001 534D5343303100 0210 0001 34",
			h:    Header{Length: 28, ID: BindTransceiverResp, Seq: 1},
			body: &BindResp{ID: BindTransceiverResp, SystemID: []byte("SMSC01"), TLVs: AppendTLVByte(nil, TagScInterfaceVersion, 0x34)},
		},
		{
			name: "A3 bind_transceiver_resp failure",
			hex:  "00000010 80000009 0000000E 00000001",
			h:    Header{Length: 16, ID: BindTransceiverResp, Status: StatusInvPaswd, Seq: 1},
			body: &BindResp{ID: BindTransceiverResp},
		},
		{
			name: "A4 submit_sm GSM7",
			hex: `0000004F 00000004 00000000 00000002 00 05 00 4D794272616E6400 01 01 34343737303039303031323300
				00 00 00 00 30303030303130303030303030303052 00 01 00 00 00 0B 48656C6C6F200020351B65`,
			h: Header{Length: 79, ID: SubmitSMID, Seq: 2},
			body: &SubmitSM{
				Source:             Address{TON: 5, NPI: 0, Addr: []byte("MyBrand")},
				Dest:               Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				ValidityPeriod:     []byte("000001000000000R"),
				RegisteredDelivery: 1,
				ShortMessage:       unhex(tb, "48 65 6C 6C 6F 20 00 20 35 1B 65"),
			},
		},
		{
			name: "A5 submit_sm UCS2",
			hex: `00000043 00000004 00000000 00000003 00 01 01 34343737303039303030303100 01 01 34343737303039303031323300
				00 00 00 00 00 01 00 08 00 0A 004800690020D83DDC4B`,
			h: Header{Length: 67, ID: SubmitSMID, Seq: 3},
			body: &SubmitSM{
				Source:             Address{TON: 1, NPI: 1, Addr: []byte("447700900001")},
				Dest:               Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				RegisteredDelivery: 1,
				DataCoding:         0x08,
				ShortMessage:       unhex(tb, "0048 0069 0020 D83D DC4B"),
			},
		},
		{
			name: "A6 submit_sm with UDH",
			hex: `00000041 00000004 00000000 00000005 00 05 00 4D794272616E6400 01 01 34343737303039303031323300
				40 00 00 00 00 01 00 00 00 0D 0500032A020273656520796F75`,
			h: Header{Length: 65, ID: SubmitSMID, Seq: 5},
			body: &SubmitSM{
				Source:             Address{TON: 5, NPI: 0, Addr: []byte("MyBrand")},
				Dest:               Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				ESMClass:           0x40,
				RegisteredDelivery: 1,
				ShortMessage:       join(unhex(tb, "05 00 03 2A 02 02"), []byte("see you")),
			},
		},
		{
			name: "A7 submit_sm_resp",
			hex:  "00000019 80000004 00000000 00000002 3141324233433444 00",
			h:    Header{Length: 25, ID: SubmitSMRespID, Seq: 2},
			body: &SubmitSMResp{MessageID: []byte("1A2B3C4D")},
		},
		{
			name: "A8 submit_sm_resp throttled",
			hex:  "00000010 80000004 00000058 0000000B",
			h:    Header{Length: 16, ID: SubmitSMRespID, Status: StatusThrottled, Seq: 11},
			body: &SubmitSMResp{},
		},
		{
			name: "A9 deliver_sm receipt",
			hex: `000000AF 00000005 00000000 00000007 00 01 01 34343737303039303031323300 05 00 4D794272616E6400
				04 00 00 00 00 00 00 00 00 69
				69643A3141324233433444207375623A30303120646C7672643A303031207375626D697420646174653A32353031313531303330
				20646F6E6520646174653A3235303131353130333120737461743A44454C49565244206572723A30303020746578743A48656C6C6F
				001E 0009 314132423343344400 0427 0001 02`,
			h: Header{Length: 175, ID: DeliverSMID, Seq: 7},
			body: &DeliverSM{
				Source:       Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				Dest:         Address{TON: 5, NPI: 0, Addr: []byte("MyBrand")},
				ESMClass:     0x04,
				ShortMessage: []byte(a9Text),
				TLVs: AppendTLVByte(
					AppendTLVCString(nil, TagReceiptedMessageID, []byte("1A2B3C4D")),
					TagMessageState, 2),
			},
		},
		{
			name: "A10 deliver_sm_resp",
			hex:  "00000011 80000005 00000000 00000007 00",
			h:    Header{Length: 17, ID: DeliverSMRespID, Seq: 7},
			body: &DeliverSMResp{},
		},
		{
			name: "A11 enquire_link",
			hex:  "00000010 00000015 00000000 00000008",
			h:    Header{Length: 16, ID: EnquireLink, Seq: 8},
			body: &HeaderOnly{ID: EnquireLink},
		},
		{
			name: "A11 enquire_link_resp",
			hex:  "00000010 80000015 00000000 00000008",
			h:    Header{Length: 16, ID: EnquireLinkResp, Seq: 8},
			body: &HeaderOnly{ID: EnquireLinkResp},
		},
		{
			name: "A12 generic_nack",
			hex:  "00000010 80000000 00000003 00000009",
			h:    Header{Length: 16, ID: GenericNack, Status: StatusInvCmdID, Seq: 9},
			body: &HeaderOnly{ID: GenericNack},
		},
		{
			name: "A13 unbind",
			hex:  "00000010 00000006 00000000 0000000A",
			h:    Header{Length: 16, ID: Unbind, Seq: 10},
			body: &HeaderOnly{ID: Unbind},
		},
		{
			name: "A13 unbind_resp",
			hex:  "00000010 80000006 00000000 0000000A",
			h:    Header{Length: 16, ID: UnbindResp, Seq: 10},
			body: &HeaderOnly{ID: UnbindResp},
		},
	}
}

// TestVectors decodes every appendix A vector to its documented fields and
// re-encodes it byte for byte.
func TestVectors(t *testing.T) {
	for _, v := range vectors(t) {
		t.Run(v.name, func(t *testing.T) {
			wire := unhex(t, v.hex)
			h, n, err := Frame(wire, 0)
			if err != nil || n != len(wire) {
				t.Fatalf("Frame = %d, %v; want %d, nil", n, err, len(wire))
			}
			if h != v.h {
				t.Errorf("header = %+v, want %+v", h, v.h)
			}
			got, err := DecodeBody(h.ID, wire[HeaderLen:n])
			if err != nil {
				t.Fatalf("DecodeBody: %v", err)
			}
			mustSame(t, got, v.body)

			// The expected fields encode back to the vector (Encode takes
			// the command id from the body). An error response without a
			// body is sent header-only, so it is encoded with a nil body.
			b := v.body
			if n == HeaderLen {
				b = nil
			}
			enc := Encode(nil, Header{ID: v.h.ID, Status: v.h.Status, Seq: v.h.Seq}, b)
			mustEqualBytes(t, "re-encoded "+v.name, enc, wire)
			if b != nil {
				enc = Encode(nil, Header{Status: v.h.Status, Seq: v.h.Seq}, b)
				mustEqualBytes(t, "re-encoded without id "+v.name, enc, wire)
			}
		})
	}
}

// TestVectorHelpers checks the accessors on the appendix A values.
func TestVectorHelpers(t *testing.T) {
	var br BindResp
	if err := br.Decode(unhex(t, "534D5343303100 0210 0001 34")); err != nil {
		t.Fatal(err)
	}
	if v, ok := br.InterfaceVersion(); !ok || v != 0x34 {
		t.Errorf("InterfaceVersion = %#x, %v; want 0x34, true", v, ok)
	}

	wire := unhex(t, vectors(t)[8].hex)
	var dlr DeliverSM
	if err := dlr.Decode(wire[HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if !dlr.IsReceipt() || dlr.IsIntermediate() || dlr.UDHI() {
		t.Errorf("A9 IsReceipt/IsIntermediate/UDHI = %v/%v/%v; want true/false/false",
			dlr.IsReceipt(), dlr.IsIntermediate(), dlr.UDHI())
	}
	if id, ok := dlr.TLVs.CString(TagReceiptedMessageID); !ok || string(id) != "1A2B3C4D" {
		t.Errorf("receipted_message_id = %q, %v", id, ok)
	}
	if st, ok := dlr.TLVs.Byte(TagMessageState); !ok || st != 2 {
		t.Errorf("message_state = %d, %v; want 2, true", st, ok)
	}
	if string(dlr.Payload()) != a9Text {
		t.Errorf("Payload = %q", dlr.Payload())
	}

	wire = unhex(t, vectors(t)[5].hex)
	var seg SubmitSM
	if err := seg.Decode(wire[HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	if !seg.UDHI() {
		t.Error("A6 UDHI = false, want true")
	}
}
