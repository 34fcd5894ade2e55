package gateway_test

import (
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2ERecheckEndsBindsOfChangedPassword: an SMPP
// credential's password changed by another instance, which only shares
// the store, ends the binds made with the old password here within
// BindRecheck; a change of another setting, and other credentials'
// binds, do not.
func TestE2ERecheckEndsBindsOfChangedPassword(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c := newCarrier(t, carrierOpts{})
		g := startGateway(t, storetest.Config(t, driver), gateway.Config{
			Carriers:    []gateway.CarrierConfig{carrierConfig("c1", c.Addr())},
			BindRecheck: 50 * time.Millisecond,
		}, routeAll("c1"))
		g.waitReady(t)
		ctx := testContext(t)
		changed, kept := g.customer(t, "Changed"), g.customer(t, "Kept")
		ec := g.bind(t, changed, smpp.Transceiver)
		ek := g.bind(t, kept, smpp.Transceiver)

		// Another instance: its own account service over the same store.
		other := account.New(g.st, nil)
		other.SetPasswordCost(bcrypt.MinCost)
		admin := account.Actor{AccountID: 1 << 40, Role: account.RoleAdmin}
		creds, err := other.ListSMPPCredentials(ctx, admin, changed.AccountID)
		if err != nil || len(creds) != 1 {
			t.Fatalf("credentials %+v, %v", creds, err)
		}
		tps := 7
		if _, _, err := other.UpdateSMPPCredential(ctx, admin, changed.AccountID, creds[0].ID,
			account.CredentialChange{TPSLimit: &tps}, ""); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ec.Session().Done():
			t.Fatal("a tps change ended the bind")
		case <-time.After(300 * time.Millisecond): // several rechecks
		}
		_, pw, err := other.UpdateSMPPCredential(ctx, admin, changed.AccountID, creds[0].ID,
			account.CredentialChange{GeneratePassword: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-ec.Session().Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the bind made with the old password is still open")
		}
		select {
		case <-ek.Session().Done():
			t.Fatal("another credential's bind ended")
		case <-time.After(200 * time.Millisecond):
		}
		// The new password binds, and stays bound.
		changed.SMPPPassword = pw
		en := g.bind(t, changed, smpp.Transceiver)
		select {
		case <-en.Session().Done():
			t.Fatal("the bind with the new password ended")
		case <-time.After(300 * time.Millisecond):
		}
		if n := g.metric(t, "gallant_gateway_customer_binds_ended_total"); n != 1 {
			t.Errorf("binds ended metric %v, want 1", n)
		}
	})
}
