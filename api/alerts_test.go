package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/gallant-sms/gallant/billing"
)

// fakeAlerts keeps settings per account; the caller may manage its own
// account only.
type fakeAlerts struct {
	got map[int64]AlertInput
}

func (f *fakeAlerts) allowed(p Principal, id int64) error {
	if p.AccountID != id {
		return Forbidden("not your account")
	}
	return nil
}

func (f *fakeAlerts) GetAlerts(_ context.Context, p Principal, id int64) (AlertSettings, error) {
	if err := f.allowed(p, id); err != nil {
		return AlertSettings{}, err
	}
	in := f.got[id]
	return AlertSettings{AccountID: id, LowBalanceThreshold: in.Threshold.String(), Email: in.Email,
		WebhookURL: in.WebhookURL, Currency: "EUR"}, nil
}

func (f *fakeAlerts) PutAlerts(ctx context.Context, p Principal, id int64, in AlertInput) (AlertSettings, error) {
	if err := f.allowed(p, id); err != nil {
		return AlertSettings{}, err
	}
	if in.Email == "bad" {
		return AlertSettings{}, InvalidRequest("email", "not an address")
	}
	f.got[id] = in
	return f.GetAlerts(ctx, p, id)
}

func TestAlertEndpoints(t *testing.T) {
	fa := &fakeAlerts{got: map[int64]AlertInput{}}
	ts := newTestServerWith(t, Config{}, func(d *Deps) {
		d.Alerts = fa
		d.Auth = identityAuth{} // sessOwner: account 1 with the admin scope
	})
	const path = "/v1/accounts/1/alerts"

	a := ts.do(t, http.MethodPut, path, sessOwner, []byte(`{"low_balance_threshold":"5.25","email":"ops@example.com","webhook_url":"https://example.com/h"}`))
	if a.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", a.Code, a.Body)
	}
	var v AlertSettings
	a.decode(t, &v)
	if v.LowBalanceThreshold != billing.Micros(5_250_000).String() || v.Email != "ops@example.com" || v.AccountID != 1 {
		t.Fatalf("PUT answered %+v", v)
	}
	if fa.got[1].Threshold != 5_250_000 || fa.got[1].WebhookURL != "https://example.com/h" {
		t.Fatalf("service got %+v", fa.got[1])
	}
	a = ts.do(t, http.MethodGet, path, keyRead, nil)
	if a.Code != http.StatusOK {
		t.Fatalf("GET: %d %s", a.Code, a.Body)
	}
	a.decode(t, &v)
	if v.Email != "ops@example.com" {
		t.Fatalf("GET answered %+v", v)
	}

	for _, tc := range []struct {
		name, path, key, body string
		code                  int
		typ                   string
	}{
		{"negative", path, sessOwner, `{"low_balance_threshold":"-1"}`, 400, "invalid-request"},
		{"not a number", path, sessOwner, `{"low_balance_threshold":"five"}`, 400, "invalid-request"},
		{"missing threshold", path, sessOwner, `{"email":"a@example.com"}`, 400, "invalid-request"},
		{"unknown field", path, sessOwner, `{"low_balance_threshold":"1","sms":true}`, 400, "invalid-request"},
		{"read-only key", path, keyRead, `{"low_balance_threshold":"1"}`, 403, "forbidden"},
		{"not json", path, sessOwner, `{`, 400, "invalid-json"},
		{"service refuses", path, sessOwner, `{"low_balance_threshold":"1","email":"bad"}`, 400, "invalid-request"},
		{"other account", "/v1/accounts/2/alerts", sessOwner, `{"low_balance_threshold":"1"}`, 403, "forbidden"},
		{"bad id", "/v1/accounts/x/alerts", sessOwner, `{"low_balance_threshold":"1"}`, 404, "not-found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts.do(t, http.MethodPut, tc.path, tc.key, []byte(tc.body)).wantProblem(t, tc.code, tc.typ)
		})
	}
	ts.do(t, http.MethodGet, path, "", nil).wantProblem(t, 401, "unauthorized")

	off := newTestServer(t, Config{})
	off.do(t, http.MethodGet, path, keyRead, nil).wantProblem(t, 404, "not-found")
	off.do(t, http.MethodPut, path, keyAll, []byte(`{"low_balance_threshold":"1"}`)).wantProblem(t, 403, "forbidden") // scope first
	off.do(t, http.MethodPut, "/v1/accounts/3/alerts", keyAdmin, []byte(`{"low_balance_threshold":"1"}`)).wantProblem(t, 404, "not-found")
}
