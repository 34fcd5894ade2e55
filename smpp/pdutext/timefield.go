package pdutext

import (
	"fmt"
	"time"
)

// maxRelTime is the longest relative time [AppendRelTime] writes exactly:
// 99 days, 23:59:59.
const maxRelTime = 99*24*time.Hour + 23*time.Hour + 59*time.Minute + 59*time.Second

// ParseTime reads an SMPP time field (SMPP 3.4 §7.1), such as
// schedule_delivery_time or validity_period, given without or with its
// terminating NUL:
//
//	""                   the zero time (immediate, or the MC default)
//	YYMMDDhhmmsstnn+     absolute, local time nn quarter hours ahead of UTC
//	YYMMDDhhmmsstnn-     absolute, nn quarter hours behind UTC
//	YYMMDDhhmmss000R     relative to now: years, months, days, hours, minutes, seconds
//	YYMMDDhhmmss         absolute UTC, as some MCs report it
//
// t is tenths of a second. Years are 2000–2099. The result is in UTC. A
// field of another length, a non-digit, a value out of range (month 13,
// offset above 48 quarter hours) or a relative time with non-zero tenths
// or offset is [ErrBadTime].
func ParseTime(b []byte, now time.Time) (time.Time, error) {
	if n := len(b); n > 0 && b[n-1] == 0 {
		b = b[:n-1]
	}
	switch len(b) {
	case 0:
		return time.Time{}, nil
	case 12, 16:
	default:
		return time.Time{}, fmt.Errorf("time %q: length %d: %w", b, len(b), ErrBadTime)
	}
	var d [15]int
	digits := min(len(b), 15)
	for i := range digits {
		if b[i] < '0' || b[i] > '9' {
			return time.Time{}, fmt.Errorf("time %q: non-digit at %d: %w", b, i, ErrBadTime)
		}
		d[i] = int(b[i] - '0')
	}
	two := func(k int) int { return d[2*k]*10 + d[2*k+1] }
	if len(b) == 12 {
		t, ok := makeTime(2000+two(0), two(1), two(2), two(3), two(4), two(5), 0, time.UTC)
		if !ok {
			return time.Time{}, fmt.Errorf("time %q: field out of range: %w", b, ErrBadTime)
		}
		return t, nil
	}
	tenths, quarters := d[12], d[13]*10+d[14]
	switch b[15] {
	case 'R', 'r':
		if tenths != 0 || quarters != 0 {
			return time.Time{}, fmt.Errorf("time %q: relative time with tenths or offset: %w", b, ErrBadTime)
		}
		dur := time.Duration(two(3))*time.Hour + time.Duration(two(4))*time.Minute + time.Duration(two(5))*time.Second
		return now.AddDate(two(0), two(1), two(2)).Add(dur).UTC(), nil
	case '+', '-':
		if quarters > 48 {
			return time.Time{}, fmt.Errorf("time %q: offset %d quarter hours: %w", b, quarters, ErrBadTime)
		}
		t, ok := makeTime(2000+two(0), two(1), two(2), two(3), two(4), two(5), tenths*1e8, time.UTC)
		if !ok {
			return time.Time{}, fmt.Errorf("time %q: field out of range: %w", b, ErrBadTime)
		}
		off := time.Duration(quarters) * 15 * time.Minute
		if b[15] == '-' {
			off = -off
		}
		return t.Add(-off), nil
	}
	return time.Time{}, fmt.Errorf("time %q: bad direction %q: %w", b, b[15], ErrBadTime)
}

// AppendAbsTime appends t as an absolute SMPP time, YYMMDDhhmmsstnnp
// (without the NUL), to dst. It is written in t's own location when that
// location's offset is a whole number of quarter hours within ±12 hours,
// otherwise in UTC. The zero time appends nothing, the empty field. Only
// the last two digits of the year are written.
func AppendAbsTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return dst
	}
	_, off := t.Zone()
	if off%900 != 0 || off < -48*900 || off > 48*900 {
		t, off = t.UTC(), 0
	}
	dst = append2(dst, t.Year()%100)
	dst = append2(dst, int(t.Month()))
	dst = append2(dst, t.Day())
	dst = append2(dst, t.Hour())
	dst = append2(dst, t.Minute())
	dst = append2(dst, t.Second())
	dst = append(dst, byte('0'+t.Nanosecond()/1e8))
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append2(dst, off/900)
	return append(dst, sign)
}

// AppendRelTime appends d as a relative SMPP time, 0000DDhhmmss000R
// (without the NUL), to dst: days, hours, minutes and whole seconds, so
// that it means the same duration whatever the calendar. A negative d is
// written as zero; one above 99 days 23:59:59, the most the day field can
// hold, is written as that maximum.
func AppendRelTime(dst []byte, d time.Duration) []byte {
	d = min(max(d, 0), maxRelTime)
	secs := int(d / time.Second)
	dst = append(dst, "0000"...)
	dst = append2(dst, secs/86400)
	dst = append2(dst, secs/3600%24)
	dst = append2(dst, secs/60%60)
	dst = append2(dst, secs%60)
	return append(dst, "000R"...)
}
