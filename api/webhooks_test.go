package api

import (
	"context"
	"testing"
)

// Deliveries answers one attempt of the account asked for; account 404
// is unknown.
func (f *fakeAccounts) Deliveries(_ context.Context, p Principal, df DeliveryFilter) (DeliveryPage, error) {
	f.mu.Lock()
	f.deliveries = append(f.deliveries, df)
	f.mu.Unlock()
	if df.AccountID == 404 {
		return DeliveryPage{}, NotFound("no such account")
	}
	id := df.AccountID
	if id == 0 {
		id = p.AccountID
	}
	return DeliveryPage{Items: []DeliveryItem{{ID: 11, MessageID: 77, URL: "https://h.example/cb", Attempt: 2,
		StatusCode: 204, At: fakeCreated}}, NextCursor: "11"}, nil
}

// RotateWebhookSecret answers a fixed secret; account 404 is unknown.
func (f *fakeAccounts) RotateWebhookSecret(_ context.Context, _ Principal, id int64, _ string) (WebhookSecretView, error) {
	f.record("rotate")
	if id == 404 {
		return WebhookSecretView{}, NotFound("no such account")
	}
	return WebhookSecretView{AccountID: id, WebhookSecret: "whsec_new"}, nil
}

func TestWebhookDeliveriesRoute(t *testing.T) {
	f := &fakeAccounts{}
	ts := newAccountsServer(t, f)
	a := ts.do(t, "GET", "/v1/webhooks/deliveries?message_id=77&cursor=20&limit=5&account_id=3", acctKeyRead, nil)
	if a.Code != 200 {
		t.Fatalf("list: %d %s", a.Code, a.Body)
	}
	var page struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next_cursor"`
	}
	a.decode(t, &page)
	if len(page.Items) != 1 || page.Items[0]["id"] != "11" || page.Items[0]["message_id"] != "77" ||
		page.Items[0]["status_code"] != float64(204) || page.Items[0]["gave_up"] != false || page.Next != "11" {
		t.Fatalf("page %s", a.Body)
	}
	if got := f.deliveries[0]; got.AccountID != 3 || got.MessageID != 77 || got.Cursor != "20" || got.Limit != 5 {
		t.Fatalf("filter %+v", got)
	}
	for _, q := range []string{"limit=0", "limit=501", "cursor=x", "message_id=abc", "account_id=-1", "status=x"} {
		ts.do(t, "GET", "/v1/webhooks/deliveries?"+q, acctKeyRead, nil).wantProblem(t, 400, TypeInvalidRequest)
	}
	ts.do(t, "GET", "/v1/webhooks/deliveries?account_id=404", acctKeyRead, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "GET", "/v1/webhooks/deliveries", acctKeySend, nil).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "GET", "/v1/webhooks/deliveries", "", nil).wantProblem(t, 401, TypeUnauthorized)
}

func TestRotateWebhookSecretRoute(t *testing.T) {
	ts := newAccountsServer(t, &fakeAccounts{})
	a := ts.do(t, "POST", "/v1/accounts/3/webhook-secret", acctKeyAdmin, nil)
	if a.Code != 200 || a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d %v %s", a.Code, a.Header, a.Body)
	}
	var v map[string]any
	a.decode(t, &v)
	if v["account_id"] != "3" || v["webhook_secret"] != "whsec_new" {
		t.Fatalf("answer %s", a.Body)
	}
	ts.do(t, "POST", "/v1/accounts/3/webhook-secret", acctKeyRead, nil).wantProblem(t, 403, TypeForbidden)
	ts.do(t, "POST", "/v1/accounts/404/webhook-secret", acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
	ts.do(t, "POST", "/v1/accounts/x/webhook-secret", acctKeyAdmin, nil).wantProblem(t, 404, TypeNotFound)
}
