package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
	"github.com/gallant-sms/gallant/webhook"
)

// hookSink is a local webhook receiver that records what it is posted.
type hookSink struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
}

func newHookSink(t *testing.T) *hookSink {
	h := &hookSink{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.sigs = append(h.sigs, r.Header.Get(webhook.SignatureHeader))
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookSink) events(t *testing.T) []gateway.InboundEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]gateway.InboundEvent, len(h.bodies))
	for i, b := range h.bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("webhook body %s: %v", b, err)
		}
	}
	return out
}

// fakeKeywords is a consent.KeywordHandler that answers HELP and records
// what it was given.
type fakeKeywords struct {
	mu  sync.Mutex
	got []consent.Inbound
}

func (f *fakeKeywords) HandleInbound(_ context.Context, in consent.Inbound) (consent.Outcome, error) {
	f.mu.Lock()
	f.got = append(f.got, in)
	f.mu.Unlock()
	if in.Text == "HELP" {
		return consent.Outcome{Kind: consent.KeywordHelp, Keyword: "HELP", Reply: "Acme: reply STOP to stop"}, nil
	}
	return consent.Outcome{}, nil
}

func (f *fakeKeywords) seen() []consent.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]consent.Inbound(nil), f.got...)
}

// startInbound starts a carrier and a gateway with a webhook dispatcher
// allowed to reach local addresses, inbound cfg and keyword handler kw.
func startInbound(t *testing.T, driver string, icfg gateway.InboundConfig, kw consent.KeywordHandler) (*carrier, *gw) {
	t.Helper()
	c := newCarrier(t, carrierOpts{})
	d, err := webhook.New(webhook.Config{Workers: 2, Policy: webhook.AddressPolicy{AllowPrivate: true}}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(func() { _, _ = d.Stop(context.Background()) })
	g := startGatewayDeps(t, storetest.Config(t, driver), store.WriterConfig{}, gateway.Config{Inbound: icfg,
		Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
		func(deps *gateway.Deps) { deps.Webhooks, deps.Keywords = d, kw })
	g.waitReady(t)
	return c, g
}

// addNumber stores a number and makes the gateway route with it.
func addNumber(t *testing.T, g *gw, n store.Number) store.Number {
	t.Helper()
	ctx := testContext(t)
	if err := g.st.AddNumber(ctx, &n); err != nil {
		t.Fatalf("add number %+v: %v", n, err)
	}
	if err := g.svc.ReloadNumbers(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

// sendMO has the carrier send dm and checks it was answered with 0.
func sendMO(t *testing.T, c *carrier, dm *pdu.DeliverSM) {
	t.Helper()
	h, err := c.Deliver(testContext(t), "gallant", dm)
	if err != nil || h.Status != pdu.StatusOK {
		t.Fatalf("MO deliver_sm: status %v, err %v", h.Status, err)
	}
}

func longNumber(n string) pdu.Address { return pdu.Address{TON: 1, NPI: 1, Addr: []byte(n)} }

// TestE2EInboundWebhookAndSMPP: an MO to a number with a webhook and
// SMPP delivery reaches the webhook as signed JSON at once, is held
// while the account has no receiver bind, is delivered as deliver_sm
// when one binds, and is stored under the account.
func TestE2EInboundWebhookAndSMPP(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startInbound(t, driver, gateway.InboundConfig{}, nil)
		cust := g.customer(t, "acme")
		sink := newHookSink(t)
		n := addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong,
			WebhookURL: sink.URL + "/mo", SMPP: true})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900999"), ShortMessage: []byte("Hello there")})

		eventually(t, "the inbound webhook", func() (bool, string) {
			evs := sink.events(t)
			return len(evs) == 1, "got " + itoa(len(evs))
		})
		ev := sink.events(t)[0]
		if ev.Type != gateway.EventInbound || ev.From != "447700900123" || ev.To != "447700900999" || ev.Text != "Hello there" ||
			ev.Encoding != "gsm7" || ev.Parts != 1 || ev.Partial || ev.ID == 0 || ev.ReceivedAt.IsZero() {
			t.Errorf("webhook event %+v", ev)
		}
		if sink.sigs[0] == "" {
			t.Error("inbound webhook not signed")
		}
		// Stored under the account, not the catch-all.
		got, _, err := g.st.ListInbound(testContext(t), cust.AccountID, store.InboundFilter{})
		if err != nil || len(got) != 1 || got[0].NumberID != n.ID || got[0].ID != ev.ID {
			t.Fatalf("ListInbound: %+v, %v", got, err)
		}
		if un, _, _ := g.st.ListInbound(testContext(t), 0, store.InboundFilter{}); len(un) != 0 {
			t.Errorf("catch-all holds %d MOs, want 0", len(un))
		}
		// No receiver bound: held, then delivered on bind.
		eventually(t, "the MO held", func() (bool, string) {
			v := g.metric(t, "gallant_gateway_mo_deliveries_total", "result", "smpp-held")
			return v == 1, ftoa(v)
		})
		e := g.bind(t, cust, smpp.Receiver)
		ds, err := e.WaitDelivers(testContext(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		dm := ds[0].DM
		if string(dm.Source.Addr) != "447700900123" || string(dm.Dest.Addr) != "447700900999" ||
			string(dm.ShortMessage) != "Hello there" || dm.IsReceipt() {
			t.Errorf("deliver_sm to the customer: %+v", dm)
		}
		// A second MO while bound goes straight to the bind.
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900999"), ShortMessage: []byte("again")})
		ds, err = e.WaitDelivers(testContext(t), 2)
		if err != nil || string(ds[1].DM.ShortMessage) != "again" {
			t.Fatalf("second MO over SMPP: %+v, %v", ds, err)
		}
	})
}

// TestE2EInboundUnknownToCatchAll: an MO to no known number is stored in
// the platform catch-all (account 0) and delivered nowhere.
func TestE2EInboundUnknownToCatchAll(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startInbound(t, driver, gateway.InboundConfig{}, nil)
		cust := g.customer(t, "acme")
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong, SMPP: true})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900111"), ShortMessage: []byte("who?")})
		un, _, err := g.st.ListInbound(testContext(t), 0, store.InboundFilter{})
		if err != nil || len(un) != 1 || string(un[0].Body) != "who?" || un[0].NumberID != 0 {
			t.Fatalf("catch-all: %+v, %v", un, err)
		}
		if mine, _, _ := g.st.ListInbound(testContext(t), cust.AccountID, store.InboundFilter{}); len(mine) != 0 {
			t.Errorf("account has %d MOs, want 0", len(mine))
		}
		if v := g.metric(t, "gallant_gateway_mo_unrouted_total"); v != 1 {
			t.Errorf("mo_unrouted_total %v, want 1", v)
		}
	})
}

