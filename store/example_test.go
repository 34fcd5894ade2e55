package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// A durable submit: the message is acknowledged once its batch commits.
func ExampleWriter() {
	dir, err := os.MkdirTemp("", "gallant-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := store.Open(ctx, store.Config{Driver: store.DriverSQLite, DSN: filepath.Join(dir, "gallant.db")}, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		panic(err)
	}
	w, err := store.NewWriter(s, store.WriterConfig{}, nil)
	if err != nil {
		panic(err)
	}

	msg := &sms.Message{
		ID: 1, AccountID: 7, Ingress: sms.IngressHTTP,
		Source:   sms.Address{TON: 5, Addr: "Gallant"},
		Dest:     sms.Address{TON: 1, NPI: 1, Addr: "447700900123"},
		Body:     []byte("hello"),
		Segments: 1, CreatedAt: time.Now(),
	}
	committed := make(chan error, 1)
	if err := w.Add(msg, store.CommitterFunc(func(err error) { committed <- err })); err != nil {
		panic(err) // ErrBacklog: answer the client with backpressure
	}
	fmt.Println("committed:", <-committed)

	if err := w.Close(ctx); err != nil {
		panic(err)
	}
	got, _, err := s.GetMessage(ctx, 7, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Dest.Addr, got.Status)
	// Output:
	// committed: <nil>
	// 447700900123 accepted
}
