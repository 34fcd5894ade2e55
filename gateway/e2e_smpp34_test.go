package gateway_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/throttle"
)

// multiDests makes n international SME destinations.
func multiDests(n int) []pdu.MultiDest {
	ds := make([]pdu.MultiDest, n)
	for i := range ds {
		ds[i] = pdu.MultiDest{Addr: pdu.Address{TON: 1, NPI: 1, Addr: fmt.Appendf(nil, "4477009%05d", i)}}
	}
	return ds
}

// TestE2ESubmitMulti: a submit_multi of 255 destinations, one a
// distribution list and one not a valid number, becomes 253 messages,
// each sent to the carrier and receipted to the customer on its own; the
// answer's unsuccess_sme names the two refused destinations with their
// errors, and its message_id is the first destination's.
func TestE2ESubmitMulti(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)

		dests := multiDests(255)
		dests[7] = pdu.MultiDest{List: true, DLName: []byte("friends")}
		dests[9] = pdu.MultiDest{Addr: pdu.Address{TON: 5, Addr: []byte("Alpha")}} // not a number
		sm := &pdu.SubmitMulti{Source: alphaSender, Dests: dests, RegisteredDelivery: 1, ShortMessage: []byte("to many")}
		resp, err := e.SubmitMulti(testContext(t), sm)
		if err != nil {
			t.Fatalf("submit_multi: %v", err)
		}
		first, perr := sms.ParseID(string(resp.MessageID))
		if perr != nil {
			t.Fatalf("submit_multi_resp message_id %q: %v", resp.MessageID, perr)
		}
		if len(resp.Unsuccess) != 2 {
			t.Fatalf("unsuccess_sme %+v, want 2 entries", resp.Unsuccess)
		}
		if u := resp.Unsuccess[0]; string(u.Dest.Addr) != "friends" || u.Status != pdu.StatusInvDLName {
			t.Errorf("unsuccess[0] %q %v, want friends %v", u.Dest.Addr, u.Status, pdu.StatusInvDLName)
		}
		if u := resp.Unsuccess[1]; string(u.Dest.Addr) != "Alpha" || u.Dest.TON != 5 || u.Status != pdu.StatusInvDstTON {
			t.Errorf("unsuccess[1] %q ton %d %v, want Alpha 5 %v", u.Dest.Addr, u.Dest.TON, u.Status, pdu.StatusInvDstTON)
		}

		subs := waitSubmits(t, c, 253)
		got := map[string]int{}
		for _, s := range subs {
			if string(s.SM.ShortMessage) != "to many" || !bytes.Equal(s.SM.Source.Addr, alphaSender.Addr) {
				t.Fatalf("carrier got %q from %q", s.SM.ShortMessage, s.SM.Source.Addr)
			}
			got[string(s.SM.Dest.Addr)]++
		}
		for i, d := range dests {
			want := 1
			if i == 7 || i == 9 {
				want = 0
			}
			if got[string(d.Addr.Addr)] != want {
				t.Errorf("destination %d (%s) sent %d times, want %d", i, d.Addr.Addr, got[string(d.Addr.Addr)], want)
			}
		}

		rs := byID(t, waitReceipts(t, e, 253))
		r, ok := rs[first.String()]
		if !ok {
			t.Fatalf("no receipt for the submit_multi's message_id %v", first)
		}
		if !bytes.Equal(r.dm.Source.Addr, dests[0].Addr.Addr) {
			t.Errorf("receipt of message_id %v is from %q, want the first destination %q", first, r.dm.Source.Addr, dests[0].Addr.Addr)
		}
		from := map[string]bool{}
		for id, r := range rs {
			from[string(r.dm.Source.Addr)] = true
			q, err := query(t, e, id)
			if err != nil || string(q.MessageID) != id {
				t.Fatalf("query_sm of destination message %s: %v", id, err)
			}
		}
		if len(from) != 253 {
			t.Errorf("receipts from %d destinations, want 253", len(from))
		}
	})
}

