package gateway_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EMOStored: an MO deliver_sm a carrier sends on the gateway's bind
// is stored with its addresses, coding, body and carrier, and only then
// answered deliver_sm_resp with command_status 0. A text in
// message_payload (UCS-2) is stored as its raw octets.
func TestE2EMOStored(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		ctx := testContext(t)
		shortCode := pdu.Address{TON: 3, NPI: 0, Addr: []byte("12345")}
		ucs2 := []byte{0x04, 0x1F, 0x04, 0x40, 0x04, 0x38} // "При"
		mos := []*pdu.DeliverSM{
			{Source: handset, Dest: shortCode, ShortMessage: []byte("STOP")},
			{Source: pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900456")}, Dest: shortCode, DataCoding: 8,
				TLVs: pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, ucs2))},
		}
		before := time.Now().Add(-time.Second)
		for i, mo := range mos {
			// The gateway binds to carriers with system_id "gallant" (see
			// carrierConfig).
			h, err := c.Deliver(ctx, "gallant", mo)
			if err != nil {
				t.Fatalf("MO %d: deliver_sm: %v", i, err)
			}
			if h.ID != pdu.DeliverSMRespID || h.Status != pdu.StatusOK {
				t.Fatalf("MO %d: answered %v with status %v, want deliver_sm_resp with 0", i, h.ID, h.Status)
			}
		}
		// The answer comes once the MO is stored: no wait needed. MOs are
		// not routed to an account yet (account 0).
		got, next, err := g.st.ListMO(ctx, 0, 0, 10)
		if err != nil {
			t.Fatalf("ListMO: %v", err)
		}
		if len(got) != len(mos) || next != 0 {
			t.Fatalf("ListMO: %d MOs (next %v), want %d: %+v", len(got), next, len(mos), got)
		}
		// Newest first.
		for i, mo := range []*pdu.DeliverSM{mos[1], mos[0]} {
			m := got[i]
			if m.ID == 0 || m.Carrier != "c1" || m.AccountID != 0 {
				t.Errorf("MO %d: id %v, carrier %q, account %d; want an id, c1, 0", i, m.ID, m.Carrier, m.AccountID)
			}
			if m.Source.Addr != string(mo.Source.Addr) || m.Source.TON != mo.Source.TON || m.Source.NPI != mo.Source.NPI {
				t.Errorf("MO %d: source %+v, want %s (TON %d NPI %d)", i, m.Source, mo.Source.Addr, mo.Source.TON, mo.Source.NPI)
			}
			if m.Dest.Addr != "12345" || m.Dest.TON != 3 || m.Dest.NPI != 0 {
				t.Errorf("MO %d: destination %+v, want 12345 (TON 3 NPI 0)", i, m.Dest)
			}
			if m.DataCoding != mo.DataCoding || m.ESMClass != 0 {
				t.Errorf("MO %d: data_coding %d esm_class %d, want %d and 0", i, m.DataCoding, m.ESMClass, mo.DataCoding)
			}
			if want := mo.Payload(); !bytes.Equal(m.Body, want) {
				t.Errorf("MO %d: body % x, want % x", i, m.Body, want)
			}
			if m.ReceivedAt.Before(before) || m.ReceivedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("MO %d: received at %v, not during the test", i, m.ReceivedAt)
			}
		}
		if string(got[1].Body) != "STOP" {
			t.Errorf("first MO body %q, want STOP", got[1].Body)
		}
		if got[0].ID <= got[1].ID {
			t.Errorf("MO ids %v then %v: not increasing", got[1].ID, got[0].ID)
		}
		if n := g.metric(t, "gallant_gateway_mo_total"); n != float64(len(mos)) {
			t.Errorf("mo_total %v, want %d", n, len(mos))
		}
		if n := len(c.Submits()); n != 0 {
			t.Errorf("the carrier got %d submit_sm; MOs are not sent on", n)
		}
	})
}

