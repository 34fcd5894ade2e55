package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// arrivalCarrier is a fake SMSC recording when each text first arrived.
type arrivalCarrier struct {
	mu sync.Mutex
	at map[string][]time.Time
}

func (c *arrivalCarrier) decide(_ int, sm *pdu.SubmitSM) pdu.Status {
	c.record(string(sm.Payload()))
	return pdu.StatusOK
}

// record notes that text arrived now.
func (c *arrivalCarrier) record(text string) {
	c.mu.Lock()
	c.at[text] = append(c.at[text], time.Now())
	c.mu.Unlock()
}

func (c *arrivalCarrier) arrivals(text string) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.at[text]...)
}

// TestE2EScheduledSurvivesRestart: messages scheduled over HTTP and SMPP
// are held, survive a restart of the gateway on the same store, and are
// sent at their time by the new process; the SMPP sender's receipt,
// which finds no bind, is held and delivered when it binds again.
func TestE2EScheduledSurvivesRestart(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ac := &arrivalCarrier{at: map[string][]time.Time{}}
		c := newCarrier(t, ac.decide)
		cfg := testConfig(t, driver, c.Addr())
		a1 := startApp(t, cfg)
		cust := a1.customer(t, "Acme", "")

		const delay = 4 * time.Second
		before := time.Now()
		sendAt := before.Add(delay).UTC()
		s := a1.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": "scheduled over HTTP",
			"send_at": sendAt.Format(time.RFC3339Nano)})
		if s.Status != "scheduled" {
			t.Errorf("answer %+v, want status scheduled", s)
		}
		tx := bindESME(t, a1.smppAddr.String(), cust, smpp.Transmitter)
		sm := &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")}, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900124")},
			RegisteredDelivery: 1, ShortMessage: []byte("scheduled over SMPP"), ScheduleDeliveryTime: pdutext.AppendRelTime(nil, delay)}
		smppID, err := tx.Submit(testContext(t), sm)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := a1.get(t, cust.APIKey, s.ID); v.Status != "scheduled" {
			t.Errorf("GET before the restart: %+v", v)
		}
		a1.stop()
		if time.Since(before) < delay-time.Second {
			if n := len(c.Submits()); n != 0 {
				t.Fatalf("carrier got %d submit_sm before the send time", n)
			}
		}

		a2 := startApp(t, cfg)
		v := a2.waitStatus(t, cust.APIKey, s.ID, "delivered")
		if v.Text != "scheduled over HTTP" {
			t.Errorf("GET after the restart: %+v", v)
		}
		for _, text := range []string{"scheduled over HTTP", "scheduled over SMPP"} {
			eventually(t, text+" at the carrier", func() (bool, string) {
				n := len(ac.arrivals(text))
				return n > 0, fmt.Sprint(n)
			})
		}
		if at := ac.arrivals("scheduled over HTTP"); len(at) != 1 || at[0].Before(sendAt) {
			t.Errorf("HTTP message arrived %v (send_at %v)", at, sendAt)
		}
		// Relative SMPP times have a resolution of one second.
		if at := ac.arrivals("scheduled over SMPP"); len(at) != 1 || at[0].Before(before.Add(delay-time.Second)) {
			t.Errorf("SMPP message arrived %v, %v after the submit", at, at[0].Sub(before))
		}
		rx := bindESME(t, a2.smppAddr.String(), cust, smpp.Receiver)
		ds, err := rx.WaitDelivers(testContext(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		rid, _ := ds[0].DM.TLVs.CString(pdu.TagReceiptedMessageID)
		if string(rid) != smppID || ds[0].DM.ESMClass != 0x04 {
			t.Errorf("held receipt for %q, want %s", rid, smppID)
		}
	})
}

// TestE2EFastMode: in fast mode messages are acknowledged and delivered
// on both ingresses, and /metrics says the mode.
func TestE2EFastMode(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, nil)
		cfg := testConfig(t, driver, c.Addr())
		cfg.Durability = "fast"
		a := startApp(t, cfg)
		cust := a.customer(t, "Acme", "")
		e := bindESME(t, a.smppAddr.String(), cust, smpp.Transceiver)
		const n = 30
		ids := make(chan string, n)
		var wg sync.WaitGroup
		for w := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range n / 5 {
					id, err := e.Submit(testContext(t), &pdu.SubmitSM{Source: pdu.Address{TON: 5, Addr: []byte("Acme")},
						Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")}, RegisteredDelivery: 1,
						ShortMessage: fmt.Appendf(nil, "fast %d-%d", w, i)})
					if err != nil {
						t.Errorf("submit: %v", err)
						return
					}
					ids <- id
				}
			}()
		}
		wg.Wait()
		close(ids)
		want := map[string]bool{}
		for id := range ids {
			want[id] = true
		}
		if len(want) != n {
			t.Fatalf("%d distinct ids for %d submits", len(want), n)
		}
		ds, err := e.WaitDelivers(testContext(t), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			rid, _ := d.DM.TLVs.CString(pdu.TagReceiptedMessageID)
			st, _ := d.DM.TLVs.Byte(pdu.TagMessageState)
			if !want[string(rid)] || pdutext.MessageState(st) != pdutext.StateDelivered {
				t.Errorf("receipt for %q state %d", rid, st)
			}
			delete(want, string(rid))
		}
		for i := range 5 {
			s := a.send(t, cust.APIKey, map[string]any{"to": "447700900123", "text": fmt.Sprintf("fast http %d", i)})
			a.waitStatus(t, cust.APIKey, s.ID, "delivered")
		}
		if !strings.Contains(a.metrics(t), "\ngallant_gateway_durability_fast 1\n") {
			t.Errorf("fast mode: /metrics lacks gallant_gateway_durability_fast 1")
		}
	})
}
