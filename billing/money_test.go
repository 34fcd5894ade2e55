package billing

import (
	"errors"
	"math"
	"testing"
)

func TestMicrosParseAndFormat(t *testing.T) {
	cases := []struct {
		in   string
		want Micros
		out  string
	}{
		{"0", 0, "0.000000"},
		{"12", 12_000_000, "12.000000"},
		{"0.045", 45_000, "0.045000"},
		{"-1.25", -1_250_000, "-1.250000"},
		{"+0.000001", 1, "0.000001"},
		{"9223372036854.775807", math.MaxInt64, "9223372036854.775807"},
	}
	for _, c := range cases {
		got, err := ParseMicros(c.in)
		if err != nil || got != c.want || got.String() != c.out {
			t.Errorf("ParseMicros(%q) = %d (%s), %v; want %d (%s)", c.in, got, got, err, c.want, c.out)
		}
	}
	for _, bad := range []string{"", "-", ".", "1.0000001", "1e3", "1,5", "9223372036854.775808", "99999999999999999999"} {
		if got, err := ParseMicros(bad); err == nil {
			t.Errorf("ParseMicros(%q) = %d, want an error", bad, got)
		}
	}
	if s := Micros(math.MinInt64).String(); s != "-9223372036854.775808" {
		t.Errorf("MinInt64 formats as %s", s)
	}
	if s := (Money{Amount: 2_500_000, Currency: "EUR"}).String(); s != "2.500000 EUR" {
		t.Errorf("Money formats as %s", s)
	}
}

func TestMicrosTimes(t *testing.T) {
	if got, err := Micros(45_000).Times(3); err != nil || got != 135_000 {
		t.Fatalf("45000 x 3 = %d, %v", got, err)
	}
	if _, err := Micros(math.MaxInt64 / 2).Times(3); !errors.Is(err, ErrBadAmount) {
		t.Fatalf("overflow: %v, want ErrBadAmount", err)
	}
	if _, err := Micros(math.MinInt64).Times(-1); !errors.Is(err, ErrBadAmount) {
		t.Fatalf("MinInt64 x -1: %v, want ErrBadAmount", err)
	}
}

func TestValidCurrency(t *testing.T) {
	for c, want := range map[string]bool{"EUR": true, "USD": true, "eur": false, "EU": false, "EURO": false, "": false} {
		if ValidCurrency(c) != want {
			t.Errorf("ValidCurrency(%q) = %v", c, !want)
		}
	}
}
