package pdutext

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestEncodeGSM7Vectors(t *testing.T) {
	tests := []struct {
		text string
		want string // hex, unpacked
	}{
		{"Hello @ 5€", "48 65 6C 6C 6F 20 00 20 35 1B 65"}, // docs/smpp.md, "Test vectors", A4
		{"see you", "73 65 65 20 79 6F 75"},                // docs/smpp.md, "Test vectors", A6
		{"", ""},
		{"$¤_¡¿", "02 24 11 40 60"},
		{"{}[]\\^~|\f", "1B28 1B29 1B3C 1B3E 1B2F 1B14 1B3D 1B40 1B0A"},
		{"ΔΦΓΛΩΠΨΣΘΞ", "10 12 13 14 15 16 17 18 19 1A"},
		{"a\r\nb", "61 0D 0A 62"},
	}
	for _, tt := range tests {
		got, err := EncodeGSM7(nil, tt.text)
		if err != nil {
			t.Errorf("EncodeGSM7(%q): %v", tt.text, err)
			continue
		}
		if want := mustHex(t, tt.want); !bytes.Equal(got, want) {
			t.Errorf("EncodeGSM7(%q) = % X, want % X", tt.text, got, want)
		}
		if back := DecodeGSM7(nil, got); string(back) != tt.text {
			t.Errorf("DecodeGSM7(% X) = %q, want %q", got, back, tt.text)
		}
	}
}

func TestEncodeGSM7Appends(t *testing.T) {
	dst := []byte("prefix")
	got, err := EncodeGSM7(dst, "ab")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "prefixab" {
		t.Errorf("got %q, want %q", got, "prefixab")
	}
}

func TestGSM7TableRoundTrip(t *testing.T) {
	// Every default-table septet decodes to one character that encodes back
	// to that septet alone.
	for c := 0; c < 128; c++ {
		if c == esc {
			continue
		}
		s := string(DecodeGSM7(nil, []byte{byte(c)}))
		if utf8.RuneCountInString(s) != 1 || []rune(s)[0] != gsmDefault[c] {
			t.Errorf("septet 0x%02X decodes to %q, want %q", c, s, gsmDefault[c])
		}
		enc, err := EncodeGSM7(nil, s)
		if err != nil || !bytes.Equal(enc, []byte{byte(c)}) {
			t.Errorf("EncodeGSM7(%q) = % X, %v; want %02X", s, enc, err, c)
		}
		if n, ok := GSM7Septets(s); !ok || n != 1 {
			t.Errorf("GSM7Septets(%q) = %d, %v; want 1, true", s, n, ok)
		}
	}
	ext := 0
	for c := 0; c < 128; c++ {
		if gsmExt[c] == 0 {
			continue
		}
		ext++
		s := string(DecodeGSM7(nil, []byte{esc, byte(c)}))
		if s != string(gsmExt[c]) {
			t.Errorf("1B %02X decodes to %q, want %q", c, s, gsmExt[c])
		}
		enc, err := EncodeGSM7(nil, s)
		if err != nil || !bytes.Equal(enc, []byte{esc, byte(c)}) {
			t.Errorf("EncodeGSM7(%q) = % X, %v; want 1B %02X", s, enc, err, c)
		}
		if n, ok := GSM7Septets(s); !ok || n != 2 {
			t.Errorf("GSM7Septets(%q) = %d, %v; want 2, true", s, n, ok)
		}
	}
	if ext != 10 {
		t.Errorf("extension table has %d entries, want 10", ext)
	}
}

func TestEncodeGSM7Unrepresentable(t *testing.T) {
	tests := []struct {
		text   string
		r      rune
		offset int
	}{
		{"façade", 'ç', 2},
		{"ok`", '`', 2},
		{"hi 👋", '👋', 3},
		{"ab\xffc", utf8.RuneError, 2},
		{"Привет", 'П', 0},
	}
	for _, tt := range tests {
		dst := []byte("keep")
		got, err := EncodeGSM7(dst, tt.text)
		if !errors.Is(err, ErrUnrepresentable) {
			t.Fatalf("EncodeGSM7(%q) error = %v, want ErrUnrepresentable", tt.text, err)
		}
		var ue *UnrepresentableError
		if !errors.As(err, &ue) || ue.Rune != tt.r || ue.Offset != tt.offset {
			t.Errorf("EncodeGSM7(%q) error = %+v, want rune %q at %d", tt.text, ue, tt.r, tt.offset)
		}
		if string(got) != "keep" {
			t.Errorf("EncodeGSM7(%q) left dst %q, want %q", tt.text, got, "keep")
		}
		if !strings.Contains(err.Error(), "GSM 03.38") {
			t.Errorf("error %q does not name the coding", err)
		}
		if _, ok := GSM7Septets(tt.text); ok {
			t.Errorf("GSM7Septets(%q) ok, want not ok", tt.text)
		}
	}
}

func TestDecodeGSM7Escapes(t *testing.T) {
	tests := []struct {
		in   string // hex
		want string
	}{
		{"1B 65", "€"},
		{"1B 41", "A"},     // unlisted code: default-table character
		{"1B 00", "@"},     // unlisted code 0
		{"1B 1B", " "},     // reserved: space
		{"41 1B", "A "},    // trailing escape
		{"1B 1B 65", " e"}, // escape pair consumes both
		{"C1 E2", "Ab"},    // bit 7 ignored
		{"9B 65", "€"},     // escape with bit 7 set
		{"00 02 24 1B 14", "@$¤^"},
	}
	for _, tt := range tests {
		if got := string(DecodeGSM7(nil, mustHex(t, tt.in))); got != tt.want {
			t.Errorf("DecodeGSM7(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGSM7Septets(t *testing.T) {
	tests := []struct {
		s  string
		n  int
		ok bool
	}{
		{"", 0, true},
		{"hello", 5, true},
		{"5€", 3, true},
		{"{}", 4, true},
		{"ç", 0, false},
		{"a\xff", 0, false},
	}
	for _, tt := range tests {
		n, ok := GSM7Septets(tt.s)
		if n != tt.n || ok != tt.ok {
			t.Errorf("GSM7Septets(%q) = %d, %v; want %d, %v", tt.s, n, ok, tt.n, tt.ok)
		}
	}
}
