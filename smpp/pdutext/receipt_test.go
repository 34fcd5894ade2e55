package pdutext

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAppendReceiptA9(t *testing.T) {
	r := Receipt{
		ID: "1A2B3C4D", Sub: 1, Dlvrd: 1,
		SubmitDate: time.Date(2025, 1, 15, 10, 30, 59, 0, time.UTC),
		DoneDate:   time.Date(2025, 1, 15, 10, 31, 0, 0, time.UTC),
		Stat:       StatDelivered, Err: "000", Text: "Hello",
	}
	got := string(AppendReceipt([]byte("x"), r))
	want := "xid:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello"
	if got != want {
		t.Errorf("AppendReceipt =\n%s\nwant\n%s", got, want)
	}
	if len(got)-1 != 105 {
		t.Errorf("length %d, want 105 (docs/smpp.md, \"Test vectors\", A9 sm_length)", len(got)-1)
	}
}

func TestAppendReceiptDefaults(t *testing.T) {
	got := string(AppendReceipt(nil, Receipt{ID: "9", Sub: -1, Dlvrd: 1234, Text: "ééééééééééééééééééééééé"}))
	want := "id:9 sub:000 dlvrd:1234 submit date:0000000000 done date:0000000000 stat:UNKNOWN err:000 text:" + strings.Repeat("é", 20)
	if got != want {
		t.Errorf("AppendReceipt =\n%s\nwant\n%s", got, want)
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	for _, st := range []Stat{StatDelivered, StatExpired, StatDeleted, StatUndeliverable, StatAccepted, StatUnknown, StatRejected, StatEnroute, StatScheduled, StatSkipped} {
		in := Receipt{
			ID: "0xff-42", Sub: 1, Dlvrd: 0,
			SubmitDate: time.Date(2024, 12, 31, 23, 59, 0, 0, time.UTC),
			DoneDate:   time.Date(2025, 1, 1, 0, 1, 0, 0, time.UTC),
			Stat:       st, Err: "0x1A", Text: "Text with id:5 in it",
		}
		out, err := ParseReceipt(AppendReceipt(nil, in))
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if out != in {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", st, out, in)
		}
	}
}

func TestParseReceiptVariants(t *testing.T) {
	d := func(y, mo, day, h, mi, s int) time.Time {
		return time.Date(y, time.Month(mo), day, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		name string
		in   string
		want Receipt
	}{
		{"appendix B", "id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello",
			Receipt{ID: "1A2B3C4D", Sub: 1, Dlvrd: 1, SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatDelivered, Err: "000", Text: "Hello"}},
		{"uppercase labels", "ID:123 SUB:001 DLVRD:000 SUBMIT DATE:2501151030 DONE DATE:2501151031 STAT:UNDELIV ERR:001 TEXT:Hi",
			Receipt{ID: "123", Sub: 1, SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatUndeliverable, Err: "001", Text: "Hi"}},
		{"12-digit dates", "id:5 sub:001 dlvrd:001 submit date:250115103005 done date:250115103107 stat:DELIVRD err:000 text:",
			Receipt{ID: "5", Sub: 1, Dlvrd: 1, SubmitDate: d(2025, 1, 15, 10, 30, 5), DoneDate: d(2025, 1, 15, 10, 31, 7), Stat: StatDelivered, Err: "000"}},
		{"14-digit dates", "id:5 submit date:20250115103005 done date:20250115103107 stat:DELIVRD err:000",
			Receipt{ID: "5", SubmitDate: d(2025, 1, 15, 10, 30, 5), DoneDate: d(2025, 1, 15, 10, 31, 7), Stat: StatDelivered, Err: "000"}},
		{"jasmin: no sub, dlvrd, text", "id:0c6c1a3c-8f0e submit date:2501151030 done date:2501151031 stat:EXPIRED err:000",
			Receipt{ID: "0c6c1a3c-8f0e", SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatExpired, Err: "000"}},
		{"reordered, text in the middle", "stat:REJECTD id:77 err:027 text:hi there done date:2501151031 submit date:2501151030 sub:001 dlvrd:000",
			Receipt{ID: "77", Sub: 1, SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatRejected, Err: "027", Text: "hi there"}},
		{"hex id", "id:7F3A9C0B12 sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:x",
			Receipt{ID: "7F3A9C0B12", Sub: 1, Dlvrd: 1, SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatDelivered, Err: "000", Text: "x"}},
		{"extra spaces", "  id: 12345  sub:001   dlvrd:001 submit  date:2501151030 done date: 2501151031 stat : delivrd err:000 Text:Hello world  ",
			Receipt{ID: "12345", Sub: 1, Dlvrd: 1, SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatDelivered, Err: "000", Text: "Hello world"}},
		{"underscored date labels", "id:1 submit_date:2501151030 done_date:2501151031 stat:ACCEPTD err:0",
			Receipt{ID: "1", SubmitDate: d(2025, 1, 15, 10, 30, 0), DoneDate: d(2025, 1, 15, 10, 31, 0), Stat: StatAccepted, Err: "0"}},
		{"text quoting labels", "id:9 stat:DELIVRD err:000 text:my id:55 stat:x",
			Receipt{ID: "9", Stat: StatDelivered, Err: "000", Text: "my id:55 stat:x"}},
		{"unknown stat kept", "id:9 stat:Foobar err:000",
			Receipt{ID: "9", Stat: "FOOBAR", Err: "000"}},
		{"bad dates left zero", "id:9 submit date:2513151030 done date:25011510 stat:DELIVRD",
			Receipt{ID: "9", Stat: StatDelivered}},
		{"newline separated", "id:9\nsub:002\ndlvrd:001\nstat:DELIVRD\nerr:000",
			Receipt{ID: "9", Sub: 2, Dlvrd: 1, Stat: StatDelivered, Err: "000"}},
		{"empty values", "id:9 sub: dlvrd: stat: err: text:",
			Receipt{ID: "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReceipt([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseReceipt\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseReceiptErrors(t *testing.T) {
	for _, in := range []string{"", "hello world", "id: sub:001 stat:DELIVRD", "stat:DELIVRD err:000", "paid:5 stat:DELIVRD", "id"} {
		if _, err := ParseReceipt([]byte(in)); !errors.Is(err, ErrNotReceipt) {
			t.Errorf("ParseReceipt(%q) error = %v, want ErrNotReceipt", in, err)
		}
	}
}

// viewReceipt copies a ReceiptView into a Receipt, to compare it with
// ParseReceipt's.
func viewReceipt(v ReceiptView) Receipt {
	return Receipt{ID: string(v.ID), Sub: v.Sub, Dlvrd: v.Dlvrd, SubmitDate: v.SubmitDate, DoneDate: v.DoneDate,
		Stat: v.Stat, Err: string(v.Err), Text: string(v.Text)}
}

func TestParseReceiptViewMatchesParseReceipt(t *testing.T) {
	for _, in := range []string{
		"id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello",
		"ID:123 SUB:001 DLVRD:000 SUBMIT DATE:2501151030 DONE DATE:2501151031 STAT:undeliv ERR:001 TEXT:Hi",
		"stat:REJECTD id:77 err:027 text:hi there done date:2501151031 submit date:2501151030 sub:001 dlvrd:000",
		"  id: 12345  sub:+7   dlvrd:-1 submit  date:20250115103005 stat : foobar err:x Text:Hello world  ",
		"id:9 sub:99999999999999999999 dlvrd:1x stat:Buffred",
		"id:9 sub: dlvrd: stat: err: text:",
		"", "hello world", "id: sub:001", "stat:DELIVRD err:000",
	} {
		want, wantErr := ParseReceipt([]byte(in))
		v, err := ParseReceiptView([]byte(in))
		if (err == nil) != (wantErr == nil) {
			t.Errorf("%q: error %v, ParseReceipt's %v", in, err, wantErr)
			continue
		}
		if got := viewReceipt(v); got != want {
			t.Errorf("%q:\n view %+v\n want %+v", in, got, want)
		}
	}
}

func TestParseReceiptViewInPlace(t *testing.T) {
	b := []byte("id:abc stat:DELIVRD err:001 text:hi")
	v, err := ParseReceiptView(b)
	if err != nil {
		t.Fatal(err)
	}
	b[3] = 'X' // the view is a window on b
	if string(v.ID) != "Xbc" || string(v.Err) != "001" || string(v.Text) != "hi" || v.Stat != StatDelivered {
		t.Errorf("view %+v does not read b in place", v)
	}
}

func FuzzParseReceiptView(f *testing.F) {
	f.Add([]byte("id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello"))
	f.Add([]byte("stat:rejectd id:77 err:027 text:hi there done date:2501151031 submit date:20250115103005 sub:-01"))
	f.Add([]byte("ID: 5  SUBMIT_DATE:250115103005 Text: stat:odd"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := ParseReceipt(b)
		v, err := ParseReceiptView(b)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("error %v, ParseReceipt's %v", err, wantErr)
		}
		if got := viewReceipt(v); got != want {
			t.Fatalf("view %+v\nwant %+v", got, want)
		}
	})
}
