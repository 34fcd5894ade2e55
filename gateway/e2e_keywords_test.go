package gateway_test

import (
	"errors"
	"testing"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EStopStartHelp: MOs through the carrier to an account's number,
// with the platform's keyword rules. A keyword inside a sentence opts
// nobody out; STOP records the opt-out in the ledger (source keyword),
// sends the one confirmation, and refuses the account's next message to
// the number over the send path (422 recipient-opted-out) and SMPP
// (ESME_RINVDSTADR) without storing it; HELP then gets no answer; START
// reverses it, answers, and the same message goes through; HELP is then
// answered with the account's own text.
func TestE2EStopStartHelp(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{noReceipts: true})
		var ledger *consent.Ledger
		g := startGatewayDeps(t, storetest.Config(t, driver), store.WriterConfig{},
			gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
			func(d *gateway.Deps) {
				ledger = consent.NewLedger(d.Store, &consent.Index{}, consent.LedgerConfig{})
				d.Consent, d.OptOutLedger = ledger.Index(), ledger
				d.Keywords = consent.NewKeywords(ledger, d.Store, consent.StoreSettings{Store: d.Store})
			})
		g.waitReady(t)
		ctx := testContext(t)
		cust := g.customer(t, "Acme")
		const number, from = "447700900999", "447700900123" // the account's, the handset's
		addNumber(t, g, store.Number{AccountID: cust.AccountID, Number: number, Kind: store.NumberLong})
		if err := g.st.PutKeywordSettings(ctx, &store.KeywordSettings{AccountID: cust.AccountID, HelpReply: "Acme help: 0800 123"}); err != nil {
			t.Fatal(err)
		}
		mo := func(text string) {
			sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: longNumber(number), ShortMessage: []byte(text)})
		}
		// submitsTo returns the carrier's submits to the handset, as texts.
		submitsTo := func() []string {
			var out []string
			for _, s := range c.Submits() {
				if string(s.SM.Dest.Addr) == from {
					out = append(out, string(s.SM.ShortMessage))
				}
			}
			return out
		}
		waitTexts := func(what string, n int) []string {
			t.Helper()
			var got []string
			eventually(t, what, func() (bool, string) {
				got = submitsTo()
				return len(got) >= n, itoa(len(got))
			})
			return got
		}

		mo("please stop by later")
		mo("Stop.")
		eventually(t, "the STOP recorded", func() (bool, string) {
			_, ok := ledger.Index().Blocked(cust.AccountID, "Acme", from)
			return ok, "not yet"
		})
		hist, err := g.st.OptOutHistory(ctx, cust.AccountID, from, 10)
		if err != nil || len(hist) != 1 || hist[0].Source != "keyword" || hist[0].Keyword != "STOP" || hist[0].MOID == 0 {
			t.Fatalf("ledger after a sentence and a STOP: %+v, %v", hist, err)
		}
		if got := waitTexts("the STOP confirmation", 1); got[0] != consent.DefaultReplies.Stop {
			t.Fatalf("the carrier got %q, want the STOP confirmation", got)
		}

		_, err = g.svc.Send(ctx, cust.AccountID, 0, gateway.SendRequest{To: "+" + from, Text: "a promotion"})
		var r *gateway.Refusal
		if !errors.As(err, &r) || r.Problem != gateway.ProblemOptedOut || r.HTTP != 422 {
			t.Fatalf("send after STOP: %v, want 422 recipient-opted-out", err)
		}
		e := g.bind(t, cust, smpp.Transceiver)
		sm := textSM("a promotion over SMPP")
		if _, err := e.Submit(ctx, sm); statusOf(err) != pdu.StatusInvDstAdr {
			t.Fatalf("submit_sm after STOP: %v, want ESME_RINVDSTADR", err)
		}
		mo("HELP") // no answer to a number that opted out
		mo("START")
		got := waitTexts("the START answer", 2)
		if got[1] != consent.DefaultReplies.Start {
			t.Fatalf("after HELP and START the carrier got %q: a HELP answer reached an opted-out number", got)
		}
		if _, ok := ledger.Index().Blocked(cust.AccountID, "Acme", from); ok {
			t.Fatal("START did not lift the opt-out")
		}
		mo("help")
		if got := waitTexts("the HELP answer", 3); got[2] != "Acme help: 0800 123" {
			t.Fatalf("HELP answered %q, want the account's text", got[2])
		}
		submit(t, e, sm)
		if got := waitTexts("the message after START", 4); got[3] != "a promotion over SMPP" {
			t.Fatalf("after START the carrier got %q", got[3])
		}
		// Only the replies and the message after START were stored: the
		// refused sends cost nothing.
		ms, _, err := g.svc.Messages(ctx, cust.AccountID, store.Filter{})
		if err != nil || len(ms) != 4 {
			t.Fatalf("the account has %d messages (%v), want the 3 replies and the one after START", len(ms), err)
		}
	})
}

// TestE2EStopSharedCode: a bare STOP to a shared short code (no
// account's keyword) opts the sender out of every account on the code:
// neither may message it from the code afterwards, though each still may
// from its own sender.
func TestE2EStopSharedCode(t *testing.T) {
	t.Parallel()
	c := newCarrier(t, carrierOpts{noReceipts: true})
	var ledger *consent.Ledger
	g := startGatewayDeps(t, storetest.Config(t, "sqlite"), store.WriterConfig{},
		gateway.Config{Carriers: []gateway.CarrierConfig{carrierConfig("c1", c.Addr())}}, routeAll("c1"),
		func(d *gateway.Deps) {
			ledger = consent.NewLedger(d.Store, &consent.Index{}, consent.LedgerConfig{})
			d.Consent, d.OptOutLedger = ledger.Index(), ledger
			d.Keywords = consent.NewKeywords(ledger, d.Store, nil)
		})
	g.waitReady(t)
	ctx := testContext(t)
	const code, from = "60000", "447700900123"
	a, b := g.customer(t, "Cafe"), g.customer(t, "Pizza")
	addNumber(t, g, store.Number{AccountID: a.AccountID, Number: code, Kind: store.NumberKeyword, Keyword: "CAFE"})
	addNumber(t, g, store.Number{AccountID: b.AccountID, Number: code, Kind: store.NumberKeyword, Keyword: "PIZZA"})
	sendMO(t, c, &pdu.DeliverSM{Source: handset, Dest: pdu.Address{TON: 3, Addr: []byte(code)}, ShortMessage: []byte("STOP")})
	eventually(t, "the shared code's STOP recorded", func() (bool, string) {
		_, ok := ledger.Index().Blocked(a.AccountID, code, from)
		return ok, "not yet"
	})
	for _, cust := range []int64{a.AccountID, b.AccountID} {
		_, err := g.svc.Send(ctx, cust, 0, gateway.SendRequest{To: "+" + from, From: code, Text: "from the code"})
		var r *gateway.Refusal
		if !errors.As(err, &r) || r.Problem != gateway.ProblemOptedOut {
			t.Fatalf("account %d from the shared code after STOP: %v, want recipient-opted-out", cust, err)
		}
		if _, err := g.svc.Send(ctx, cust, 0, gateway.SendRequest{To: "+" + from, From: "Brand", Text: "from its own name"}); err != nil {
			t.Fatalf("account %d from its own sender: %v", cust, err)
		}
	}
}
