package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// hostile are strings that break naive SQL quoting, all valid UTF-8.
var hostile = []string{
	"",
	"'",
	"''",
	`\`,
	`\'`,
	`'\`,
	"a\x00b",
	"\x00",
	`"quoted"`,
	"Robert'); DROP TABLE messages;--",
	"X'41'",
	"?",
	"$1 %s %_",
	"\r\n\t\x1a\x7f",
	"emoji 😀 and 𝄞",
	"ünïcödé ελληνικά 中文",
	"\u2028\u2029\ufeff",
	"/* comment */ -- line",
	strings.Repeat(`'\`, 60),
}

func TestValuesLiterals(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6789000, time.FixedZone("x", 3600))
	cases := []struct {
		name      string
		fill      func(v *Values)
		my, lite  string
		separated bool
	}{
		{"int", func(v *Values) { v.Int(-42) }, "-42", "-42", false},
		{"uint high bit", func(v *Values) { v.Uint(1<<63 + 5) }, "9223372036854775813", "-9223372036854775803", false},
		{"id", func(v *Values) { v.ID(sms.ID(77)) }, "77", "77", false},
		{"bool", func(v *Values) { v.Bool(true); v.Bool(false) }, "1,0", "1,0", true},
		{"plain text", func(v *Values) { v.String("Hello, world: +447700") }, "'Hello, world: +447700'", "'Hello, world: +447700'", false},
		{"quote", func(v *Values) { v.String("it's") }, "X'69742773'", "CAST(X'69742773' AS TEXT)", false},
		{"empty text", func(v *Values) { v.String("") }, "''", "''", false},
		{"bytes", func(v *Values) { v.Bytes([]byte{0, 0xff, '\''}) }, "X'00ff27'", "X'00ff27'", false},
		{"nil bytes", func(v *Values) { v.Bytes(nil) }, "X''", "X''", false},
		{"time", func(v *Values) { v.Time(at) }, "'2026-01-02 02:04:05.006789'", "1767319445006789", false},
		{"zero time", func(v *Values) { v.Time(time.Time{}) }, "NULL", "NULL", false},
		{"null", func(v *Values) { v.Null(); v.Int(1) }, "NULL,1", "NULL,1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, d := range []struct {
				d    dialect
				want string
			}{{dialectMySQL, c.my}, {dialectSQLite, c.lite}} {
				v := Values{d: d.d}
				c.fill(&v)
				if got := string(v.buf); got != d.want {
					t.Errorf("dialect %d: got %s, want %s", d.d, got, d.want)
				}
			}
		})
	}
}

func TestBuilderStatement(t *testing.T) {
	mk := func(id sms.ID) entry {
		return entry{row: &Event{AccountID: 9, Event: sms.Event{MessageID: id, Status: sms.StatusDelivered,
			At: time.Unix(1, 0), Segment: 1, Carrier: "c1", CarrierMsgID: "a'b", ErrorCode: "000"}}, table: eventsTable}
	}
	b := newBuilder(dialectMySQL, 1<<20, nil)
	rows := []entry{mk(1), mk(2)}
	if n := b.build(rows, time.Now(), false); n != 2 || len(b.stmts) != 1 {
		t.Fatalf("build = %d rows in %d statements", n, len(b.stmts))
	}
	row := "9,5,'1970-01-01 00:00:01.000000',1,'c1',X'612762','000',NULL)"
	want := "INSERT INTO `message_events` (`message_id`,`account_id`,`status`,`at`,`segment`,`carrier`,`carrier_msg_id`,`error_code`,`submitted_at`) VALUES " +
		"(1," + row + ",(2," + row
	if got := string(b.v.buf); got != want {
		t.Fatalf("statement\n got %s\nwant %s", got, want)
	}
	// A retry of a keyed table skips rows an earlier attempt stored.
	m := entry{row: testMessage(1, 5), table: messagesTable}
	b.build([]entry{m}, time.Now(), true)
	if got := string(b.v.buf); !strings.HasSuffix(got, ") ON DUPLICATE KEY UPDATE `id`=`id`") {
		t.Fatalf("retry statement ends %q", got[len(got)-60:])
	}
	lite := newBuilder(dialectSQLite, 1<<20, nil)
	lite.build([]entry{m}, time.Now(), true)
	if got := string(lite.v.buf); !strings.HasSuffix(got, ") ON CONFLICT DO NOTHING") {
		t.Fatalf("retry statement ends %q", got[len(got)-60:])
	}
}

