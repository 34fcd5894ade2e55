package pdu

import (
	"errors"
	"testing"
)

// smHead is a valid submit_sm body up to and including sm_default_msg_id:
// service_type to destination_addr is smHead()[:34], esm_class to
// sm_default_msg_id smHead()[34:], schedule_delivery_time starts at 37.
func smHead() []byte {
	return join(cs("CMT"), octs(1, 1), cs("447700900001"), octs(1, 1), cs("447700900123"),
		octs(0, 0, 0), cs(""), cs(""), octs(1, 0, 0, 0))
}

// TestMalformed feeds bad bodies to every decoder and checks the
// predeclared error and the status a session would answer with.
func TestMalformed(t *testing.T) {
	digits := func(n int) []byte { return rep('9', n) }
	payload := AppendTLV(nil, TagMessagePayload, []byte("long"))
	bindTail := octs(0x34, 0, 0)
	cases := []struct {
		name string
		id   CommandID
		body []byte
		want *ProtocolError
	}{
		// bind
		{"bind empty", BindTransceiver, nil, ErrTruncated},
		{"bind system_id 16 chars", BindTransmitter, join(digits(16), cs(""), cs(""), cs(""), bindTail, cs("")), ErrSystemID},
		{"bind system_id unterminated", BindTransmitter, digits(10), ErrTruncated},
		{"bind password 9 chars", BindReceiver, join(cs("id"), cs("123456789"), cs(""), bindTail, cs("")), ErrPassword},
		{"bind system_type 13 chars", BindReceiver, join(cs("id"), cs("pw"), digits(13), cs(""), bindTail, cs("")), ErrSystemType},
		{"bind address_range 41 chars", BindReceiver, join(cs("id"), cs("pw"), cs(""), bindTail, cs(string(digits(41)))), ErrAddressRange},
		{"bind no address_range", BindReceiver, join(cs("id"), cs("pw"), cs(""), bindTail), ErrTruncated},
		{"bind cut in the integers", BindReceiver, join(cs("id"), cs("pw"), cs(""), octs(0x34)), ErrTruncated},
		{"bind trailing octet", BindReceiver, join(cs("id"), cs("pw"), cs(""), bindTail, cs(""), octs(0)), ErrTrailing},
		{"bind trailing TLV", BindReceiver, join(cs("id"), cs("pw"), cs(""), bindTail, cs(""), AppendTLVByte(nil, TagScInterfaceVersion, 0x34)), ErrTrailing},
		// bind_resp and outbind
		{"bind_resp system_id 16 chars", BindTransceiverResp, cs(string(digits(16))), ErrSystemID},
		{"bind_resp stray octets", BindTransceiverResp, join(cs("SMSC"), octs(2, 0x10)), ErrTLVStream},
		{"bind_resp bad interface version length", BindTransceiverResp, join(cs("SMSC"), AppendTLVUint16(nil, TagScInterfaceVersion, 0x34)), ErrTLVLength},
		{"outbind password 9 chars", OutbindID, join(cs("mc"), cs("123456789")), ErrPassword},
		{"outbind trailing", OutbindID, join(cs("mc"), cs("pw"), octs(1)), ErrTrailing},
		// submit_sm and deliver_sm
		{"submit_sm empty", SubmitSMID, nil, ErrTruncated},
		{"submit_sm service_type 6 chars", SubmitSMID, join(cs("ABCDEF"), smHead()[4:]), ErrServiceType},
		{"submit_sm source 21 digits", SubmitSMID, join(cs(""), octs(1, 1), cs(string(digits(21))), octs(1, 1), cs("1")), ErrSourceAddr},
		{"submit_sm source cut", SubmitSMID, join(cs(""), octs(1, 1), digits(12)), ErrTruncated},
		{"submit_sm dest 21 digits", SubmitSMID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1), cs(string(digits(21)))), ErrDestAddr},
		{"submit_sm cut after dest", SubmitSMID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1), cs("2")), ErrTruncated},
		{"submit_sm schedule 15 chars", SubmitSMID, join(smHead()[:37], cs("250115103000004"), cs(""), octs(1, 0, 0, 0, 0)), ErrScheduleTime},
		{"submit_sm schedule unterminated", SubmitSMID, join(smHead()[:37], digits(20)), ErrScheduleTime},
		{"submit_sm validity 12 chars", SubmitSMID, join(smHead()[:37], cs(""), cs("250115103000"), octs(1, 0, 0, 0, 0)), ErrValidityPeriod},
		{"submit_sm no sm_length", SubmitSMID, smHead(), ErrTruncated},
		{"submit_sm sm_length past the body", SubmitSMID, join(smHead(), octs(20), []byte("hello")), ErrShortMessage},
		{"submit_sm both message and payload", SubmitSMID, join(smHead(), octs(2), []byte("hi"), payload), ErrMessageAndPayload},
		{"submit_sm 1 stray octet", SubmitSMID, join(smHead(), octs(2), []byte("hi"), octs(0)), ErrTLVStream},
		{"submit_sm 2 stray octets", SubmitSMID, join(smHead(), octs(2), []byte("hi"), octs(0, 0)), ErrTLVStream},
		{"submit_sm 3 stray octets", SubmitSMID, join(smHead(), octs(2), []byte("hi"), octs(2, 4, 0)), ErrTLVStream},
		{"submit_sm TLV overruns", SubmitSMID, join(smHead(), octs(0), unhex(t, "0424 0010 414243")), ErrTLVStream},
		{"submit_sm stray octets after a TLV", SubmitSMID, join(smHead(), octs(0), payload, octs(1)), ErrTLVStream},
		{"submit_sm message_state length 2", SubmitSMID, join(smHead(), octs(0), unhex(t, "0427 0002 0002")), ErrTLVLength},
		{"submit_sm sar_msg_ref_num length 1", SubmitSMID, join(smHead(), octs(0), unhex(t, "020C 0001 07")), ErrTLVLength},
		{"submit_sm network_error_code length 2", SubmitSMID, join(smHead(), octs(0), unhex(t, "0423 0002 0300")), ErrTLVLength},
		{"submit_sm receipted_message_id 66", SubmitSMID, join(smHead(), octs(0), AppendTLV(nil, TagReceiptedMessageID, digits(66))), ErrTLVLength},
		{"deliver_sm sm_length past the body", DeliverSMID, join(smHead(), octs(255)), ErrShortMessage},
		{"deliver_sm both message and payload", DeliverSMID, join(smHead(), octs(1), octs(0), payload), ErrMessageAndPayload},
		// responses with a message_id
		{"submit_sm_resp message_id 65 chars", SubmitSMRespID, cs(string(digits(65))), ErrMessageID},
		{"submit_sm_resp message_id unterminated", SubmitSMRespID, digits(8), ErrTruncated},
		{"deliver_sm_resp stray octets", DeliverSMRespID, octs(0, 0, 0x1D), ErrTLVStream},
		{"data_sm_resp TLV overruns", DataSMRespID, join(cs("1"), unhex(t, "001D 0005 41")), ErrTLVStream},
		// data_sm
		{"data_sm source 65 chars", DataSMID, join(cs(""), octs(1, 1), cs(string(digits(65))), octs(1, 1), cs("1"), octs(0, 0, 0)), ErrSourceAddr},
		{"data_sm dest 65 chars", DataSMID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1), cs(string(digits(65))), octs(0, 0, 0)), ErrDestAddr},
		{"data_sm cut in the integers", DataSMID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1), cs("2"), octs(0, 0)), ErrTruncated},
		{"data_sm bad TLV", DataSMID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1), cs("2"), octs(0, 0, 0), unhex(t, "0204 0001 01")), ErrTLVLength},
		// query_sm, query_sm_resp, cancel_sm, replace_sm
		{"query_sm message_id 65 chars", QuerySMID, join(cs(string(digits(65))), octs(1, 1), cs("1")), ErrMessageID},
		{"query_sm source 21 chars", QuerySMID, join(cs("1"), octs(1, 1), cs(string(digits(21)))), ErrSourceAddr},
		{"query_sm trailing", QuerySMID, join(cs("1"), octs(1, 1), cs("1"), octs(0)), ErrTrailing},
		{"query_sm_resp final_date 10 chars", QuerySMRespID, join(cs("1"), cs("2501151030"), octs(2, 0)), ErrFinalDate},
		{"query_sm_resp cut", QuerySMRespID, join(cs("1"), cs("")), ErrTruncated},
		{"cancel_sm service_type", CancelSMID, join(cs("ABCDEFG")), ErrServiceType},
		{"cancel_sm message_id", CancelSMID, join(cs(""), cs(string(digits(70)))), ErrMessageID},
		{"cancel_sm dest", CancelSMID, join(cs(""), cs("1"), octs(1, 1), cs("1"), octs(1, 1), cs(string(digits(30)))), ErrDestAddr},
		{"cancel_sm trailing", CancelSMID, join(cs(""), cs("1"), octs(1, 1), cs("1"), octs(1, 1), cs("2"), octs(0, 0, 0, 0)), ErrTrailing},
		{"replace_sm schedule", ReplaceSMID, join(cs("1"), octs(1, 1), cs("1"), cs("x")), ErrScheduleTime},
		{"replace_sm sm_length", ReplaceSMID, join(cs("1"), octs(1, 1), cs("1"), cs(""), cs(""), octs(0, 0, 9), []byte("short")), ErrShortMessage},
		{"replace_sm both", ReplaceSMID, join(cs("1"), octs(1, 1), cs("1"), cs(""), cs(""), octs(0, 0, 1), []byte("s"), payload), ErrMessageAndPayload},
		// submit_multi and its response
		{"submit_multi zero dests", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(0)), ErrNumDests},
		{"submit_multi 200 dests in a short body", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(200), octs(1, 1, 1), cs("2")), ErrNumDests},
		{"submit_multi dest_flag 3", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(1, 3), cs("list"), smHead()[34:], octs(0)), ErrDestFlag},
		{"submit_multi dest_flag 0", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(1, 0), cs("list"), smHead()[34:], octs(0)), ErrDestFlag},
		{"submit_multi dl_name 21 chars", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(1, 2), cs(string(digits(21))), smHead()[34:], octs(0)), ErrDLName},
		{"submit_multi dest 21 digits", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(1, 1, 1, 1), cs(string(digits(21))), smHead()[34:], octs(0)), ErrDestAddr},
		{"submit_multi cut in dests", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(2, 1, 1, 1), cs("2"), octs(1)), ErrTruncated},
		{"submit_multi sm_length", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(1, 2), cs("l"), smHead()[34:], octs(3)), ErrShortMessage},
		{"submit_multi_resp unsuccess past the body", SubmitMultiRespID, join(cs("1"), octs(5), octs(1, 1), cs("2"), octs(0, 0, 0, 0xB)), ErrTruncated},
		{"submit_multi_resp dest 21 digits", SubmitMultiRespID, join(cs("1"), octs(1), octs(1, 1), cs(string(digits(21))), octs(0, 0, 0, 0xB)), ErrDestAddr},
		{"submit_multi_resp stray octet", SubmitMultiRespID, join(cs("1"), octs(0), octs(9)), ErrTLVStream},
		// alert_notification
		{"alert source 65 chars", AlertNotificationID, join(octs(1, 1), cs(string(digits(65))), octs(1, 1), cs("1")), ErrSourceAddr},
		{"alert esme 65 chars", AlertNotificationID, join(octs(1, 1), cs("1"), octs(1, 1), cs(string(digits(65)))), ErrESMEAddr},
		{"alert bad availability length", AlertNotificationID, join(octs(1, 1), cs("1"), octs(1, 1), cs("2"), unhex(t, "0422 0000")), ErrTLVLength},
		// header-only PDUs
		{"enquire_link with a body", EnquireLink, octs(0), ErrTrailing},
		{"unbind with a TLV", Unbind, AppendTLVByte(nil, TagCongestionState, 1), ErrTrailing},
		{"generic_nack stray octets", GenericNack, octs(1, 2), ErrTLVStream},
		{"unbind_resp TLV overruns", UnbindResp, unhex(t, "1401 0009 00"), ErrTLVStream},
		// unknown
		{"unknown command_id", 0x0000000A, nil, ErrUnknownCommand},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := DecodeBody(c.id, c.body)
			if err != c.want {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if b != nil {
				t.Errorf("body = %+v on error, want nil", b)
			}
			if !errors.Is(err, c.want.Status) || StatusOf(err) != c.want.Status {
				t.Errorf("status = %s, want %s", StatusOf(err), c.want.Status)
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Close || pe.Seq != 0 {
				t.Errorf("err = %#v, want a *ProtocolError with Close false and Seq 0", err)
			}
		})
	}
}