// TestE2EOptedOutOverSMPP: a submit_sm to a number that opted out of its
// account is refused with ESME_RINVDSTADR (problem
// "recipient-opted-out") and never reaches the carrier, while other
// numbers of that account and the same number from other accounts go
// through; after an opt-in again it goes through too, and the account's
// other opted-out number stays refused. A platform-wide opt-out refuses
// every account.
func TestE2EOptedOutOverSMPP(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{noReceipts: true})
		ctx := testContext(t)
		acme, other := g.customer(t, "Acme"), g.customer(t, "Other")
		ea, eo := g.bind(t, acme, smpp.Transceiver), g.bind(t, other, smpp.Transmitter)
		number := string(handset.Addr)

		stillBlocked := "447700900888"
		optOut := func(account int64, n string, out bool) {
			g.svc.OptOuts().Apply(consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: account, Number: n}, OptOut: out})
		}
		optOut(acme.AccountID, number, true)
		optOut(acme.AccountID, stillBlocked, true)
		for _, sm := range []*pdu.SubmitSM{
			textSM("blocked 1"),
			// The same number written with a '+' is the same number.
			{Source: alphaSender, Dest: pdu.Address{TON: 1, NPI: 1, Addr: []byte("+" + number)}, ShortMessage: []byte("blocked 2")},
		} {
			_, err := ea.Submit(ctx, sm)
			if got := statusOf(err); got != pdu.StatusInvDstAdr {
				t.Fatalf("submit_sm of %q to an opted-out number: %v, want %v", sm.ShortMessage, err, pdu.StatusInvDstAdr)
			}
		}
		// data_sm takes the same path.
		dm := pdu.DataSM{Source: alphaSender, Dest: handset, TLVs: pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, []byte("blocked 3")))}
		if _, _, err := ea.Session().Call(ctx, pdu.DataSMID, dm.AppendBody(nil)); statusOf(err) != pdu.StatusInvDstAdr {
			t.Fatalf("data_sm to an opted-out number: %v, want %v", err, pdu.StatusInvDstAdr)
		}
		if n := g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemOptedOut); n != 3 {
			t.Errorf("refused_total{reason=recipient-opted-out} %v, want 3", n)
		}
		// An account opt-out is per account and per number.
		otherNumber := textSM("to another number")
		otherNumber.Dest.Addr = []byte("447700900999")
		submit(t, ea, otherNumber)
		submit(t, eo, textSM("from another account"))
		waitSubmits(t, c, 2)

		optOut(acme.AccountID, number, false)
		submit(t, ea, textSM("allowed again"))
		// Only the number opted in again: the other one stays refused.
		blocked := textSM("blocked 4")
		blocked.Dest.Addr = []byte(stillBlocked)
		if _, err := ea.Submit(ctx, blocked); statusOf(err) != pdu.StatusInvDstAdr {
			t.Fatalf("submit_sm to a number still opted out: %v, want %v", err, pdu.StatusInvDstAdr)
		}
		subs := waitSubmits(t, c, 3)

		want := map[string]string{"to another number": "447700900999", "from another account": number, "allowed again": number}
		for _, s := range subs {
			text := string(s.SM.Payload())
			to, ok := want[text]
			if !ok {
				t.Errorf("the carrier got %q to %s", text, s.SM.Dest.Addr)
				continue
			}
			if string(s.SM.Dest.Addr) != to {
				t.Errorf("%q went to %s, want %s", text, s.SM.Dest.Addr, to)
			}
			delete(want, text)
		}
		if len(want) != 0 {
			t.Errorf("the carrier never got %v", want)
		}
		// Nothing refused came later: every accepted message arrived, and
		// the refused ones were never stored to be sent.
		for _, s := range c.Submits() {
			if bytes.HasPrefix(s.SM.Payload(), []byte("blocked")) {
				t.Errorf("an opted-out message reached the carrier: %q", s.SM.Payload())
			}
		}
		if n := len(c.Submits()); n != 3 {
			t.Errorf("the carrier got %d submit_sm, want 3", n)
		}
		if n := g.metric(t, "gallant_gateway_accepted_total"); n != 3 {
			t.Errorf("accepted_total %v, want 3", n)
		}
		if n := g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemOptedOut); n != 4 {
			t.Errorf("refused_total{reason=recipient-opted-out} %v after the opt-in, want 4", n)
		}
		// Platform-wide: the other account is refused too.
		g.svc.OptOuts().Apply(consent.Change{Entry: consent.Entry{Scope: consent.ScopeGlobal, Number: number}, OptOut: true})
		if _, err := eo.Submit(ctx, textSM("blocked 5")); statusOf(err) != pdu.StatusInvDstAdr {
			t.Fatalf("submit_sm to a number opted out platform-wide: %v, want %v", err, pdu.StatusInvDstAdr)
		}
	})
}

// TestE2EOptedOutWhileScheduled: a message accepted for later whose
// recipient opts out before it is due is never sent: when due it ends
// "rejected" with error code opted-out and its sender gets a REJECTD
// receipt; a scheduled message to another number still goes.
func TestE2EOptedOutWhileScheduled(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)
		stopped := textSM("scheduled, then STOP")
		stopped.ScheduleDeliveryTime = relTime(2 * time.Second)
		stoppedID := submit(t, e, stopped)
		other := textSM("scheduled to someone else")
		other.Dest.Addr = []byte("447700900777")
		other.ScheduleDeliveryTime = relTime(2 * time.Second)
		otherID := submit(t, e, other)

		g.svc.OptOuts().Apply(consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: cust.AccountID,
			Number: string(handset.Addr)}, OptOut: true})

		got := byID(t, waitReceipts(t, e, 2))
		if r := got[stoppedID]; r.state != pdutext.StateRejected {
			t.Fatalf("receipt of the opted-out message: %+v, want REJECTD", r)
		}
		if r := got[otherID]; r.state != pdutext.StateDelivered {
			t.Fatalf("receipt of the other message: %+v, want DELIVRD", r)
		}
		for _, s := range c.Submits() {
			if string(s.SM.Payload()) == "scheduled, then STOP" {
				t.Fatal("the carrier got the message to the opted-out number")
			}
		}
		id, err := sms.ParseID(stoppedID)
		if err != nil {
			t.Fatal(err)
		}
		m, hist, err := g.svc.Message(testContext(t), cust.AccountID, id)
		if err != nil || m.Status != sms.StatusRejected || len(hist) == 0 || hist[len(hist)-1].ErrorCode != "opted-out" {
			t.Fatalf("message %+v, history %+v, %v; want rejected, opted-out", m, hist, err)
		}
		if n := g.metric(t, "gallant_gateway_refused_total", "reason", gateway.ProblemOptedOut); n != 1 {
			t.Errorf("refused_total{reason=recipient-opted-out} %v, want 1", n)
		}
	})
}

