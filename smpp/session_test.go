package smpp_test

import (
	"testing"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

func TestSubmitRoundTrip(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	addr := startServer(t, srv)
	s := dial(t, addr, smpp.Transceiver, smpp.SessionConfig{}, nil)
	h, body, err := s.Call(ctxT(t), pdu.SubmitSMID, []byte("x"))
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if h.ID != pdu.SubmitSMRespID || string(body) != "id1\x00" {
		t.Fatalf("got %v %q", h, body)
	}
}
