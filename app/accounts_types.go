package app

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// AccountView is an account as the API shows it. Ids are strings, like
// every id of the API.
type AccountView struct {
	ID     int64  `json:"id,string"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// ParentID is the reseller above the account; 0 (omitted) for none.
	ParentID   int64     `json:"parent_id,string,omitempty"`
	TPSLimit   int       `json:"tps_limit"`
	WebhookURL string    `json:"webhook_url,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Balance is the prepaid balance, when the account has one.
	Balance *BalanceView `json:"balance,omitempty"`
}

// AccountPage is a page of accounts.
type AccountPage struct {
	Items      []AccountView `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// CreateAccountRequest is the body of POST /v1/accounts.
type CreateAccountRequest struct {
	Name string `json:"name"`
	// Kind is customer (the default), reseller or platform; only an
	// admin creates anything but customers.
	Kind string `json:"kind"`
	// ParentID puts the account below a reseller; a reseller's
	// accounts always go below itself (0 means that), an admin's go
	// where it says (0: top level).
	ParentID FlexID `json:"parent_id"`
	// IP is the caller's address, for the audit log.
	IP string `json:"-"`
}

// CreatedAccount is the answer to POST /v1/accounts: the account and its
// secrets, which are never shown again.
type CreatedAccount struct {
	Account AccountView `json:"account"`
	// APIKey holds the admin scope: it acts as the account's owner (or
	// as reseller or platform admin, by the account's kind).
	APIKey        string `json:"api_key"`
	SMPPSystemID  string `json:"smpp_system_id"`
	SMPPPassword  string `json:"smpp_password"`
	WebhookSecret string `json:"webhook_secret"`
}

// UpdateAccountRequest is the body of PATCH /v1/accounts/{id}; members
// left out stay as they are.
type UpdateAccountRequest struct {
	Name       *string `json:"name"`
	TPSLimit   *int    `json:"tps_limit"`
	WebhookURL *string `json:"webhook_url"`
	// CreditLimit is the lowest the balance may reach, a decimal amount
	// ("-50" allows 50 units of credit); admin only.
	CreditLimit *string `json:"credit_limit"`
	// CreditLimitMicros is CreditLimit parsed by the handler.
	CreditLimitMicros int64  `json:"-"`
	IP                string `json:"-"`
}

// TopUpRequest is the body of POST /v1/accounts/{id}/topups.
type TopUpRequest struct {
	// Amount is a decimal amount of currency units, such as "25.50".
	Amount string `json:"amount"`
	// AmountMicros is Amount parsed by the handler.
	AmountMicros int64 `json:"-"`
	// Reference traces the payment (a bank transfer's reference).
	Reference string `json:"reference"`
	IP        string `json:"-"`
}

// TopUpResult is the answer to a top-up: the ledger row on the account
// and its balance right after.
type TopUpResult struct {
	Entry   LedgerItem  `json:"entry"`
	Source  string      `json:"source"`
	Balance BalanceView `json:"balance"`
}

// PlanPriceView is one price of a plan: per segment, for destinations
// starting with Prefix (the longest prefix wins).
type PlanPriceView struct {
	Prefix      string `json:"prefix"`
	Price       string `json:"price"`
	PriceMicros int64  `json:"price_micros"`
}

// PlanView is a price plan.
type PlanView struct {
	ID int64 `json:"id,string"`
	// OwnerAccountID is the reseller owning the plan; 0 (omitted) for a
	// platform plan.
	OwnerAccountID int64           `json:"owner_account_id,string,omitempty"`
	Name           string          `json:"name"`
	Currency       string          `json:"currency"`
	Default        bool            `json:"is_default"`
	ValidFrom      time.Time       `json:"valid_from"`
	ValidTo        *time.Time      `json:"valid_to,omitempty"`
	Prices         []PlanPriceView `json:"prices"`
	CreatedAt      time.Time       `json:"created_at"`
}

// PlanPriceRequest is one price of a new plan.
type PlanPriceRequest struct {
	Prefix string `json:"prefix"`
	// Price is a decimal amount per segment, such as "0.035".
	Price string `json:"price"`
	// PriceMicros is Price parsed by the handler.
	PriceMicros int64 `json:"-"`
}

// CreatePlanRequest is the body of POST /v1/plans.
type CreatePlanRequest struct {
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Default  bool   `json:"is_default"`
	// ValidFrom is when the plan comes in force (RFC 3339); nil: now.
	ValidFrom *time.Time `json:"valid_from"`
	// ValidTo ends it (exclusive); nil: no end.
	ValidTo *time.Time         `json:"valid_to"`
	Prices  []PlanPriceRequest `json:"prices"`
	// OwnerAccountID makes an admin's plan a reseller's.
	OwnerAccountID FlexID `json:"owner_account_id"`
	IP             string `json:"-"`
}

// AuditItem is one audit log entry.
type AuditItem struct {
	ID          int64     `json:"id,string"`
	AccountID   int64     `json:"account_id,string"`
	ActorUserID int64     `json:"actor_user_id,string,omitempty"`
	Action      string    `json:"action"`
	Target      string    `json:"target,omitempty"`
	Details     string    `json:"details,omitempty"`
	IP          string    `json:"ip,omitempty"`
	At          time.Time `json:"at"`
}

// AuditPage is a page of the audit log, newest first; NextBefore is the
// before= of the next page.
type AuditPage struct {
	Items      []AuditItem `json:"items"`
	NextBefore string      `json:"next_before,omitempty"`
}

// FlexID is an id given as a JSON string ("12") or number (12).
type FlexID int64

// UnmarshalJSON accepts a string or a number holding a non-negative id.
func (f *FlexID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("app: bad id %s", b)
	}
	*f = FlexID(n)
	return nil
}

// Top-up sources.
const (
	TopUpPayment  = "payment"  // an admin's top-up, through the payment provider
	TopUpTransfer = "transfer" // a reseller's, from its own balance
)
