package smpp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// testTimeout bounds every wait in these tests; failures report instead
// of hanging.
const testTimeout = 10 * time.Second

// acceptAll authenticates any bind whose password is not "bad".
var acceptAll = smpp.AuthenticatorFunc(func(_ context.Context, req smpp.BindRequest) (any, pdu.Status) {
	if req.Password == "bad" {
		return nil, pdu.StatusBindFail
	}
	return req.SystemID, pdu.StatusOK
})

// okHandler answers every request with status 0 and, for submit_sm, a
// message id.
var okHandler = smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, body []byte) {
	if !h.ID.HasResponse() {
		return
	}
	var b []byte
	if h.ID == pdu.SubmitSMID {
		b = []byte("id1\x00")
	}
	_ = s.Respond(h, pdu.StatusOK, b)
})

// startServer serves srv on 127.0.0.1:0 and closes it at cleanup.
func startServer(t testing.TB, srv *smpp.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-errc; err != smpp.ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// dial binds to addr as system_id "esme".
func dial(t testing.TB, addr string, bt smpp.BindType, cfg smpp.SessionConfig, h smpp.Handler) *smpp.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	s, err := smpp.Dial(ctx, smpp.ClientConfig{Addr: addr, BindType: bt, SystemID: "esme", Password: "pw", Session: cfg, Handler: h}, nil)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ctxT returns a context bounded by testTimeout.
func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// raw is a plain TCP connection that speaks PDUs by hand, to test what a
// misbehaving or minimal peer sees.
type raw struct {
	t    testing.TB
	conn net.Conn
	seq  uint32
}

// dialRaw connects to addr.
func dialRaw(t testing.TB, addr string) *raw {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &raw{t: t, conn: c}
}

// encode returns a PDU.
func encode(id pdu.CommandID, status pdu.Status, seq uint32, body []byte) []byte {
	b := pdu.AppendHeader(nil, pdu.Header{ID: id, Status: status, Seq: seq})
	b = append(b, body...)
	pdu.SetLength(b)
	return b
}

// send writes a request with the next sequence number and returns it.
func (r *raw) send(id pdu.CommandID, body []byte) uint32 {
	r.t.Helper()
	r.seq++
	r.write(encode(id, 0, r.seq, body))
	return r.seq
}

// write writes b.
func (r *raw) write(b []byte) {
	r.t.Helper()
	if _, err := r.conn.Write(b); err != nil {
		r.t.Fatalf("raw write: %v", err)
	}
}

// read reads one PDU.
func (r *raw) read() (pdu.Header, []byte) {
	r.t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(testTimeout))
	h, body, _, err := pdu.ReadFrom(r.conn, nil, 0)
	if err != nil {
		r.t.Fatalf("raw read: %v", err)
	}
	return h, body
}

// expect reads one PDU and checks its id, status and sequence number.
func (r *raw) expect(id pdu.CommandID, status pdu.Status, seq uint32) []byte {
	r.t.Helper()
	h, body := r.read()
	if h.ID != id || h.Status != status || h.Seq != seq {
		r.t.Fatalf("got %s status %s seq %d, want %s status %s seq %d", h.ID, h.Status.Name(), h.Seq, id, status.Name(), seq)
	}
	return body
}

// expectEOF checks that the peer closes the connection.
func (r *raw) expectEOF() {
	r.t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(testTimeout))
	var b [1]byte
	n, err := r.conn.Read(b[:])
	if err == nil {
		r.t.Fatalf("read %d bytes (%x), want the connection closed", n, b[:n])
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		r.t.Fatal("connection still open after the test timeout")
	}
}

// bindBody encodes a bind body.
func bindBody(systemID, password string) []byte {
	return (&pdu.Bind{SystemID: []byte(systemID), Password: []byte(password), InterfaceVersion: 0x34}).AppendBody(nil)
}

// bind binds r with the given bind id and expects success.
func (r *raw) bind(id pdu.CommandID) {
	r.t.Helper()
	seq := r.send(id, bindBody("raw", "pw"))
	r.expect(id.Response(), pdu.StatusOK, seq)
}

// waitSession returns the server's only session once it exists.
func waitSession(t testing.TB, srv *smpp.Server) *smpp.Session {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		if ss := srv.Sessions(); len(ss) == 1 {
			return ss[0]
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no server session")
	return nil
}

// waitDone waits for a session to end.
func waitDone(t testing.TB, s *smpp.Session) {
	t.Helper()
	select {
	case <-s.Done():
	case <-time.After(testTimeout):
		t.Fatalf("session %d did not end", s.ID())
	}
}
