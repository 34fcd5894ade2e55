package main

import (
	"testing"
)

func TestParseMix(t *testing.T) {
	m, err := ParseMix("gsm7=80, ucs2=10,long=10")
	if err != nil || m != (Mix{GSM7: 80, UCS2: 10, Long: 10}) {
		t.Fatalf("ParseMix = %v, %v", m, err)
	}
	if m.String() != "gsm7=80,ucs2=10,long=10" {
		t.Errorf("String() = %q", m.String())
	}
	if m, err := ParseMix("ucs2=1"); err != nil || m != (Mix{UCS2: 1}) {
		t.Errorf("ParseMix(ucs2=1) = %v, %v", m, err)
	}
	for _, bad := range []string{"", "gsm7", "gsm7=x", "gsm7=-1", "mms=5", "gsm7=0,ucs2=0", "gsm7=1,gsm7=2", "gsm7=2000000"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted", bad)
		}
	}
}

func TestMixCycle(t *testing.T) {
	tests := []struct {
		mix  Mix
		want string
	}{
		{Mix{GSM7: 80, UCS2: 10, Long: 10}, "gsm7 gsm7 gsm7 ucs2 gsm7 gsm7 long gsm7 gsm7 gsm7"},
		{Mix{GSM7: 1}, "gsm7"},
		{Mix{UCS2: 3, Long: 3}, "ucs2 long"},
		{Mix{GSM7: 2, UCS2: 1}, "gsm7 ucs2 gsm7"},
	}
	for _, tt := range tests {
		c := tt.mix.cycle()
		got := ""
		var n [numKinds]int
		for i, k := range c {
			if i > 0 {
				got += " "
			}
			got += k.String()
			n[k]++
		}
		if got != tt.want {
			t.Errorf("%v.cycle() = %s, want %s", tt.mix, got, tt.want)
		}
		// Each kind appears in proportion to its weight.
		for k := range n {
			if n[k]*sum(tt.mix) != tt.mix[k]*len(c) {
				t.Errorf("%v: kind %s %d times in %d", tt.mix, Kind(k), n[k], len(c))
			}
		}
	}
}

func sum(m Mix) int {
	s := 0
	for _, w := range m {
		s += w
	}
	return s
}

func TestParseLongAsAndEndpoint(t *testing.T) {
	if l, err := ParseLongAs("payload"); err != nil || l != LongPayload || l.String() != "payload" {
		t.Errorf("ParseLongAs(payload) = %v, %v", l, err)
	}
	if _, err := ParseLongAs("sar"); err == nil {
		t.Error("ParseLongAs(sar) accepted")
	}
	if e, err := ParseEndpoint("batch"); err != nil || e != Batch || e.String() != "batch" {
		t.Errorf("ParseEndpoint(batch) = %v, %v", e, err)
	}
	if _, err := ParseEndpoint("bulk"); err == nil {
		t.Error("ParseEndpoint(bulk) accepted")
	}
}
