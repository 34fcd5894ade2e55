package pdutext

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeGSM7(f *testing.F) {
	f.Add([]byte{0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x00, 0x20, 0x35, 0x1B, 0x65})
	f.Add([]byte{0x1B, 0x1B, 0x1B})
	f.Add([]byte{0x1B, 0x41, 0xFF, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := DecodeGSM7(nil, b)
		if !utf8.Valid(s) {
			t.Fatalf("DecodeGSM7(% X) = %q, not UTF-8", b, s)
		}
		enc, err := EncodeGSM7(nil, string(s))
		if err != nil {
			t.Fatalf("decoded text %q does not encode: %v", s, err)
		}
		if len(enc) > len(b) {
			t.Fatalf("re-encoded %d septets from %d", len(enc), len(b))
		}
		if again := DecodeGSM7(nil, enc); !bytes.Equal(again, s) {
			t.Fatalf("round trip %q != %q", again, s)
		}
		if n, ok := GSM7Septets(string(s)); !ok || n != len(enc) {
			t.Fatalf("GSM7Septets = %d, %v; want %d", n, ok, len(enc))
		}
	})
}

func FuzzUnpackGSM7(f *testing.F) {
	f.Add([]byte{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}, 0)
	f.Add([]byte{0xC8, 0x32, 0x9B, 0xFD, 0x06, 0x01, 0x40, 0xB5, 0x4D, 0x19}, 1)
	f.Add([]byte{0x1A}, 1)
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1B}, 0)
	f.Fuzz(func(t *testing.T, b []byte, fill int) {
		u := UnpackGSM7(nil, b, fill)
		if max := 8 * len(b) / 7; len(u) > max {
			t.Fatalf("%d septets from %d octets", len(u), len(b))
		}
		for _, c := range u {
			if c > 0x7F {
				t.Fatalf("septet 0x%02X", c)
			}
		}
		p := PackGSM7(nil, u, fill)
		if len(u) > 0 && len(p) != len(b) {
			t.Fatalf("repacked %d octets from %d (fill %d)", len(p), len(b), fill)
		}
		if again := UnpackGSM7(nil, p, fill); !bytes.Equal(again, u) {
			t.Fatalf("round trip (fill %d)\n got % X\nwant % X", fill, again, u)
		}
	})
}

func FuzzParseUDH(f *testing.F) {
	f.Add([]byte{0x05, 0x00, 0x03, 0x2A, 0x02, 0x02, 0x73})
	f.Add([]byte{0x06, 0x08, 0x04, 0xBE, 0xEF, 0x03, 0x01})
	f.Add([]byte{0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x07, 0x02, 0x01})
	f.Add([]byte{0x03, 0x00, 0x05, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, rest, err := ParseUDH(b)
		if err != nil {
			return
		}
		if u.Len < 1 || u.Len > len(b) || !bytes.Equal(rest, b[u.Len:]) {
			t.Fatalf("Len %d, rest % X of % X", u.Len, rest, b)
		}
		if !u.Concat {
			return
		}
		if u.Total == 0 || u.Seq == 0 || u.Seq > u.Total || (!u.Ref16 && u.Ref > 0xFF) {
			t.Fatalf("invalid concat accepted: %+v", u)
		}
		v, _, err := ParseUDH(AppendConcatUDH(nil, u.Ref, u.Total, u.Seq, u.Ref16))
		if err != nil || v.Ref != u.Ref || v.Total != u.Total || v.Seq != u.Seq || v.Ref16 != u.Ref16 {
			t.Fatalf("concat round trip %+v -> %+v, %v", u, v, err)
		}
	})
}

func FuzzParseReceipt(f *testing.F) {
	f.Add([]byte("id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello"))
	f.Add([]byte("stat:REJECTD id:77 err:027 text:hi there done date:2501151031 submit date:20250115103005 sub:001"))
	f.Add([]byte("ID: 5  SUBMIT_DATE:250115103005 Text:"))
	f.Add([]byte("id:x text:id:y stat:z"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReceipt(b)
		if err != nil {
			return
		}
		if r.ID == "" {
			t.Fatal("accepted receipt without id")
		}
		// Formatting normalises once (3-digit counts, minute dates, 20
		// character text); after that, format and parse are inverse.
		r1, err := ParseReceipt(AppendReceipt(nil, r))
		if err != nil {
			t.Fatalf("formatted receipt does not parse: %v\n%q", err, AppendReceipt(nil, r))
		}
		r2, err := ParseReceipt(AppendReceipt(nil, r1))
		if err != nil || r2 != r1 {
			t.Fatalf("not a fixed point: %v\n r1 %+v\n r2 %+v", err, r1, r2)
		}
	})
}
