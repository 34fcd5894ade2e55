package api

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/app"
	"github.com/gallant-sms/gallant/gateway"
)

// The use cases of package app are the services behind the API.
var (
	_ Authenticator = (*app.Auth)(nil)
	_ Identity      = (*app.Identity)(nil)
	_ Messages      = (*app.Messages)(nil)
	_ Saturation    = (*app.Messages)(nil)
	_ Idempotency   = (*app.Idempotency)(nil)
	_ Accounts      = (*app.Accounts)(nil)
	_ Reports       = (*app.Reports)(nil)
	_ Billing       = (*app.Billing)(nil)
	_ Alerts        = (*app.Alerts)(nil)
)

// TestAppRefusals: every refusal of a use case is answered with its
// problem, field and detail; a fault stays internal.
func TestAppRefusals(t *testing.T) {
	for _, c := range []struct {
		kind   app.Kind
		typ    string
		status int
	}{
		{app.KindInvalid, TypeInvalidRequest, 400},
		{app.KindUnprocessable, TypeInvalidRequest, 422},
		{app.KindInvalidURL, TypeInvalidURL, 400},
		{app.KindInvalidNumber, TypeInvalidNumber, 400},
		{app.KindUnauthorized, TypeUnauthorized, 401},
		{app.KindForbidden, TypeForbidden, 403},
		{app.KindNotFound, TypeNotFound, 404},
		{app.KindInsufficientBalance, TypeInsufficientBalance, 402},
		{app.KindNotPriced, "not-priced", 422},
		{app.KindRateLimited, TypeRateLimited, 429},
		{app.KindEmailTaken, TypeEmailTaken, 409},
		{app.KindInvalidToken, TypeInvalidToken, 400},
		{app.KindEmailUnverified, TypeEmailUnverified, 403},
		{app.KindMailUnavailable, TypeMailUnavailable, 503},
		{app.KindUserDisabled, TypeUserDisabled, 403},
		{app.KindLastOwner, TypeLastOwner, 409},
		{app.KindInternal, TypeInternal, 500},
	} {
		in := &app.Error{Kind: c.kind, Field: "f", Detail: "why", RetryAfter: 2 * time.Second}
		p, known := problemOf(fmt.Errorf("wrapped: %w", in))
		if !known || p.Type != c.typ || p.Status != c.status {
			t.Errorf("kind %d: %+v (known %t), want %s %d", c.kind, p, known, c.typ, c.status)
		}
		if c.kind == app.KindInvalid && (p.Field != "f" || p.Detail != "why") {
			t.Errorf("invalid: field %q detail %q", p.Field, p.Detail)
		}
		if c.kind == app.KindRateLimited && p.RetryAfter != 2*time.Second {
			t.Errorf("rate limited: retry after %v", p.RetryAfter)
		}
	}
	if p, known := problemOf(errors.New("disk on fire")); known || p.Type != TypeInternal {
		t.Errorf("a fault: %+v (known %t)", p, known)
	}
	if p, _ := problemOf(&gateway.Refusal{Problem: gateway.ProblemNoRoute, Field: "to", Detail: "none"}); p.Type != TypeNoRoute || p.Field != "to" {
		t.Errorf("a gateway refusal: %+v", p)
	}
}