// TestE2ESubmitMultiAllRefused: when no destination is accepted the
// answer carries the first destination's error and lists them all; a
// fault in the shared fields refuses the PDU as a whole.
func TestE2ESubmitMultiAllRefused(t *testing.T) {
	t.Parallel()
	c, g := startWithCarrier(t, "sqlite", carrierOpts{})
	cust := g.customer(t, "Acme")
	e := g.bind(t, cust, smpp.Transmitter)

	sm := &pdu.SubmitMulti{Source: alphaSender, ShortMessage: []byte("nobody"), Dests: []pdu.MultiDest{
		{List: true, DLName: []byte("staff")},
		{Addr: pdu.Address{TON: 1, NPI: 1, Addr: []byte("12")}},
	}}
	resp, err := e.SubmitMulti(testContext(t), sm)
	if statusOf(err) != pdu.StatusInvDLName {
		t.Fatalf("submit_multi to a list and a bad number: %v, want %v", err, pdu.StatusInvDLName)
	}
	if len(resp.MessageID) != 0 || len(resp.Unsuccess) != 2 || string(resp.Unsuccess[1].Dest.Addr) != "12" ||
		resp.Unsuccess[1].Status == pdu.StatusOK {
		t.Errorf("answer %+v, want no id and both destinations refused", resp)
	}

	sm = &pdu.SubmitMulti{Source: alphaSender, Dests: multiDests(2)} // no text
	if _, err := e.SubmitMulti(testContext(t), sm); statusOf(err) != pdu.StatusInvMsgLen {
		t.Errorf("submit_multi without text: %v, want %v", err, pdu.StatusInvMsgLen)
	}
	if n := len(c.Submits()); n != 0 {
		t.Errorf("carrier got %d submits, want none", n)
	}
}

// TestE2EDataSM: a customer's data_sm is a submit: its message_payload
// goes to the carrier, data_sm_resp carries our message id, and the
// receipt names it.
func TestE2EDataSM(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)

		dm := pdu.DataSM{Source: alphaSender, Dest: handset, RegisteredDelivery: 1,
			TLVs: pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, []byte("data sm text")))}
		h, body, err := e.Session().Call(testContext(t), pdu.DataSMID, dm.AppendBody(nil))
		if err != nil {
			t.Fatalf("data_sm: %v", err)
		}
		var resp pdu.DataSMResp
		if err := resp.Decode(body); err != nil || h.ID != pdu.DataSMRespID {
			t.Fatalf("answer %v: %v", h.ID, err)
		}
		id := string(resp.MessageID)
		if _, err := sms.ParseID(id); err != nil {
			t.Fatalf("data_sm_resp message_id %q: %v", id, err)
		}
		if s := waitSubmits(t, c, 1)[0]; string(s.SM.Payload()) != "data sm text" || !bytes.Equal(s.SM.Dest.Addr, handset.Addr) {
			t.Errorf("carrier got %q to %q", s.SM.Payload(), s.SM.Dest.Addr)
		}
		if r := waitReceipts(t, e, 1)[0]; r.id != id {
			t.Errorf("receipt for %q, want %q", r.id, id)
		}
	})
}

// replaceSM sends replace_sm for id with text and schedule, and returns
// its command_status.
func replaceSM(t testing.TB, e *smpptest.ESME, id, text string, sched []byte) pdu.Status {
	t.Helper()
	q := pdu.ReplaceSM{MessageID: []byte(id), Source: alphaSender, ScheduleDeliveryTime: sched,
		RegisteredDelivery: 1, ShortMessage: []byte(text)}
	_, _, err := e.Session().Call(testContext(t), pdu.ReplaceSMID, q.AppendBody(nil))
	return statusOf(err)
}

