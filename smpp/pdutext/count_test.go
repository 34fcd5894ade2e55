package pdutext

import (
	"errors"
	"strings"
	"testing"
)

func TestCountTextBoundaries(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	ru := func(n int) string { return strings.Repeat("ж", n) }
	const wave = "👋"
	tests := []struct {
		name string
		s    string
		want Count
	}{
		{"empty", "", Count{DefaultAlphabet, 0, 1, 160}},
		{"gsm 160", a(160), Count{DefaultAlphabet, 160, 1, 160}},
		{"gsm 161", a(161), Count{DefaultAlphabet, 161, 2, 153}},
		{"gsm 153x2", a(306), Count{DefaultAlphabet, 306, 2, 153}},
		{"gsm 153x2+1", a(307), Count{DefaultAlphabet, 307, 3, 153}},
		{"gsm 153x3", a(459), Count{DefaultAlphabet, 459, 3, 153}},
		{"ext fits 160", a(158) + "€", Count{DefaultAlphabet, 160, 1, 160}},
		{"ext pushes to 161", a(159) + "€", Count{DefaultAlphabet, 161, 2, 153}},
		{"ext at 160 boundary", a(159) + "{", Count{DefaultAlphabet, 161, 2, 153}},
		{"ext straddles 153, fits", a(152) + "€" + a(151), Count{DefaultAlphabet, 305, 2, 153}},
		{"ext straddles 153, spills", a(152) + "€" + a(152), Count{DefaultAlphabet, 306, 3, 153}},
		{"ext ends segment", a(151) + "€" + a(153), Count{DefaultAlphabet, 306, 2, 153}},
		{"ucs2 70", ru(70), Count{UCS2, 70, 1, 70}},
		{"ucs2 71", ru(71), Count{UCS2, 71, 2, 67}},
		{"ucs2 67x2", ru(134), Count{UCS2, 134, 2, 67}},
		{"ucs2 67x2+1", ru(135), Count{UCS2, 135, 3, 67}},
		{"emoji fits 70", a(68) + wave, Count{UCS2, 70, 1, 70}},
		{"emoji pushes to 71", a(69) + wave, Count{UCS2, 71, 2, 67}},
		{"emoji straddles 67, fits", a(66) + wave + a(65), Count{UCS2, 133, 2, 67}},
		{"emoji straddles 67, spills", a(66) + wave + a(66), Count{UCS2, 134, 3, 67}},
		{"one emoji", wave, Count{UCS2, 2, 1, 70}},
		{"invalid utf8 counts one unit", "a\xff", Count{UCS2, 2, 1, 70}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountText(tt.s); got != tt.want {
				t.Errorf("CountText = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCountAs(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		s    string
		dc   DataCoding
		want Count
	}{
		{"8-bit 140", a(140), Octet, Count{Octet, 140, 1, 140}},
		{"8-bit 141", a(141), Octet, Count{Octet, 141, 2, 134}},
		{"8-bit 134x2", a(268), Binary8, Count{Binary8, 268, 2, 134}},
		{"8-bit 134x2+1", a(269), Binary8, Count{Binary8, 269, 3, 134}},
		{"8-bit empty", "", Octet, Count{Octet, 0, 1, 140}},
		{"gsm text as ucs2", a(71), UCS2, Count{UCS2, 71, 2, 67}},
		{"latin1 ext chars", a(158) + "[", Latin1, Count{Latin1, 160, 1, 160}},
		{"latin1 ext chars over", a(159) + "]", Latin1, Count{Latin1, 161, 2, 153}},
		{"latin1 non-gsm char", a(159) + "ç", Latin1, Count{Latin1, 160, 1, 160}},
		{"ia5", a(160), IA5, Count{IA5, 160, 1, 160}},
		{"flash gsm", a(161), FlashGSM7, Count{FlashGSM7, 161, 2, 153}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CountAs(tt.s, tt.dc)
			if err != nil || got != tt.want {
				t.Errorf("CountAs = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestCountAsErrors(t *testing.T) {
	tests := []struct {
		s    string
		dc   DataCoding
		want error
	}{
		{"ç", DefaultAlphabet, ErrUnrepresentable},
		{"€", Latin1, ErrUnrepresentable},
		{"é", IA5, ErrUnrepresentable},
		{"a\xff", UCS2, ErrUnrepresentable},
		{"x", 0x05, ErrUnsupportedCoding},
	}
	for _, tt := range tests {
		if _, err := CountAs(tt.s, tt.dc); !errors.Is(err, tt.want) {
			t.Errorf("CountAs(%q, 0x%02X) error = %v, want %v", tt.s, byte(tt.dc), err, tt.want)
		}
	}
}

func TestCountEncodedMatchesCountText(t *testing.T) {
	for _, s := range []string{
		"", "hi", strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152),
		strings.Repeat("{", 80), strings.Repeat("{", 81),
		strings.Repeat("ж", 66) + "👋" + strings.Repeat("ж", 66),
		strings.Repeat("👋", 35), strings.Repeat("👋", 36),
	} {
		dc := Choose(s)
		enc, err := Encode(nil, s, dc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := CountEncoded(enc, dc)
		if want := CountText(s); err != nil || got != want {
			t.Errorf("CountEncoded(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	if _, err := CountEncoded([]byte{0x80}, DefaultAlphabet); !errors.Is(err, ErrBadOctet) {
		t.Errorf("CountEncoded(0x80, GSM7) error = %v, want ErrBadOctet", err)
	}
	if _, err := CountEncoded([]byte{0}, UCS2); !errors.Is(err, ErrOddLength) {
		t.Errorf("CountEncoded(odd, UCS2) error = %v, want ErrOddLength", err)
	}
	if _, err := CountEncoded(nil, 0x09); !errors.Is(err, ErrUnsupportedCoding) {
		t.Errorf("CountEncoded(0x09) error = %v, want ErrUnsupportedCoding", err)
	}
}
