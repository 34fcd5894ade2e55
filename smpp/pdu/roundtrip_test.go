package pdu

import (
	"bytes"
	"testing"
)

// samples returns one fully populated value of every body type.
func samples() []Body {
	tlvs := AppendTLVUint16(AppendTLVByte(nil, TagSarTotalSegments, 3), TagSarMsgRefNum, 0x1234)
	tlvs = AppendTLV(tlvs, 0x1401, []byte("vendor")) // unknown tags pass through
	payloadTLV := AppendTLV(nil, TagMessagePayload, bytes.Repeat([]byte("long "), 100))
	src := Address{TON: 1, NPI: 1, Addr: []byte("447700900001")}
	dst := Address{TON: 2, NPI: 8, Addr: []byte("07700900123")}
	long := Address{TON: 6, NPI: 14, Addr: bytes.Repeat([]byte("9"), 64)}
	sm := SubmitSM{
		ServiceType: []byte("CMT"), Source: src, Dest: dst,
		ESMClass: 0x43, ProtocolID: 0x41, PriorityFlag: 3,
		ScheduleDeliveryTime: []byte("250115103000004+"), ValidityPeriod: []byte("000001000000000R"),
		RegisteredDelivery: 0x11, ReplaceIfPresent: 1, DataCoding: 0xF0, SMDefaultMsgID: 7,
		ShortMessage: append([]byte{0, 0x1B, 0x65}, bytes.Repeat([]byte{'x'}, 252)...), // 255 octets with NULs
		TLVs:         tlvs,
	}
	dsm := DeliverSM(sm)
	dsm.ShortMessage = nil
	dsm.TLVs = payloadTLV
	return []Body{
		&Bind{ID: BindTransmitter, SystemID: []byte("123456789012345"), Password: []byte("12345678"),
			SystemType: []byte("VMA"), InterfaceVersion: 0x34, AddrTON: 1, AddrNPI: 1, AddressRange: []byte("^447")},
		&Bind{ID: BindReceiver, SystemID: []byte("rx")},
		&BindResp{ID: BindTransceiverResp, SystemID: []byte("SMSC"), TLVs: AppendTLVByte(nil, TagScInterfaceVersion, 0x34)},
		&Outbind{SystemID: []byte("mc"), Password: []byte("pw")},
		&sm,
		&dsm,
		&SubmitSMResp{MessageID: bytes.Repeat([]byte("f"), 64), TLVs: AppendTLVUint32(nil, TagQosTimeToLive, 3600)},
		&DeliverSMResp{TLVs: AppendTLVCString(nil, TagAdditionalStatusInfoText, []byte("later"))},
		&DataSM{ServiceType: []byte("WAP"), Source: long, Dest: dst, ESMClass: 0x40, RegisteredDelivery: 1,
			DataCoding: 4, TLVs: AppendTLVUint16(payloadTLV, TagDestinationPort, 2948)},
		&DataSMResp{MessageID: []byte("m1"), TLVs: AppendTLV(nil, TagNetworkErrorCode, []byte{3, 0, 27})},
		&QuerySM{MessageID: []byte("abc"), Source: src},
		&QuerySMResp{MessageID: []byte("abc"), FinalDate: []byte("250115103000000+"), MessageState: 2, ErrorCode: 5},
		&QuerySMResp{MessageID: []byte("abc"), FinalDate: []byte("250115103000"), MessageState: 5},
		&CancelSM{ServiceType: []byte("USSD"), MessageID: []byte("42"), Source: src, Dest: dst},
		&ReplaceSM{MessageID: []byte("42"), Source: src, ScheduleDeliveryTime: []byte("000000003000000R"),
			RegisteredDelivery: 1, SMDefaultMsgID: 2, ShortMessage: []byte("new text")},
		&SubmitMulti{
			ServiceType: []byte("CMT"), Source: src,
			Dests:    []MultiDest{{Addr: dst}, {List: true, DLName: []byte("staff")}, {Addr: src}},
			ESMClass: 3, ValidityPeriod: []byte("000001000000000R"), RegisteredDelivery: 1, DataCoding: 8,
			ShortMessage: []byte{0, 'H', 0, 'i'}, TLVs: tlvs,
		},
		&SubmitMultiResp{MessageID: []byte("77"), Unsuccess: []UnsuccessSME{
			{Dest: dst, Status: StatusInvDstAdr}, {Dest: src, Status: 0x400},
		}},
		&AlertNotification{Source: long, ESME: src, TLVs: AppendTLVByte(nil, TagMsAvailabilityStatus, 0)},
		&HeaderOnly{ID: EnquireLink},
		&HeaderOnly{ID: GenericNack, TLVs: AppendTLVByte(nil, TagCongestionState, 90)},
	}
}