// TestE2EReplaceSM: replace_sm changes the text and send time of a
// scheduled message, whether it is held in memory (due within the
// horizon) or waits in the store; the carrier gets only the new text (in
// as many segments as it now needs), and the receipt names the same id.
// A message already sent, or another account's, is ESME_RREPLACEFAIL.
func TestE2EReplaceSM(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers:        []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
			ScheduleHorizon: 10 * time.Second,
		}, routeAll("c1"))
		g.waitReady(t)
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		other := g.bind(t, g.customer(t, "Other"), smpp.Transceiver)

		held := textSM("old held")
		held.ScheduleDeliveryTime = relTime(5 * time.Second) // within the horizon: held from its accept
		heldID := submit(t, e, held)
		stored := textSM("old stored")
		stored.ScheduleDeliveryTime = relTime(time.Hour) // beyond it: waits in the store
		storedID := submit(t, e, stored)

		if st := replaceSM(t, other, storedID, "not yours", nil); st != pdu.StatusReplaceFail {
			t.Errorf("replace_sm of another account's message: %v, want %v", st, pdu.StatusReplaceFail)
		}
		long := gsmText(200) // two segments where there was one
		if st := replaceSM(t, e, heldID, long, relTime(time.Second)); st != pdu.StatusOK {
			t.Fatalf("replace_sm of a held message: %v", st)
		}
		if st := replaceSM(t, e, storedID, "new stored", relTime(time.Second)); st != pdu.StatusOK {
			t.Fatalf("replace_sm of a message in the store: %v", st)
		}

		subs := waitSubmits(t, c, 3)
		var text []byte
		for _, s := range subs {
			if bytes.HasPrefix(s.SM.ShortMessage, []byte("old")) || string(s.SM.ShortMessage) == "not yours" {
				t.Fatalf("carrier got the replaced text %q", s.SM.ShortMessage)
			}
			if string(s.SM.ShortMessage) != "new stored" {
				text = append(text, s.SM.ShortMessage[6:]...) // after the concatenation header
			}
		}
		if string(text) != long && string(text) != long[153:]+long[:153] {
			t.Errorf("carrier got the held message as %q, want the new text in two segments", text)
		}
		rs := byID(t, waitReceipts(t, e, 2))
		if _, ok := rs[heldID]; !ok {
			t.Errorf("no receipt for the replaced held message %s", heldID)
		}
		if _, ok := rs[storedID]; !ok {
			t.Errorf("no receipt for the replaced stored message %s", storedID)
		}
		if st := replaceSM(t, e, storedID, "too late", nil); st != pdu.StatusReplaceFail {
			t.Errorf("replace_sm of a sent message: %v, want %v", st, pdu.StatusReplaceFail)
		}
		if n := len(c.Submits()); n != 3 {
			t.Errorf("carrier got %d submits, want 3", n)
		}
	})
}

// TestE2ESenderTPS: on a route with a sender rate of 4 per second, one
// sender's messages reach the carrier at least a quarter second apart,
// all of them accepted at once and none refused, while another sender's
// message is not held behind them.
func TestE2ESenderTPS(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true})
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{
		Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}},
		[]router.Route{{Prefix: "", Carriers: []router.Choice{{Carrier: "c1"}}, SenderTPS: 4}})
	g.waitReady(t)
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transmitter)
	start := time.Now()
	for i := range 5 {
		submit(t, e, textSM(fmt.Sprintf("limited %d", i)))
	}
	other := textSM("other sender")
	other.Source = pdu.Address{TON: 5, Addr: []byte("Other")}
	submit(t, e, other)

	subs := waitSubmits(t, c, 6)
	at := c.arrivals()
	var limited []time.Time
	var first, otherAt time.Time
	for i, s := range subs {
		if first.IsZero() || at[i].Before(first) {
			first = at[i]
		}
		if string(s.SM.Source.Addr) == "Other" {
			otherAt = at[i]
			continue
		}
		if want := fmt.Sprintf("limited %d", len(limited)); string(s.SM.ShortMessage) != want {
			t.Errorf("carrier got %q, want %q (in order)", s.SM.ShortMessage, want)
		}
		limited = append(limited, at[i])
	}
	// The i-th slot is i quarter seconds after the first, which came
	// after start.
	for i, a := range limited {
		if d := a.Sub(start); d < time.Duration(i)*250*time.Millisecond {
			t.Errorf("message %d of one sender reached the carrier %v after the first submit, want at least %v (4/s)",
				i, d, time.Duration(i)*250*time.Millisecond)
		}
	}
	// Queued behind the limited sender it would come after its fifth
	// message, a second after the first at least.
	if d := otherAt.Sub(first); d > 750*time.Millisecond {
		t.Errorf("the other sender's message waited %v behind the limited one", d)
	}
}

