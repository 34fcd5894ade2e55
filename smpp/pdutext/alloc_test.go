//go:build !race

package pdutext

import (
	"testing"
	"time"
)

func TestZeroAllocs(t *testing.T) {
	gsm, _ := EncodeGSM7(nil, benchGSM160)
	packed := PackGSM7(nil, gsm, 0)
	ucs, _ := EncodeUCS2(nil, benchUCS70)
	long, _ := EncodeGSM7(nil, benchLong)
	buf := make([]byte, 0, 1024)
	segs := make([]Segment, 0, 4)
	r := Receipt{ID: "1A2B3C4D", Sub: 1, Dlvrd: 1, SubmitDate: time.Now(), DoneDate: time.Now(), Stat: StatDelivered, Err: "000", Text: "Hello"}
	now := time.Now()
	ts := []byte("250115103000004+")
	rel := []byte("000001000000000R")
	tests := []struct {
		name string
		f    func()
	}{
		{"EncodeGSM7", func() { buf, _ = EncodeGSM7(buf[:0], benchGSM160) }},
		{"DecodeGSM7", func() { buf = DecodeGSM7(buf[:0], gsm) }},
		{"PackGSM7", func() { buf = PackGSM7(buf[:0], gsm, 1) }},
		{"UnpackGSM7", func() { buf = UnpackGSM7(buf[:0], packed, 0) }},
		{"EncodeUCS2", func() { buf, _ = EncodeUCS2(buf[:0], benchUCS70) }},
		{"DecodeUCS2", func() { buf, _ = DecodeUCS2(buf[:0], ucs) }},
		{"Encode", func() { buf, _ = Encode(buf[:0], benchGSM160, DefaultAlphabet) }},
		{"CountText", func() { _ = CountText(benchLong) }},
		{"CountEncoded", func() { _, _ = CountEncoded(ucs, UCS2) }},
		{"AppendSplit", func() { segs, buf, _ = AppendSplit(segs[:0], buf[:0], long, DefaultAlphabet, SplitOptions{}) }},
		{"AppendReceipt", func() { buf = AppendReceipt(buf[:0], r) }},
		{"ParseTime", func() { _, _ = ParseTime(ts, now) }},
		{"ParseTimeRelative", func() { _, _ = ParseTime(rel, now) }},
		{"AppendAbsTime", func() { buf = AppendAbsTime(buf[:0], now) }},
		{"AppendRelTime", func() { buf = AppendRelTime(buf[:0], time.Hour) }},
		{"parseStat", func() { _ = parseStat("delivrd") }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocs, want 0", tt.name, n)
		}
	}
}

func TestParseReceiptAllocs(t *testing.T) {
	// One allocation: the string that every field of the result shares.
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseReceipt(benchDLR) }); n != 1 {
		t.Errorf("ParseReceipt: %v allocs, want 1", n)
	}
}