// ucs2Parts splits text, UCS-2, into n parts with concatenation info
// added by how (udh8, udh16 or sar).
func ucs2Parts(t *testing.T, text string, n int, how string, ref uint16) []*pdu.DeliverSM {
	t.Helper()
	enc, err := pdutext.EncodeUCS2(nil, text)
	if err != nil {
		t.Fatal(err)
	}
	size := (len(enc)/n + 1) &^ 1
	var out []*pdu.DeliverSM
	for i := range n {
		chunk := enc[min(i*size, len(enc)):min((i+1)*size, len(enc))]
		if i == n-1 {
			chunk = enc[i*size:]
		}
		dm := &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900999"), DataCoding: 8}
		switch how {
		case "udh8", "udh16":
			dm.ESMClass = 0x40
			dm.ShortMessage = append(pdutext.AppendConcatUDH(nil, ref, byte(n), byte(i+1), how == "udh16"), chunk...)
		case "sar":
			dm.ShortMessage = chunk
			tl := pdu.AppendTLVUint16(nil, pdu.TagSarMsgRefNum, ref)
			tl = pdu.AppendTLVByte(tl, pdu.TagSarTotalSegments, byte(n))
			tl = pdu.AppendTLVByte(tl, pdu.TagSarSegmentSeqnum, byte(i+1))
			dm.TLVs = pdu.TLVs(tl)
		}
		out = append(out, dm)
	}
	return out
}