// TestRoundTrip encodes every body type, decodes it into a fresh body and
// compares field by field.
func TestRoundTrip(t *testing.T) {
	for _, want := range samples() {
		t.Run(want.CommandID().String(), func(t *testing.T) {
			if v, ok := want.(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					t.Fatalf("sample does not validate: %v", err)
				}
			}
			wire := Encode(nil, Header{Seq: 99}, want)
			h, n, err := Frame(wire, 0)
			if err != nil || n != len(wire) || h.ID != want.CommandID() || h.Seq != 99 {
				t.Fatalf("Frame = %+v, %d, %v", h, n, err)
			}
			got, err := NewBody(h.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := got.Decode(wire[HeaderLen:n]); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			mustSame(t, got, want)
			mustEqualBytes(t, "re-encoded", got.AppendBody(nil), wire[HeaderLen:])
		})
	}
}

// TestDecodeReuse decodes twice into one value: nothing of the first PDU
// may survive the second decode.
func TestDecodeReuse(t *testing.T) {
	for _, full := range samples() {
		t.Run(full.CommandID().String(), func(t *testing.T) {
			wire := full.AppendBody(nil)
			b, _ := NewBody(full.CommandID())
			if err := b.Decode(wire); err != nil {
				t.Fatal(err)
			}
			fresh, _ := NewBody(full.CommandID())
			min := fresh.AppendBody(nil)
			if _, ok := full.(*SubmitMulti); ok {
				min = (&SubmitMulti{Dests: []MultiDest{{}}}).AppendBody(nil)
				fresh = &SubmitMulti{Dests: []MultiDest{{Addr: Address{Addr: []byte{}}}}}
			}
			if err := b.Decode(min); err != nil {
				t.Fatalf("second Decode: %v", err)
			}
			mustSame(t, b, fresh)
		})
	}
}

// TestEmptyResponses checks that every *_resp decodes an empty body to
// empty fields.
func TestEmptyResponses(t *testing.T) {
	for _, id := range []CommandID{
		GenericNack, BindReceiverResp, BindTransmitterResp, BindTransceiverResp, QuerySMRespID,
		SubmitSMRespID, DeliverSMRespID, UnbindResp, ReplaceSMResp, CancelSMResp,
		EnquireLinkResp, SubmitMultiRespID, DataSMRespID,
	} {
		b, err := DecodeBody(id, []byte{})
		if err != nil {
			t.Errorf("%s: empty body: %v", id, err)
			continue
		}
		want, _ := NewBody(id)
		mustSame(t, b, want)
	}
}

// TestDecodeBodyRequests checks that requests with a body reject an
// empty one and header-only requests reject a non-empty one.
func TestDecodeBodyRequests(t *testing.T) {
	for _, id := range []CommandID{
		BindReceiver, BindTransmitter, BindTransceiver, OutbindID, QuerySMID, SubmitSMID,
		DeliverSMID, ReplaceSMID, CancelSMID, SubmitMultiID, AlertNotificationID, DataSMID,
	} {
		if _, err := DecodeBody(id, nil); err != ErrTruncated {
			t.Errorf("%s with empty body: err = %v, want ErrTruncated", id, err)
		}
	}
	for _, id := range []CommandID{EnquireLink, Unbind} {
		if _, err := DecodeBody(id, AppendTLVByte(nil, TagCongestionState, 1)); err != ErrTrailing {
			t.Errorf("%s with a body: err = %v, want ErrTrailing", id, err)
		}
	}
}

