package billing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// ErrBadPeriod means a statement's month is malformed or in the future.
var ErrBadPeriod = errors.New("billing: bad statement period")

// Statement is an account's monthly statement, built from its ledger: the
// money at the start of the month, what moved it, and the money at the
// end. The identity
//
//	Closing = Opening + TopUps + TransfersIn − Charges + Refunds + Adjustments − TransfersOut + Other
//
// always holds, and Closing is also Opening plus the sum of the month's
// ledger rows. Charges, Refunds, TopUps, TransfersIn and TransfersOut are
// positive; Adjustments and Other are signed.
type Statement struct {
	AccountID int64
	Currency  string
	// From and Until bound the month: [From, Until), UTC. For the month
	// in progress Until is the end of the month and Complete is false.
	From, Until time.Time
	Complete    bool

	Opening      Micros
	TopUps       Micros
	TransfersIn  Micros
	Charges      Micros
	Refunds      Micros
	Adjustments  Micros
	TransfersOut Micros
	// Other sums rows of kinds this release does not know.
	Other   Micros
	Closing Micros

	// Lines are the month's charges by destination and unit price (the
	// invoice lines); their amounts add up to Charges.
	Lines []InvoiceLine
	// Segments is the total of the lines' segments.
	Segments int64
}

// InvoiceLine is the charges for segments to one E.164 country code at
// one price per segment.
type InvoiceLine struct {
	// Dest is the country code ("44"); empty for charges without a
	// stored message.
	Dest      string
	Messages  int64
	Segments  int64
	UnitPrice Micros
	Amount    Micros
}

// StatementMonth parses "yyyy-mm" and returns the month's bounds in UTC.
// A month after the one holding now is ErrBadPeriod, as is a month before
// the year 2000 or a malformed one.
func StatementMonth(s string, now time.Time) (from, until time.Time, err error) {
	t, perr := time.Parse("2006-01", s)
	if perr != nil || len(s) != len("2006-01") || t.Year() < 2000 {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %q is not a month such as 2026-05", ErrBadPeriod, s)
	}
	from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if from.After(now) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: %s has not started", ErrBadPeriod, s)
	}
	return from, from.AddDate(0, 1, 0), nil
}

// BuildStatement makes the statement of [from, until) from the store's
// data. now tells whether the month is over.
func BuildStatement(accountID int64, currency string, from, until, now time.Time, d *store.StatementData) (*Statement, error) {
	st := &Statement{AccountID: accountID, Currency: currency, From: from, Until: until,
		Complete: !now.Before(until), Opening: Micros(d.Opening)}
	sum := Micros(0)
	for _, k := range d.Kinds {
		net := Micros(k.Credits + k.Debits)
		sum += net
		switch {
		case k.Kind == store.LedgerTopUp:
			st.TopUps += net
		case k.Kind == store.LedgerCharge:
			st.Charges -= net
		case k.Kind == store.LedgerRefund:
			st.Refunds += net
		case k.Kind == store.LedgerAdjustment:
			st.Adjustments += net
		case strings.HasPrefix(string(k.Kind), "transfer"):
			// Credit moved between accounts (a reseller funding its
			// sub-accounts): in by its credits, out by its debits.
			st.TransfersIn += Micros(k.Credits)
			st.TransfersOut -= Micros(k.Debits)
		default:
			st.Other += net
		}
	}
	st.Closing = st.Opening + st.TopUps + st.TransfersIn - st.Charges + st.Refunds + st.Adjustments - st.TransfersOut + st.Other
	if st.Closing != st.Opening+sum {
		return nil, fmt.Errorf("billing: statement of account %d: closing %v is not opening %v plus the month's %v",
			accountID, st.Closing, st.Opening, sum)
	}
	type lineKey struct {
		dest string
		unit Micros
	}
	index := map[lineKey]int{}
	for _, l := range d.Lines {
		segs := max(l.Segments, 1)
		k := lineKey{CountryCode(l.Dest), Micros(l.Price / segs)}
		i, ok := index[k]
		if !ok {
			i = len(st.Lines)
			index[k] = i
			st.Lines = append(st.Lines, InvoiceLine{Dest: k.dest, UnitPrice: k.unit})
		}
		st.Lines[i].Messages += l.Messages
		st.Lines[i].Segments += l.Messages * segs
		st.Lines[i].Amount += Micros(l.Amount)
		st.Segments += l.Messages * segs
	}
	slices.SortFunc(st.Lines, func(a, b InvoiceLine) int {
		if c := strings.Compare(a.Dest, b.Dest); c != 0 {
			return c
		}
		return int(a.UnitPrice.cmp(b.UnitPrice))
	})
	return st, nil
}

// cmp compares m and o.
func (m Micros) cmp(o Micros) int {
	switch {
	case m < o:
		return -1
	case m > o:
		return 1
	}
	return 0
}

// Decimal formats m for people: units with at least two and at most six
// decimals, such as "12.50", "0.0042" or "-3.00".
func (m Micros) Decimal() string {
	s := m.String()
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s + ".00"
	}
	end := len(s)
	for end > dot+3 && s[end-1] == '0' {
		end--
	}
	return s[:end]
}
