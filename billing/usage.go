package billing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// UsageGrouping says how a usage report buckets messages.
type UsageGrouping string

// The usage groupings. Days and months are UTC.
const (
	GroupByDay         UsageGrouping = "day"
	GroupByMonth       UsageGrouping = "month"
	GroupByDestination UsageGrouping = "destination" // E.164 country code
	GroupByStatus      UsageGrouping = "status"      // current status
)

// ParseUsageGrouping returns the grouping named s; empty is GroupByDay.
func ParseUsageGrouping(s string) (UsageGrouping, error) {
	switch g := UsageGrouping(s); g {
	case "":
		return GroupByDay, nil
	case GroupByDay, GroupByMonth, GroupByDestination, GroupByStatus:
		return g, nil
	}
	return "", fmt.Errorf("billing: unknown usage grouping %q", s)
}

// StoreKey returns the bucketing to ask the store for: by day for the
// time and status groupings (rolled up here), by destination prefix for
// GroupByDestination.
func (g UsageGrouping) StoreKey() store.UsageKey {
	if g == GroupByDestination {
		return store.UsageByDest
	}
	return store.UsageByDay
}

// UsageCounts sums messages of a bucket.
type UsageCounts struct {
	Messages int64
	Segments int64
	// Charged is what the ledger charged for the messages, Refunded what
	// it gave back; both are positive.
	Charged  Micros
	Refunded Micros
	// Delivered, Failed (undelivered, expired, rejected, failed) and
	// Pending (not final yet) count messages by current status.
	Delivered int64
	Failed    int64
	Pending   int64
}

func (c *UsageCounts) add(r *store.UsageRow) {
	c.Messages += r.Messages
	c.Segments += r.Segments
	c.Charged += Micros(r.Charged)
	c.Refunded += Micros(r.Refunded)
	switch {
	case r.Status == sms.StatusDelivered:
		c.Delivered += r.Messages
	case r.Status.Final():
		c.Failed += r.Messages
	default:
		c.Pending += r.Messages
	}
}

// UsageBucket is one bucket of a usage report.
type UsageBucket struct {
	// Key names the bucket: "2026-06-01" (day), "2026-06" (month), "44"
	// (country code, "" for destinations that are not numbers) or a
	// status name.
	Key string
	// Start is the first instant of a day or month bucket; zero otherwise.
	Start time.Time
	UsageCounts
}

// SummarizeUsage folds the store's rows (bucketed as g.StoreKey() says)
// into g's buckets, in key order (time order for days and months), and
// returns them with the totals.
func SummarizeUsage(rows []store.UsageRow, g UsageGrouping) ([]UsageBucket, UsageCounts) {
	var total UsageCounts
	index := map[string]int{}
	var out []UsageBucket
	for i := range rows {
		r := &rows[i]
		var key string
		var start time.Time
		switch g {
		case GroupByMonth:
			start = time.Date(r.Day.Year(), r.Day.Month(), 1, 0, 0, 0, 0, time.UTC)
			key = start.Format("2006-01")
		case GroupByDestination:
			key = CountryCode(r.Dest)
		case GroupByStatus:
			key = r.Status.String()
		default:
			start = r.Day.UTC()
			key = start.Format(time.DateOnly)
		}
		j, ok := index[key]
		if !ok {
			j = len(out)
			index[key] = j
			out = append(out, UsageBucket{Key: key, Start: start})
		}
		out[j].add(r)
		total.add(r)
	}
	slices.SortFunc(out, func(a, b UsageBucket) int { return strings.Compare(a.Key, b.Key) })
	return out, total
}

// twoDigitCodes are the E.164 country codes of two digits; "1" and "7"
// are the only ones of one digit, and every other code has three. The
// codes are prefix-free, so the first digits of a number say which it is.
var twoDigitCodes = map[string]bool{
	"20": true, "27": true, "30": true, "31": true, "32": true, "33": true, "34": true, "36": true, "39": true,
	"40": true, "41": true, "43": true, "44": true, "45": true, "46": true, "47": true, "48": true, "49": true,
	"51": true, "52": true, "53": true, "54": true, "55": true, "56": true, "57": true, "58": true,
	"60": true, "61": true, "62": true, "63": true, "64": true, "65": true, "66": true,
	"81": true, "82": true, "84": true, "86": true,
	"90": true, "91": true, "92": true, "93": true, "94": true, "95": true, "98": true,
}

