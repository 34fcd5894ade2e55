package main

import (
	"errors"
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestE2EDistListOverHTTPThenSMPP: a list created with
// POST /v1/distribution-lists is what a submit_multi naming it sends to,
// through the wired gateway; after DELETE the name is ESME_RINVDLNAME.
func TestE2EDistListOverHTTPThenSMPP(t *testing.T) {
	carrier := newCarrier(t, nil)
	a := startApp(t, testConfig(t, storetest.SQLite, carrier.Addr()))
	c := a.customer(t, "Lister", noOwnSecret)
	if r := a.do(t, "POST", "/v1/distribution-lists", c.APIKey, `{"name":"crew","numbers":["+447700900101","447700900102"]}`); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	e := bindESME(t, a.smppAddr.String(), c, smpp.Transmitter)
	sm := &pdu.SubmitMulti{Source: pdu.Address{TON: 5, Addr: []byte("Gallant")}, ShortMessage: []byte("crew call"),
		Dests: []pdu.MultiDest{{List: true, DLName: []byte("crew")}}}
	resp, err := e.SubmitMulti(testContext(t), sm)
	if err != nil || len(resp.Unsuccess) != 0 || len(resp.MessageID) == 0 {
		t.Fatalf("submit_multi: %+v %v", resp, err)
	}
	subs, err := carrier.WaitSubmits(testContext(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range subs {
		got[string(s.SM.Dest.Addr)] = true
	}
	if !got["447700900101"] || !got["447700900102"] {
		t.Fatalf("carrier got %v, want the list's two numbers", got)
	}
	if r := a.do(t, "DELETE", "/v1/distribution-lists/crew", c.APIKey, ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	resp, err = e.SubmitMulti(testContext(t), sm)
	if st := pdu.Status(0); !errors.As(err, &st) || st != pdu.StatusInvDLName || len(resp.Unsuccess) != 1 {
		t.Fatalf("submit_multi after delete: %+v %v, want %v", resp, err, pdu.StatusInvDLName)
	}
}
