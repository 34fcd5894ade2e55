//go:build !race

package smpp_test

import (
	"context"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// ackChan is a Responder that signals the channel: a chan in an interface
// does not allocate.
type ackChan chan struct{}

func (ch ackChan) Response(pdu.Header, []byte, error) { ch <- struct{}{} }

// TestSendAllocs checks the whole request path allocates nothing in steady
// state: Send, the client's write, the server's read, handler and
// Respond, the client's read and Responder.
func TestSendAllocs(t *testing.T) {
	c := dial(t, startServer(t, &smpp.Server{Authenticator: acceptAll, Handler: okHandler}), smpp.Transmitter, smpp.SessionConfig{}, nil)
	ctx := context.Background()
	body := (&pdu.SubmitSM{Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, ShortMessage: []byte("hello")}).AppendBody(nil)
	ch := make(ackChan, 1)
	send := func() {
		if _, err := c.Send(ctx, pdu.SubmitSMID, body, ch); err != nil {
			t.Fatal(err)
		}
		<-ch
	}
	for range 100 { // warm up buffers
		send()
	}
	if a := testing.AllocsPerRun(2000, send); a != 0 {
		t.Errorf("%.2f allocations per request round trip, want 0", a)
	}
}