// sendParts sends parts at once, out of order (the last first), as
// carriers with a window do: each is answered once the whole is stored.
func sendParts(t *testing.T, c *carrier, parts []*pdu.DeliverSM) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(parts))
	for i := len(parts) - 1; i >= 0; i-- {
		wg.Go(func() {
			h, err := c.Deliver(testContext(t), "gallant", parts[i])
			if err == nil && h.Status != pdu.StatusOK {
				err = pdu.Status(h.Status)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("part %d: %v", i+1, err)
		}
	}
}

// TestE2EInboundLongUCS2: three-part UCS-2 MOs, with 8-bit and 16-bit
// UDH and with SAR TLVs, are each stored and delivered once, whole.
func TestE2EInboundLongUCS2(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startInbound(t, driver, gateway.InboundConfig{}, nil)
		cust := g.customer(t, "acme")
		sink := newHookSink(t)
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong, WebhookURL: sink.URL})
		text := "Привет! Это длинное сообщение из трёх частей, чтобы проверить сборку. Ещё немного текста здесь, " +
			"и ещё чуть-чуть, чтобы точно хватило на три сегмента UCS-2 по шестьдесят семь знаков."
		for i, how := range []string{"udh8", "udh16", "sar"} {
			sendParts(t, c, ucs2Parts(t, text, 3, how, uint16(40+i)))
		}
		eventually(t, "three inbound webhooks", func() (bool, string) {
			return len(sink.events(t)) == 3, itoa(len(sink.events(t)))
		})
		for _, ev := range sink.events(t) {
			if ev.Text != text || ev.Parts != 3 || ev.Partial || ev.Encoding != "ucs2" {
				t.Errorf("reassembled MO: %+v", ev)
			}
		}
		got, _, err := g.st.ListInbound(testContext(t), cust.AccountID, store.InboundFilter{})
		if err != nil || len(got) != 3 {
			t.Fatalf("stored %d MOs (%v), want 3", len(got), err)
		}
	})
}

// TestE2EInboundPartial: a long MO missing a part is delivered after the
// reassembly timeout as what arrived, flagged partial, and its parts are
// answered then.
func TestE2EInboundPartial(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startInbound(t, driver, gateway.InboundConfig{ReassemblyTimeout: 300 * time.Millisecond}, nil)
		cust := g.customer(t, "acme")
		sink := newHookSink(t)
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong, WebhookURL: sink.URL})
		parts := ucs2Parts(t, "один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать", 3, "udh8", 7)
		sendParts(t, c, []*pdu.DeliverSM{parts[0], parts[2]})
		eventually(t, "the partial MO", func() (bool, string) {
			return len(sink.events(t)) == 1, itoa(len(sink.events(t)))
		})
		ev := sink.events(t)[0]
		if !ev.Partial || ev.Parts != 3 || ev.Text == "" {
			t.Errorf("partial MO: %+v", ev)
		}
		if v := g.metric(t, "gallant_gateway_mo_partial_total"); v != 1 {
			t.Errorf("mo_partial_total %v, want 1", v)
		}
		got, _, _ := g.st.ListInbound(testContext(t), cust.AccountID, store.InboundFilter{})
		if len(got) != 1 || !got[0].Partial || got[0].Parts != 3 {
			t.Errorf("stored: %+v", got)
		}
	})
}

