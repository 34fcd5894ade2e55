package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/webhook"
)

// A receiver checks each callback's signature before trusting its body.
func ExampleVerify() {
	secret := "whsec_example"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	body := []byte(`{"id":"42","status":"delivered"}`)
	for _, sig := range []string{
		webhook.Sign(secret, time.Now(), body),
		webhook.Sign("wrong secret", time.Now(), body),
		webhook.Sign(secret, time.Now().Add(-time.Hour), body),
	} {
		req := httptest.NewRequest(http.MethodPost, "/hooks/sms", bytes.NewReader(body))
		req.Header.Set(webhook.SignatureHeader, sig)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		fmt.Println(w.Code)
	}
	// Output:
	// 204
	// 401
	// 401
}

// attempts passes on the last attempt of each delivery.
type attempts struct {
	done chan webhook.Attempt
}

func (a *attempts) Attempt(at webhook.Attempt) {
	if at.Delivered || at.GaveUp {
		a.done <- at
	}
}

// The gateway posts a status change to the customer's URL.
func ExampleDispatcher() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	rec := &attempts{done: make(chan webhook.Attempt, 1)}
	// The receiver here is on loopback, which callbacks may reach only
	// when the policy allows private addresses (or lists the receiver in
	// AllowHosts).
	d, err := webhook.New(webhook.Config{Workers: 2, Policy: webhook.AddressPolicy{AllowPrivate: true}}, rec, nil, nil)
	if err != nil {
		panic(err)
	}
	d.Start()

	m := &sms.Message{ID: 42, Dest: sms.Address{Addr: "447700900123"}, Segments: 1}
	ev := webhook.NewEvent(m, sms.Event{MessageID: 42, Status: sms.StatusDelivered, At: time.Now()})
	err = d.Enqueue(webhook.Delivery{URL: srv.URL, Secret: "whsec_example", AccountID: 1, MessageID: 42, Event: ev})
	if err != nil {
		panic(err)
	}
	a := <-rec.done
	fmt.Println(a.N, a.StatusCode, a.Delivered)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pending, err := d.Stop(ctx)
	fmt.Println(len(pending), err)
	// Output:
	// 1 200 true
	// 0 <nil>
}
