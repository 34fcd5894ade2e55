package pdutext

import (
	"bytes"
	"errors"
	"testing"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		s    string
		want DataCoding
	}{
		{"", DefaultAlphabet},
		{"Hello @ 5€ {ok}", DefaultAlphabet},
		{"ΔΩ ÄÖÜ äöü ñ ß", DefaultAlphabet},
		{"façade", UCS2},
		{"Hi 👋", UCS2},
		{"Привет", UCS2},
		{"bad \xff", UCS2},
	}
	for _, tt := range tests {
		if got := Choose(tt.s); got != tt.want {
			t.Errorf("Choose(%q) = 0x%02X, want 0x%02X", tt.s, byte(got), byte(tt.want))
		}
	}
}

func TestEncodeDecodeDispatch(t *testing.T) {
	tests := []struct {
		s    string
		dc   DataCoding
		want string // hex
	}{
		{"@€", DefaultAlphabet, "00 1B65"},
		{"@€", GSM7Class1, "00 1B65"},
		{"@€", 0x11, "00 1B65"},
		{"Hi", UCS2, "0048 0069"},
		{"Hi", FlashUCS2, "0048 0069"},
		{"é", Latin1, "E9"},
		{"A{", IA5, "41 7B"},
		{"\x00\xff", Octet, "00 FF"},
		{"\x00\xff", Binary8, "00 FF"},
		{"\x00\xff", Data8Class2, "00 FF"},
	}
	for _, tt := range tests {
		got, err := Encode([]byte{0xAA}, tt.s, tt.dc)
		want := append([]byte{0xAA}, mustHex(t, tt.want)...)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Encode(%q, 0x%02X) = % X, %v; want % X", tt.s, byte(tt.dc), got, err, want)
			continue
		}
		back, err := Decode(nil, got[1:], tt.dc)
		if err != nil || string(back) != tt.s {
			t.Errorf("Decode(% X, 0x%02X) = %q, %v; want %q", got[1:], byte(tt.dc), back, err, tt.s)
		}
	}
}

func TestEncodeDecodeErrors(t *testing.T) {
	for _, dc := range []DataCoding{0x05, 0x06, 0x80} {
		if _, err := Encode(nil, "x", dc); !errors.Is(err, ErrUnsupportedCoding) {
			t.Errorf("Encode(0x%02X) error = %v, want ErrUnsupportedCoding", byte(dc), err)
		}
		if _, err := Decode(nil, []byte("x"), dc); !errors.Is(err, ErrUnsupportedCoding) {
			t.Errorf("Decode(0x%02X) error = %v, want ErrUnsupportedCoding", byte(dc), err)
		}
	}
	if _, err := Encode(nil, "ç", DefaultAlphabet); !errors.Is(err, ErrUnrepresentable) {
		t.Errorf("Encode(ç, GSM7) error = %v", err)
	}
	if _, err := Decode(nil, []byte{0}, UCS2); !errors.Is(err, ErrOddLength) {
		t.Errorf("Decode(odd, UCS2) error = %v", err)
	}
	if _, err := Decode(nil, []byte{0x80}, IA5); !errors.Is(err, ErrBadOctet) {
		t.Errorf("Decode(0x80, IA5) error = %v", err)
	}
}
