package webhook

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	body := []byte(`{"id":"8437613895811074","status":"delivered","to":"447700900123","from":"Gallant","client_ref":"order-17","segments":1,"segment":0,"error_code":"000","carrier":"acme","at":"2026-03-01T10:00:00.123Z","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`)
	now := time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Sign("whsec_test", now, body)
	}
}

func BenchmarkVerify(b *testing.B) {
	body := []byte(`{"id":"8437613895811074","status":"delivered","to":"447700900123","from":"Gallant","client_ref":"order-17","segments":1,"segment":0,"error_code":"000","carrier":"acme","at":"2026-03-01T10:00:00.123Z","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`)
	now := time.Now()
	h := Sign("whsec_test", now, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify("whsec_test", h, body, now, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

// countRecorder signals each finished delivery.
type countRecorder struct{ done chan struct{} }

func (c countRecorder) Attempt(a Attempt) {
	if a.Delivered || a.GaveUp {
		c.done <- struct{}{}
	}
}

// benchDeliver measures one delivery through d's whole path, keeping at
// most window deliveries outstanding.
func benchDeliver(b *testing.B, cfg Config, url string) {
	const window = 256
	rec := countRecorder{done: make(chan struct{}, window)}
	cfg.QueueSize, cfg.AccountQueueSize = window, window
	d, err := New(cfg, rec, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	d.Start()
	dl := testDelivery(url, 1)
	outstanding := 0
	b.ReportAllocs()
	for b.Loop() {
		if outstanding == window {
			<-rec.done
			outstanding--
		}
		if err := d.Enqueue(dl); err != nil {
			b.Fatal(err)
		}
		outstanding++
	}
	for ; outstanding > 0; outstanding-- {
		<-rec.done
	}
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if pending, err := d.Stop(ctx); err != nil || len(pending) != 0 {
		b.Fatalf("Stop = %d pending, %v", len(pending), err)
	}
}

// BenchmarkDeliverInMemory is the dispatcher's own cost per delivery:
// encode, queue, sign, post through an in-memory transport, record.
func BenchmarkDeliverInMemory(b *testing.B) {
	rt := roundTripper{http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })}
	benchDeliver(b, Config{Workers: 4, Transport: rt}, "https://hooks.example/x")
}

// BenchmarkDeliverLoopback posts to an httptest server on 127.0.0.1 with
// the default transport, keep-alive connections reused.
func BenchmarkDeliverLoopback(b *testing.B) {
	rc := newReceiver(b, always(http.StatusOK))
	benchDeliver(b, Config{Workers: 16, Policy: AddressPolicy{AllowPrivate: true}}, rc.URL)
	if n := len(rc.requests()); n == 0 {
		b.Fatal(errors.New("receiver got nothing"))
	}
}