// TestNewBody checks the body type chosen for each command id.
func TestNewBody(t *testing.T) {
	for _, want := range samples() {
		b, err := NewBody(want.CommandID())
		if err != nil {
			t.Fatalf("%s: %v", want.CommandID(), err)
		}
		if b.CommandID() != want.CommandID() {
			t.Errorf("NewBody(%s).CommandID() = %s", want.CommandID(), b.CommandID())
		}
	}
	for _, id := range []CommandID{0, 0x0A, 0x80000021 + 1, 0x111, 0x01000001} {
		if _, err := NewBody(id); err != ErrUnknownCommand || StatusOf(err) != StatusInvCmdID {
			t.Errorf("NewBody(%s) err = %v, want ErrUnknownCommand", id, err)
		}
	}
}

// TestEncoderCuts checks that encoders keep framing intact for values too
// long for their length octets, and that Validate reports them.
func TestEncoderCuts(t *testing.T) {
	sm := &SubmitSM{ShortMessage: bytes.Repeat([]byte{'a'}, 300)}
	if err := sm.Validate(); err != ErrShortMessage {
		t.Errorf("Validate of 300-octet short_message = %v, want ErrShortMessage", err)
	}
	var back SubmitSM
	if err := back.Decode(sm.AppendBody(nil)); err != nil || len(back.ShortMessage) != 255 {
		t.Errorf("decode of cut short_message: len %d, %v; want 255, nil", len(back.ShortMessage), err)
	}

	dests := make([]MultiDest, 300)
	m := &SubmitMulti{Dests: dests}
	if err := m.Validate(); err != ErrNumDests {
		t.Errorf("Validate of 300 dests = %v, want ErrNumDests", err)
	}
	var mb SubmitMulti
	if err := mb.Decode(m.AppendBody(nil)); err != nil || len(mb.Dests) != 255 {
		t.Errorf("decode of cut dests: %d, %v; want 255, nil", len(mb.Dests), err)
	}

	us := &SubmitMultiResp{Unsuccess: make([]UnsuccessSME, 256)}
	if err := us.Validate(); err != ErrNumDests {
		t.Errorf("Validate of 256 unsuccess = %v, want ErrNumDests", err)
	}
	var ub SubmitMultiResp
	if err := ub.Decode(us.AppendBody(nil)); err != nil || len(ub.Unsuccess) != 255 {
		t.Errorf("decode of cut unsuccess: %d, %v; want 255, nil", len(ub.Unsuccess), err)
	}
}

