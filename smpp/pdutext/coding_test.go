package pdutext

import "testing"

func TestAlphabet(t *testing.T) {
	tests := []struct {
		dc   DataCoding
		want Alphabet
	}{
		{DefaultAlphabet, AlphabetGSM7},
		{IA5, AlphabetIA5},
		{Binary8, AlphabetBinary},
		{Latin1, AlphabetLatin1},
		{Octet, AlphabetBinary},
		{0x05, AlphabetUnsupported}, // JIS
		{0x06, AlphabetUnsupported}, // Cyrillic
		{UCS2, AlphabetUCS2},
		{0x0E, AlphabetUnsupported},
		{FlashGSM7, AlphabetGSM7},
		{0x11, AlphabetGSM7},
		{0x14, AlphabetBinary},
		{FlashUCS2, AlphabetUCS2},
		{0x1C, AlphabetUnsupported}, // reserved alphabet
		{0x20, AlphabetBinary},      // compressed
		{0x40, AlphabetGSM7},        // automatic deletion group
		{0x48, AlphabetUCS2},
		{0x80, AlphabetUnsupported},
		{0xBF, AlphabetUnsupported},
		{0xC0, AlphabetGSM7}, // MWI discard
		{0xD8, AlphabetGSM7}, // MWI store
		{0xE0, AlphabetUCS2}, // MWI store UCS2
		{GSM7Class0, AlphabetGSM7},
		{GSM7Class3, AlphabetGSM7},
		{Data8Class0, AlphabetBinary},
		{Data8Class2, AlphabetBinary},
		{0xF8, AlphabetGSM7},
		{0xFF, AlphabetBinary},
	}
	for _, tt := range tests {
		if got := tt.dc.Alphabet(); got != tt.want {
			t.Errorf("DataCoding(0x%02X).Alphabet() = %v, want %v", byte(tt.dc), got, tt.want)
		}
	}
}

func TestAlphabetTotal(t *testing.T) {
	// Every value has an alphabet with a name.
	for v := 0; v < 256; v++ {
		a := DataCoding(v).Alphabet()
		if a > AlphabetUnsupported || a.String() == "" {
			t.Errorf("DataCoding(0x%02X).Alphabet() = %d", v, a)
		}
	}
	if got := Alphabet(200).String(); got != "unsupported" {
		t.Errorf("Alphabet(200).String() = %q", got)
	}
}

func TestClass(t *testing.T) {
	tests := []struct {
		dc    DataCoding
		class int
		ok    bool
	}{
		{DefaultAlphabet, 0, false},
		{UCS2, 0, false},
		{0x00 | 0x10, 0, true},
		{0x11, 1, true},
		{0x1A, 2, true},
		{0x08 | 0x10 | 3, 3, true},
		{0x0F, 0, false}, // SMPP value, no class
		{0x40, 0, false}, // auto-delete without class
		{0x52, 2, true},
		{0xC1, 0, false},
		{GSM7Class0, 0, true},
		{GSM7Class2, 2, true},
		{Data8Class2, 2, true},
		{0xFB, 3, true},
	}
	for _, tt := range tests {
		class, ok := tt.dc.Class()
		if class != tt.class || ok != tt.ok {
			t.Errorf("DataCoding(0x%02X).Class() = %d, %v; want %d, %v", byte(tt.dc), class, ok, tt.class, tt.ok)
		}
	}
}

func TestFlash(t *testing.T) {
	tests := []struct {
		a    Alphabet
		want DataCoding
		ok   bool
	}{
		{AlphabetGSM7, 0x10, true},
		{AlphabetUCS2, 0x18, true},
		{AlphabetBinary, 0x14, true},
		{AlphabetLatin1, 0, false},
		{AlphabetIA5, 0, false},
		{AlphabetUnsupported, 0, false},
	}
	for _, tt := range tests {
		dc, ok := Flash(tt.a)
		if dc != tt.want || ok != tt.ok {
			t.Errorf("Flash(%v) = 0x%02X, %v; want 0x%02X, %v", tt.a, byte(dc), ok, byte(tt.want), tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if class, has := dc.Class(); !has || class != 0 {
			t.Errorf("Flash(%v) = 0x%02X has class %d, %v; want 0", tt.a, byte(dc), class, has)
		}
		if dc.Alphabet() != tt.a {
			t.Errorf("Flash(%v) = 0x%02X has alphabet %v", tt.a, byte(dc), dc.Alphabet())
		}
	}
	if class, ok := GSM7Class0.Class(); !ok || class != 0 || GSM7Class0.Alphabet() != AlphabetGSM7 {
		t.Errorf("alternative flash 0xF0: class %d %v, alphabet %v", class, ok, GSM7Class0.Alphabet())
	}
}
