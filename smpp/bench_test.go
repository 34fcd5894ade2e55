package smpp_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// respHandler answers submit_sm with a unique message id, encoded into a
// stack buffer: no allocation per PDU.
var respHandler = smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, _ []byte) {
	var b [24]byte
	id := strconv.AppendUint(b[:0], uint64(h.Seq), 16)
	_ = s.Respond(h, pdu.StatusOK, append(id, 0))
})

// BenchmarkSessionSubmit pushes submit_sm from client sessions (window
// 100) to a Server over loopback; the server's handler answers each with
// submit_sm_resp. One op is one submit_sm answered.
func BenchmarkSessionSubmit(b *testing.B) {
	for _, conns := range []int{1, 4} {
		b.Run("conns="+strconv.Itoa(conns), func(b *testing.B) {
			addr := startServer(b, &smpp.Server{Authenticator: acceptAll, Handler: respHandler})
			sessions := make([]*smpp.Session, conns)
			for i := range sessions {
				sessions[i] = dial(b, addr, smpp.Transmitter, smpp.SessionConfig{Window: 100}, nil)
			}
			body := (&pdu.SubmitSM{
				Source:       pdu.Address{TON: 5, Addr: []byte("MyBrand")},
				Dest:         pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
				ShortMessage: []byte("Hello, this is a benchmark message"),
			}).AppendBody(nil)
			var wg sync.WaitGroup
			done := smpp.ResponderFunc(func(h pdu.Header, _ []byte, err error) {
				if err != nil || h.Status != pdu.StatusOK {
					b.Errorf("response %v %v", h, err)
				}
				wg.Done()
			})
			ctx := context.Background()
			var next int
			b.ReportAllocs()
			b.SetBytes(int64(pdu.HeaderLen + len(body)))
			start := time.Now()
			for b.Loop() {
				wg.Add(1)
				if _, err := sessions[next].Send(ctx, pdu.SubmitSMID, body, done); err != nil {
					b.Fatal(err)
				}
				if next++; next == conns {
					next = 0
				}
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submit_sm/s")
			var pdus, writes uint64
			for _, s := range sessions {
				st := s.Stats()
				pdus += st.PDUsOut
				writes += st.Writes
			}
			b.ReportMetric(float64(pdus)/float64(max(writes, 1)), "pdus/write")
		})
	}
}