// TestBoundaries checks that fields exactly at their limits decode.
func TestBoundaries(t *testing.T) {
	digits := func(n int) string { return string(rep('7', n)) }
	cases := []struct {
		name string
		id   CommandID
		body []byte
	}{
		{"bind at every limit", BindTransceiver, join(cs(digits(15)), cs(digits(8)), cs(digits(12)), octs(0x34, 1, 1), cs(digits(40)))},
		{"submit_sm at every limit", SubmitSMID, join(cs(digits(5)), octs(1, 1), cs(digits(20)), octs(1, 1), cs(digits(20)),
			octs(0, 0, 0), cs(digits(16)), cs(digits(16)), octs(1, 0, 0, 0, 255), rep(0, 255))},
		{"submit_sm_resp 64-char id", SubmitSMRespID, cs(digits(64))},
		{"data_sm 64-char addresses", DataSMID, join(cs(""), octs(1, 1), cs(digits(64)), octs(1, 1), cs(digits(64)), octs(0, 0, 0))},
		{"query_sm_resp 12-char final_date", QuerySMRespID, join(cs("1"), cs(digits(12)), octs(2, 0))},
		{"submit_multi 255 dests", SubmitMultiID, join(cs(""), octs(1, 1), cs("1"), octs(255),
			multiDests(255), smHead()[34:], octs(0))},
		{"submit_sm payload only", SubmitSMID, join(smHead(), octs(0), AppendTLV(nil, TagMessagePayload, rep('p', 1000)))},
		{"vendor TLV of any length", SubmitSMRespID, join(cs("1"), AppendTLV(nil, 0x1400, rep(1, 300)))},
		{"unknown TLV of zero length", SubmitSMRespID, join(cs("1"), AppendTLV(nil, 0x0999, nil))},
	}
	for _, c := range cases {
		if _, err := DecodeBody(c.id, c.body); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// multiDests returns n dest_address entries, alternating SME and list.
func multiDests(n int) []byte {
	var b []byte
	for i := range n {
		if i%2 == 0 {
			b = append(b, 1, 1, 1)
			b = append(b, cs("447700900123")...)
		} else {
			b = append(b, 2)
			b = append(b, cs("list")...)
		}
	}
	return b
}
