package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
)

// Money and periods as callers give them, by package billing's rules, so
// that the API reads its bodies and paths without reaching past the use
// cases.

// Micros is an amount in millionths of a currency unit.
type Micros = billing.Micros

// Bounds of the amounts callers give.
const (
	// MicrosPerUnit is one currency unit.
	MicrosPerUnit = billing.MicrosPerUnit
	// MaxTransfer is the largest top-up or transfer.
	MaxTransfer = billing.MaxTransfer
)

// ParseMicros parses a decimal amount of currency units ("12.50").
func ParseMicros(s string) (Micros, error) { return billing.ParseMicros(s) }

// ValidCurrency reports whether c is an ISO 4217 code such as EUR.
func ValidCurrency(c string) bool { return billing.ValidCurrency(c) }

// ParseUsageGrouping checks a usage report's group_by (day, month,
// destination or status; empty is day) and returns it as the report
// takes it.
func ParseUsageGrouping(s string) (string, error) {
	g, err := billing.ParseUsageGrouping(s)
	return string(g), err
}

// StatementMonth parses a statement's month ("2026-05") into its bounds
// in UTC; a month after now's, before 2000 or malformed is an error.
func StatementMonth(s string, now time.Time) (from, until time.Time, err error) {
	return billing.StatementMonth(s, now)
}

// ParsePlanPrice parses one PREFIX=AMOUNT price of a plan (gallant admin
// plan create --price), refusing a prefix already in prices.
func ParsePlanPrice(s string, prices []store.PlanPrice) (store.PlanPrice, error) {
	prefix, amount, ok := strings.Cut(s, "=")
	if !ok {
		return store.PlanPrice{}, fmt.Errorf("price %q: want PREFIX=AMOUNT, e.g. 44=0.035", s)
	}
	if !store.ValidPrefix(prefix) {
		return store.PlanPrice{}, fmt.Errorf("price %q: prefix must be 1 to 15 digits (E.164, no '+')", s)
	}
	m, err := billing.ParseMicros(amount)
	if err != nil {
		return store.PlanPrice{}, fmt.Errorf("price %q: %w", s, err)
	}
	if m < 0 {
		return store.PlanPrice{}, fmt.Errorf("price %q: negative amount", s)
	}
	for _, pr := range prices {
		if pr.Prefix == prefix {
			return store.PlanPrice{}, fmt.Errorf("price %q: prefix %s given twice", s, prefix)
		}
	}
	return store.PlanPrice{Prefix: prefix, PriceMicros: int64(m)}, nil
}