// TestValidate checks that Validate reports each field that the decoder
// would reject.
func TestValidate(t *testing.T) {
	nul := []byte("a\x00b")
	long := func(n int) []byte { return bytes.Repeat([]byte{'1'}, n) }
	payload := AppendTLV(nil, TagMessagePayload, []byte("x"))
	cases := []struct {
		name string
		v    interface{ Validate() error }
		want error
	}{
		{"bind system_id", &Bind{SystemID: long(16)}, ErrSystemID},
		{"bind password", &Bind{Password: long(9)}, ErrPassword},
		{"bind system_type NUL", &Bind{SystemType: nul}, ErrSystemType},
		{"bind address_range", &Bind{AddressRange: long(41)}, ErrAddressRange},
		{"bind_resp system_id", &BindResp{SystemID: long(16)}, ErrSystemID},
		{"bind_resp TLVs", &BindResp{TLVs: TLVs{0, 1}}, ErrTLVStream},
		{"outbind password", &Outbind{Password: long(9)}, ErrPassword},
		{"submit_sm service_type", &SubmitSM{ServiceType: long(6)}, ErrServiceType},
		{"submit_sm source", &SubmitSM{Source: Address{Addr: long(21)}}, ErrSourceAddr},
		{"submit_sm dest NUL", &SubmitSM{Dest: Address{Addr: nul}}, ErrDestAddr},
		{"submit_sm schedule", &SubmitSM{ScheduleDeliveryTime: long(15)}, ErrScheduleTime},
		{"submit_sm validity", &SubmitSM{ValidityPeriod: long(17)}, ErrValidityPeriod},
		{"submit_sm both", &SubmitSM{ShortMessage: []byte("x"), TLVs: payload}, ErrMessageAndPayload},
		{"deliver_sm TLV length", &DeliverSM{TLVs: AppendTLVUint16(nil, TagMessageState, 2)}, ErrTLVLength},
		{"submit_sm_resp message_id", &SubmitSMResp{MessageID: long(65)}, ErrMessageID},
		{"deliver_sm_resp message_id", &DeliverSMResp{MessageID: nul}, ErrMessageID},
		{"data_sm_resp TLVs", &DataSMResp{TLVs: TLVs{1}}, ErrTLVStream},
		{"data_sm source", &DataSM{Source: Address{Addr: long(65)}}, ErrSourceAddr},
		{"query_sm message_id", &QuerySM{MessageID: long(65)}, ErrMessageID},
		{"query_sm_resp final_date", &QuerySMResp{FinalDate: long(10)}, ErrFinalDate},
		{"cancel_sm dest", &CancelSM{Dest: Address{Addr: long(21)}}, ErrDestAddr},
		{"replace_sm validity", &ReplaceSM{ValidityPeriod: long(1)}, ErrValidityPeriod},
		{"replace_sm both", &ReplaceSM{ShortMessage: []byte("x"), TLVs: payload}, ErrMessageAndPayload},
		{"submit_multi no dests", &SubmitMulti{}, ErrNumDests},
		{"submit_multi dl_name", &SubmitMulti{Dests: []MultiDest{{List: true, DLName: long(21)}}}, ErrDLName},
		{"submit_multi dest", &SubmitMulti{Dests: []MultiDest{{Addr: Address{Addr: long(21)}}}}, ErrDestAddr},
		{"submit_multi_resp dest", &SubmitMultiResp{Unsuccess: []UnsuccessSME{{Dest: Address{Addr: nul}}}}, ErrDestAddr},
		{"alert esme", &AlertNotification{ESME: Address{Addr: long(65)}}, ErrESMEAddr},
	}
	for _, c := range cases {
		if err := c.v.Validate(); err != c.want {
			t.Errorf("%s: Validate = %v, want %v", c.name, err, c.want)
		}
	}
}

// tlvsOf returns a body's TLV section, if it has one.
func tlvsOf(b Body) TLVs {
	switch v := b.(type) {
	case *BindResp:
		return v.TLVs
	case *SubmitSM:
		return v.TLVs
	case *DeliverSM:
		return v.TLVs
	case *SubmitSMResp:
		return v.TLVs
	case *DeliverSMResp:
		return v.TLVs
	case *DataSM:
		return v.TLVs
	case *DataSMResp:
		return v.TLVs
	case *QuerySMResp:
		return v.TLVs
	case *ReplaceSM:
		return v.TLVs
	case *SubmitMulti:
		return v.TLVs
	case *SubmitMultiResp:
		return v.TLVs
	case *AlertNotification:
		return v.TLVs
	case *HeaderOnly:
		return v.TLVs
	}
	return nil
}

// TestPrefixes decodes every prefix of every sample body. A prefix that
// ends inside the mandatory fields must fail (except the empty body of a
// response); one that ends between TLVs must decode to the sample's
// mandatory fields.
func TestPrefixes(t *testing.T) {
	for _, s := range samples() {
		id := s.CommandID()
		full := s.AppendBody(nil)
		mand := len(full) - len(tlvsOf(s))
		for k := range len(full) {
			b, err := DecodeBody(id, full[:k])
			switch {
			case k == 0 && id.IsResponse():
				if err != nil {
					t.Errorf("%s: empty body: %v", id, err)
				}
			case k < mand:
				if err == nil {
					t.Errorf("%s: prefix %d of mandatory %d decoded", id, k, mand)
				}
			case err == nil:
				mustEqualBytes(t, id.String()+" prefix", b.AppendBody(nil), full[:k])
			default:
				if err != ErrTLVStream {
					t.Errorf("%s: prefix %d in the TLVs: %v, want ErrTLVStream", id, k, err)
				}
			}
		}
	}
}

