package store

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// benchMessage is a typical accepted message: a 1-segment GSM text with a
// receipt requested, from an alphanumeric sender.
func benchMessage() sms.Message {
	return sms.Message{
		AccountID:          42,
		Ingress:            sms.IngressSMPP,
		SystemID:           "esme0001",
		ClientRef:          "ref-0001234567",
		Source:             sms.Address{TON: 5, NPI: 0, Addr: "Gallant"},
		Dest:               sms.Address{TON: 1, NPI: 1, Addr: "447700900123"},
		RegisteredDelivery: 1,
		Body:               []byte("Your verification code is 123456. It expires in 10 minutes."),
		Segments:           1,
		CreatedAt:          time.Date(2026, 11, 27, 10, 0, 0, 123456000, time.UTC),
		Status:             sms.StatusAccepted,
	}
}

// benchInFlight bounds the rows a benchmark producer has added but not
// seen done, below the default MaxPending, the way durable-mode sessions
// wait for their acknowledgements: the producer parks instead of spinning
// on ErrBacklog and stealing the CPU the writer needs.
const benchInFlight = 40000

// benchRing is larger than benchInFlight, so a message slot is reused only
// after the Writer is done with the row that last used it.
const benchRing = 1 << 16

// benchmarkWriter adds messages to a Writer as fast as it takes them.
// rows/s counts from the first Add to the last commit.
func benchmarkWriter(b *testing.B, driver string) {
	s := newTestStore(b, driver)
	ctx := testCtx(b)
	w, err := NewWriter(s, WriterConfig{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]sms.Message, benchRing)
	for i := range msgs {
		msgs[i] = benchMessage()
	}
	var failed atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, benchInFlight)
	done := CommitterFunc(func(err error) {
		<-sem
		if err != nil && failed.Add(1) == 1 {
			firstErr.Store(err)
		}
	})
	var n uint64
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		n++
		m := &msgs[n%benchRing]
		m.ID = sms.ID(n)
		sem <- struct{}{}
		if err := w.Add(m, done); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d rows failed, first: %v", f, firstErr.Load())
	}
}

func BenchmarkWriterSQLite(b *testing.B) { benchmarkWriter(b, DriverSQLite) }

func BenchmarkWriterMySQL(b *testing.B) { benchmarkWriter(b, DriverMySQL) }

// BenchmarkBuildMessages measures the statement builder alone: one
// 1,000-row INSERT of typical messages per op, with bodies in clear and
// sealed (AES-256-GCM, seal.go).
func BenchmarkBuildMessages(b *testing.B) {
	sealed, err := ParseKeyring("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []dialect{dialectMySQL, dialectSQLite} {
		for _, keys := range []*Keyring{nil, sealed} {
			name := DriverMySQL
			if d == dialectSQLite {
				name = DriverSQLite
			}
			if keys != nil {
				name += "/sealed"
			} else {
				name += "/clear"
			}
			b.Run(name, func(b *testing.B) {
				const rows = 1000
				msgs := make([]sms.Message, rows)
				entries := make([]entry, rows)
				for i := range msgs {
					msgs[i] = benchMessage()
					msgs[i].ID = sms.ID(i + 1)
					entries[i] = entry{row: &msgs[i], table: messagesTable}
				}
				bl := newBuilder(d, defaultMaxStatementBytes, keys)
				now := time.Now()
				bl.build(entries, now, false)
				b.SetBytes(int64(len(bl.v.buf)))
				b.ReportAllocs()
				for b.Loop() {
					bl.build(entries, now, false)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			})
		}
	}
}
