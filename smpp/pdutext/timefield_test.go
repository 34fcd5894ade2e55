package pdutext

import (
	"errors"
	"testing"
	"time"
)

func TestParseTimeTable(t *testing.T) {
	now := time.Date(2025, 1, 15, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		// docs/smpp.md, "Time fields"
		{"", time.Time{}},
		{"\x00", time.Time{}},
		{"250115103000004+", time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"250115103000020-", time.Date(2025, 1, 15, 15, 30, 0, 0, time.UTC)},
		{"000001000000000R", now.Add(24 * time.Hour)},
		{"000000020000000R", now.Add(2 * time.Hour)},
		{"000000003000000R", now.Add(30 * time.Minute)},
		// more
		{"250115103000004+\x00", time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"250115103000000+", time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)},
		{"250115103001222+", time.Date(2025, 1, 15, 5, 0, 1, 200_000_000, time.UTC)}, // +5:30 (India), tenths 2
		{"991231235959948+", time.Date(2099, 12, 31, 11, 59, 59, 900_000_000, time.UTC)},
		{"250115103005", time.Date(2025, 1, 15, 10, 30, 5, 0, time.UTC)},
		{"010200000000000R", time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)},
		{"000000000000000R", now},
		{"000000480000000R", now.Add(48 * time.Hour)},
		{"240229000000000+", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime([]byte(tt.in), now)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseTimeErrors(t *testing.T) {
	for _, in := range []string{
		"2501151030",        // 10 chars
		"25011510300000+",   // 15 chars
		"250115103000004",   // 15 chars, no direction
		"250115103000004X",  // bad direction
		"2501151030000a4+",  // non-digit
		"251315103000004+",  // month 13
		"250132103000004+",  // day 32
		"250230103000004+",  // 30 February
		"250115243000004+",  // hour 24
		"250115106000004+",  // minute 60
		"250115103060004+",  // second 60
		"250115103000049+",  // offset 49
		"000001000000100R",  // relative with tenths
		"000001000000004R",  // relative with offset
		"250115103000004+ ", // trailing space
		"2501151030ZZ",      // 12 with letters
		"251315103000",      // 12 with month 13
	} {
		if _, err := ParseTime([]byte(in), time.Now()); !errors.Is(err, ErrBadTime) {
			t.Errorf("ParseTime(%q) error = %v, want ErrBadTime", in, err)
		}
	}
}

func TestAppendAbsTime(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	ny := time.FixedZone("EST", -5*3600)
	odd := time.FixedZone("LMT", 7*60) // not a quarter hour: written in UTC
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC), "250115093000000+"},
		{time.Date(2025, 1, 15, 10, 30, 0, 0, time.FixedZone("", 3600)), "250115103000004+"},
		{time.Date(2025, 1, 15, 10, 30, 0, 0, ny), "250115103000020-"},
		{time.Date(2025, 1, 15, 10, 30, 1, 250_000_000, ist), "250115103001222+"},
		{time.Date(2025, 1, 15, 10, 30, 0, 0, odd), "250115102300000+"},
	}
	now := time.Now()
	for _, tt := range tests {
		got := string(AppendAbsTime(nil, tt.t))
		if got != tt.want {
			t.Errorf("AppendAbsTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
		back, err := ParseTime([]byte(got), now)
		if err != nil || !back.Equal(tt.t.Truncate(100*time.Millisecond)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", got, back, err, tt.t)
		}
	}
}

func TestAppendRelTime(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{24 * time.Hour, "000001000000000R"},
		{2 * time.Hour, "000000020000000R"},
		{30 * time.Minute, "000000003000000R"},
		{0, "000000000000000R"},
		{-time.Hour, "000000000000000R"},
		{90*time.Second + 999*time.Millisecond, "000000000130000R"},
		{3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second, "000003040506000R"},
		{1000 * 24 * time.Hour, "000099235959000R"},
	}
	now := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		got := string(AppendRelTime([]byte{}, tt.d))
		if got != tt.want {
			t.Errorf("AppendRelTime(%v) = %q, want %q", tt.d, got, tt.want)
			continue
		}
		back, err := ParseTime([]byte(got), now)
		want := min(max(tt.d, 0), maxRelTime).Truncate(time.Second)
		if err != nil || back.Sub(now) != want {
			t.Errorf("ParseTime(%q) - now = %v, %v; want %v", got, back.Sub(now), err, want)
		}
	}
}
