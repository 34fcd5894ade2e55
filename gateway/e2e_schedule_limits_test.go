package gateway_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EScheduleValidityLimits: over HTTP (Service.Send) and SMPP
// (schedule_delivery_time, validity_period), a message scheduled up to
// MaxScheduleAhead ahead is accepted, valid DefaultValidity after its
// send time unless it says otherwise, and its valid_until is cut to
// MaxValidity after its send time; a send_at past the limit and a
// valid_until not after send_at are refused naming the field. Before
// validity ran from the send time, a message scheduled the longest
// validity (72 hours) ahead was always refused (naming valid_until), and
// any send_at more than 48 hours ahead without valid_until too.
func TestE2EScheduleValidityLimits(t *testing.T) {
	t.Parallel()
	_, g := startWithCarrier(t, storetest.SQLite, carrierOpts{})
	cust := g.customer(t, "Acme")
	e := g.bind(t, cust, smpp.Transceiver)
	ctx := testContext(t)
	now := time.Now().UTC().Truncate(time.Second)
	limit := now.Add(gateway.DefaultMaxScheduleAhead) // at most the gateway's own "now" ahead
	past := limit.Add(time.Minute)                    // past it, however slow the test runs
	tenDays := now.Add(240 * time.Hour)
	cases := []struct {
		name              string
		sendAt, validTill time.Time
		want              time.Time // valid_until stored; zero when refused
		field             string    // the HTTP member a refusal names
		status            pdu.Status
		smppField         string
	}{
		{"scheduled the longest validity ahead", now.Add(gateway.DefaultMaxValidity), time.Time{},
			now.Add(gateway.DefaultMaxValidity + gateway.DefaultValidity), "", 0, ""},
		{"scheduled in 10 days", tenDays, time.Time{}, tenDays.Add(gateway.DefaultValidity), "", 0, ""},
		{"scheduled at the limit", limit, time.Time{}, limit.Add(gateway.DefaultValidity), "", 0, ""},
		{"scheduled past the limit", past, time.Time{}, time.Time{}, "send_at", pdu.StatusInvSched, "schedule_delivery_time"},
		{"valid until the cap", tenDays, tenDays.Add(gateway.DefaultMaxValidity), tenDays.Add(gateway.DefaultMaxValidity), "", 0, ""},
		{"valid past the cap: cut", tenDays, tenDays.Add(gateway.DefaultMaxValidity + time.Minute), tenDays.Add(gateway.DefaultMaxValidity), "", 0, ""},
		{"valid until just after send_at", tenDays, tenDays.Add(time.Second), tenDays.Add(time.Second), "", 0, ""},
		{"valid until send_at", tenDays, tenDays, time.Time{}, "valid_until", pdu.StatusInvExpiry, "validity_period"},
	}
	stored := func(t *testing.T, id sms.ID, c string, want, sendAt time.Time) {
		t.Helper()
		m, _, err := g.st.GetMessage(ctx, cust.AccountID, id)
		if err != nil {
			t.Fatalf("%s: get message: %v", c, err)
		}
		if !m.ValidUntil.Equal(want) || !m.SendAt.Equal(sendAt) {
			t.Errorf("%s: stored send_at %s valid_until %s, want %s and %s", c, m.SendAt, m.ValidUntil, sendAt, want)
		}
	}
	for _, c := range cases {
		t.Run("http/"+c.name, func(t *testing.T) {
			res, err := g.svc.Send(ctx, cust.AccountID, 0, gateway.SendRequest{To: "+447700900123", Text: "later",
				SendAt: c.sendAt, ValidUntil: c.validTill})
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				stored(t, res.ID, "http", c.want, c.sendAt)
				return
			}
			var r *gateway.Refusal
			if !errors.As(err, &r) || r.Field != c.field || r.Problem != gateway.ProblemInvalidRequest || r.HTTP != 400 || r.Detail == "" {
				t.Fatalf("got %v (%+v), want invalid-request naming %s", err, r, c.field)
			}
		})
		t.Run("smpp/"+c.name, func(t *testing.T) {
			sm := textSM("later")
			sm.ScheduleDeliveryTime = pdutext.AppendAbsTime(nil, c.sendAt)
			sm.ValidityPeriod = pdutext.AppendAbsTime(nil, c.validTill)
			id, err := e.Submit(ctx, sm)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				mid, perr := sms.ParseID(id)
				if perr != nil {
					t.Fatal(perr)
				}
				stored(t, mid, "smpp", c.want, c.sendAt)
				return
			}
			if got := statusOf(err); got != c.status {
				t.Fatalf("%s: got %v, want %s (%s)", c.smppField, err, c.status.Name(), c.smppField)
			}
		})
	}
}
