package gateway_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store/storetest"
)

// submitMany submits one message per text, parallel at a time, and
// returns the ids by text; any refusal fails the test.
func submitMany(t *testing.T, e *smpptest.ESME, texts []string, parallel int) map[string]string {
	t.Helper()
	return submitAll(t, e, texts, parallel, false)
}

// submitRetrying is submitMany for a gateway that pushes back: a message
// refused with ESME_RTHROTTLED or ESME_RMSGQFUL is sent again shortly,
// as an ESME does, for up to a minute.
func submitRetrying(t *testing.T, e *smpptest.ESME, texts []string, parallel int) map[string]string {
	t.Helper()
	return submitAll(t, e, texts, parallel, true)
}

func submitAll(t *testing.T, e *smpptest.ESME, texts []string, parallel int, retry bool) map[string]string {
	t.Helper()
	ctx := testContext(t)
	var mu sync.Mutex
	ids := make(map[string]string, len(texts))
	var errs []error
	work := make(chan string)
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for text := range work {
				deadline := time.Now().Add(time.Minute)
				id, err := e.Submit(ctx, textSM(text))
				for st := pdu.StatusOf(err); retry && (st == pdu.StatusThrottled || st == pdu.StatusMsgQFul) && time.Now().Before(deadline); st = pdu.StatusOf(err) {
					time.Sleep(5 * time.Millisecond)
					id, err = e.Submit(ctx, textSM(text))
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%q: %w", text, err))
				} else {
					ids[text] = id
				}
				mu.Unlock()
			}
		})
	}
	for _, text := range texts {
		work <- text
	}
	close(work)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d submits refused, first: %v", len(errs), errs[0])
	}
	return ids
}

// uniqueTexts returns n distinct texts.
func uniqueTexts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %04d", prefix, i)
	}
	return out
}

// checkAllDelivered checks that every message of ids got exactly one
// DELIVERED receipt on e.
func checkAllDelivered(t *testing.T, e *smpptest.ESME, ids map[string]string) {
	t.Helper()
	got := byID(t, waitReceipts(t, e, len(ids)))
	for text, id := range ids {
		if r, ok := got[id]; !ok || r.state != pdutext.StateDelivered {
			t.Errorf("%q (%s): receipt %+v found %v", text, id, r, ok)
		}
	}
}

// TestE2ECarrierThrottling: a carrier answering ESME_RTHROTTLED to the
// first submits gets them again later; every message is delivered once.
func TestE2ECarrierThrottling(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		const throttled = 6
		c := newCarrier(t, carrierOpts{decide: func(n int, _ *pdu.SubmitSM) pdu.Status {
			if n <= throttled {
				return pdu.StatusThrottled
			}
			return pdu.StatusOK
		}})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		texts := uniqueTexts("throttle", 20)
		ids := submitMany(t, e, texts, 5)
		checkAllDelivered(t, e, ids)
		got := c.accepted()
		for _, text := range texts {
			if got[text] != 1 {
				t.Errorf("%q accepted by the carrier %d times, want 1", text, got[text])
			}
		}
		n := 0
		for _, s := range c.Submits() {
			if s.Status == pdu.StatusThrottled {
				n++
			}
		}
		if n != throttled {
			t.Errorf("carrier throttled %d submits, want %d", n, throttled)
		}
	})
}

// TestE2ECarrierDropsBind: a carrier that drops its binds in the middle
// of a window loses nothing; a message reaches it twice only when it was
// among those in flight, unanswered, when the connection dropped.
func TestE2ECarrierDropsBind(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		const binds, window = 2, 5
		drops := map[int]bool{15: true, 35: true, 55: true}
		var c *carrier
		c = newCarrier(t, carrierOpts{decide: func(n int, _ *pdu.SubmitSM) pdu.Status {
			if drops[n] {
				c.DropConnections() // this submit_sm is never answered
			}
			return pdu.StatusOK
		}})
		cc := carrierConfig("c1", c.Addr())
		cc.Binds, cc.Window = binds, window
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		texts := uniqueTexts("drop", 60)
		ids := submitMany(t, e, texts, 10)
		// Every message was acknowledged by the carrier: the store says
		// so. (smpptest.Server loses the receipts it sends on a dropped
		// bind, so receipts are not counted here.)
		for text, id := range ids {
			eventually(t, "carrier acknowledgement of "+text, func() (bool, string) {
				q, err := query(t, e, id)
				st := pdutext.MessageState(q.MessageState)
				return err == nil && (st == pdutext.StateAccepted || st == pdutext.StateDelivered),
					fmt.Sprintf("state %d, %v", st, err)
			})
		}
		for _, r := range byID(t, receipts(t, e.Delivers())) {
			if r.state != pdutext.StateDelivered {
				t.Errorf("receipt %+v", r)
			}
		}

		subs := c.Submits()
		first := map[string]int{} // text -> index of its first arrival (1-based)
		count := map[string]int{}
		for i, s := range subs {
			text := string(s.SM.ShortMessage)
			if _, ok := first[text]; !ok {
				first[text] = i + 1
			}
			count[text]++
		}
		for _, text := range texts {
			switch n := count[text]; {
			case n == 0:
				t.Errorf("%q never reached the carrier", text)
			case n > 1:
				// Only what was in flight (at most binds*window submits)
				// when a connection dropped may have gone unanswered. The
				// carrier records a submit when it reads it, so in-flight
				// submits already in its socket buffers may be recorded
				// just after the drop as well as just before it. And the
				// gateway holds a submit in flight until its bind reads the
				// answer: under load one bind's reader may lag while the
				// other bind carries on, so an answer the carrier wrote
				// some submits before the drop may still be unread. What
				// must never be sent again is a submit answered, and read,
				// before the previous drop: its first arrival is bounded
				// below by the previous drop's window.
				unanswered := false
				for d := range drops {
					prev := 0
					for e := range drops {
						if e < d && e > prev {
							prev = e
						}
					}
					if f := first[text]; f <= d+binds*window && f > prev-binds*window-binds {
						unanswered = true
					}
				}
				if !unanswered {
					t.Errorf("%q reached the carrier %d times, first as submit %d, not in flight at a drop %v",
						text, n, first[text], drops)
				}
			}
		}
		if len(subs) < 60+len(drops) {
			t.Errorf("carrier saw %d submit_sm; the drops at %v did not happen", len(subs), drops)
		}
	})
}