// TestE2EInboundPrefixAndKeyword: a range routes by its longest prefix;
// on a shared code the first word (any case, accents ignored) picks the
// account; a shared code's unknown keyword goes to the catch-all.
func TestE2EInboundPrefixAndKeyword(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startInbound(t, driver, gateway.InboundConfig{}, nil)
		a := g.customer(t, "a")
		b := g.customer(t, "b")
		addNumber(t, g, store.Number{AccountID: a.AccountID, Number: "4477009", Kind: store.NumberRange, SMPP: true})
		addNumber(t, g, store.Number{AccountID: b.AccountID, Number: "447700901", Kind: store.NumberRange, SMPP: true})
		addNumber(t, g, store.Number{AccountID: a.AccountID, Number: "60000", Kind: store.NumberKeyword, Keyword: "CAFE", SMPP: true})
		addNumber(t, g, store.Number{AccountID: b.AccountID, Number: "60000", Kind: store.NumberKeyword, Keyword: "PIZZA", SMPP: true})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700901234"), ShortMessage: []byte("to b")})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700905555"), ShortMessage: []byte("to a")})
		short := pdu.Address{TON: 3, Addr: []byte("60000")}
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: short, ShortMessage: []byte("pizza large please")})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: short, DataCoding: 3, ShortMessage: []byte("Caf\xe9 au lait")})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: short, ShortMessage: []byte("TAXI now")})
		texts := func(acct int64) []string {
			got, _, err := g.st.ListInbound(testContext(t), acct, store.InboundFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range got {
				out = append(out, string(m.Body)+"|"+m.Keyword)
			}
			return out
		}
		if got := texts(a.AccountID); len(got) != 2 || got[0] != "Caf\xe9 au lait|CAFE" || got[1] != "to a|" {
			t.Errorf("account a: %q", got)
		}
		if got := texts(b.AccountID); len(got) != 2 || got[0] != "pizza large please|PIZZA" || got[1] != "to b|" {
			t.Errorf("account b: %q", got)
		}
		if got := texts(0); len(got) != 1 || got[0] != "TAXI now|" {
			t.Errorf("catch-all: %q", got)
		}
	})
}

// TestE2EInboundKeywordReply: the keyword handler sees every routed MO
// once stored, and its Reply is sent from the MO's number to its sender
// through the normal submit path.
func TestE2EInboundKeywordReply(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		kw := &fakeKeywords{}
		c, g := startInbound(t, driver, gateway.InboundConfig{}, kw)
		cust := g.customer(t, "acme")
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("+447700900999"), ShortMessage: []byte("HELP")})
		sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900999"), ShortMessage: []byte("hi")})
		subs := waitSubmits(t, c, 1)
		sm := subs[0].SM
		if string(sm.Source.Addr) != "447700900999" || string(sm.Dest.Addr) != "447700900123" ||
			string(sm.ShortMessage) != "Acme: reply STOP to stop" {
			t.Errorf("auto-reply submit: from %s to %s text %q", sm.Source.Addr, sm.Dest.Addr, sm.ShortMessage)
		}
		eventually(t, "both MOs seen by the keyword rules", func() (bool, string) {
			return len(kw.seen()) == 2, itoa(len(kw.seen()))
		})
		in := kw.seen()[0]
		if in.Account != cust.AccountID || in.From != "447700900123" || in.To != "447700900999" || in.MOID == 0 || in.Shared {
			t.Errorf("keyword handler got %+v", in)
		}
		// The reply is a message of the account, billed and listed as any.
		ms, _, err := g.svc.Messages(testContext(t), cust.AccountID, store.Filter{})
		if err != nil || len(ms) != 1 {
			t.Fatalf("account messages: %+v, %v", ms, err)
		}
		if got := len(waitSubmits(t, c, 1)); got != 1 {
			t.Errorf("%d submits, want the one reply", got)
		}
	})
}

