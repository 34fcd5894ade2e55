package pdutext

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	benchGSM160 = strings.Repeat("Hello @ 5€ ", 12) + "0123456789.,!?ab" // 160 septets, 148 characters
	benchUCS70  = strings.Repeat("Привет👋 ", 7) + "1234567"              // 70 UTF-16 units
	benchLong   = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 9) + "€"
	benchDLR    = []byte("id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello")
)

// benchBasic160 is a full single segment of the basic GSM table only: 160
// characters, 160 septets.
var benchBasic160 = strings.Repeat("The quick brown fox jumps over the lazy dog. ", 3) + "Call +44 7700 900123 @ 5!"

func BenchmarkEncodeGSM7(b *testing.B) {
	if n, ok := GSM7Septets(benchGSM160); !ok || n != 160 {
		b.Fatalf("bench text has %d septets", n)
	}
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(benchGSM160)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = EncodeGSM7(dst[:0], benchGSM160); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeGSM7Basic encodes exactly 160 characters, none from
// the extension table (BenchmarkEncodeGSM7's text fills 160 septets with
// 148 characters, because each € takes two).
func BenchmarkEncodeGSM7Basic(b *testing.B) {
	n, ok := GSM7Septets(benchBasic160)
	if chars := utf8.RuneCountInString(benchBasic160); !ok || n != 160 || chars != 160 {
		b.Fatalf("bench text has %d characters in %d septets, want 160 in 160", chars, n)
	}
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(benchBasic160)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = EncodeGSM7(dst[:0], benchBasic160); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGSM7(b *testing.B) {
	enc, _ := EncodeGSM7(nil, benchGSM160)
	dst := make([]byte, 0, 512)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		dst = DecodeGSM7(dst[:0], enc)
	}
}

func BenchmarkPackGSM7(b *testing.B) {
	enc, _ := EncodeGSM7(nil, benchGSM160)
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		dst = PackGSM7(dst[:0], enc, 0)
	}
}

func BenchmarkUnpackGSM7(b *testing.B) {
	enc, _ := EncodeGSM7(nil, benchGSM160)
	packed := PackGSM7(nil, enc, 0)
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(packed)))
	b.ReportAllocs()
	for b.Loop() {
		dst = UnpackGSM7(dst[:0], packed, 0)
	}
}

func BenchmarkEncodeUCS2(b *testing.B) {
	if c := CountText(benchUCS70); c.Units != 70 {
		b.Fatalf("bench text has %d units", c.Units)
	}
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(benchUCS70)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = EncodeUCS2(dst[:0], benchUCS70); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountText(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"GSM7-160", benchGSM160},
		{"UCS2-70", benchUCS70},
		{"GSM7-3seg", benchLong},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.s)))
			b.ReportAllocs()
			for b.Loop() {
				if c := CountText(bc.s); c.Segments == 0 {
					b.Fatal("no segments")
				}
			}
		})
	}
}

func BenchmarkSplit(b *testing.B) {
	enc, err := EncodeGSM7(nil, benchLong)
	if err != nil {
		b.Fatal(err)
	}
	if c := CountText(benchLong); c.Segments != 3 {
		b.Fatalf("bench text has %d segments", c.Segments)
	}
	b.Run("Split", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Split(enc, DefaultAlphabet, SplitOptions{Ref: 42}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendSplit", func(b *testing.B) {
		segs := make([]Segment, 0, 4)
		buf := make([]byte, 0, 512)
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if segs, buf, err = AppendSplit(segs[:0], buf[:0], enc, DefaultAlphabet, SplitOptions{Ref: 42}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAppendReceipt(b *testing.B) {
	r := Receipt{
		ID: "1A2B3C4D", Sub: 1, Dlvrd: 1,
		SubmitDate: time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC),
		DoneDate:   time.Date(2025, 1, 15, 10, 31, 0, 0, time.UTC),
		Stat:       StatDelivered, Err: "000", Text: "Hello, this is a longer text to cut",
	}
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendReceipt(dst[:0], r)
	}
}

func BenchmarkParseReceipt(b *testing.B) {
	b.SetBytes(int64(len(benchDLR)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseReceipt(benchDLR); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	in := []byte("250115103000004+")
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTime(in, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReassemble(b *testing.B) {
	r := NewReassembler(ReassemblerConfig{})
	part := make([]byte, 153)
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ref := uint16(i)
		i++
		for seq := byte(1); seq <= 3; seq++ {
			if _, err := r.Add("conn|src|dst", ref, 3, seq, part, now); err != nil {
				b.Fatal(err)
			}
		}
	}
}