// TestE2EAlertNotificationPassedOn: a carrier's alert_notification for a
// mobile reaches the bind of the customer whose message to that mobile
// came from the alert's esme_addr, and no other customer; one nobody's
// message explains, and a malformed one, are counted and dropped, and the
// carrier bind carries on.
func TestE2EAlertNotificationPassedOn(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		acme := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		other := g.bind(t, g.customer(t, "Other"), smpp.Receiver)
		otherTx := g.bind(t, g.customer(t, "Third"), smpp.Transceiver)
		submit(t, acme, textSM("to the handset"))
		sm := textSM("from elsewhere")
		sm.Source = pdu.Address{TON: 5, Addr: []byte("Third")}
		submit(t, otherTx, sm)
		waitSubmits(t, c, 2)

		sess := c.Sessions()[0]
		send := func(a pdu.AlertNotification) {
			t.Helper()
			if err := sess.Notify(pdu.AlertNotificationID, a.AppendBody(nil)); err != nil {
				t.Fatalf("carrier alert_notification: %v", err)
			}
		}
		send(pdu.AlertNotification{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("+447700900123")}, ESME: alphaSender})
		send(pdu.AlertNotification{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900999")}, ESME: alphaSender})
		if err := sess.Notify(pdu.AlertNotificationID, []byte{1, 1}); err != nil {
			t.Fatalf("malformed alert_notification: %v", err)
		}
		eventually(t, "the alert at Acme's bind", func() (bool, string) {
			n := len(acme.Alerts())
			return n == 1, fmt.Sprintf("%d alerts", n)
		})
		a := acme.Alerts()[0]
		if string(a.Source.Addr) != "+447700900123" || !bytes.Equal(a.ESME.Addr, alphaSender.Addr) {
			t.Errorf("alert for %q from %q", a.Source.Addr, a.ESME.Addr)
		}
		op := func(result string) float64 {
			return g.metric(t, "gallant_gateway_smpp_operations_total", "op", "alert_notification", "result", result)
		}
		eventually(t, "the alerts counted", func() (bool, string) {
			got := fmt.Sprintf("received %v passed_on %v unattributed %v malformed %v",
				op("received"), op("passed_on"), op("unattributed"), op("malformed"))
			return got == "received 2 passed_on 1 unattributed 1 malformed 1", got
		})
		if n := len(other.Alerts()) + len(otherTx.Alerts()); n != 0 {
			t.Errorf("other customers got %d alerts", n)
		}
		submit(t, acme, textSM("still sending"))
		waitSubmits(t, c, 3)
	})
}

// TestE2EOutbind: a carrier whose own bind from us is a transmitter
// sends receipts only over the receiver bind we make after its outbind;
// they reach the customer. An outbind with a wrong password is refused.
func TestE2EOutbind(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{})
	cc := carrierConfig("c1", c.Addr())
	cc.BindType = smpp.Transmitter
	cc.OutbindListen = "127.0.0.1:0"
	g := startGateway(t, storetest.Config(t, "sqlite"), gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"))
	g.waitReady(t)
	addr := g.svc.OutbindAddr("c1")
	if addr == nil {
		t.Fatal("no outbind listener")
	}
	if err := c.Outbind(testContext(t), addr.String(), "gallant", "wrong"); err != nil {
		t.Fatalf("outbind: %v", err)
	}
	if err := c.Outbind(testContext(t), addr.String(), "gallant", "secret"); err != nil {
		t.Fatalf("outbind: %v", err)
	}
	eventually(t, "the receiver bind made after the outbind", func() (bool, string) {
		n := 0
		for _, s := range c.Sessions() {
			if s.State().Bound() && s.BindType() == smpp.Receiver {
				n++
			}
		}
		return n == 1, fmt.Sprintf("%d receiver binds", n)
	})
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	id := submit(t, e, textSM("receipt by outbind"))
	if r := waitReceipts(t, e, 1)[0]; r.id != id {
		t.Fatalf("receipt for %q, want %q", r.id, id)
	}
}

