package gateway_test

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ERecheckEndsBinds: a change made in the store by another
// instance (an account suspended, a credential deleted) ends the open
// binds it no longer allows within BindRecheck, while the binds of other
// accounts stay up.
func TestE2ERecheckEndsBinds(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers:    []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
			BindRecheck: 50 * time.Millisecond,
		}, routeAll("c1"))
		g.waitReady(t)
		ctx := testContext(t)
		suspended, deleted, kept := g.customer(t, "Suspended"), g.customer(t, "Deleted"), g.customer(t, "Kept")
		es := g.bind(t, suspended, smpp.Transceiver)
		ed := g.bind(t, deleted, smpp.Transmitter)
		ek := g.bind(t, kept, smpp.Transceiver)
		ended := func(name string, e interface{ Session() *smpp.Session }) {
			t.Helper()
			select {
			case <-e.Session().Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("the %s account's bind is still open", name)
			}
		}
		// One change at a time, each waited for: the recheck pass that
		// ends the deleted credential's bind starts after the one that
		// ended the suspended account's, and each pass looks at every
		// open bind and counts an ending before it starts unbinding. So
		// the count after the second end says whether any pass until then
		// ended an allowed bind, with no fixed wait for "nothing".
		if err := g.st.SetAccountStatus(ctx, suspended.AccountID, store.AccountSuspended); err != nil {
			t.Fatal(err)
		}
		ended("suspended", es)
		creds, err := g.st.ListSMPPCredentials(ctx, deleted.AccountID)
		if err != nil || len(creds) != 1 {
			t.Fatalf("credentials %v, %v", creds, err)
		}
		if _, err := g.st.DeleteSMPPCredential(ctx, deleted.AccountID, creds[0].ID); err != nil {
			t.Fatal(err)
		}
		ended("deleted", ed)
		if n := g.metric(t, "gallant_gateway_customer_binds_ended_total"); n != 2 {
			t.Errorf("binds ended metric %v, want 2", n)
		}
		select {
		case <-ek.Session().Done():
			t.Fatal("another account's bind ended")
		default:
		}
	})
}
