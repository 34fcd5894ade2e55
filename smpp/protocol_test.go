package smpp_test

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

func TestGenericNack(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler, Session: smpp.SessionConfig{MaxPDULength: 1024}}
	addr := startServer(t, srv)

	t.Run("unknown command_id", func(t *testing.T) {
		r := dialRaw(t, addr)
		r.bind(pdu.BindTransceiver)
		seq := r.send(pdu.CommandID(0x00000077), []byte{1, 2, 3})
		r.expect(pdu.GenericNack, pdu.StatusInvCmdID, seq)
		seq = r.send(pdu.CommandID(0x01000001), nil) // vendor id
		r.expect(pdu.GenericNack, pdu.StatusInvCmdID, seq)
		seq = r.send(pdu.EnquireLink, nil) // the session carries on
		r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
	})
	for _, tc := range []struct {
		name   string
		length uint32
	}{
		{"short", 8},
		{"zero", 0},
		{"over max", 1025},
		{"huge", 0xFFFFFFFF},
	} {
		t.Run("command_length "+tc.name, func(t *testing.T) {
			r := dialRaw(t, addr)
			r.bind(pdu.BindTransceiver)
			b := encode(pdu.SubmitSMID, 0, 42, nil)
			binary.BigEndian.PutUint32(b, tc.length)
			r.write(b)
			r.expect(pdu.GenericNack, pdu.StatusInvCmdLen, 42)
			r.expectEOF()
		})
	}
	t.Run("garbage after responses", func(t *testing.T) {
		r := dialRaw(t, addr)
		r.bind(pdu.BindTransceiver)
		// A response to nothing and a generic_nack for nothing are dropped
		// without an answer; an enquire_link after them still gets one.
		r.write(encode(pdu.SubmitSMRespID, 0, 77, []byte("x\x00")))
		r.write(encode(pdu.GenericNack, pdu.StatusSysErr, 78, nil))
		r.write(encode(pdu.CommandID(0x80000077), 0, 79, nil))
		seq := r.send(pdu.EnquireLink, nil)
		r.expect(pdu.EnquireLinkResp, pdu.StatusOK, seq)
		s := waitSession(t, srv)
		if got := s.Stats().UnknownResponses; got != 3 {
			t.Errorf("UnknownResponses = %d, want 3", got)
		}
	})
}

func TestSplitAndCoalescedReads(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler, Session: smpp.SessionConfig{ReadBufferSize: 16}}
	addr := startServer(t, srv)

	t.Run("byte by byte", func(t *testing.T) {
		r := dialRaw(t, addr)
		var stream []byte
		stream = append(stream, encode(pdu.BindTransceiver, 0, 1, bindBody("split", "pw"))...)
		for seq := uint32(2); seq < 6; seq++ {
			stream = append(stream, encode(pdu.SubmitSMID, 0, seq, make([]byte, 300))...) // larger than the buffer
		}
		stream = append(stream, encode(pdu.EnquireLink, 0, 6, nil)...)
		for i := range stream {
			r.write(stream[i : i+1])
		}
		r.expect(pdu.BindTransceiverResp, pdu.StatusOK, 1)
		for seq := uint32(2); seq < 6; seq++ {
			r.expect(pdu.SubmitSMRespID, pdu.StatusOK, seq)
		}
		r.expect(pdu.EnquireLinkResp, pdu.StatusOK, 6)
	})
	t.Run("many per write", func(t *testing.T) {
		r := dialRaw(t, addr)
		r.bind(pdu.BindTransceiver)
		const n = 500
		var stream []byte
		for i := range n {
			id := pdu.SubmitSMID
			if i%5 == 0 {
				id = pdu.EnquireLink
			}
			stream = append(stream, encode(id, 0, uint32(100+i), []byte("body"))[:]...)
		}
		r.write(stream)
		for i := range n {
			id := pdu.SubmitSMRespID
			if i%5 == 0 {
				id = pdu.EnquireLinkResp
			}
			r.expect(id, pdu.StatusOK, uint32(100+i))
		}
		s := waitSession(t, srv)
		if st := s.Stats(); st.PDUsIn != n+1 || st.Reads >= n {
			t.Errorf("PDUsIn %d Reads %d: want %d PDUs in fewer reads", st.PDUsIn, st.Reads, n+1)
		}
	})
}

func TestResponsesCoalesced(t *testing.T) {
	// Under load, many PDUs share one write.
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	c := dial(t, startServer(t, srv), smpp.Transmitter, smpp.SessionConfig{Window: 100}, nil)
	done := make(chan struct{}, 2000)
	f := smpp.ResponderFunc(func(pdu.Header, []byte, error) { done <- struct{}{} })
	const n = 2000
	go func() {
		for range n {
			if _, err := c.Send(ctxT(t), pdu.SubmitSMID, []byte("body"), f); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range n {
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Fatal("responses missing")
		}
	}
	st := c.Stats()
	if st.PDUsOut != n+1 || st.Writes >= st.PDUsOut {
		t.Errorf("PDUsOut %d Writes %d: want writes carrying several PDUs", st.PDUsOut, st.Writes)
	}
	t.Logf("%d PDUs in %d writes", st.PDUsOut, st.Writes)
}