// TestHelpers checks the content and class helpers of the message bodies.
func TestHelpers(t *testing.T) {
	pl := AppendTLV(nil, TagMessagePayload, []byte("from payload"))
	sm := &SubmitSM{ShortMessage: []byte("short")}
	if string(sm.Payload()) != "short" {
		t.Errorf("SubmitSM.Payload = %q", sm.Payload())
	}
	sm = &SubmitSM{TLVs: pl}
	if string(sm.Payload()) != "from payload" {
		t.Errorf("SubmitSM.Payload with TLV = %q", sm.Payload())
	}
	rs := &ReplaceSM{ShortMessage: []byte("r")}
	if string(rs.Payload()) != "r" {
		t.Errorf("ReplaceSM.Payload = %q", rs.Payload())
	}
	rs = &ReplaceSM{TLVs: pl}
	if string(rs.Payload()) != "from payload" {
		t.Errorf("ReplaceSM.Payload with TLV = %q", rs.Payload())
	}
	ds := &DataSM{TLVs: pl, ESMClass: 0x44}
	if string(ds.Payload()) != "from payload" || !ds.IsReceipt() {
		t.Errorf("DataSM.Payload = %q, IsReceipt %v", ds.Payload(), ds.IsReceipt())
	}
	if (&DataSM{}).Payload() != nil || (&DataSM{ESMClass: 0x08}).IsReceipt() {
		t.Error("DataSM without payload or receipt bit")
	}
	for esm, want := range map[byte][2]bool{
		0x04: {true, false}, 0x44: {true, false}, 0x07: {true, false}, 0x05 | 0x80: {true, false},
		0x20: {false, true}, 0x00: {false, false}, 0x08: {false, false}, 0x0C: {false, false}, 0x24: {false, false},
	} {
		d := &DeliverSM{ESMClass: esm}
		if d.IsReceipt() != want[0] || d.IsIntermediate() != want[1] {
			t.Errorf("esm_class %#x: IsReceipt %v IsIntermediate %v, want %v", esm, d.IsReceipt(), d.IsIntermediate(), want)
		}
	}
	if !(&SubmitSM{ESMClass: 0x40}).UDHI() || (&DeliverSM{ESMClass: 0x04}).UDHI() {
		t.Error("UDHI wrong")
	}
	a := Address{TON: 1, NPI: 1, Addr: []byte("44")}
	if !a.Equal(Address{TON: 1, NPI: 1, Addr: []byte("44")}) || a.Equal(Address{TON: 1, NPI: 2, Addr: []byte("44")}) ||
		a.Equal(Address{TON: 1, NPI: 1, Addr: []byte("45")}) {
		t.Error("Address.Equal wrong")
	}
	if !TagMessageState.Known() || Tag(0x1400).Known() || Tag(2).Known() {
		t.Error("Tag.Known wrong")
	}
}

// TestSubmitMultiPayload: the text of a submit_multi is its
// message_payload TLV when present, else short_message, as for submit_sm.
func TestSubmitMultiPayload(t *testing.T) {
	in := SubmitMulti{Dests: []MultiDest{{Addr: Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}}}, ShortMessage: []byte("short")}
	var out SubmitMulti
	if err := out.Decode(in.AppendBody(nil)); err != nil || string(out.Payload()) != "short" {
		t.Fatalf("short_message: %q, %v", out.Payload(), err)
	}
	in.ShortMessage = nil
	in.TLVs = TLVs(AppendTLV(nil, TagMessagePayload, []byte("long payload")))
	if err := out.Decode(in.AppendBody(nil)); err != nil || string(out.Payload()) != "long payload" {
		t.Fatalf("message_payload: %q, %v", out.Payload(), err)
	}
}
