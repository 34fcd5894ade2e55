package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Alerts serves the alert settings with the account policy.
type Alerts struct {
	st   *store.Store
	acc  *account.Service
	urls *webhook.Guard // judges webhook URLs, as for status callbacks
}

// allowed checks that p may manage account id.
func (s Alerts) allowed(ctx context.Context, p Principal, id int64) error {
	err := s.acc.Can(ctx, actorOf(p), account.ActionManage, id)
	switch {
	case errors.Is(err, account.ErrForbidden):
		return Forbidden("the caller may not manage this account's alerts")
	case errors.Is(err, store.ErrNotFound):
		return NotFound("no such account")
	}
	return err
}

// GetAlerts returns the low-balance alert settings of account id.
func (s Alerts) GetAlerts(ctx context.Context, p Principal, id int64) (AlertSettings, error) {
	if err := s.allowed(ctx, p, id); err != nil {
		return AlertSettings{}, err
	}
	ba, err := s.st.GetBillingAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return AlertSettings{}, NotFound("the account has no prepaid balance")
	}
	if err != nil {
		return AlertSettings{}, err
	}
	al, err := s.st.GetBalanceAlert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		al, err = &store.BalanceAlert{AccountID: id}, nil
	}
	if err != nil {
		return AlertSettings{}, err
	}
	return alertView(al, ba.Currency), nil
}

// PutAlerts replaces the low-balance alert settings of account id.
func (s Alerts) PutAlerts(ctx context.Context, p Principal, id int64, in AlertInput) (AlertSettings, error) {
	if err := s.allowed(ctx, p, id); err != nil {
		return AlertSettings{}, err
	}
	if in.WebhookURL != "" {
		if err := s.urls.CheckStoredURL(ctx, in.WebhookURL); err != nil {
			return AlertSettings{}, invalidURL("webhook_url", err)
		}
	}
	ba, err := s.st.GetBillingAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return AlertSettings{}, NotFound("the account has no prepaid balance")
	}
	if err != nil {
		return AlertSettings{}, err
	}
	al := &store.BalanceAlert{AccountID: id, Threshold: int64(in.Threshold), Email: in.Email, WebhookURL: in.WebhookURL}
	err = s.st.SetBalanceAlert(ctx, al)
	if errors.Is(err, store.ErrInvalid) {
		return AlertSettings{}, Invalid("email", "the email must be a plain address such as ops@example.com")
	}
	if err != nil {
		return AlertSettings{}, fmt.Errorf("set alerts: %w", err)
	}
	return alertView(al, ba.Currency), nil
}

func alertView(al *store.BalanceAlert, currency string) AlertSettings {
	return AlertSettings{AccountID: al.AccountID, LowBalanceThreshold: billing.Micros(al.Threshold).String(),
		Email: al.Email, WebhookURL: al.WebhookURL, Currency: currency, Fired: al.Fired}
}
