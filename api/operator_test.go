package api

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/app"
)

// fakeOperator shows one carrier to account 3 (keyAdmin) and refuses
// everyone else, as the app's Operator refuses all but platform admins.
type fakeOperator struct{}

func (fakeOperator) Carriers(_ context.Context, p Principal) (CarriersView, error) {
	if p.AccountID != 3 {
		return CarriersView{}, app.Forbidden("platform admins only")
	}
	r := 12.5
	since := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	return CarriersView{At: since, RateWindowSeconds: 10, Carriers: []app.CarrierView{{Name: "c1", QueueCapacity: 100,
		Binds: []app.BindView{{State: "bound", Since: &since, SubmitsPerSecond: &r, Window: 10}}}}}, nil
}

func (fakeOperator) Routes(_ context.Context, p Principal) (RoutesView, error) {
	if p.AccountID != 3 {
		return RoutesView{}, app.Forbidden("platform admins only")
	}
	return RoutesView{Routes: []app.RouteView{{Prefix: "44", Carriers: []app.RouteCarrier{{Carrier: "c1", Weight: 1}}}},
		AccountRoutes: []app.AccountRoutesView{}, BuyRates: []app.BuyRateView{}}, nil
}

func (fakeOperator) Audit(_ context.Context, p Principal, before int64, limit int) (AuditPage, error) {
	if p.AccountID != 3 {
		return AuditPage{}, app.Forbidden("platform admins only")
	}
	return AuditPage{Items: []AuditItem{{ID: before - 1, AccountID: 9, Action: "account.suspend", At: time.Unix(0, 0)}},
		NextBefore: strconv.Itoa(limit)}, nil
}

// TestOperatorViews: the operator's views need the admin scope and the
// service's consent, take no parameters, and are 404 without a service.
func TestOperatorViews(t *testing.T) {
	ts := newTestServerWith(t, Config{}, func(d *Deps) { d.Operator = fakeOperator{} })
	var c struct {
		Carriers []struct {
			Name  string `json:"name"`
			Binds []struct {
				State            string   `json:"state"`
				Since            string   `json:"since"`
				SubmitsPerSecond *float64 `json:"submits_per_second"`
			} `json:"binds"`
		} `json:"carriers"`
	}
	a := ts.do(t, "GET", "/v1/operator/carriers", keyAdmin, nil)
	if a.Code != http.StatusOK {
		t.Fatalf("carriers: %d %s", a.Code, a.Body)
	}
	if a.decode(t, &c); len(c.Carriers) != 1 || len(c.Carriers[0].Binds) != 1 || c.Carriers[0].Binds[0].State != "bound" ||
		c.Carriers[0].Binds[0].Since != "2026-06-01T09:00:00Z" || c.Carriers[0].Binds[0].SubmitsPerSecond == nil {
		t.Fatalf("carriers: %s", a.Body)
	}
	var r struct {
		Routes []struct {
			Prefix string `json:"prefix"`
		} `json:"routes"`
		BuyRates []any `json:"buy_rates"`
	}
	a = ts.do(t, "GET", "/v1/operator/routes", keyAdmin, nil)
	if a.decode(t, &r); a.Code != http.StatusOK || len(r.Routes) != 1 || r.Routes[0].Prefix != "44" || r.BuyRates == nil {
		t.Fatalf("routes: %d %s", a.Code, a.Body)
	}
	var au struct {
		Items []struct {
			ID        string `json:"id"`
			AccountID string `json:"account_id"`
		} `json:"items"`
		NextBefore string `json:"next_before"`
	}
	a = ts.do(t, "GET", "/v1/operator/audit?before=50&limit=7", keyAdmin, nil)
	if a.decode(t, &au); a.Code != http.StatusOK || len(au.Items) != 1 || au.Items[0].ID != "49" || au.Items[0].AccountID != "9" || au.NextBefore != "7" {
		t.Fatalf("audit: %d %s", a.Code, a.Body)
	}
	ts.do(t, "GET", "/v1/operator/audit?before=x", keyAdmin, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "GET", "/v1/operator/audit?limit=100000", keyAdmin, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	ts.do(t, "GET", "/v1/operator/audit", keyAll, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
	for _, path := range []string{"/v1/operator/carriers", "/v1/operator/routes"} {
		ts.do(t, "GET", path, keyAll, nil).wantProblem(t, http.StatusForbidden, TypeForbidden) // no admin scope
		ts.do(t, "GET", path, "", nil).wantProblem(t, http.StatusUnauthorized, TypeUnauthorized)
		ts.do(t, "GET", path+"?x=1", keyAdmin, nil).wantProblem(t, http.StatusBadRequest, TypeInvalidRequest)
	}

	off := newTestServer(t, Config{})
	off.do(t, "GET", "/v1/operator/carriers", keyAdmin, nil).wantProblem(t, http.StatusNotFound, TypeNotFound)
	// The app's service refuses an admin-scope key that is no platform admin.
	real := newTestServerWith(t, Config{}, func(d *Deps) { d.Operator = app.NewOperator(nil, nil, nil) })
	real.do(t, "GET", "/v1/operator/routes", keyAdmin, nil).wantProblem(t, http.StatusForbidden, TypeForbidden)
}
