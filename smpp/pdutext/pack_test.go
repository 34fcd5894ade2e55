package pdutext

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestPackGSM7Vectors(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"hellohello", "E8329BFD4697D9EC37"},   // docs/smpp.md, "GSM 7-bit: counting and packing"
		{"Hello @ 5€", "C8329BFD060140B54D19"}, // docs/smpp.md, "Test vectors"
	}
	for _, tt := range tests {
		septets, err := EncodeGSM7(nil, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		got := PackGSM7(nil, septets, 0)
		if want := mustHex(t, tt.want); !bytes.Equal(got, want) {
			t.Errorf("PackGSM7(%q) = %X, want %X", tt.text, got, want)
		}
		if back := UnpackGSM7(nil, got, 0); !bytes.Equal(back, septets) {
			t.Errorf("UnpackGSM7(%X) = % X, want % X", got, back, septets)
		}
	}
}

func TestPackGSM7PadsWithCR(t *testing.T) {
	// 7 septets leave 7 spare bits in the 7th octet: they must hold CR,
	// not zeros that a receiver would read as '@'.
	septets := []byte("abcdefg")
	packed := PackGSM7(nil, septets, 0)
	if len(packed) != 7 {
		t.Fatalf("packed %d octets, want 7", len(packed))
	}
	if last := packed[6] >> 1; last != cr {
		t.Errorf("pad septet = 0x%02X, want CR 0x0D", last)
	}
	if got := UnpackGSM7(nil, packed, 0); !bytes.Equal(got, septets) {
		t.Errorf("UnpackGSM7 = %q, want %q (pad CR dropped)", got, septets)
	}
	// Without the CR rule the same octets with a zero pad unpack to a
	// trailing '@' (septet 0x00).
	zeroPad := bytes.Clone(packed)
	zeroPad[6] &= 0x01
	if got := UnpackGSM7(nil, zeroPad, 0); len(got) != 8 || got[7] != 0 {
		t.Errorf("zero-padded unpack = % X, want 8 septets ending in 00", got)
	}
}

func TestPackGSM7TrailingCROnBoundary(t *testing.T) {
	// Eight septets ending in CR fill 7 octets exactly; a receiver would
	// drop that CR as padding, so a second CR is sent (TS 23.038 6.1.2.3.1).
	septets := []byte("abcdefg\r")
	packed := PackGSM7(nil, septets, 0)
	if len(packed) != 8 {
		t.Fatalf("packed %d octets, want 8", len(packed))
	}
	got := UnpackGSM7(nil, packed, 0)
	if want := []byte("abcdefg\r\r"); !bytes.Equal(got, want) {
		t.Errorf("UnpackGSM7 = %q, want %q", got, want)
	}
}

func TestPackGSM7FillBits(t *testing.T) {
	if got := FillBits(6); got != 1 {
		t.Errorf("FillBits(6) = %d, want 1", got)
	}
	if got := FillBits(7); got != 0 {
		t.Errorf("FillBits(7) = %d, want 0", got)
	}
	if got := FillBits(12); got != 2 {
		t.Errorf("FillBits(12) = %d, want 2", got)
	}
	if got := FillBits(0); got != 0 {
		t.Errorf("FillBits(0) = %d, want 0", got)
	}
	// After a 6-octet UDH, 'h' starts at bit 1 of the first text octet.
	packed := PackGSM7(nil, []byte("hi"), 1)
	if want := []byte{0x68 << 1, 0x69}; !bytes.Equal(packed, want) {
		t.Errorf("PackGSM7(hi, fill 1) = % X, want % X", packed, want)
	}
	if got := UnpackGSM7(nil, packed, 1); string(got) != "hi" {
		t.Errorf("UnpackGSM7 with fill 1 = %q, want %q", got, "hi")
	}
	// The whole UD (UDH + fill + text) is a septet stream: unpacking it
	// from the start with no fill gives 7 septets for the 6 UDH octets
	// plus fill, then the text.
	udh := AppendConcatUDH(nil, 0x2A, 2, 1, false)
	ud := PackGSM7(bytes.Clone(udh), []byte("hello"), FillBits(len(udh)))
	all := UnpackGSM7(nil, ud, 0)
	if string(all[7:]) != "hello" {
		t.Errorf("text after UDH septets = %q, want %q", all[7:], "hello")
	}
}

func TestPackGSM7RoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := rng.IntN(200)
		septets := make([]byte, n)
		for i := range septets {
			septets[i] = byte(rng.IntN(128))
		}
		fill := rng.IntN(7)
		packed := PackGSM7(nil, septets, fill)
		if bits := fill + 7*n; n > 0 && len(packed) != (bits+7)/8 && len(packed) != (bits+14)/8 {
			t.Fatalf("n=%d fill=%d: %d octets", n, fill, len(packed))
		}
		got := UnpackGSM7(nil, packed, fill)
		want := septets
		if n > 0 && septets[n-1] == cr && (fill+7*n)%8 == 0 {
			want = append(bytes.Clone(septets), cr) // the documented extra CR
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("n=%d fill=%d: round trip\n got % X\nwant % X", n, fill, got, want)
		}
	}
}

func TestPackGSM7Edges(t *testing.T) {
	if got := PackGSM7([]byte{9}, nil, 3); !bytes.Equal(got, []byte{9}) {
		t.Errorf("PackGSM7(no septets) = % X, want dst unchanged", got)
	}
	if got := UnpackGSM7(nil, nil, 0); len(got) != 0 {
		t.Errorf("UnpackGSM7(nil) = % X, want empty", got)
	}
	if got := UnpackGSM7(nil, []byte{0xFF}, 6); len(got) != 0 {
		t.Errorf("UnpackGSM7(1 octet, fill 6) = % X, want empty", got)
	}
	// Out-of-range fill bits are clamped, not a panic.
	a := PackGSM7(nil, []byte("abc"), 99)
	b := PackGSM7(nil, []byte("abc"), 6)
	if !bytes.Equal(a, b) {
		t.Errorf("fill 99 = % X, want same as fill 6 % X", a, b)
	}
	if got := UnpackGSM7(nil, a, -5); len(got) == 0 {
		t.Errorf("UnpackGSM7 with negative fill returned nothing")
	}
}
