package smpptest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newServer(t *testing.T, configure func(*smpptest.Server)) *smpptest.Server {
	t.Helper()
	s := smpptest.NewUnstartedServer()
	if configure != nil {
		configure(s)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newESME(t *testing.T, addr string, cfg smpp.ClientConfig) *smpptest.ESME {
	t.Helper()
	e, err := smpptest.NewESME(ctxT(t), addr, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func sm(text string, dlr bool) *pdu.SubmitSM {
	m := &pdu.SubmitSM{
		Source:       pdu.Address{TON: 5, Addr: []byte("MyBrand")},
		Dest:         pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		ShortMessage: []byte(text),
	}
	if dlr {
		m.RegisteredDelivery = 1
	}
	return m
}

func TestSubmitAndReceipt(t *testing.T) {
	srv := newServer(t, func(s *smpptest.Server) { s.Receipts = true })
	e := newESME(t, srv.Addr(), smpp.ClientConfig{SystemID: "acme", Password: "pw"})
	ids := map[string]bool{}
	for i := range 5 {
		id, err := e.Submit(ctxT(t), sm("hello", i%2 == 0))
		if err != nil {
			t.Fatal(err)
		}
		if id == "" || ids[id] {
			t.Fatalf("message id %q empty or repeated", id)
		}
		ids[id] = true
	}
	subs, err := srv.WaitSubmits(ctxT(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	if string(subs[0].SM.ShortMessage) != "hello" || subs[0].SystemID != "acme" || string(subs[0].SM.Dest.Addr) != "447700900123" {
		t.Errorf("recorded submit: %+v", subs[0])
	}
	ds, err := e.WaitDelivers(ctxT(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		rid, ok := d.DM.TLVs.CString(pdu.TagReceiptedMessageID)
		if !d.DM.IsReceipt() || !ok || !ids[string(rid)] {
			t.Errorf("receipt %q: esm_class %#x receipted_message_id %q", d.DM.ShortMessage, d.DM.ESMClass, rid)
		}
		if st, _ := d.DM.TLVs.Byte(pdu.TagMessageState); st != 2 {
			t.Errorf("message_state %d, want 2 (delivered)", st)
		}
		if !strings.Contains(string(d.DM.ShortMessage), "stat:DELIVRD") || !strings.HasPrefix(string(d.DM.ShortMessage), "id:"+string(rid)) {
			t.Errorf("receipt text %q", d.DM.ShortMessage)
		}
		if string(d.DM.Source.Addr) != "447700900123" || string(d.DM.Dest.Addr) != "MyBrand" {
			t.Errorf("receipt addresses not swapped: %s -> %s", d.DM.Source.Addr, d.DM.Dest.Addr)
		}
	}
	// The sender counts a receipt after Send returns, which may be after
	// the ESME has it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		sent, lost := srv.ReceiptsSent()
		if sent == 3 && lost == 0 {
			break
		}
		if sent+lost >= 3 || time.Now().After(deadline) {
			t.Fatalf("receipts sent %d lost %d, want 3 and 0", sent, lost)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCredentialsAndRefusal(t *testing.T) {
	srv := newServer(t, func(s *smpptest.Server) { s.Credentials = map[string]string{"acme": "secret"} })
	if _, err := smpptest.NewESME(ctxT(t), srv.Addr(), smpp.ClientConfig{SystemID: "acme", Password: "wrong"}, nil); !errors.Is(err, pdu.StatusBindFail) {
		t.Errorf("wrong password: %v", err)
	}
	newESME(t, srv.Addr(), smpp.ClientConfig{SystemID: "acme", Password: "secret"})
	srv.SetRefuseBinds(pdu.StatusSysErr)
	if _, err := smpptest.NewESME(ctxT(t), srv.Addr(), smpp.ClientConfig{SystemID: "acme", Password: "secret"}, nil); !errors.Is(err, pdu.StatusSysErr) {
		t.Errorf("refused bind: %v", err)
	}
}

func TestThrottleDelayDrop(t *testing.T) {
	srv := newServer(t, nil)
	e := newESME(t, srv.Addr(), smpp.ClientConfig{SystemID: "acme", BindType: smpp.Transmitter})
	srv.SetSubmitStatus(pdu.StatusThrottled)
	if _, err := e.Submit(ctxT(t), sm("x", false)); !errors.Is(err, pdu.StatusThrottled) {
		t.Fatalf("throttled submit: %v", err)
	}
	srv.SetSubmitStatus(pdu.StatusOK)
	srv.SetDelay(50 * time.Millisecond)
	start := time.Now()
	if _, err := e.Submit(ctxT(t), sm("x", false)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("delayed response after %v", d)
	}
	srv.SetDelay(0)
	srv.DropConnections()
	select {
	case <-e.Session().Done():
	case <-time.After(10 * time.Second):
		t.Fatal("session not dropped")
	}
	if _, err := e.Submit(ctxT(t), sm("x", false)); !errors.Is(err, smpp.ErrSessionClosed) {
		t.Errorf("submit after drop: %v", err)
	}
}

func TestSubmitFuncAndDeliver(t *testing.T) {
	srv := newServer(t, func(s *smpptest.Server) {
		s.SubmitFunc = func(_ string, m *pdu.SubmitSM) pdu.Status {
			if string(m.Dest.Addr) == "0" {
				return pdu.StatusInvDstAdr
			}
			return pdu.StatusOK
		}
	})
	e := newESME(t, srv.Addr(), smpp.ClientConfig{SystemID: "acme"})
	bad := sm("x", false)
	bad.Dest.Addr = []byte("0")
	if _, err := e.Submit(ctxT(t), bad); !errors.Is(err, pdu.StatusInvDstAdr) {
		t.Errorf("submit to 0: %v", err)
	}
	mo := &pdu.DeliverSM{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, Dest: pdu.Address{Addr: []byte("12345")}, ShortMessage: []byte("STOP")}
	if h, err := srv.Deliver(ctxT(t), "acme", mo); err != nil || h.ID != pdu.DeliverSMRespID {
		t.Fatalf("Deliver: %v %v", h, err)
	}
	ds := e.Delivers()
	if len(ds) != 1 || string(ds[0].DM.ShortMessage) != "STOP" || ds[0].DM.IsReceipt() {
		t.Errorf("delivers: %+v", ds)
	}
	if _, err := srv.Deliver(ctxT(t), "nobody", mo); err == nil {
		t.Error("Deliver to an unbound system_id succeeded")
	}
	if n := len(srv.Received()); n != 1 {
		t.Errorf("%d PDUs recorded, want 1", n)
	}
}

// TestMOParts: a long UCS-2 text is cut into concatenated parts that
// carry the concatenation numbers as asked (UDH or SAR TLVs), and a short
// GSM text is one part without them.
func TestMOParts(t *testing.T) {
	text := strings.Repeat("Ответ ", 30) // 180 UCS-2 units: three parts
	for _, c := range []pdutext.Concat{pdutext.Concat8, pdutext.Concat16, pdutext.ConcatSAR} {
		parts, err := smpptest.MOParts("447700900123", "12345", text, c, 9)
		if err != nil || len(parts) != 3 {
			t.Fatalf("concat %d: %d parts, %v", c, len(parts), err)
		}
		var joined []byte
		for i, p := range parts {
			body := p.ShortMessage
			if c == pdutext.ConcatSAR {
				if seq, _ := p.TLVs.Byte(pdu.TagSarSegmentSeqnum); seq != byte(i+1) || p.ESMClass != 0 {
					t.Errorf("SAR part %d: seq %d esm %#x", i, seq, p.ESMClass)
				}
			} else {
				u, rest, err := pdutext.ParseUDH(body)
				if err != nil || !u.Concat || u.Seq != byte(i+1) || u.Total != 3 || u.Ref16 != (c == pdutext.Concat16) || p.ESMClass != 0x40 {
					t.Errorf("UDH part %d: %+v %v esm %#x", i, u, err, p.ESMClass)
				}
				body = rest
			}
			joined = append(joined, body...)
		}
		if got, err := pdutext.DecodeUCS2(nil, joined); err != nil || string(got) != text {
			t.Errorf("concat %d: reassembled %q, %v", c, got, err)
		}
	}
	one, err := smpptest.MOParts("447700900123", "12345", "STOP", pdutext.Concat8, 1)
	if err != nil || len(one) != 1 || string(one[0].ShortMessage) != "STOP" || one[0].ESMClass != 0 || one[0].DataCoding != 0 {
		t.Errorf("short MO: %+v, %v", one, err)
	}
}
