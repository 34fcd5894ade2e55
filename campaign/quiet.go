package campaign

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // quiet hours need zones on hosts without a zoneinfo database
)

// QuietRule keeps marketing messages to numbers starting with Prefix (an
// E.164 country calling code, or any longer prefix) inside the hours
// Start to End, recipient local time: in the contact's time zone when
// it has one, else in Zone.
type QuietRule struct {
	Prefix string `yaml:"prefix" json:"prefix"`
	Zone   string `yaml:"zone" json:"zone"`
	// Start and End are "15:04"; sending is allowed from Start until
	// End (End after Start).
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end" json:"end"`
}

// DefaultQuietHours are the rules shipped: common limits on marketing
// texts by recipient local time (operators replace them with
// campaigns.quiet_hours). The US and Canada (TCPA practice and state
// laws such as Florida's): 08:00 to 21:00; the United Kingdom, Ireland,
// France, Germany, Spain, Italy, the Netherlands and Belgium, India,
// Australia and Brazil: 08:00 to 21:00 (France's code of practice is
// stricter on Sundays, which these rules do not model). Zone is a
// fallback for numbers of contacts without a time zone.
var DefaultQuietHours = []QuietRule{
	{Prefix: "1", Zone: "America/New_York", Start: "08:00", End: "21:00"},
	{Prefix: "44", Zone: "Europe/London", Start: "08:00", End: "21:00"},
	{Prefix: "353", Zone: "Europe/Dublin", Start: "08:00", End: "21:00"},
	{Prefix: "33", Zone: "Europe/Paris", Start: "08:00", End: "20:00"},
	{Prefix: "49", Zone: "Europe/Berlin", Start: "08:00", End: "21:00"},
	{Prefix: "34", Zone: "Europe/Madrid", Start: "09:00", End: "21:00"},
	{Prefix: "39", Zone: "Europe/Rome", Start: "08:00", End: "21:00"},
	{Prefix: "31", Zone: "Europe/Amsterdam", Start: "08:00", End: "21:00"},
	{Prefix: "32", Zone: "Europe/Brussels", Start: "08:00", End: "21:00"},
	{Prefix: "91", Zone: "Asia/Kolkata", Start: "09:00", End: "21:00"},
	{Prefix: "61", Zone: "Australia/Sydney", Start: "09:00", End: "20:00"},
	{Prefix: "55", Zone: "America/Sao_Paulo", Start: "08:00", End: "20:00"},
}

// QuietHours answers whether a marketing message may go to a number now,
// and when it may if not. Build it with [NewQuietHours]; it is safe for
// concurrent use.
type QuietHours struct {
	rules []quietRule // longest prefix first
	mu    sync.Mutex
	zones map[string]*time.Location // contact zones seen (nil: invalid)
}

type quietRule struct {
	prefix     string
	zone       *time.Location
	start, end int // minutes of the day
}

// maxZonesCached bounds the contact zones remembered.
const maxZonesCached = 1000

// NewQuietHours checks rules and builds their matcher.
func NewQuietHours(rules []QuietRule) (*QuietHours, error) {
	q := &QuietHours{zones: map[string]*time.Location{}}
	for i, r := range rules {
		if r.Prefix == "" || strings.Trim(r.Prefix, "0123456789") != "" {
			return nil, fmt.Errorf("campaign: quiet hours rule %d: prefix %q is not digits", i, r.Prefix)
		}
		loc, err := time.LoadLocation(r.Zone)
		if err != nil || r.Zone == "" {
			return nil, fmt.Errorf("campaign: quiet hours rule %d: zone %q: unknown", i, r.Zone)
		}
		start, err1 := clockMinutes(r.Start)
		end, err2 := clockMinutes(r.End)
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("campaign: quiet hours rule %d: hours %q to %q: want HH:MM with end after start", i, r.Start, r.End)
		}
		q.rules = append(q.rules, quietRule{prefix: r.Prefix, zone: loc, start: start, end: end})
	}
	// Longest prefix first: the first match is the most specific.
	for i := 1; i < len(q.rules); i++ {
		for j := i; j > 0 && len(q.rules[j].prefix) > len(q.rules[j-1].prefix); j-- {
			q.rules[j], q.rules[j-1] = q.rules[j-1], q.rules[j]
		}
	}
	return q, nil
}

func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// zone returns the location of IANA name tz, or nil.
func (q *QuietHours) zone(tz string) *time.Location {
	if tz == "" {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if loc, ok := q.zones[tz]; ok {
		return loc
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = nil
	}
	if len(q.zones) < maxZonesCached {
		q.zones[tz] = loc
	}
	return loc
}

// Next returns the earliest time at or after now when a marketing
// message may go to phone (E.164 digits) of a contact in time zone tz
// ("" when unknown): now itself when no rule holds it back.
func (q *QuietHours) Next(phone, tz string, now time.Time) time.Time {
	if q == nil {
		return now
	}
	for i := range q.rules {
		r := &q.rules[i]
		if !strings.HasPrefix(phone, r.prefix) {
			continue
		}
		loc := q.zone(tz)
		if loc == nil {
			loc = r.zone
		}
		local := now.In(loc)
		m := local.Hour()*60 + local.Minute()
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		switch {
		case m < r.start:
			return day.Add(time.Duration(r.start) * time.Minute)
		case m >= r.end:
			next := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
			return next.Add(time.Duration(r.start) * time.Minute)
		}
		return now
	}
	return now
}

// Location is the local time zone of phone for a contact in zone tz
// ("" when unknown): tz when valid, else the zone of the rule matching
// the number, else UTC.
func (q *QuietHours) Location(phone, tz string) *time.Location {
	if loc := q.zone(tz); loc != nil {
		return loc
	}
	for i := range q.rules {
		if strings.HasPrefix(phone, q.rules[i].prefix) {
			return q.rules[i].zone
		}
	}
	return time.UTC
}

// nextClock returns the first time at or after t that is hh:mm (minutes
// of the day m) in loc.
func nextClock(t time.Time, m int, loc *time.Location) time.Time {
	l := t.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), m/60, m%60, 0, 0, loc)
	if at.Before(l) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, m/60, m%60, 0, 0, loc)
	}
	return at
}
