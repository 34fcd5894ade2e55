package app

import "time"

// UsageQuery selects the messages of a usage report: accepted in [From,
// Until), bucketed by GroupBy (day, month, destination or status).
type UsageQuery struct {
	From, Until time.Time
	GroupBy     string
}

// UsageCounts sums the messages of a bucket. Charged and Refunded are
// the ledger's charges and refunds for them, as positive amounts.
type UsageCounts struct {
	Messages  int64 `json:"messages"`
	Segments  int64 `json:"segments"`
	Charged   int64 `json:"charged"`
	Refunded  int64 `json:"refunded"`
	Delivered int64 `json:"delivered"`
	Failed    int64 `json:"failed"`
	Pending   int64 `json:"pending"`
}

// UsageBucket is one bucket of a usage report. Key is "2026-06-01" by
// day, "2026-06" by month, the E.164 country code ("44") by destination,
// or the status name by status; Start is the first instant of a day or
// month.
type UsageBucket struct {
	Key   string     `json:"key"`
	Start *time.Time `json:"start,omitempty"`
	UsageCounts
}

// UsageReport is an account's usage over a range.
type UsageReport struct {
	AccountID int64     `json:"account_id,string"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	GroupBy   string    `json:"group_by"`
	// Currency is the account's billing currency; empty without billing.
	Currency string        `json:"currency,omitempty"`
	Buckets  []UsageBucket `json:"buckets"`
	Total    UsageCounts   `json:"total"`
}

// InvoiceLine is a statement's charges for segments to one country code
// at one price per segment.
type InvoiceLine struct {
	// Destination is "+44"; empty for charges without a stored message.
	Destination string `json:"destination"`
	Messages    int64  `json:"messages"`
	Segments    int64  `json:"segments"`
	UnitPrice   int64  `json:"unit_price"`
	Amount      int64  `json:"amount"`
}

// StatementView is an account's monthly statement. Closing = Opening +
// TopUps + TransfersIn − Charges + Refunds + Adjustments − TransfersOut +
// Other; the lines add up to Charges.
type StatementView struct {
	AccountID   int64  `json:"account_id,string"`
	AccountName string `json:"account_name"`
	Currency    string `json:"currency"`
	// Month is "2026-06"; the period is [From, Until), UTC. Complete is
	// false for the month in progress.
	Month        string        `json:"month"`
	From         time.Time     `json:"from"`
	Until        time.Time     `json:"until"`
	Complete     bool          `json:"complete"`
	Opening      int64         `json:"opening_balance"`
	TopUps       int64         `json:"topups"`
	TransfersIn  int64         `json:"transfers_in"`
	Charges      int64         `json:"charges"`
	Refunds      int64         `json:"refunds"`
	Adjustments  int64         `json:"adjustments"`
	TransfersOut int64         `json:"transfers_out"`
	Other        int64         `json:"other"`
	Closing      int64         `json:"closing_balance"`
	Segments     int64         `json:"segments"`
	Lines        []InvoiceLine `json:"lines"`
}

// SubAccountUsage is one sub-account's traffic and what it earned its
// reseller. Cost is the reseller's own price for the billable messages
// (charged, not refunded); Margin is Charged − Cost, null when some
// billable messages (UnpricedMessages) have no price in the reseller's
// plan, so the cost is unknown.
type SubAccountUsage struct {
	AccountID        int64  `json:"account_id,string"`
	Name             string `json:"name"`
	Currency         string `json:"currency,omitempty"`
	Messages         int64  `json:"messages"`
	Segments         int64  `json:"segments"`
	Charged          int64  `json:"charged"`
	Cost             int64  `json:"cost"`
	Margin           *int64 `json:"margin"`
	UnpricedMessages int64  `json:"unpriced_messages"`
}

// SubAccountReport is a reseller's view of its sub-accounts' traffic.
type SubAccountReport struct {
	AccountID int64     `json:"account_id,string"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	// Currency is the reseller's currency, in which Cost is counted.
	Currency    string            `json:"currency,omitempty"`
	SubAccounts []SubAccountUsage `json:"sub_accounts"`
	Total       SubAccountUsage   `json:"total"`
}

// MarginLine is the platform's traffic through one carrier to one country
// code, in one currency. Cost sums the carrier's buy rates of the priced
// segments; UnpricedSegments have no buy rate (or one in another
// currency), so the cost is unknown and Margin is null.
type MarginLine struct {
	Carrier          string `json:"carrier,omitempty"`
	Destination      string `json:"destination,omitempty"`
	Currency         string `json:"currency"`
	Segments         int64  `json:"segments"`
	Revenue          int64  `json:"revenue"`
	Cost             int64  `json:"cost"`
	Margin           *int64 `json:"margin"`
	UnpricedSegments int64  `json:"unpriced_segments"`
	CostUnknown      bool   `json:"cost_unknown"`
}

// MarginReport is the platform's margin over a range.
type MarginReport struct {
	From   time.Time    `json:"from"`
	Until  time.Time    `json:"until"`
	Lines  []MarginLine `json:"lines"`
	Totals []MarginLine `json:"totals"`
}