// CountryCode returns the E.164 country calling code (1 to 3 digits) that
// the international number starts with (a leading '+' is allowed), or ""
// when it does not start with a digit.
func CountryCode(number string) string {
	number = strings.TrimPrefix(number, "+")
	n := 0
	for n < len(number) && n < 3 && number[n] >= '0' && number[n] <= '9' {
		n++
	}
	switch {
	case n == 0:
		return ""
	case number[0] == '1' || number[0] == '7':
		return number[:1]
	case n >= 2 && twoDigitCodes[number[:2]]:
		return number[:2]
	}
	return number[:n]
}

// PriceFunc prices segments segments to dest at time at for the caller's
// purpose (a reseller's own plan, say); an error means no price.
type PriceFunc func(dest string, segments int, at time.Time) (Micros, error)

// SubAccountUsage is one sub-account's traffic and what it earned its
// reseller.
type SubAccountUsage struct {
	AccountID int64
	Messages  int64
	Segments  int64
	// Charged is what the sub-account paid net of refunds.
	Charged Micros
	// Cost is the reseller's price of the billable messages (charged net
	// of refunds), by its own plan at the time each was accepted.
	Cost Micros
	// Unpriced counts billable messages the reseller's plan has no price
	// for: their cost is unknown, so Cost is a lower bound and Margin is
	// not given.
	Unpriced int64
	// Margin is Charged − Cost when every billable message was priced.
	Margin      Micros
	MarginKnown bool
}

// ResellerUsage sums the messages of a reseller's sub-accounts. Add
// messages with Add, then read Result. It is not safe for concurrent use.
type ResellerUsage struct {
	price PriceFunc
	rows  map[int64]*SubAccountUsage
}

// NewResellerUsage returns an empty sum pricing costs with price.
func NewResellerUsage(price PriceFunc) *ResellerUsage {
	return &ResellerUsage{price: price, rows: map[int64]*SubAccountUsage{}}
}

// Include makes account id appear in the result even without messages.
func (r *ResellerUsage) Include(id int64) {
	if r.rows[id] == nil {
		r.rows[id] = &SubAccountUsage{AccountID: id}
	}
}

// Add counts one message.
func (r *ResellerUsage) Add(m *store.BilledMessage) {
	r.Include(m.AccountID)
	u := r.rows[m.AccountID]
	u.Messages++
	u.Segments += int64(m.Segments)
	net := Micros(m.Charged - m.Refunded)
	u.Charged += net
	if net <= 0 {
		return // not billable: nothing was paid, nothing is owed
	}
	c, err := r.price(m.Dest, max(m.Segments, 1), m.ID.Time())
	if err != nil {
		u.Unpriced++
		return
	}
	u.Cost += c
}

// AddRolledUp counts the purged messages of a sub-account from their
// rollups ([store.Store.ChildRollups]): messages, segments and money are
// exact, but a rollup does not keep each message's destination, so the
// reseller's cost of the billable ones is unknown: they count as unpriced
// and the margin is not given.
func (r *ResellerUsage) AddRolledUp(u *store.RolledUpUsage) {
	r.Include(u.AccountID)
	s := r.rows[u.AccountID]
	s.Messages += u.Messages
	s.Segments += u.Segments
	s.Charged += Micros(u.Charged - u.Refunded)
	s.Unpriced += u.Billable
}

// Result returns the sub-accounts by id, and their total.
func (r *ResellerUsage) Result() ([]SubAccountUsage, SubAccountUsage) {
	out := make([]SubAccountUsage, 0, len(r.rows))
	var total SubAccountUsage
	for _, u := range r.rows {
		v := *u
		v.MarginKnown = v.Unpriced == 0
		if v.MarginKnown {
			v.Margin = v.Charged - v.Cost
		}
		out = append(out, v)
		total.Messages += v.Messages
		total.Segments += v.Segments
		total.Charged += v.Charged
		total.Cost += v.Cost
		total.Unpriced += v.Unpriced
	}
	slices.SortFunc(out, func(a, b SubAccountUsage) int { return cmp.Compare(a.AccountID, b.AccountID) })
	total.MarginKnown = total.Unpriced == 0
	if total.MarginKnown {
		total.Margin = total.Charged - total.Cost
	}
	return out, total
}

