package gateway_test

import (
	"fmt"
	"testing"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
)

// TestE2ESubmitMultiDistList: a submit_multi naming SMEs and the
// account's distribution list sends one message to each distinct number
// (a list member also named as an SME goes once), each receipted and
// charged on its own; a list the account does not have (unknown, or
// another account's) is refused in unsuccess_sme with ESME_RINVDLNAME
// while the others go. The ledger settles to one charge per number.
func TestE2ESubmitMultiDistList(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		ctx := testContext(t)
		c := newCarrier(t, carrierOpts{})
		g, bal := startBilledGateway(t, driver, carrierConfig("c1", c.Addr()))
		g.waitReady(t)
		cust, other := g.customer(t, "Payer"), g.customer(t, "Other")
		if err := g.st.CreateBillingAccount(ctx, &store.BillingAccount{AccountID: cust.AccountID, Currency: "EUR"}); err != nil {
			t.Fatal(err)
		}
		if err := bal.TopUp(ctx, cust.AccountID, 1_000_000, "test"); err != nil {
			t.Fatal(err)
		}
		num := func(i int) string { return fmt.Sprintf("4477009%05d", i) }
		if err := g.st.CreateDistList(ctx, &store.DistList{AccountID: cust.AccountID, Name: "team",
			Numbers: []string{num(1), num(2), num(0), num(3)}}); err != nil {
			t.Fatal(err)
		}
		if err := g.st.CreateDistList(ctx, &store.DistList{AccountID: other.AccountID, Name: "theirs",
			Numbers: []string{num(50)}}); err != nil {
			t.Fatal(err)
		}
		e := g.bind(t, cust, smpp.Transceiver)
		sme := func(i int) pdu.MultiDest {
			return pdu.MultiDest{Addr: pdu.Address{TON: 1, NPI: 1, Addr: []byte(num(i))}}
		}
		list := func(name string) pdu.MultiDest { return pdu.MultiDest{List: true, DLName: []byte(name)} }
		resp, err := e.SubmitMulti(ctx, &pdu.SubmitMulti{Source: alphaSender, RegisteredDelivery: 1, ShortMessage: []byte("to the team"),
			Dests: []pdu.MultiDest{sme(0), list("team"), list("nope"), list("theirs"), sme(4)}})
		if err != nil {
			t.Fatalf("submit_multi: %v", err)
		}
		if len(resp.Unsuccess) != 2 || string(resp.Unsuccess[0].Dest.Addr) != "nope" || resp.Unsuccess[0].Status != pdu.StatusInvDLName ||
			string(resp.Unsuccess[1].Dest.Addr) != "theirs" || resp.Unsuccess[1].Status != pdu.StatusInvDLName {
			t.Fatalf("unsuccess_sme %+v, want nope and theirs refused with %v", resp.Unsuccess, pdu.StatusInvDLName)
		}
		first := mustID(t, string(resp.MessageID))

		waitSubmits(t, c, 5)
		rs := byID(t, waitReceipts(t, e, 5))
		if _, ok := rs[first.String()]; !ok {
			t.Errorf("no receipt for the submit_multi's message_id %v", first)
		}
		got := map[string]int{}
		for _, s := range c.Submits() {
			if string(s.SM.ShortMessage) != "to the team" {
				t.Fatalf("carrier got %q", s.SM.ShortMessage)
			}
			got[string(s.SM.Dest.Addr)]++
		}
		for i := range 5 {
			if got[num(i)] != 1 {
				t.Errorf("%s sent %d times, want once (all: %v)", num(i), got[num(i)], got)
			}
		}
		if len(got) != 5 {
			t.Errorf("carrier got %d numbers, want 5: %v", len(got), got)
		}
		from := map[string]bool{}
		for _, r := range rs {
			from[string(r.dm.Source.Addr)] = true
		}
		if len(from) != 5 {
			t.Errorf("receipts from %d numbers, want 5", len(from))
		}
		if err := bal.Close(ctx); err != nil {
			t.Fatal(err)
		}
		acct, err := g.st.GetBillingAccount(ctx, cust.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if acct.Balance != 1_000_000-5*10_000 || acct.Held != 0 {
			t.Fatalf("balance %d held %d, want %d and 0", acct.Balance, acct.Held, 1_000_000-5*10_000)
		}
	})
}

// TestE2ESubmitMultiDistListCap: one submit_multi sends to at most
// gateway.MaxMultiDests numbers; the list members past it are refused in
// unsuccess_sme with ESME_RINVNUMDESTS, and the carrier gets the others
// once each.
func TestE2ESubmitMultiDistListCap(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c, g := startWithCarrier(t, "sqlite", carrierOpts{noReceipts: true})
	cust := g.customer(t, "Acme")
	members := make([]string, gateway.MaxDistListNumbers)
	for i := range members {
		members[i] = fmt.Sprintf("4477009%05d", i)
	}
	if err := g.st.CreateDistList(ctx, &store.DistList{AccountID: cust.AccountID, Name: "everyone", Numbers: members}); err != nil {
		t.Fatal(err)
	}
	e := g.bind(t, cust, smpp.Transmitter)
	dests := []pdu.MultiDest{
		{Addr: pdu.Address{TON: 1, NPI: 1, Addr: []byte("33612345001")}},
		{Addr: pdu.Address{TON: 1, NPI: 1, Addr: []byte("33612345002")}},
		{List: true, DLName: []byte("everyone")},
	}
	resp, err := e.SubmitMulti(ctx, &pdu.SubmitMulti{Source: alphaSender, ShortMessage: []byte("all"), Dests: dests})
	if err != nil {
		t.Fatalf("submit_multi: %v", err)
	}
	over := len(dests) - 1 + len(members) - gateway.MaxMultiDests
	if len(resp.Unsuccess) != over {
		t.Fatalf("unsuccess_sme has %d entries, want %d", len(resp.Unsuccess), over)
	}
	for i, u := range resp.Unsuccess {
		if want := members[len(members)-over+i]; string(u.Dest.Addr) != want || u.Status != pdu.StatusInvNumDests || u.Dest.TON != 1 {
			t.Errorf("unsuccess[%d] %q ton %d %v, want %s %v", i, u.Dest.Addr, u.Dest.TON, u.Status, want, pdu.StatusInvNumDests)
		}
	}
	waitSubmits(t, c, gateway.MaxMultiDests)
	got := map[string]int{}
	for _, s := range c.Submits() {
		got[string(s.SM.Dest.Addr)]++
	}
	if len(got) != gateway.MaxMultiDests || got["33612345001"] != 1 || got[members[0]] != 1 || got[members[len(members)-1]] != 0 {
		t.Fatalf("carrier got %d numbers (first SME %d, first member %d, last member %d), want %d once each",
			len(got), got["33612345001"], got[members[0]], got[members[len(members)-1]], gateway.MaxMultiDests)
	}
	for n, k := range got {
		if k != 1 {
			t.Fatalf("%s sent %d times", n, k)
		}
	}
}
