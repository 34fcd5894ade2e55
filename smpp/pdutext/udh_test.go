package pdutext

import (
	"errors"
	"testing"
)

func TestParseUDH(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want UDH
		rest string
	}{
		{"concat 8-bit", "0500032A0202 7365", UDH{Len: 6, Concat: true, Ref: 0x2A, Total: 2, Seq: 2}, "7365"},
		{"concat 16-bit", "060804BEEF0301", UDH{Len: 7, Concat: true, Ref16: true, Ref: 0xBEEF, Total: 3, Seq: 1}, ""},
		{"wap push ports + concat", "0B 0504 0B84 23F0 0003 07 02 01 FF",
			UDH{Len: 12, Concat: true, Ref: 7, Total: 2, Seq: 1, Ports: true, Ports16: true, DstPort: 2948, SrcPort: 9200}, "FF"},
		{"8-bit ports", "04 0402 0A0B 41", UDH{Len: 5, Ports: true, DstPort: 10, SrcPort: 11}, "41"},
		{"national shift then concat", "08 240101 0003AA0301", UDH{Len: 9, Concat: true, Ref: 0xAA, Total: 3, Seq: 1}, ""},
		{"total 0 ignored", "050003010001 41", UDH{Len: 6}, "41"},
		{"seq 0 ignored", "050003010200 41", UDH{Len: 6}, "41"},
		{"seq > total ignored", "050003010203 41", UDH{Len: 6}, "41"},
		{"last valid concat wins", "0A 0003010201 0003020302", UDH{Len: 11, Concat: true, Ref: 2, Total: 3, Seq: 2}, ""},
		{"invalid after valid keeps valid", "0A 0003010201 0003020300", UDH{Len: 11, Concat: true, Ref: 1, Total: 2, Seq: 1}, ""},
		{"concat with wrong IEDL skipped", "04 00020102 41", UDH{Len: 5}, "41"},
		{"empty header", "00 41", UDH{Len: 1}, "41"},
		{"unknown element", "03 7001FF 41", UDH{Len: 4}, "41"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest, err := ParseUDH(mustHex(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("UDH = %+v, want %+v", got, tt.want)
			}
			if want := mustHex(t, tt.rest); string(rest) != string(want) {
				t.Errorf("rest = % X, want % X", rest, want)
			}
		})
	}
}

func TestParseUDHErrors(t *testing.T) {
	for _, in := range []string{
		"",             // nothing
		"05000301",     // UDHL past the end
		"01 00",        // element header truncated
		"03 000501 41", // element data past UDHL
		"FF 00",        // huge UDHL
	} {
		if _, _, err := ParseUDH(mustHex(t, in)); !errors.Is(err, ErrBadUDH) {
			t.Errorf("ParseUDH(%s) error = %v, want ErrBadUDH", in, err)
		}
	}
}

func TestAppendConcatUDHRoundTrip(t *testing.T) {
	for _, ref16 := range []bool{false, true} {
		b := AppendConcatUDH([]byte{}, 0x1234, 9, 4, ref16)
		u, rest, err := ParseUDH(b)
		if err != nil || len(rest) != 0 {
			t.Fatalf("ref16=%v: %v, rest % X", ref16, err, rest)
		}
		wantRef := uint16(0x34)
		if ref16 {
			wantRef = 0x1234
		}
		if !u.Concat || u.Ref16 != ref16 || u.Ref != wantRef || u.Total != 9 || u.Seq != 4 || u.Len != len(b) {
			t.Errorf("ref16=%v: parsed %+v", ref16, u)
		}
	}
}