// BuyRateFunc is what carrier charges per segment for dest at time at (as
// [Pricer.BuyRate]); an error means no buy rate.
type BuyRateFunc func(carrier, dest string, at time.Time) (Money, error)

// MarginLine is the platform's traffic through one carrier to one country
// code in one currency.
type MarginLine struct {
	Carrier string
	// Dest is the E.164 country code.
	Dest     string
	Currency string
	// Segments counts the segments the carrier acknowledged.
	Segments int64
	// Revenue is what the accounts were charged for them, net of refunds.
	Revenue Micros
	// Cost is the carrier's buy rate of the priced segments; Unpriced
	// counts segments without a buy rate (or with one in another
	// currency), whose cost is unknown, not zero.
	Cost     Micros
	Unpriced int64
	// Margin is Revenue − Cost when every segment was priced.
	Margin      Micros
	MarginKnown bool
}

// MarginReport sums submitted segments by carrier and destination. Add
// segments in message order (as [store.Store.EachSubmittedSegment] gives
// them), then read Result. It is not safe for concurrent use.
type MarginReport struct {
	rate  BuyRateFunc
	lines map[marginKey]*MarginLine
	// The message being read and which of its segments earned revenue
	// already: a segment sent twice costs twice but is paid once.
	cur  sms.ID
	seen map[int]bool
}

type marginKey struct{ carrier, dest, currency string }

// NewMarginReport returns an empty report costing segments with rate.
func NewMarginReport(rate BuyRateFunc) *MarginReport {
	return &MarginReport{rate: rate, lines: map[marginKey]*MarginLine{}, seen: map[int]bool{}}
}

// Add counts one submitted segment.
func (r *MarginReport) Add(s *store.SubmittedSegment) {
	k := marginKey{s.Carrier, CountryCode(s.Dest), s.Currency}
	l := r.lines[k]
	if l == nil {
		l = &MarginLine{Carrier: k.carrier, Dest: k.dest, Currency: k.currency}
		r.lines[k] = l
	}
	l.Segments++
	if s.MessageID != r.cur {
		r.cur = s.MessageID
		clear(r.seen)
	}
	if !r.seen[s.Segment] {
		r.seen[s.Segment] = true
		segs := int64(max(s.Segments, 1))
		net := s.Charged - s.Refunded
		share := net / segs
		if s.Segment <= 1 {
			share += net % segs // the remainder goes with the first part
		}
		l.Revenue += Micros(share)
	}
	rate, err := r.rate(s.Carrier, s.Dest, s.At)
	if err == nil && l.Currency == "" {
		l.Currency = rate.Currency // an account without billing: cost only
	}
	if err != nil || rate.Currency != l.Currency {
		l.Unpriced++
		return
	}
	l.Cost += rate.Amount
}

// Result returns the lines by carrier, destination and currency, and the
// totals per currency.
func (r *MarginReport) Result() (lines []MarginLine, totals []MarginLine) {
	byCur := map[string]*MarginLine{}
	for _, l := range r.lines {
		v := *l
		v.MarginKnown = v.Unpriced == 0
		if v.MarginKnown {
			v.Margin = v.Revenue - v.Cost
		}
		lines = append(lines, v)
		t := byCur[v.Currency]
		if t == nil {
			t = &MarginLine{Currency: v.Currency}
			byCur[v.Currency] = t
		}
		t.Segments += v.Segments
		t.Revenue += v.Revenue
		t.Cost += v.Cost
		t.Unpriced += v.Unpriced
	}
	slices.SortFunc(lines, func(a, b MarginLine) int {
		return strings.Compare(a.Carrier+"\x00"+a.Dest+"\x00"+a.Currency, b.Carrier+"\x00"+b.Dest+"\x00"+b.Currency)
	})
	for _, t := range byCur {
		t.MarginKnown = t.Unpriced == 0
		if t.MarginKnown {
			t.Margin = t.Revenue - t.Cost
		}
		totals = append(totals, *t)
	}
	slices.SortFunc(totals, func(a, b MarginLine) int { return strings.Compare(a.Currency, b.Currency) })
	return lines, totals
}