// TestE2EBillingSubmitMultiAndReplace: with billing, each destination of
// a submit_multi is priced and reserved on its own (those the balance no
// longer covers are refused in unsuccess_sme), and a replace_sm that
// doubles a held message's segments reserves the new price first: refused
// while the balance does not cover it, accepted after a top-up, with the
// old reservation given back. The ledger settles to what was sent.
func TestE2EBillingSubmitMultiAndReplace(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, carrierOpts{})
		g, bal := startBilledGateway(t, driver, carrierConfig("c1", c.Addr()))
		g.waitReady(t)
		cust := g.customer(t, "Payer")
		if err := g.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: cust.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := bal.TopUp(ctx, cust.AccountID, 110_000, "test"); err != nil {
			t.Fatal(err)
		}
		e := g.bind(t, cust, smpp.Transceiver)

		held := textSM("held")
		held.ScheduleDeliveryTime = relTime(5 * time.Minute) // within the horizon: reserved from its accept
		heldID := submit(t, e, held)

		resp, err := e.SubmitMulti(ctx, &pdu.SubmitMulti{Source: alphaSender, Dests: multiDests(12),
			RegisteredDelivery: 1, ShortMessage: []byte("paid each")})
		if err != nil {
			t.Fatalf("submit_multi: %v", err)
		}
		if len(resp.Unsuccess) != 2 || resp.Unsuccess[0].Status != pdu.StatusSubmitFail ||
			string(resp.Unsuccess[0].Dest.Addr) != string(multiDests(12)[10].Addr.Addr) {
			t.Fatalf("unsuccess_sme %+v, want the last 2 refused for want of credit", resp.Unsuccess)
		}
		waitSubmits(t, c, 10)

		long := gsmText(200)
		if st := replaceSM(t, e, heldID, long, nil); st != pdu.StatusReplaceFail {
			t.Fatalf("replace_sm to 2 segments with no credit: %v, want %v", st, pdu.StatusReplaceFail)
		}
		if err := bal.TopUp(ctx, cust.AccountID, 20_000, "test"); err != nil {
			t.Fatal(err)
		}
		if st := replaceSM(t, e, heldID, long, nil); st != pdu.StatusOK {
			t.Fatalf("replace_sm after a top-up: %v", st)
		}
		m, _, err := g.svc.Message(ctx, cust.AccountID, mustID(t, heldID))
		if err != nil || m.Segments != 2 || m.Price != 20_000 {
			t.Fatalf("replaced message: %+v %v, want 2 segments at 20000", m, err)
		}
		if st := cancel(t, e, heldID); st != pdu.StatusOK {
			t.Fatalf("cancel_sm: %v", st)
		}
		waitReceipts(t, e, 11) // ten delivered, one cancelled
		if err := bal.Close(ctx); err != nil {
			t.Fatal(err)
		}
		acct, err := g.st.GetBillingAccount(ctx, cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.Balance != 130_000-10*10_000 || acct.Held != 0 {
			t.Fatalf("balance %d held %d, want %d and 0", acct.Balance, acct.Held, 130_000-10*10_000)
		}
	})
}

