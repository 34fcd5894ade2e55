package pdutext

import "testing"

func TestNormalizeID(t *testing.T) {
	tests := []struct {
		id   string
		hex  bool
		want string
	}{
		{"255", false, "255"},
		{"000255", false, "255"},
		{" 255 ", false, "255"},
		{"FF", true, "255"},
		{"00ff", true, "255"},
		{"0xFF", true, "255"},
		{"1A2B3C4D", true, "439041101"},
		{"0", false, "0"},
		{"0000", true, "0"},
		{"1A2B3C4D", false, "1A2B3C4D"}, // not decimal: exact
		{"abc-123", true, "abc-123"},
		{"", false, ""},
		{"0x", true, "0x"},
		{"99999999999999999999999", false, "99999999999999999999999"},   // above uint64
		{"0099999999999999999999999", false, "99999999999999999999999"}, // above uint64, padded
		{"FFFFFFFFFFFFFFFFFF", true, "4722366482869645213695"},
	}
	for _, tt := range tests {
		if got := NormalizeID(tt.id, tt.hex); got != tt.want {
			t.Errorf("NormalizeID(%q, %v) = %q, want %q", tt.id, tt.hex, got, tt.want)
		}
	}
	// The same message seen in hex in the resp and in decimal in the DLR.
	if NormalizeID("3B9ACA00", true) != NormalizeID("1000000000", false) {
		t.Error("hex and decimal forms of one id do not match")
	}
}
