package api

import "github.com/gallant-sms/gallant/app"

// The request and answer types of the services are the use cases' own,
// declared by package app; the API names them here so that its
// handlers and its clients' Go code read as before.

type (
	// Principal is [app.Principal].
	Principal = app.Principal
	// SendResult is [app.SendResult].
	SendResult = app.SendResult
	// BatchItem is [app.BatchItem].
	BatchItem = app.BatchItem
	// MessageView is [app.MessageView].
	MessageView = app.MessageView
	// EventView is [app.EventView].
	EventView = app.EventView
	// ListFilter is [app.ListFilter].
	ListFilter = app.ListFilter
	// MessagePage is [app.MessagePage].
	MessagePage = app.MessagePage
	// IdempotencyRecord is [app.IdempotencyRecord].
	IdempotencyRecord = app.IdempotencyRecord
	// AccountView is [app.AccountView].
	AccountView = app.AccountView
	// AccountPage is [app.AccountPage].
	AccountPage = app.AccountPage
	// CreateAccountRequest is [app.CreateAccountRequest].
	CreateAccountRequest = app.CreateAccountRequest
	// CreatedAccount is [app.CreatedAccount].
	CreatedAccount = app.CreatedAccount
	// UpdateAccountRequest is [app.UpdateAccountRequest].
	UpdateAccountRequest = app.UpdateAccountRequest
	// TopUpRequest is [app.TopUpRequest].
	TopUpRequest = app.TopUpRequest
	// TopUpResult is [app.TopUpResult].
	TopUpResult = app.TopUpResult
	// PlanPriceView is [app.PlanPriceView].
	PlanPriceView = app.PlanPriceView
	// PlanView is [app.PlanView].
	PlanView = app.PlanView
	// PlanPriceRequest is [app.PlanPriceRequest].
	PlanPriceRequest = app.PlanPriceRequest
	// CreatePlanRequest is [app.CreatePlanRequest].
	CreatePlanRequest = app.CreatePlanRequest
	// AuditItem is [app.AuditItem].
	AuditItem = app.AuditItem
	// AuditPage is [app.AuditPage].
	AuditPage = app.AuditPage
	// DeliveryFilter is [app.DeliveryFilter].
	DeliveryFilter = app.DeliveryFilter
	// DeliveryItem is [app.DeliveryItem].
	DeliveryItem = app.DeliveryItem
	// DeliveryPage is [app.DeliveryPage].
	DeliveryPage = app.DeliveryPage
	// WebhookSecretView is [app.WebhookSecretView].
	WebhookSecretView = app.WebhookSecretView
	// TopUpAsk is [app.TopUpAsk].
	TopUpAsk = app.TopUpAsk
	// TopUpAskView is [app.TopUpAskView].
	TopUpAskView = app.TopUpAskView
	// TopUpAskPage is [app.TopUpAskPage].
	TopUpAskPage = app.TopUpAskPage
	// flexID is an id given as a JSON string ("12") or number (12).
	flexID = app.FlexID
	// BalanceView is [app.BalanceView].
	BalanceView = app.BalanceView
	// LedgerItem is [app.LedgerItem].
	LedgerItem = app.LedgerItem
	// LedgerPage is [app.LedgerPage].
	LedgerPage = app.LedgerPage
	// PriceView is [app.PriceView].
	PriceView = app.PriceView
	// RegisterRequest is [app.RegisterRequest].
	RegisterRequest = app.RegisterRequest
	// UserView is [app.UserView].
	UserView = app.UserView
	// SessionView is [app.SessionView].
	SessionView = app.SessionView
	// MeView is [app.MeView].
	MeView = app.MeView
	// KeyRequest is [app.KeyRequest].
	KeyRequest = app.KeyRequest
	// KeyView is [app.KeyView].
	KeyView = app.KeyView
	// KeyCreated is [app.KeyCreated].
	KeyCreated = app.KeyCreated
	// SMPPCredentialRequest is [app.SMPPCredentialRequest].
	SMPPCredentialRequest = app.SMPPCredentialRequest
	// SMPPCredentialPatch is [app.SMPPCredentialPatch].
	SMPPCredentialPatch = app.SMPPCredentialPatch
	// SMPPCredentialView is [app.SMPPCredentialView].
	SMPPCredentialView = app.SMPPCredentialView
	// UserRequest is [app.UserRequest].
	UserRequest = app.UserRequest
	// UserPatch is [app.UserPatch].
	UserPatch = app.UserPatch
	// UsageQuery is [app.UsageQuery].
	UsageQuery = app.UsageQuery
	// UsageCounts is [app.UsageCounts].
	UsageCounts = app.UsageCounts
	// UsageBucket is [app.UsageBucket].
	UsageBucket = app.UsageBucket
	// UsageReport is [app.UsageReport].
	UsageReport = app.UsageReport
	// InvoiceLine is [app.InvoiceLine].
	InvoiceLine = app.InvoiceLine
	// StatementView is [app.StatementView].
	StatementView = app.StatementView
	// SubAccountUsage is [app.SubAccountUsage].
	SubAccountUsage = app.SubAccountUsage
	// SubAccountReport is [app.SubAccountReport].
	SubAccountReport = app.SubAccountReport
	// MarginLine is [app.MarginLine].
	MarginLine = app.MarginLine
	// MarginReport is [app.MarginReport].
	MarginReport = app.MarginReport
	// AlertInput is [app.AlertInput].
	AlertInput = app.AlertInput
	// AlertSettings is [app.AlertSettings].
	AlertSettings = app.AlertSettings
)
