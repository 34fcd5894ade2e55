package gateway_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/store/storetest"
)

// coalescingCarrier is a scripted SMSC: it answers each submit_sm and
// sends its DELIVRD receipt in the same write, so that the
// submit_sm_resp and the deliver_sm travel in one TCP segment, and
// counts the receipts answered OK and with an error.
type coalescingCarrier struct {
	ln      net.Listener
	nextID  atomic.Uint64
	taken   atomic.Int64
	refused atomic.Int64
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
}

func newCoalescingCarrier(t testing.TB) *coalescingCarrier {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &coalescingCarrier{ln: ln}
	c.wg.Go(c.accept)
	t.Cleanup(c.close)
	return c
}

func (c *coalescingCarrier) accept() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.conns = append(c.conns, conn)
		c.mu.Unlock()
		c.wg.Go(func() { c.serve(conn) })
	}
}

func (c *coalescingCarrier) close() {
	c.ln.Close()
	c.mu.Lock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// serve runs one bind until the connection ends.
func (c *coalescingCarrier) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	var buf, out []byte
	var seq uint32
	for {
		h, body, nb, err := pdu.ReadFrom(r, buf, 0)
		if err != nil {
			return
		}
		buf = nb
		out = out[:0]
		switch {
		case h.ID.IsBind():
			out = appendPDU(out, h.ID.Response(), 0, h.Seq, []byte("coalesce\x00"))
		case h.ID == pdu.EnquireLink:
			out = appendPDU(out, pdu.EnquireLinkResp, 0, h.Seq, nil)
		case h.ID == pdu.Unbind:
			conn.Write(appendPDU(out, pdu.UnbindResp, 0, h.Seq, nil))
			return
		case h.ID == pdu.DeliverSMRespID:
			if h.Status == pdu.StatusOK {
				c.taken.Add(1)
			} else {
				c.refused.Add(1)
			}
			continue
		case h.ID == pdu.SubmitSMID:
			var sm pdu.SubmitSM
			if err := sm.Decode(body); err != nil {
				out = appendPDU(out, pdu.SubmitSMRespID, pdu.StatusOf(err), h.Seq, nil)
				break
			}
			id := strconv.FormatUint(c.nextID.Add(1), 10)
			out = appendPDU(out, pdu.SubmitSMRespID, 0, h.Seq, append([]byte(id), 0))
			seq++
			out = appendPDU(out, pdu.DeliverSMID, 0, seq, receiptBody(id, sm))
		case h.ID.HasResponse():
			out = appendPDU(out, pdu.GenericNack, pdu.StatusInvCmdID, h.Seq, nil)
		default:
			continue
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

// appendPDU appends one PDU.
func appendPDU(dst []byte, id pdu.CommandID, st pdu.Status, seq uint32, body []byte) []byte {
	start := len(dst)
	dst = pdu.AppendHeader(dst, pdu.Header{ID: id, Status: st, Seq: seq})
	dst = append(dst, body...)
	pdu.SetLength(dst[start:])
	return dst
}

// receiptBody is the deliver_sm body of a DELIVRD receipt for id.
func receiptBody(id string, sm pdu.SubmitSM) []byte {
	now := time.Now()
	text := pdutext.AppendReceipt(nil, pdutext.Receipt{ID: id, Sub: 1, Dlvrd: 1, SubmitDate: now, DoneDate: now,
		Stat: pdutext.StatDelivered, Err: "000"})
	tlvs := pdu.AppendTLVCString(nil, pdu.TagReceiptedMessageID, []byte(id))
	tlvs = pdu.AppendTLVByte(tlvs, pdu.TagMessageState, byte(pdutext.StateDelivered))
	dm := pdu.DeliverSM{Source: sm.Dest, Dest: sm.Source, ESMClass: 0x04, ShortMessage: text, TLVs: tlvs}
	return dm.AppendBody(nil)
}

// TestE2EReceiptInSameSegment: a carrier that writes each receipt in
// the same TCP segment as its submit_sm_resp, at full speed over two
// binds, has every receipt matched and taken, and the customer gets
// every one.
func TestE2EReceiptInSameSegment(t *testing.T) {
	t.Parallel()
	const (
		messages = 3000
		binds    = 2
	)
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCoalescingCarrier(t)
		cc := carrierConfig("c1", c.ln.Addr().String())
		cc.Binds, cc.Window = binds, 200
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
		eventually(t, "every carrier bind", func() (bool, string) {
			n := g.metric(t, "gallant_gateway_carrier_bind_up", "carrier", "c1")
			return n == binds, fmt.Sprintf("%v of %d binds", n, binds)
		})
		cust := g.customer(t, "Acme")
		e := newBenchESME(t, g.addr, cust.SystemID, cust.SMPPPassword, messages)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		for _, s := range e.sess {
			wg.Go(func() { e.submitLoop(ctx, s) })
		}
		eventually(t, "every receipt at the customer", func() (bool, string) {
			if err := e.err(); err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			return e.receipts.Load() == messages, fmt.Sprintf("accepted %d, carrier receipts taken %d refused %d, customer receipts %d",
				e.accepted.Load(), c.taken.Load(), c.refused.Load(), e.receipts.Load())
		})
		if m := g.metric(t, "gallant_gateway_carrier_receipts_total", "result", "matched"); m != messages {
			t.Errorf("%v receipts matched, want %d", m, messages)
		}
		if u := g.metric(t, "gallant_gateway_carrier_receipts_total", "result", "unmatched"); u != 0 {
			t.Errorf("%v receipts unmatched", u)
		}
		// The customer may have a receipt before the carrier has its
		// answer (sent once the event is stored).
		eventually(t, "every receipt answered OK", func() (bool, string) {
			if c.refused.Load() != 0 {
				t.Fatalf("carrier: %d receipts refused", c.refused.Load())
			}
			return c.taken.Load() == messages, fmt.Sprintf("%d of %d receipts taken", c.taken.Load(), messages)
		})
	})
}

// TestE2ECarrierInboundErrorsCounted: every carrier request the gateway
// answers with an error is counted by carrier, command and status.
func TestE2ECarrierInboundErrorsCounted(t *testing.T) {
	t.Parallel()
	c, g := startWithCarrier(t, storetest.SQLite, carrierOpts{})
	eventually(t, "the carrier bind", func() (bool, string) { return len(c.Sessions()) == 1, "no session" })
	sess := c.Sessions()[0]
	// Two deliver_sm and a data_sm whose bodies do not decode.
	var st pdu.Status
	for _, id := range []pdu.CommandID{pdu.DeliverSMID, pdu.DeliverSMID, pdu.DataSMID} {
		h, _, err := sess.Call(testContext(t), id, []byte{1, 2, 3})
		if err == nil || h.Status == pdu.StatusOK || h.ID != id.Response() {
			t.Fatalf("garbled %s answered %s %s (%v)", id, h.ID, h.Status.Name(), err)
		}
		st = h.Status
	}
	deliver := g.metric(t, "gallant_gateway_carrier_inbound_errors_total", "carrier", "c1", "command", "deliver_sm",
		"status", st.Name())
	data := g.metric(t, "gallant_gateway_carrier_inbound_errors_total", "carrier", "c1", "command", "data_sm")
	if deliver != 2 || data != 1 {
		t.Fatalf("counted %v deliver_sm and %v data_sm errors, want 2 and 1", deliver, data)
	}
}
