package smpp_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// tokenLimiter is a smpp.RateLimiter that lets one Wait through per token
// the test hands out, so a test decides exactly when each PDU may go.
type tokenLimiter struct {
	calls   atomic.Int64
	entered chan struct{} // one value per Wait call, sent on entry
	tokens  chan struct{} // each value lets one Wait return nil
	err     error         // if set, Wait returns it at once
}

func newTokenLimiter() *tokenLimiter {
	return &tokenLimiter{entered: make(chan struct{}, 100), tokens: make(chan struct{}, 100)}
}

func (l *tokenLimiter) Wait(ctx context.Context) error {
	l.calls.Add(1)
	l.entered <- struct{}{}
	if l.err != nil {
		return l.err
	}
	select {
	case <-l.tokens:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitEntered waits until n more Wait calls have started.
func (l *tokenLimiter) waitEntered(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-l.entered:
		case <-time.After(testTimeout):
			t.Fatalf("%d of %d sends reached the rate limiter", i, n)
		}
	}
}

// limitedClient starts a fake SMSC and a Client bound to it as a
// transmitter that paces its requests with lim.
func limitedClient(t *testing.T, lim smpp.RateLimiter) (*smpptest.Server, *smpp.Client) {
	t.Helper()
	smsc, err := smpptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smsc.Close() })
	c, err := smpp.NewClient(smpp.ClientConfig{
		Addr: smsc.Addr(), BindType: smpp.Transmitter, SystemID: "esme", Password: "pw", RateLimiter: lim,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Start()
	if err := c.WaitBound(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return smsc, c
}

// limitedSubmit is a valid submit_sm body.
func limitedSubmit() []byte {
	sm := pdu.SubmitSM{
		Source:       pdu.Address{TON: 5, Addr: []byte("Gallant")},
		Dest:         pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		ShortMessage: []byte("rate limited"),
	}
	return sm.AppendBody(nil)
}

// enquireBarrier sends enquire_link on the client's session, bypassing the
// limiter, and waits for the answer. The fake SMSC records PDUs in the
// order it reads them, so afterwards it has recorded every PDU the client
// wrote before.
func enquireBarrier(t *testing.T, c *smpp.Client) {
	t.Helper()
	s := c.Session()
	if s == nil {
		t.Fatal("client not bound")
	}
	if _, _, err := s.Call(ctxT(t), pdu.EnquireLink, nil); err != nil {
		t.Fatalf("enquire_link: %v", err)
	}
}

// submitsReceived returns how many submit_sm the fake SMSC has received.
func submitsReceived(smsc *smpptest.Server) int {
	n := 0
	for _, r := range smsc.Received() {
		if r.Header.ID == pdu.SubmitSMID {
			n++
		}
	}
	return n
}

// clientSend is one of the Client's three ways to send a request. It
// returns the error of the call itself (err) and, when the call returned
// nil, a channel with the response's outcome.
type clientSend func(ctx context.Context, c *smpp.Client, body []byte) (<-chan error, error)

var clientSends = []struct {
	name string
	send clientSend
}{
	{"Call", func(ctx context.Context, c *smpp.Client, body []byte) (<-chan error, error) {
		_, _, err := c.Call(ctx, pdu.SubmitSMID, body)
		if err != nil {
			return nil, err
		}
		done := make(chan error, 1)
		done <- nil
		return done, nil
	}},
	{"Send", func(ctx context.Context, c *smpp.Client, body []byte) (<-chan error, error) {
		done := make(chan error, 1)
		_, err := c.Send(ctx, pdu.SubmitSMID, body, errorTo(done))
		return done, err
	}},
	{"TrySend", func(_ context.Context, c *smpp.Client, body []byte) (<-chan error, error) {
		done := make(chan error, 1)
		_, err := c.TrySend(pdu.SubmitSMID, body, errorTo(done))
		return done, err
	}},
}

// errorTo returns a Responder that puts the outcome (the error, or
// the response's status when not OK) on done.
func errorTo(done chan<- error) smpp.Responder {
	return smpp.ResponderFunc(func(h pdu.Header, _ []byte, err error) {
		if err == nil && h.Status != pdu.StatusOK {
			err = h.Status
		}
		done <- err
	})
}

// receiveErr waits for a response's outcome.
func receiveErr(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(testTimeout):
		t.Fatal("no response")
		return nil
	}
}

// TestClientWaitsForRateLimiter: every Client send waits for the limiter,
// and nothing reaches the SMSC before the limiter lets it go.
func TestClientWaitsForRateLimiter(t *testing.T) {
	for _, tc := range clientSends {
		t.Run(tc.name, func(t *testing.T) {
			lim := newTokenLimiter()
			smsc, c := limitedClient(t, lim)
			ctx := ctxT(t)
			const n = 3
			results := make(chan error, n)
			for range n {
				go func() {
					done, err := tc.send(ctx, c, limitedSubmit())
					if err == nil {
						err = <-done
					}
					results <- err
				}()
			}
			lim.waitEntered(t, n)
			enquireBarrier(t, c)
			if got := submitsReceived(smsc); got != 0 {
				t.Fatalf("%d submit_sm reached the SMSC while the limiter held them", got)
			}
			select {
			case err := <-results:
				t.Fatalf("a send completed before the limiter let it go: %v", err)
			default:
			}

			// One token: exactly one submit_sm goes out.
			lim.tokens <- struct{}{}
			if err := receiveErr(t, results); err != nil {
				t.Fatalf("first send: %v", err)
			}
			enquireBarrier(t, c)
			if got := submitsReceived(smsc); got != 1 {
				t.Fatalf("%d submit_sm after one token, want 1", got)
			}

			for range n - 1 {
				lim.tokens <- struct{}{}
			}
			for i := 1; i < n; i++ {
				if err := receiveErr(t, results); err != nil {
					t.Fatalf("send %d: %v", i+1, err)
				}
			}
			if _, err := smsc.WaitSubmits(ctx, n); err != nil {
				t.Fatal(err)
			}
			if got := lim.calls.Load(); got != n {
				t.Errorf("limiter Wait called %d times for %d sends", got, n)
			}
		})
	}
}

// TestClientRateLimiterError: an error from the limiter comes back to the
// caller, wrapped, and nothing is sent.
func TestClientRateLimiterError(t *testing.T) {
	errBudget := errors.New("budget exhausted")
	for _, tc := range clientSends {
		t.Run(tc.name, func(t *testing.T) {
			lim := newTokenLimiter()
			lim.err = errBudget
			smsc, c := limitedClient(t, lim)
			done, err := tc.send(ctxT(t), c, limitedSubmit())
			if !errors.Is(err, errBudget) {
				t.Fatalf("send returned %v, want the limiter's error", err)
			}
			if err == errBudget || !strings.Contains(err.Error(), "rate limiter") {
				t.Errorf("error %q is not wrapped with context", err)
			}
			enquireBarrier(t, c)
			if got := submitsReceived(smsc); got != 0 {
				t.Errorf("%d submit_sm sent although the limiter refused", got)
			}
			if done != nil {
				select {
				case err := <-done:
					t.Errorf("Responder called (%v) for a request never sent", err)
				default:
				}
			}
			if got := lim.calls.Load(); got != 1 {
				t.Errorf("limiter Wait called %d times, want 1", got)
			}
		})
	}
}

// TestClientRateLimiterContext: the caller's context reaches the limiter;
// when it ends during the wait the send fails with it and sends nothing.
func TestClientRateLimiterContext(t *testing.T) {
	for _, tc := range clientSends[:2] { // TrySend takes no context
		t.Run(tc.name, func(t *testing.T) {
			lim := newTokenLimiter()
			smsc, c := limitedClient(t, lim)
			ctx, cancel := context.WithCancel(ctxT(t))
			errc := make(chan error, 1)
			go func() {
				_, err := tc.send(ctx, c, limitedSubmit())
				errc <- err
			}()
			lim.waitEntered(t, 1)
			cancel()
			if err := receiveErr(t, errc); !errors.Is(err, context.Canceled) {
				t.Fatalf("send returned %v, want context.Canceled", err)
			}
			enquireBarrier(t, c)
			if got := submitsReceived(smsc); got != 0 {
				t.Errorf("%d submit_sm sent after the context ended", got)
			}
		})
	}
}
