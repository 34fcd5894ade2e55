package smpp_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/smpptest"
)

// Bind to an SMSC (here the fake one from smpptest) and submit a message.
func ExampleDial() {
	smsc, err := smpptest.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer smsc.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := smpp.Dial(ctx, smpp.ClientConfig{
		Addr: smsc.Addr(), BindType: smpp.Transmitter, SystemID: "acme", Password: "secret",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	sm := pdu.SubmitSM{
		Source:       pdu.Address{TON: 5, Addr: []byte("MyBrand")},
		Dest:         pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		ShortMessage: []byte("Hello"),
	}
	_, body, err := s.Call(ctx, pdu.SubmitSMID, sm.AppendBody(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	var resp pdu.SubmitSMResp
	if err := resp.Decode(body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.State(), "message id", string(resp.MessageID))
	fmt.Println(s.Unbind(ctx), s.CloseReason())
	// Output:
	// bound_tx message id 1
	// <nil> unbind
}

// A server that accepts binds with a password table and answers
// submit_sm after handing them to other goroutines.
func ExampleServer() {
	accounts := map[string]string{"acme": "secret"}
	srv := &smpp.Server{
		Addr:     "127.0.0.1:0",
		SystemID: "GALLANT",
		Authenticator: smpp.AuthenticatorFunc(func(_ context.Context, req smpp.BindRequest) (any, pdu.Status) {
			if pw, ok := accounts[req.SystemID]; !ok || pw != req.Password {
				return nil, pdu.StatusBindFail
			}
			return req.SystemID, pdu.StatusOK // becomes Session.Value
		}),
		Handler: smpp.HandlerFunc(func(s *smpp.Session, h pdu.Header, body []byte) {
			var sm pdu.SubmitSM
			if h.ID != pdu.SubmitSMID {
				_ = s.Respond(h, pdu.StatusInvCmdID, nil)
				return
			}
			if err := sm.Decode(body); err != nil {
				_ = s.Respond(h, pdu.StatusOf(err), nil) // body errors go in the *_resp
				return
			}
			// body is only valid now: copy what is kept, answer later.
			_ = s.Respond(h, pdu.StatusOK, []byte("msg-1\x00"))
		}),
	}
	_ = srv // srv.ListenAndServe() serves until srv.Shutdown(ctx).
}
