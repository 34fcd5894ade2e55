package gateway_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// badSubmit is a submit_sm body the gateway must refuse with want.
type badSubmit struct {
	name string
	body func() []byte
	want pdu.Status
}

func withSM(f func(sm *pdu.SubmitSM)) func() []byte {
	return func() []byte {
		sm := textSM("hello")
		f(sm)
		return sm.AppendBody(nil)
	}
}

func badSubmits() []badSubmit {
	payload := func(b []byte) pdu.TLVs { return pdu.TLVs(pdu.AppendTLV(nil, pdu.TagMessagePayload, b)) }
	return []badSubmit{
		{"truncated body", func() []byte { return textSM("hello").AppendBody(nil)[:9] }, pdu.StatusInvCmdLen},
		{"empty body", func() []byte { return nil }, pdu.StatusInvCmdLen},
		{"corrupt TLV", func() []byte { return append(textSM("hello").AppendBody(nil), 0x04, 0x24, 0x00) }, pdu.StatusInvOptParStream},
		{"letters in destination", withSM(func(sm *pdu.SubmitSM) { sm.Dest.Addr = []byte("44770090012x") }), pdu.StatusInvDstAdr},
		{"destination too short", withSM(func(sm *pdu.SubmitSM) { sm.Dest.Addr = []byte("4477") }), pdu.StatusInvDstAdr},
		{"destination too long", withSM(func(sm *pdu.SubmitSM) { sm.Dest.Addr = []byte("4477009001234567") }), pdu.StatusInvDstAdr},
		{"empty destination", withSM(func(sm *pdu.SubmitSM) { sm.Dest.Addr = nil }), pdu.StatusInvDstAdr},
		{"national destination TON", withSM(func(sm *pdu.SubmitSM) { sm.Dest.TON = 2 }), pdu.StatusInvDstTON},
		{"destination NPI 9", withSM(func(sm *pdu.SubmitSM) { sm.Dest.NPI = 9 }), pdu.StatusInvDstNPI},
		{"source TON 6", withSM(func(sm *pdu.SubmitSM) { sm.Source.TON = 6 }), pdu.StatusInvSrcTON},
		{"alphanumeric sender too long", withSM(func(sm *pdu.SubmitSM) { sm.Source.Addr = []byte("ABCDEFGHIJKL") }), pdu.StatusInvSrcAdr},
		{"empty message", withSM(func(sm *pdu.SubmitSM) { sm.ShortMessage = nil }), pdu.StatusInvMsgLen},
		{"eleven segments", withSM(func(sm *pdu.SubmitSM) {
			sm.ShortMessage, sm.TLVs = nil, payload([]byte(strings.Repeat("x", 153*10+1)))
		}), pdu.StatusInvMsgLen},
		{"short_message and message_payload", withSM(func(sm *pdu.SubmitSM) { sm.TLVs = payload([]byte("also")) }), pdu.StatusInvMsgLen},
		{"GSM octet above 0x7F", withSM(func(sm *pdu.SubmitSM) { sm.ShortMessage = []byte{'h', 0x80, 'i'} }), pdu.StatusInvMsgLen},
		{"odd UCS-2", withSM(func(sm *pdu.SubmitSM) { sm.DataCoding, sm.ShortMessage = 8, []byte{0, 'h', 0} }), pdu.StatusInvMsgLen},
		{"unsupported data_coding", withSM(func(sm *pdu.SubmitSM) { sm.DataCoding = 0x0C }), pdu.StatusInvDCS},
		{"UDHI with a broken header", withSM(func(sm *pdu.SubmitSM) { sm.ESMClass, sm.ShortMessage = 0x40, []byte{0x09, 0x00, 'x'} }), pdu.StatusInvEsmClass},
		{"UDH segment over 140 octets", withSM(func(sm *pdu.SubmitSM) {
			sm.ESMClass = 0x40
			sm.ShortMessage = append([]byte{0x05, 0x00, 0x03, 1, 2, 1}, strings.Repeat("y", 154)...)
		}), pdu.StatusInvMsgLen},
		{"incomplete SAR", withSM(func(sm *pdu.SubmitSM) { sm.TLVs = pdu.TLVs(pdu.AppendTLVUint16(nil, pdu.TagSarMsgRefNum, 7)) }), pdu.StatusInvOptParamVal},
		{"malformed schedule", withSM(func(sm *pdu.SubmitSM) { sm.ScheduleDeliveryTime = []byte("2601011200000+9X") }), pdu.StatusInvSched},
		{"schedule beyond the longest time ahead", withSM(func(sm *pdu.SubmitSM) { sm.ScheduleDeliveryTime = relTime(gateway.DefaultMaxScheduleAhead + time.Hour) }), pdu.StatusInvSched},
		{"malformed validity", withSM(func(sm *pdu.SubmitSM) { sm.ValidityPeriod = []byte("99999999999999ZR") }), pdu.StatusInvExpiry},
		{"validity already over", withSM(func(sm *pdu.SubmitSM) {
			sm.ValidityPeriod = pdutext.AppendAbsTime(nil, time.Now().Add(-time.Hour))
		}), pdu.StatusInvExpiry},
		{"validity before the schedule", withSM(func(sm *pdu.SubmitSM) {
			sm.ScheduleDeliveryTime, sm.ValidityPeriod = relTime(time.Hour), relTime(time.Minute)
		}), pdu.StatusInvExpiry},
	}
}