func TestHostileStringsRoundTrip(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		w, _ := newTestWriter(t, s, WriterConfig{})
		log := newDoneLog(t, 2*len(hostile))
		allBytes := make([]byte, 256)
		for i := range allBytes {
			allBytes[i] = byte(i)
		}
		msgs := make([]*sms.Message, len(hostile))
		for i, h := range hostile {
			m := testMessage(5, sms.ID(i+1))
			m.ClientRef = h
			m.Source.Addr = truncateUTF8(h, 64)
			m.Dest.Addr = truncateUTF8(h+"1", 64)
			m.CallbackURL = h
			m.Body = append([]byte(h), allBytes...)
			msgs[i] = m
			if i%2 == 0 {
				// Half through the Writer, half through Insert: the
				// same builder, two paths.
				if err := w.Add(m, log.tag(i)); err != nil {
					t.Fatal(err)
				}
			} else if err := s.Insert(ctx, m); err != nil {
				t.Fatalf("insert %q: %v", h, err)
			}
			ev := &Event{AccountID: 5, Event: sms.Event{MessageID: m.ID, Status: sms.StatusSubmitted, At: time.Now(),
				Carrier: truncateUTF8(h, 64), CarrierMsgID: truncateUTF8(h, 65), ErrorCode: truncateUTF8(h, 32)}}
			if err := w.Add(ev, log.tag(-i-1)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		for i, h := range hostile {
			got, events, err := s.GetMessage(ctx, 5, msgs[i].ID)
			if err != nil {
				t.Fatalf("%q: %v", h, err)
			}
			want := msgs[i]
			if got.ClientRef != h || got.CallbackURL != h || got.Source.Addr != want.Source.Addr ||
				got.Dest.Addr != want.Dest.Addr || !bytes.Equal(got.Body, want.Body) {
				t.Fatalf("%q came back as ref %q, url %q, src %q, dst %q, body %x",
					h, got.ClientRef, got.CallbackURL, got.Source.Addr, got.Dest.Addr, got.Body)
			}
			if len(events) != 1 || events[0].Carrier != truncateUTF8(h, 64) || events[0].CarrierMsgID != truncateUTF8(h, 65) ||
				events[0].ErrorCode != truncateUTF8(h, 32) {
				t.Fatalf("%q: events %+v", h, events)
			}
			// Comparisons see the exact text too.
			id, acct, _, err := s.LookupCarrierMessage(ctx, truncateUTF8(h, 64), truncateUTF8(h, 65))
			if err != nil || id != msgs[i].ID || acct != 5 {
				t.Fatalf("lookup of %q: %v, %d, %v", h, id, acct, err)
			}
			page, _, err := s.ListMessages(ctx, 5, Filter{Dest: want.Dest.Addr})
			if err != nil || len(page) != 1 || page[0].Message.ID != want.ID {
				t.Fatalf("list by dest %q: %d rows, %v", want.Dest.Addr, len(page), err)
			}
		}
		if n := countRows(t, s, "messages", ""); n != len(hostile) {
			t.Fatalf("%d rows, want %d: a string escaped its literal?", n, len(hostile))
		}
	})
}

func TestInvalidUTF8(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		m := testMessage(1, 1)
		m.ClientRef = "bad \xff\xfe text"
		err := s.Insert(ctx, m)
		if driver == DriverMySQL {
			// utf8mb4 columns refuse bytes that are not UTF-8: an error,
			// not a silently altered value.
			if err == nil {
				t.Fatal("MySQL stored invalid UTF-8")
			}
			if errors.Is(err, ErrDuplicate) || errors.Is(err, ErrUnavailable) {
				t.Fatalf("misclassified: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := s.GetMessage(ctx, 1, 1)
		if err != nil || got.ClientRef != m.ClientRef {
			t.Fatalf("SQLite gave back %q, %v", got.ClientRef, err)
		}
	})
}

func TestTruncateUTF8(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"a😀", 3, "a"}, {"a😀b", 5, "a😀"}, {"é", 1, ""}} {
		if got := truncateUTF8(c.in, c.n); got != c.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