func mustID(t testing.TB, s string) sms.ID {
	t.Helper()
	id, err := sms.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestE2ESenderTPSSharedThroughRedis: two gateways (each with its own
// store) sharing one Redis send one source address's messages to one
// carrier at the route's sender rate between them: at 4 per second, the
// carrier gets the i-th of their six messages no sooner than i quarter
// seconds after the first submit.
func TestE2ESenderTPSSharedThroughRedis(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true})
	rc := testRedisClient(t, testRedisAddr())
	prefix := "gallant-test-sendertps-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	routes := []router.Route{{Prefix: "", Carriers: []router.Choice{{Carrier: "c1"}}, SenderTPS: 4}}
	var es []*smpptest.ESME
	for range 2 {
		g := startGatewayDeps(t, storetest.Config(t, "sqlite"), store.WriterConfig{}, gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routes,
			func(d *gateway.Deps) {
				d.Redis = throttle.NewRedis(rc, prefix)
				// A loaded test machine can take longer than the
				// default 50 ms, and the in-process fallback would then
				// give each instance the whole rate.
				d.RedisTimeout = 5 * time.Second
			})
		g.waitReady(t)
		es = append(es, g.bind(t, g.customer(t, "Acme"), smpp.Transmitter))
	}
	start := time.Now()
	for i := range 3 {
		for _, e := range es {
			submit(t, e, textSM(fmt.Sprintf("shared %d", i)))
		}
	}
	waitSubmits(t, c, 6)
	at := c.arrivals()
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	for i, a := range at {
		if d := a.Sub(start); d < time.Duration(i)*250*time.Millisecond {
			t.Errorf("message %d of the shared sender reached the carrier %v after the first submit, want at least %v",
				i, d, time.Duration(i)*250*time.Millisecond)
		}
	}
}

// TestE2EGarbageSubmitMultiAndReplace feeds random and mutated
// submit_multi, replace_sm and data_sm bodies: each gets an answer with
// a command_status, nothing panics, and the session stays bound.
func TestE2EGarbageSubmitMultiAndReplace(t *testing.T) {
	t.Parallel()
	_, g := startWithCarrier(t, "sqlite", carrierOpts{noReceipts: true})
	e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
	sess := e.Session()
	ctx := testContext(t)
	sched := textSM("to replace")
	sched.ScheduleDeliveryTime = relTime(time.Hour)
	id := submit(t, e, sched)
	valid := map[pdu.CommandID][]byte{
		pdu.SubmitMultiID: (&pdu.SubmitMulti{Source: alphaSender, Dests: append(multiDests(2),
			pdu.MultiDest{List: true, DLName: []byte("x")}), ShortMessage: []byte("mutate me")}).AppendBody(nil),
		pdu.ReplaceSMID: (&pdu.ReplaceSM{MessageID: []byte(id), Source: alphaSender, ShortMessage: []byte("mutated")}).AppendBody(nil),
		pdu.DataSMID: (&pdu.DataSM{Source: alphaSender, Dest: handset,
			TLVs: pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, []byte("mutate me")))}).AppendBody(nil),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cmd := range []pdu.CommandID{pdu.SubmitMultiID, pdu.ReplaceSMID, pdu.DataSMID} {
		for i := range 150 {
			var body []byte
			if i%2 == 0 {
				body = make([]byte, rng.IntN(120))
				for j := range body {
					body[j] = byte(rng.IntN(256))
				}
			} else {
				body = append([]byte(nil), valid[cmd]...)
				for range 1 + rng.IntN(4) {
					body[rng.IntN(len(body))] = byte(rng.IntN(256))
				}
			}
			if _, _, err := sess.Call(ctx, cmd, body); err != nil {
				if _, isStatus := err.(pdu.Status); !isStatus {
					t.Fatalf("%v body %d (% x): %v", cmd, i, body, err)
				}
			}
		}
	}
	if !sess.State().Bound() {
		t.Fatalf("session state %v after garbage", sess.State())
	}
	if _, _, err := sess.Call(ctx, pdu.EnquireLink, nil); err != nil {
		t.Fatalf("enquire_link after garbage: %v", err)
	}
}