// TestE2ECarrierOptOut: a carrier answering a submit_sm with a code
// configured as "recipient opted out" fails the message and records an
// account opt-out of its recipient (source carrier) in the ledger: the
// next message to that number is refused before it costs anything, and
// another code records nothing.
func TestE2ECarrierOptOut(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		const optedOut, other = "447700900401", "447700900402"
		c := newCarrier(t, carrierOpts{decide: func(_ int, sm *pdu.SubmitSM) pdu.Status {
			switch string(sm.Dest.Addr) {
			case optedOut:
				return 0x45
			case other:
				return pdu.StatusInvDstAdr // permanent, and no opt-out
			}
			return pdu.StatusOK
		}})
		var ledger *consent.Ledger
		cc := carrierConfig("c1", c.Addr())
		cc.OptOutErrors = []string{"0x45"}
		g := startGatewayDeps(t, storetest.Config(t, driver), store.WriterConfig{},
			gateway.Config{Carriers: []gateway.CarrierConfig{cc}}, routeAll("c1"), func(d *gateway.Deps) {
				ledger = consent.NewLedger(d.Store, &consent.Index{}, consent.LedgerConfig{})
				d.OptOutLedger, d.Consent = ledger, ledger.Index()
			})
		g.waitReady(t)
		cust := g.customer(t, "Acme")
		e := g.bind(t, cust, smpp.Transceiver)
		for _, to := range []string{optedOut, other} {
			sm := textSM("refused by the carrier")
			sm.Dest.Addr = []byte(to)
			submit(t, e, sm)
		}
		eventually(t, "the carrier's opt-out recorded", func() (bool, string) {
			_, ok := ledger.Index().Blocked(cust.AccountID, "x", optedOut)
			return ok, "not yet"
		})
		rows, err := g.st.OptOutHistory(testContext(t), cust.AccountID, optedOut, 10)
		if err != nil || len(rows) != 1 || rows[0].Source != "carrier" || rows[0].Keyword != "0x45" || !rows[0].OptedOut {
			t.Fatalf("ledger: %+v, %v", rows, err)
		}
		again := textSM("after the carrier's opt-out")
		again.Dest.Addr = []byte(optedOut)
		if _, err := e.Submit(testContext(t), again); statusOf(err) != pdu.StatusInvDstAdr {
			t.Fatalf("submit after the carrier's opt-out: %v, want ESME_RINVDSTADR", err)
		}
		if _, ok := ledger.Index().Blocked(cust.AccountID, "x", other); ok {
			t.Fatal("another error code opted the number out")
		}
	})
}

// TestE2EOptedOutInSubmitMulti: a submit_multi to three numbers, one of
// which opted out of the account, sends the other two and names the
// opted-out one in unsuccess_sme with ESME_RINVDSTADR.
func TestE2EOptedOutInSubmitMulti(t *testing.T) {
	t.Parallel()
	c, g := startWithCarrier(t, "sqlite", carrierOpts{noReceipts: true})
	cust := g.customer(t, "Acme")
	e := g.bind(t, cust, smpp.Transceiver)
	dests := multiDests(3)
	stopped := string(dests[1].Addr.Addr)
	g.svc.OptOuts().Apply(consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: cust.AccountID,
		Number: stopped}, OptOut: true})
	resp, err := e.SubmitMulti(testContext(t), &pdu.SubmitMulti{Source: alphaSender, Dests: dests, ShortMessage: []byte("to three")})
	if err != nil {
		t.Fatalf("submit_multi: %v", err)
	}
	if len(resp.Unsuccess) != 1 || string(resp.Unsuccess[0].Dest.Addr) != stopped || resp.Unsuccess[0].Status != pdu.StatusInvDstAdr {
		t.Fatalf("unsuccess_sme %+v, want %s with ESME_RINVDSTADR", resp.Unsuccess, stopped)
	}
	for _, s := range waitSubmits(t, c, 2) {
		if string(s.SM.Dest.Addr) == stopped {
			t.Fatal("the carrier got the opted-out destination")
		}
	}
}