// TestE2EInboundFromSimulator: a three-part UCS-2 MO sent by the carrier
// simulator (smpptest.Simulator.SendMO, as smscsim --mo-text does) to a
// number delivered over SMPP is held while the account has no receiver
// bind and arrives whole, once, as one deliver_sm when it binds.
func TestE2EInboundFromSimulator(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		sim, addr := testutil.StartSimulator(t, smpptest.SimConfig{})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers: []gateway.CarrierConfig{carrierConfig("sim", addr)}}, routeAll("sim"))
		g.waitReady(t)
		cust := g.customer(t, "acme")
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong, SMPP: true})
		text := strings.Repeat("Ответ из симулятора. ", 8) // 168 UCS-2 units: three parts
		parts, err := smpptest.MOParts("447700900123", "447700900999", text, pdutext.Concat16, 0x1234)
		if err != nil || len(parts) != 3 || parts[0].DataCoding != 8 {
			t.Fatalf("MOParts: %d parts, %v", len(parts), err)
		}
		if err := sim.SendMO(testContext(t), "gallant", parts); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the MO held", func() (bool, string) {
			v := g.metric(t, "gallant_gateway_mo_deliveries_total", "result", "smpp-held")
			return v == 1, ftoa(v)
		})
		e := g.bind(t, cust, smpp.Transceiver)
		ds, err := e.WaitDelivers(testContext(t), 1)
		if err != nil {
			t.Fatal(err)
		}
		dm := ds[0].DM
		got, err := pdutext.DecodeUCS2(nil, dm.Payload())
		if err != nil || string(got) != text || dm.DataCoding != 8 || dm.ESMClass&0x40 != 0 {
			t.Errorf("deliver_sm: coding %d esm %#x text %q (%v)", dm.DataCoding, dm.ESMClass, got, err)
		}
		if len(e.Delivers()) != 1 {
			t.Errorf("%d deliver_sm, want 1", len(e.Delivers()))
		}
	})
}

// TestE2EInboundWriterFull: with a writer whose queue is nearly always
// full, a burst of MOs (short and long) from the carrier is never refused:
// each waits for room, is answered once stored, and every one is stored
// and delivered once.
func TestE2EInboundWriterFull(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{})
	d, err := webhook.New(webhook.Config{Workers: 2, Policy: webhook.AddressPolicy{AllowPrivate: true}}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(func() { _, _ = d.Stop(context.Background()) })
	g := startGatewayDeps(t, storetest.Config(t, "sqlite"),
		store.WriterConfig{MaxPending: 4, MaxRows: 2, MaxDelay: 20 * time.Millisecond},
		gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}, WriterHighWater: 2},
		routeAll("c1"), func(deps *gateway.Deps) { deps.Webhooks = d })
	g.waitReady(t)
	cust := g.customer(t, "acme")
	sink := newHookSink(t)
	addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: "447700900999", Kind: store.NumberLong, WebhookURL: sink.URL})
	const short = 30
	var wg sync.WaitGroup
	for i := range short {
		wg.Go(func() {
			sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber("447700900999"), ShortMessage: []byte("burst " + itoa(i))})
		})
	}
	for i := range 3 {
		wg.Go(func() { sendParts(t, c, ucs2Parts(t, strings.Repeat("длинное ", 25), 3, "udh8", uint16(200+i))) })
	}
	wg.Wait()
	got, _, err := g.st.ListInbound(testContext(t), cust.AccountID, store.InboundFilter{Limit: 100})
	if err != nil || len(got) != short+3 {
		t.Fatalf("stored %d MOs (%v), want %d", len(got), err, short+3)
	}
	eventually(t, "every MO posted", func() (bool, string) {
		return len(sink.events(t)) == short+3, itoa(len(sink.events(t)))
	})
	seen := map[string]bool{}
	for _, ev := range sink.events(t) {
		if seen[ev.ID.String()] {
			t.Errorf("MO %v posted twice", ev.ID)
		}
		seen[ev.ID.String()] = true
	}
}
