package api

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestDeadlinesShareSlots(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	d := newDeadlines(parent, 10*time.Second) // slots of 100ms
	t0 := time.Now().Truncate(100 * time.Millisecond)

	a := d.context(t0.Add(10 * time.Millisecond))
	b := d.context(t0.Add(90 * time.Millisecond))
	if a != b {
		t.Fatal("requests within one slot got different contexts")
	}
	dl, ok := a.Deadline()
	if !ok {
		t.Fatal("no deadline")
	}
	// At least the timeout after either start, at most timeout plus a slot.
	for _, start := range []time.Time{t0.Add(10 * time.Millisecond), t0.Add(90 * time.Millisecond)} {
		if got := dl.Sub(start); got < 10*time.Second || got > 10*time.Second+100*time.Millisecond {
			t.Fatalf("deadline %v after the start, want 10s..10.1s", got)
		}
	}
	c := d.context(t0.Add(100 * time.Millisecond))
	if c == a {
		t.Fatal("the next slot reused the previous context")
	}
	cancel()
	for _, ctx := range []context.Context{a, c} {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
			t.Fatal("cancelling the parent did not end the shared contexts")
		}
	}
}

func TestHandlerTimeout(t *testing.T) {
	ts := newTestServer(t, Config{HandlerTimeout: 50 * time.Millisecond})
	ts.msgs.gate = make(chan struct{}) // Send waits for its context
	ts.msgs.entered = make(chan struct{}, 1)
	a := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"x"}`))
	a.wantProblem(t, http.StatusServiceUnavailable, TypeBackpressure)
	if a.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
