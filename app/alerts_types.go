package app

// AlertInput is a PUT of the alert settings, parsed.
type AlertInput struct {
	// Threshold is in micros of the account's currency; 0 turns the
	// alert off.
	Threshold  Micros
	Email      string
	WebhookURL string
}

// AlertSettings is the JSON form of an account's low-balance alert.
type AlertSettings struct {
	AccountID int64 `json:"account_id,string"`
	// LowBalanceThreshold is a decimal amount of Currency, "0" when off.
	LowBalanceThreshold string `json:"low_balance_threshold"`
	Email               string `json:"email"`
	WebhookURL          string `json:"webhook_url"`
	Currency            string `json:"currency"`
	// Fired is true from the alert until the balance is back at or above
	// the threshold.
	Fired bool `json:"fired"`
}
