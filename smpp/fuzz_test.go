package smpp_test

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// errorCounter is a slog.Handler that counts records at Error level (a
// recovered panic logs one).
type errorCounter struct{ n atomic.Int64 }

func (e *errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (e *errorCounter) Handle(context.Context, slog.Record) error    { e.n.Add(1); return nil }
func (e *errorCounter) WithAttrs([]slog.Attr) slog.Handler           { return e }
func (e *errorCounter) WithGroup(string) slog.Handler                { return e }

// FuzzServerSession feeds arbitrary bytes, in two writes to mimic a split
// read, to a server session and requires that it neither panics nor hangs.
func FuzzServerSession(f *testing.F) {
	bind := encode(pdu.BindTransceiver, 0, 1, bindBody("fuzz", "pw"))
	f.Add(bind, 3)
	f.Add(append(bind, encode(pdu.SubmitSMID, 0, 2, []byte("abc"))...), 20)
	f.Add(append(bind, encode(pdu.EnquireLink, 0, 2, nil)...), 37)
	f.Add(append(bind, encode(pdu.CommandID(0x77), 0, 2, nil)...), 0)
	f.Add(append(bind, encode(pdu.Unbind, 0, 2, nil)...), 40)
	f.Add(append(bind, encode(pdu.SubmitSMRespID, 0, 9, []byte("x\x00"))...), 5)
	f.Add(encode(pdu.BindTransmitter, 0, 1, []byte{0, 0, 0, 0x34, 0, 0, 0}), 1)
	huge := encode(pdu.SubmitSMID, 0, 1, nil)
	binary.BigEndian.PutUint32(huge, 0xFFFFFFF0)
	f.Add(huge, 2)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		errs := &errorCounter{}
		srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler, Logger: slog.New(errs),
			Session: smpp.SessionConfig{MaxPDULength: 4096, BindTimeout: time.Second}}
		c, s := net.Pipe()
		srv.ServeConn(s)
		drained := make(chan struct{})
		go func() {
			io.Copy(io.Discard, c)
			close(drained)
		}()
		if split < 0 || split > len(in) {
			split = len(in) / 2
		}
		c.SetWriteDeadline(time.Now().Add(testTimeout))
		c.Write(in[:split])
		c.Write(in[split:])
		c.Close()
		<-drained
		done := make(chan struct{})
		go func() {
			srv.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Fatal("server session did not end")
		}
		if n := errs.n.Load(); n != 0 {
			t.Fatalf("%d error logs (a recovered panic?)", n)
		}
	})
}
