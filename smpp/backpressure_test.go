package smpp_test

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// gatedHandler holds every request until opened, then answers the held
// ones and every later one at once.
type gatedHandler struct {
	mu   sync.Mutex
	open bool
	held []heldReq
	got  int
}

func (g *gatedHandler) HandlePDU(s *smpp.Session, h pdu.Header, _ []byte) {
	g.mu.Lock()
	g.got++
	if !g.open {
		g.held = append(g.held, heldReq{s, h})
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	_ = s.Respond(h, pdu.StatusOK, []byte("m\x00"))
}

func (g *gatedHandler) received() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.got
}

// release opens the gate and answers what was held.
func (g *gatedHandler) release() {
	g.mu.Lock()
	g.open = true
	held := g.held
	g.held = nil
	g.mu.Unlock()
	for _, r := range held {
		_ = r.s.Respond(r.h, pdu.StatusOK, []byte("m\x00"))
	}
}

// TestInboundBackpressure: a session with InboundBackpressure never
// answers ESME_RTHROTTLED past MaxInbound; it stops reading, so that the
// peer's writes block once the socket buffers are full, hands the
// handler at most MaxInbound requests, and resumes when answers free
// room, answering every request OK.
func TestInboundBackpressure(t *testing.T) {
	const maxInbound = 4
	g := &gatedHandler{}
	srv := &smpp.Server{Authenticator: acceptAll, Handler: g,
		Session: smpp.SessionConfig{MaxInbound: maxInbound, InboundFull: smpp.InboundBackpressure}}
	r := dialRaw(t, startServer(t, srv))
	r.bind(pdu.BindTransmitter)
	s := waitSession(t, srv)
	if tc, ok := r.conn.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10) // block sooner
	}

	// Write submit_sm until a write blocks: the session must stop reading.
	const chunkPDUs = 4096
	sent := 0
	var blockedAt []byte // the unwritten rest of the chunk that blocked
	for sent < 1<<22 && blockedAt == nil {
		chunk := make([]byte, 0, chunkPDUs*pdu.HeaderLen)
		for range chunkPDUs {
			r.seq++
			chunk = append(chunk, encode(pdu.SubmitSMID, 0, r.seq, nil)...)
		}
		sent += chunkPDUs
		r.conn.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := r.conn.Write(chunk)
		var ne net.Error
		switch {
		case err == nil:
		case errors.As(err, &ne) && ne.Timeout():
			blockedAt = chunk[n:]
		default:
			t.Fatalf("write: %v", err)
		}
	}
	if blockedAt == nil {
		t.Fatalf("wrote %d submit_sm without blocking: the session kept reading", sent)
	}
	r.conn.SetWriteDeadline(time.Time{})
	t.Logf("the write blocked after %d submit_sm", sent)
	waitFor(t, "the reader to pause", func() bool { return s.Stats().InboundPauses >= 1 })
	if got := g.received(); got != maxInbound {
		t.Fatalf("handler got %d requests while paused, want MaxInbound %d", got, maxInbound)
	}
	if st := s.Stats(); st.Inbound != maxInbound || st.InboundThrottled != 0 {
		t.Fatalf("Inbound %d throttled %d, want %d and 0", st.Inbound, st.InboundThrottled, maxInbound)
	}

	// Answer: the session resumes and every request is answered OK, in
	// order, none refused.
	g.release()
	writeErr := make(chan error, 1)
	go func() {
		_, err := r.conn.Write(blockedAt)
		writeErr <- err
	}()
	for i := 1; i <= sent; i++ {
		h, _ := r.read()
		if h.ID != pdu.SubmitSMRespID || h.Status != pdu.StatusOK {
			t.Fatalf("answer %d: %s %s, want submit_sm_resp OK", i, h.ID, h.Status.Name())
		}
	}
	if err := <-writeErr; err != nil {
		t.Fatalf("write after resuming: %v", err)
	}
	st := s.Stats()
	if st.InboundThrottled != 0 || st.InboundErrors != nil {
		t.Errorf("throttled %d, errors %v: want none", st.InboundThrottled, st.InboundErrors)
	}
	if g.received() != sent {
		t.Errorf("handler got %d of %d", g.received(), sent)
	}
}

// TestInboundThrottleCountsErrors: the default policy still answers
// ESME_RTHROTTLED past MaxInbound, and every request answered with an
// error is counted by command and status and told to OnInboundError.
func TestInboundThrottleCountsErrors(t *testing.T) {
	hd := newHolder()
	var mu sync.Mutex
	told := map[smpp.InboundError]int{}
	srv := &smpp.Server{Authenticator: acceptAll, Handler: hd, Session: smpp.SessionConfig{MaxInbound: 1,
		OnInboundError: func(cmd pdu.CommandID, st pdu.Status) {
			mu.Lock()
			told[smpp.InboundError{Command: cmd, Status: st}]++
			mu.Unlock()
		}}}
	r := dialRaw(t, startServer(t, srv))
	r.bind(pdu.BindTransmitter)
	r.send(pdu.SubmitSMID, nil)
	hd.wait(t, 1)
	seq := r.send(pdu.SubmitSMID, nil)
	r.expect(pdu.SubmitSMRespID, pdu.StatusThrottled, seq)
	seq = r.send(pdu.CommandID(0x0000_0777), nil)
	r.expect(pdu.GenericNack, pdu.StatusInvCmdID, seq)
	seq = r.send(pdu.DeliverSMID, nil) // illegal for a transmitter
	r.expect(pdu.DeliverSMRespID, pdu.StatusInvBndSts, seq)
	s := waitSession(t, srv)
	want := map[smpp.InboundError]uint64{
		{Command: pdu.SubmitSMID, Status: pdu.StatusThrottled}:  1,
		{Command: 0, Status: pdu.StatusInvCmdID}:                1,
		{Command: pdu.DeliverSMID, Status: pdu.StatusInvBndSts}: 1,
	}
	st := s.Stats()
	if len(st.InboundErrors) != len(want) {
		t.Fatalf("InboundErrors %v, want %v", st.InboundErrors, want)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, n := range want {
		if st.InboundErrors[k] != n || uint64(told[k]) != n {
			t.Errorf("%s %s: counted %d, told %d, want %d", k.Command, k.Status.Name(), st.InboundErrors[k], told[k], n)
		}
	}
}