// TestE2EFailover: a carrier refusing every submit with a permanent
// error (ESME_RSUBMITFAIL or ESME_RINVDSTADR) hands the messages to the
// route's next carrier; a route with no other carrier fails them with
// the carrier's code in the receipt.
func TestE2EFailover(t *testing.T) {
	t.Parallel()
	for _, code := range []pdu.Status{pdu.StatusSubmitFail, pdu.StatusInvDstAdr} {
		t.Run(fmt.Sprintf("%#x", uint32(code)), func(t *testing.T) {
			t.Parallel()
			eachDriver(t, func(t *testing.T, driver string) {
				a := newCarrier(t, carrierOpts{decide: func(int, *pdu.SubmitSM) pdu.Status { return code }})
				b := newCarrier(t, carrierOpts{})
				g := startGateway(t, storetest.Config(t, driver), gateway.Config{Carriers: []gateway.CarrierConfig{
					carrierConfig("a", a.Addr()), carrierConfig("b", b.Addr())}}, routeAll("a", "b"))
				eventually(t, "both carriers bound", func() (bool, string) {
					n := g.metric(t, "gallant_gateway_carrier_bind_up")
					return n == 2, "binds up " + ftoa(n)
				})
				e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
				texts := uniqueTexts("failover", 5)
				ids := submitMany(t, e, texts, 5)
				checkAllDelivered(t, e, ids)
				got := b.accepted()
				for _, text := range texts {
					if got[text] != 1 {
						t.Errorf("%q reached carrier b %d times, want 1", text, got[text])
					}
				}
				if n := len(a.Submits()); n != len(texts) {
					t.Errorf("carrier a was tried %d times, want %d", n, len(texts))
				}
			})
		})
	}
	t.Run("no other carrier", func(t *testing.T) {
		t.Parallel()
		eachDriver(t, func(t *testing.T, driver string) {
			a := newCarrier(t, carrierOpts{decide: func(int, *pdu.SubmitSM) pdu.Status { return pdu.StatusSubmitFail }})
			g := startGateway(t, storetest.Config(t, driver), gateway.Config{Carriers: []gateway.CarrierConfig{
				carrierConfig("a", a.Addr())}}, routeAll("a"))
			g.waitReady(t)
			e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
			id := submit(t, e, textSM("nobody takes this"))
			r := waitReceipts(t, e, 1)[0]
			if r.id != id || r.state.Final() == false || r.state == pdutext.StateDelivered || r.text.Err != "069" {
				t.Fatalf("receipt %+v; want a final failure with err 069 (ESME_RSUBMITFAIL)", r)
			}
			q, err := query(t, e, id)
			if err != nil || pdutext.MessageState(q.MessageState) != r.state {
				t.Errorf("query_sm state %d, %v; receipt said %d", q.MessageState, err, r.state)
			}
		})
	})
}

// TestE2ESlowCarrierOrder: segments of a long message keep their order
// even when the carrier answers slowly and the window holds several.
func TestE2ESlowCarrierOrder(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		c.SetDelay(30 * time.Millisecond)
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		text := gsmText(153*4 + 10)
		sm := textSM("")
		sm.ShortMessage = nil
		sm.TLVs = pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, []byte(text)))
		id := submit(t, e, sm)
		if whole := checkConcat(t, waitSubmits(t, c, 5), 5); string(whole) != text {
			t.Fatal("reassembled text differs")
		}
		if r := waitReceipts(t, e, 1)[0]; r.id != id || r.state != pdutext.StateDelivered {
			t.Fatalf("receipt %+v", r)
		}
	})
}

// TestE2EManyBindsReceipts: with several binds to the carrier, receipts
// may come back on another bind than their submit_sm, possibly before
// that bind has read the submit_sm_resp; every one must still reach the
// customer.
func TestE2EManyBindsReceipts(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		cc := carrierConfig("c1", c.Addr())
		cc.Binds, cc.Window = 3, 20
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
		eventually(t, "three carrier binds", func() (bool, string) {
			n := g.metric(t, "gallant_gateway_carrier_bind_up")
			return n == 3, "binds up " + ftoa(n)
		})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		ids := submitMany(t, e, uniqueTexts("binds", 300), 20)
		eventually(t, "the carrier's receipts", func() (bool, string) {
			sent, lost := c.ReceiptsSent()
			return sent+lost == len(ids), fmt.Sprintf("sent %d lost %d", sent, lost)
		})
		if _, lost := c.ReceiptsSent(); lost != 0 {
			t.Fatalf("the carrier lost %d receipts", lost)
		}
		checkAllDelivered(t, e, ids)
	})
}