// TestE2EBadSubmits: malformed or invalid submit_sm get the right
// command_status and the session stays up and usable.
func TestE2EBadSubmits(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		c, g := startWithCarrier(t, driver, carrierOpts{})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		sess := e.Session()
		ctx := testContext(t)
		for _, bc := range badSubmits() {
			_, _, err := sess.Call(ctx, pdu.SubmitSMID, bc.body())
			if got := statusOf(err); got != bc.want {
				t.Errorf("%s: %v, want %v", bc.name, err, bc.want)
			}
		}
		others := []struct {
			name string
			id   pdu.CommandID
			body []byte
			want pdu.Status
		}{
			{"query_sm of a malformed id", pdu.QuerySMID, (&pdu.QuerySM{MessageID: []byte("abc")}).AppendBody(nil), pdu.StatusInvMsgID},
			{"query_sm of an unknown id", pdu.QuerySMID, (&pdu.QuerySM{MessageID: []byte("12345")}).AppendBody(nil), pdu.StatusInvMsgID},
			{"truncated query_sm", pdu.QuerySMID, []byte("12"), pdu.StatusInvCmdLen},
			{"cancel_sm of a malformed id", pdu.CancelSMID, (&pdu.CancelSM{MessageID: []byte("abc")}).AppendBody(nil), pdu.StatusInvMsgID},
			{"cancel_sm of an unknown id", pdu.CancelSMID, (&pdu.CancelSM{MessageID: []byte("12345")}).AppendBody(nil), pdu.StatusCancelFail},
			{"replace_sm", pdu.ReplaceSMID, (&pdu.ReplaceSM{MessageID: []byte("12345")}).AppendBody(nil), pdu.StatusReplaceFail},
			{"truncated data_sm", pdu.DataSMID, []byte{0}, pdu.StatusInvCmdLen},
			{"submit_multi without destinations", pdu.SubmitMultiID, (&pdu.SubmitMulti{Source: alphaSender, ShortMessage: []byte("x")}).AppendBody(nil), pdu.StatusInvNumDests},
			{"submit_multi with a bad dest_flag", pdu.SubmitMultiID, []byte{0, 5, 0, 'A', 0, 1, 3, 1, 1, '1', 0}, pdu.StatusInvDestFlag},
		}
		for _, o := range others {
			_, _, err := sess.Call(ctx, o.id, o.body)
			if got := statusOf(err); got != o.want {
				t.Errorf("%s: %v, want %v", o.name, err, o.want)
			}
		}
		if n := len(c.Submits()); n != 0 {
			t.Errorf("carrier got %d submit_sm from refused requests", n)
		}
		// The session survived all of it.
		if !sess.State().Bound() {
			t.Fatalf("session state %v after bad input", sess.State())
		}
		if _, _, err := sess.Call(ctx, pdu.EnquireLink, nil); err != nil {
			t.Fatalf("enquire_link after bad input: %v", err)
		}
		id := submit(t, e, textSM("still here"))
		if r := waitReceipts(t, e, 1)[0]; r.id != id || r.state != pdutext.StateDelivered {
			t.Fatalf("receipt %+v", r)
		}
	})
}

// TestE2EGarbageSubmits feeds random and mutated submit_sm bodies: each
// gets an answer, nothing panics, and the session stays bound.
func TestE2EGarbageSubmits(t *testing.T) {
	t.Parallel()
	eachDriver(t, func(t *testing.T, driver string) {
		_, g := startWithCarrier(t, driver, carrierOpts{noReceipts: true})
		e := g.bind(t, g.customer(t, "Acme"), smpp.Transceiver)
		sess := e.Session()
		ctx := testContext(t)
		rng := rand.New(rand.NewPCG(1, 2))
		valid := textSM("mutate me").AppendBody(nil)
		ok := 0
		for i := range 300 {
			var body []byte
			if i%2 == 0 {
				body = make([]byte, rng.IntN(120))
				for j := range body {
					body[j] = byte(rng.IntN(256))
				}
			} else {
				body = append([]byte(nil), valid...)
				for range 1 + rng.IntN(4) {
					body[rng.IntN(len(body))] = byte(rng.IntN(256))
				}
			}
			_, _, err := sess.Call(ctx, pdu.SubmitSMID, body)
			if err == nil {
				ok++
				continue
			}
			if _, isStatus := err.(pdu.Status); !isStatus {
				t.Fatalf("body %d (% x): %v", i, body, err)
			}
		}
		if !sess.State().Bound() {
			t.Fatalf("session state %v after garbage", sess.State())
		}
		if _, _, err := sess.Call(ctx, pdu.EnquireLink, nil); err != nil {
			t.Fatalf("enquire_link after garbage: %v", err)
		}
		t.Logf("%d of 300 garbage bodies were valid messages", ok)
	})
}
