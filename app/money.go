package app

import (
	"time"

	"github.com/gallant-sms/gallant/billing"
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
