package store

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestEachChunk: the chunks cover n exactly, none is larger than
// preparedMaxRows, and each is a power of two.
func TestEachChunk(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 127, 128, 129, 300, 1000} {
		sum := 0
		var sizes []int
		if err := eachChunk(n, func(size int) error {
			if size < 1 || size > preparedMaxRows || size&(size-1) != 0 {
				t.Errorf("n=%d: chunk of %d", n, size)
			}
			sum += size
			sizes = append(sizes, size)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if sum != n {
			t.Errorf("n=%d: chunks %v add up to %d", n, sizes, sum)
		}
		if len(sizes) > n/preparedMaxRows+8 {
			t.Errorf("n=%d: %d chunks (%v), want few", n, len(sizes), sizes)
		}
	}
}

// TestPreparedAndLiteralInsertsStoreTheSame: on SQLite the writer's
// prepared statements and its literal INSERTs store exactly the same values,
// awkward ones included (quotes, non-ASCII, NUL, an id above 1<<63, a nil
// body, zero times), and the strings stay TEXT (a lookup by a bound string
// finds them).
func TestPreparedAndLiteralInsertsStoreTheSame(t *testing.T) {
	for _, literal := range []bool{false, true} {
		name := "prepared"
		if literal {
			name = "literal"
		}
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t, DriverSQLite)
			ctx := testCtx(t)
			w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 1000, MaxDelay: time.Hour, LiteralInserts: literal})
			const n = 300 // 128 + 128 + 32 + 8 + 4 per table
			log := newDoneLog(t, 3*n)
			big := sms.ID(1<<63 + 12345)
			for i := range n {
				id := big + sms.ID(i)
				m := testMessage(7, id)
				m.ClientRef = "it's \"quoted\" \\ é 😀 \x00 end"
				m.Body = nil
				m.CallbackURL = ""
				if i%2 == 1 {
					m.Body = []byte{0, 1, 2, 0xff, '\''}
					m.SendAt = base.Add(time.Hour)
				}
				e := ev(7, id, sms.StatusSubmitted, base, 1, "carrier'x", "id-é-"+strconv.Itoa(i), "")
				mo := &sms.MO{ID: id, AccountID: 7, Carrier: "c", Source: sms.Address{Addr: "447700900001"},
					Dest: sms.Address{Addr: "12345"}, Body: []byte("x"), ReceivedAt: base}
				for j, r := range []Row{m, e, mo} {
					if err := w.Add(r, log.tag(i*3+j)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := w.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			log.wait(3 * n)
			for tag := range 3 * n {
				if err, _ := log.err(tag); err != nil {
					t.Fatalf("row %d: %v", tag, err)
				}
			}
			for i := range n {
				id := big + sms.ID(i)
				got, evs, err := s.GetMessage(ctx, 7, id)
				if err != nil {
					t.Fatal(err)
				}
				wantBody := []byte{}
				if i%2 == 1 {
					wantBody = []byte{0, 1, 2, 0xff, '\''}
				}
				if got.ID != id || got.ClientRef != "it's \"quoted\" \\ é 😀 \x00 end" || !bytes.Equal(got.Body, wantBody) ||
					got.Body == nil || (i%2 == 0) != got.SendAt.IsZero() || !got.ValidUntil.IsZero() {
					t.Fatalf("message %d = %+v", i, got)
				}
				if len(evs) != 1 || evs[0].Carrier != "carrier'x" || evs[0].CarrierMsgID != "id-é-"+strconv.Itoa(i) || !evs[0].At.Equal(base) {
					t.Fatalf("events of %d = %+v", i, evs)
				}
			}
			mid, acct, seg, err := s.LookupCarrierMessage(ctx, "carrier'x", "id-é-299")
			if err != nil || mid != big+299 || acct != 7 || seg != 1 {
				t.Fatalf("lookup by a bound string: %v %v %v %v", mid, acct, seg, err)
			}
			if c := countRows(t, s, "mo_messages", "account_id = 7"); c != n {
				t.Fatalf("%d MO rows, want %d", c, n)
			}
			prepared := len(w.workers[0].b.stmts) == 0
			if prepared == literal {
				t.Fatalf("literal=%v but the literal builder ran: %v", literal, !prepared)
			}
		})
	}
}

// TestPreparedOnANewConnection: the prepared statements belong to the
// driver connection they were prepared on; when the pool replaces that
// connection, the next batch prepares them again on the new one and is
// written by the prepared path, not failed or sent to the literal one.
func TestPreparedOnANewConnection(t *testing.T) {
	s := newTestStore(t, DriverSQLite)
	ctx := testCtx(t)
	w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 1000, MaxDelay: time.Hour})
	const n = 20
	log := newDoneLog(t, 2*n)
	write := func(from int) {
		t.Helper()
		for i := from; i < from+n; i++ {
			if err := w.Add(testMessage(7, sms.ID(1000+i)), log.tag(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		log.wait(n)
	}
	write(0)
	first := w.workers[0].p.dconn
	if first == nil {
		t.Fatal("the first batch did not go through the prepared path")
	}
	// Every connection the pool hands out from now on is a new one.
	s.w.DB.SetConnMaxLifetime(time.Nanosecond)
	write(n)
	s.w.DB.SetConnMaxLifetime(0)
	for tag := range 2 * n {
		if err, _ := log.err(tag); err != nil {
			t.Fatalf("row %d: %v", tag, err)
		}
	}
	if c := countRows(t, s, "messages", "account_id = 7"); c != 2*n {
		t.Fatalf("%d messages stored, want %d", c, 2*n)
	}
	p := w.workers[0].p
	if p.dconn == first || len(p.stmts) == 0 || len(w.workers[0].b.stmts) != 0 {
		t.Fatalf("second batch: same connection %v, %d prepared statements, %d literal statements",
			p.dconn == first, len(p.stmts), len(w.workers[0].b.stmts))
	}
}
