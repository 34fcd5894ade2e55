package pdu

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestHeader(t *testing.T) {
	h := Header{Length: 0x0102, ID: SubmitSMRespID, Status: StatusThrottled, Seq: 0x7FFFFFFF}
	b := AppendHeader([]byte{0xEE}, h)
	mustEqualBytes(t, "header", b, unhex(t, "EE 00000102 80000004 00000058 7FFFFFFF"))
	got, err := DecodeHeader(b[1:])
	if err != nil || got != h {
		t.Errorf("DecodeHeader = %+v, %v; want %+v", got, err, h)
	}
	if _, err := DecodeHeader(b[1:16]); err != ErrShortHeader {
		t.Errorf("DecodeHeader of 15 octets: %v, want ErrShortHeader", err)
	}
	b = append(b, 1, 2, 3)
	SetLength(b[1:])
	if got, _ := DecodeHeader(b[1:]); got.Length != 19 {
		t.Errorf("SetLength wrote %d, want 19", got.Length)
	}
}

func TestCheckLength(t *testing.T) {
	for _, c := range []struct {
		length, max uint32
		ok          bool
	}{
		{16, 0, true}, {15, 0, false}, {0, 0, false}, {DefaultMaxLength, 0, true},
		{DefaultMaxLength + 1, 0, false}, {100, 100, true}, {101, 100, false},
	} {
		err := CheckLength(Header{Length: c.length, Seq: 5}, c.max)
		if (err == nil) != c.ok {
			t.Errorf("CheckLength(%d, %d) = %v", c.length, c.max, err)
		}
		var pe *ProtocolError
		if err != nil && (!errors.As(err, &pe) || !pe.Close || pe.Seq != 5 || pe.Status != StatusInvCmdLen) {
			t.Errorf("CheckLength(%d, %d) = %#v", c.length, c.max, err)
		}
	}
}

func TestNextSeq(t *testing.T) {
	for in, want := range map[uint32]uint32{0: 1, 1: 2, 41: 42, 0x7FFFFFFE: 0x7FFFFFFF, 0x7FFFFFFF: 1, 0xFFFFFFFF: 1, 0x80000000: 1} {
		if got := NextSeq(in); got != want {
			t.Errorf("NextSeq(%#x) = %#x, want %#x", in, got, want)
		}
	}
}

func TestCommandID(t *testing.T) {
	if SubmitSMID.Response() != SubmitSMRespID || SubmitSMRespID.Request() != SubmitSMID {
		t.Error("Response/Request do not pair submit_sm")
	}
	if !GenericNack.IsResponse() || EnquireLink.IsResponse() {
		t.Error("IsResponse wrong")
	}
	if !SubmitSMID.HasResponse() || OutbindID.HasResponse() || AlertNotificationID.HasResponse() || DeliverSMRespID.HasResponse() {
		t.Error("HasResponse wrong")
	}
	if !BindReceiver.IsBind() || BindReceiverResp.IsBind() || !BindTransceiverResp.IsBindResp() || SubmitSMID.IsBindResp() {
		t.Error("IsBind/IsBindResp wrong")
	}
	all := []CommandID{
		GenericNack, BindReceiver, BindReceiverResp, BindTransmitter, BindTransmitterResp,
		QuerySMID, QuerySMRespID, SubmitSMID, SubmitSMRespID, DeliverSMID, DeliverSMRespID,
		Unbind, UnbindResp, ReplaceSMID, ReplaceSMResp, CancelSMID, CancelSMResp,
		BindTransceiver, BindTransceiverResp, OutbindID, EnquireLink, EnquireLinkResp,
		SubmitMultiID, SubmitMultiRespID, AlertNotificationID, DataSMID, DataSMRespID,
	}
	for _, id := range all {
		if !id.Known() || strings.HasPrefix(id.String(), "command_id") {
			t.Errorf("%#x not known", uint32(id))
		}
		if _, err := NewBody(id); err != nil {
			t.Errorf("NewBody(%s): %v", id, err)
		}
		if id != GenericNack && id.IsResponse() && !id.Request().Known() {
			t.Errorf("%s has no request", id)
		}
	}
	if SubmitSMID.String() != "submit_sm" || DataSMRespID.String() != "data_sm_resp" {
		t.Error("String wrong")
	}
	if CommandID(0x01000001).Known() || CommandID(0x01000001).String() != "command_id(0x1000001)" {
		t.Errorf("unknown id: %v %q", CommandID(0x01000001).Known(), CommandID(0x01000001).String())
	}
}

func TestStatus(t *testing.T) {
	if StatusThrottled.Error() != "smpp: ESME_RTHROTTLED (0x58)" {
		t.Errorf("Error() = %q", StatusThrottled.Error())
	}
	if Status(0x401).Name() != "vendor_status(0x401)" || Status(0x09).String() != "status(0x9)" {
		t.Errorf("Name of unnamed: %q %q", Status(0x401).Name(), Status(0x09).String())
	}
	if !StatusThrottled.Temporary() || !StatusThrottled.Throttling() || StatusInvDstAdr.Temporary() || StatusSysErr.Throttling() {
		t.Error("Temporary/Throttling wrong")
	}
	if StatusOf(nil) != StatusOK || StatusOf(StatusMsgQFul) != StatusMsgQFul ||
		StatusOf(ErrSourceAddr) != StatusInvSrcAdr || StatusOf(io.EOF) != StatusSysErr {
		t.Error("StatusOf wrong")
	}
}

func TestProtocolError(t *testing.T) {
	e := ErrDestAddr.WithSeq(77)
	if e == ErrDestAddr || e.Seq != 77 || ErrDestAddr.Seq != 0 {
		t.Fatalf("WithSeq changed the shared value or did not copy: %+v", e)
	}
	if !errors.Is(e, ErrDestAddr) || errors.Is(e, ErrSourceAddr) || !errors.Is(e, StatusInvDstAdr) {
		t.Error("errors.Is on a WithSeq copy")
	}
	if e.Error() != "smpp/pdu: invalid destination_addr (ESME_RINVDSTADR)" {
		t.Errorf("Error() = %q", e.Error())
	}
}
