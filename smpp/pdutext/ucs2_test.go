package pdutext

import (
	"bytes"
	"errors"
	"testing"
)

func TestUCS2Vectors(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"Hi 👋", "0048 0069 0020 D83D DC4B"}, // docs/smpp.md, "Test vectors", A5
		{"€", "20AC"},
		{"Привет", "041F 0440 0438 0432 0435 0442"},
		{"", ""},
		{"\uFFFD", "FFFD"}, // a real U+FFFD is not an invalid byte
	}
	for _, tt := range tests {
		got, err := EncodeUCS2(nil, tt.text)
		if err != nil {
			t.Fatalf("EncodeUCS2(%q): %v", tt.text, err)
		}
		if want := mustHex(t, tt.want); !bytes.Equal(got, want) {
			t.Errorf("EncodeUCS2(%q) = % X, want % X", tt.text, got, want)
		}
		back, err := DecodeUCS2(nil, got)
		if err != nil || string(back) != tt.text {
			t.Errorf("DecodeUCS2(% X) = %q, %v; want %q", got, back, err, tt.text)
		}
	}
}

func TestEncodeUCS2InvalidUTF8(t *testing.T) {
	got, err := EncodeUCS2([]byte{1}, "a\xc3")
	var ue *UnrepresentableError
	if !errors.As(err, &ue) || ue.Offset != 1 {
		t.Fatalf("EncodeUCS2(invalid) error = %v, want UnrepresentableError at 1", err)
	}
	if !bytes.Equal(got, []byte{1}) {
		t.Errorf("dst = % X, want unchanged 01", got)
	}
}

func TestDecodeUCS2Errors(t *testing.T) {
	got, err := DecodeUCS2([]byte("x"), []byte{0, 0x41, 0})
	if !errors.Is(err, ErrOddLength) {
		t.Errorf("odd length error = %v, want ErrOddLength", err)
	}
	if string(got) != "x" {
		t.Errorf("dst = %q, want unchanged", got)
	}
	tests := []struct {
		in   string
		want string
	}{
		{"D83D", "\uFFFD"},             // lone high surrogate at the end
		{"DC4B 0041", "\uFFFDA"},       // lone low surrogate
		{"D83D 0041", "\uFFFDA"},       // high surrogate without a low one
		{"D83D D83D DC4B", "\uFFFD👋"},  // a lone high then a pair
		{"0041 D83D DC4B 0042", "A👋B"}, // pair in the middle
	}
	for _, tt := range tests {
		got, err := DecodeUCS2(nil, mustHex(t, tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("DecodeUCS2(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLatin1AndIA5(t *testing.T) {
	got, err := EncodeLatin1(nil, "café ÿ")
	if err != nil || !bytes.Equal(got, []byte("caf\xe9 \xff")) {
		t.Errorf("EncodeLatin1 = % X, %v", got, err)
	}
	if back := DecodeLatin1(nil, got); string(back) != "café ÿ" {
		t.Errorf("DecodeLatin1 = %q", back)
	}
	for c := 0; c < 256; c++ {
		s := string(DecodeLatin1(nil, []byte{byte(c)}))
		enc, err := EncodeLatin1(nil, s)
		if err != nil || !bytes.Equal(enc, []byte{byte(c)}) {
			t.Errorf("Latin-1 0x%02X round trip = % X, %v", c, enc, err)
		}
	}
	if _, err := EncodeLatin1(nil, "5€"); !errors.Is(err, ErrUnrepresentable) {
		t.Errorf("EncodeLatin1(€) error = %v, want ErrUnrepresentable", err)
	}

	got, err = EncodeIA5(nil, "Hello {x}")
	if err != nil || string(got) != "Hello {x}" {
		t.Errorf("EncodeIA5 = %q, %v", got, err)
	}
	var ue *UnrepresentableError
	if _, err := EncodeIA5(nil, "né"); !errors.As(err, &ue) || ue.Rune != 'é' || ue.Offset != 1 {
		t.Errorf("EncodeIA5(né) error = %v, want é at 1", err)
	}
	if back, err := DecodeIA5(nil, []byte("abc")); err != nil || string(back) != "abc" {
		t.Errorf("DecodeIA5 = %q, %v", back, err)
	}
	if back, err := DecodeIA5([]byte("k"), []byte("a\x80")); !errors.Is(err, ErrBadOctet) || string(back) != "k" {
		t.Errorf("DecodeIA5(0x80) = %q, %v; want dst unchanged and ErrBadOctet", back, err)
	}
}
