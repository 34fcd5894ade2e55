package store

import (
	"encoding/hex"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// BenchmarkWriterMix writes the rows of a message the way the gateway
// does with receipts a second late (make bench's strict carrier): per op,
// the message row, the "submitted" event of a message accepted shortly
// before, and the final event of one accepted ~receiptLag ops before, so
// nothing folds. cpu-µs/msg is this process's user+system time (the
// writer, and for SQLite the database); for MySQL, db-cpu-µs/msg adds the
// server's when GALLANT_BENCH_DB_PID names it. GALLANT_BENCH_SEQ_IDS=1
// gives carrier ids in sequence (as smscsim does) instead of random hex;
// GALLANT_BENCH_SQL runs statements (';'-separated) after migrating, to
// try a schema change.
//
//	go test -run '^$' -bench 'WriterMix' -benchtime 200000x ./store/
func BenchmarkWriterMixSQLite(b *testing.B) { benchmarkWriterMix(b, DriverSQLite) }

func BenchmarkWriterMixMySQL(b *testing.B) { benchmarkWriterMix(b, DriverMySQL) }

const (
	ackLag     = 400
	receiptLag = 30000
	mixRing    = 1 << 16
)

func benchmarkWriterMix(b *testing.B, driver string) {
	s := newTestStore(b, driver)
	ctx := testCtx(b)
	if q := os.Getenv("GALLANT_BENCH_SQL"); q != "" {
		for _, stmt := range strings.Split(q, ";") {
			if _, err := s.w.ExecContext(ctx, stmt); err != nil {
				b.Fatal(err)
			}
		}
	}
	w, err := NewWriter(s, WriterConfig{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]sms.Message, mixRing)
	subs := make([]Event, mixRing)
	fins := make([]Event, mixRing)
	ids := make([]string, mixRing)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range msgs {
		msgs[i] = benchMessage()
		var raw [8]byte
		for j := range raw {
			raw[j] = byte(rnd.Uint32())
		}
		ids[i] = hex.EncodeToString(raw[:])
	}
	// As the gateway does, the final event leaves the carrier id to the
	// submission; GALLANT_BENCH_FINAL_CARRIER_ID=1 stores it twice, as
	// before 2026-12-07 (session 2).
	finalID := os.Getenv("GALLANT_BENCH_FINAL_CARRIER_ID") != ""
	var failed atomic.Int64
	sem := make(chan struct{}, benchInFlight)
	done := CommitterFunc(func(err error) {
		<-sem
		if err != nil {
			failed.Add(1)
		}
	})
	add := func(r Row) {
		sem <- struct{}{}
		if err := w.Add(r, done); err != nil {
			b.Fatal(err)
		}
	}
	dbPID := os.Getenv("GALLANT_BENCH_DB_PID")
	dbStart := procCPU(b, dbPID)
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	now := time.Now().UTC()
	var n uint64
	for b.Loop() {
		n++
		m := &msgs[n%mixRing]
		m.ID = sms.ID(n)
		add(m)
		if n > ackLag {
			k := n - ackLag
			e := &subs[k%mixRing]
			*e = Event{AccountID: 42, Event: sms.Event{MessageID: sms.ID(k), Status: sms.StatusSubmitted, At: now,
				Segment: 1, Carrier: "smsc1", CarrierMsgID: ids[k%mixRing]}}
			add(e)
		}
		if n > receiptLag {
			k := n - receiptLag
			e := &fins[k%mixRing]
			*e = Event{AccountID: 42, Event: sms.Event{MessageID: sms.ID(k), Status: sms.StatusDelivered, At: now,
				Segment: 1, Carrier: "smsc1", CarrierMsgID: ids[k%mixRing]}}
			if !finalID {
				e.CarrierMsgID = ""
			}
			add(e)
		}
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/msg")
	if dbPID != "" {
		b.ReportMetric(float64((procCPU(b, dbPID)-dbStart).Microseconds())/float64(n), "db-cpu-µs/msg")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msg/s")
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d rows failed", f)
	}
}

// procCPU is the user+system time of process pid (empty: zero).
func procCPU(tb testing.TB, pid string) time.Duration {
	if pid == "" {
		return 0
	}
	raw, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
