package gateway_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
)

// TestE2EReplaceQueued: behind a carrier that takes 2 segments a second,
// messages wait in the router's queue; replace_sm of one of them (to a
// text of two segments) is accepted, the carrier gets the new text once
// and never the old one, in its place among the others, the receipt
// names the same id, and the account is charged once, at the new price.
// A message already sent is ESME_RREPLACEFAIL.
func TestE2EReplaceQueued(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, carrierOpts{})
		slow := carrierConfig("c1", c.Addr())
		slow.TPS = 2
		g, bal := startBilledGateway(t, driver, slow)
		g.waitReady(t)
		cust := g.customer(t, "Payer")
		if err := g.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: cust.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := bal.TopUp(ctx, cust.AccountID, 1_000_000, "test"); err != nil {
			t.Fatal(err)
		}
		e := g.bind(t, cust, smpp.Transceiver)

		var ids []string
		for i := range 7 {
			ids = append(ids, submit(t, e, textSM(fmt.Sprintf("old %d", i))))
		}
		long := gsmText(200) // two segments where there was one
		if st := replaceSM(t, e, ids[5], long, nil); st != pdu.StatusOK {
			t.Fatalf("replace_sm of a queued message: %v", st)
		}
		if st := replaceSM(t, e, ids[5], long, relTime(time.Hour)); st != pdu.StatusReplaceFail {
			t.Errorf("replace_sm postponing a queued message: %v, want %v", st, pdu.StatusReplaceFail)
		}

		subs := waitSubmits(t, c, 8)
		var text []byte
		seen := map[string]int{}
		for i, s := range subs {
			msg := s.SM.ShortMessage
			if string(msg) == "old 5" {
				t.Fatalf("carrier got the replaced text (submit %d)", i)
			}
			if bytes.HasPrefix(msg, []byte("old ")) {
				seen[string(msg)]++
				continue
			}
			if i < 5 || i > 6 {
				t.Errorf("a segment of the replacement was submit %d, want 5 or 6 (its place in the queue)", i)
			}
			text = append(text, msg[6:]...) // after the concatenation header
		}
		if string(text) != long {
			t.Errorf("carrier got the replacement as %q, want %q", text, long)
		}
		for i := range 7 {
			if want := 1 - b2i(i == 5); seen[fmt.Sprintf("old %d", i)] != want {
				t.Errorf("old %d sent %d times, want %d", i, seen[fmt.Sprintf("old %d", i)], want)
			}
		}
		rs := byID(t, waitReceipts(t, e, 7))
		if _, ok := rs[ids[5]]; !ok {
			t.Errorf("no receipt for the replaced message %s", ids[5])
		}
		m, _, err := g.svc.Message(ctx, cust.AccountID, mustID(t, ids[5]))
		if err != nil || m.Segments != 2 || m.Price != 20_000 || string(m.Body) != long {
			t.Fatalf("replaced message: %+v %v, want 2 segments at 20000", m, err)
		}
		if st := replaceSM(t, e, ids[5], "too late", nil); st != pdu.StatusReplaceFail {
			t.Errorf("replace_sm of a sent message: %v, want %v", st, pdu.StatusReplaceFail)
		}
		if n := len(c.Submits()); n != 8 {
			t.Errorf("carrier got %d submits, want 8", n)
		}
		if err := bal.Close(ctx); err != nil {
			t.Fatal(err)
		}
		acct, err := g.st.GetBillingAccount(ctx, cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(1_000_000 - 6*10_000 - 20_000); acct.Balance != want || acct.Held != 0 {
			t.Fatalf("balance %d held %d, want %d and 0", acct.Balance, acct.Held, want)
		}
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
