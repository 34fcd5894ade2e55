package api

import (
	"context"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

// goldenMessages answers Get and List with fixed views.
type goldenMessages struct {
	nopMessages
	view MessageView
	page MessagePage
}

func (g goldenMessages) Get(context.Context, Principal, sms.ID) (MessageView, error) {
	return g.view, nil
}

func (g goldenMessages) List(context.Context, Principal, ListFilter) (MessagePage, error) {
	return g.page, nil
}

// goldenView is a message with every member set, escapes to make and a
// history of three events.
func goldenView() MessageView {
	at := time.Date(2026, 5, 1, 9, 30, 0, 123456789, time.UTC)
	price := int64(35_000)
	return MessageView{ID: 7_385_911_202_113_537, To: "+447700900123", From: "Gallant",
		Text: "caf\u00e9 <b>&\"q\"\n\u2028", Binary: []byte{0, 1, 2, 0xff}, Encoding: "ucs2", Segments: 2,
		Status: sms.StatusDelivered, Flash: true, DeliveryReport: true, SendAt: at,
		ValidUntil: at.Add(48 * time.Hour).In(time.FixedZone("", 2*3600)), CallbackURL: "https://hooks.example.com/sms?a=1&b=2",
		ClientRef: "order-17", CreatedAt: at.Add(-time.Second), UpdatedAt: at.Add(3 * time.Second), Price: &price,
		History: []EventView{
			{Status: sms.StatusAccepted, At: at.Add(-time.Second)},
			{Status: sms.StatusSubmitted, At: at.Add(time.Second), Segment: 2},
			{Status: sms.StatusDelivered, At: at.Add(3 * time.Second), ErrorCode: "000"},
		}}
}

// TestMessageJSONGolden: GET /v1/messages/{id} and GET /v1/messages encode
// the service's one view of a message byte for byte as the API always
// has (these documents were produced by the separate JSON types the API
// had before it encoded app.MessageView directly): ids as strings, empty
// members left out, times in RFC 3339 with their zone, HTML characters
// escaped, an empty list as [].
func TestMessageJSONGolden(t *testing.T) {
	const full = `{"id":"7385911202113537","to":"+447700900123","from":"Gallant",` +
		`"text":"café \u003cb\u003e\u0026\"q\"\n\u2028","binary":"AAEC/w==","encoding":"ucs2","segments":2,` +
		`"status":"delivered","flash":true,"delivery_report":true,"send_at":"2026-05-01T09:30:00.123456789Z",` +
		`"valid_until":"2026-05-03T11:30:00.123456789+02:00","callback_url":"https://hooks.example.com/sms?a=1\u0026b=2",` +
		`"client_ref":"order-17","created_at":"2026-05-01T09:29:59.123456789Z","updated_at":"2026-05-01T09:30:03.123456789Z",` +
		`"price":35000,"history":[{"status":"accepted","at":"2026-05-01T09:29:59.123456789Z"},` +
		`{"status":"submitted","at":"2026-05-01T09:30:01.123456789Z","segment":2},` +
		`{"status":"delivered","at":"2026-05-01T09:30:03.123456789Z","error_code":"000"}]}`
	const minimal = `{"id":"5","to":"+1555","segments":0,"status":"accepted","flash":false,"delivery_report":false,` +
		`"created_at":"2026-05-01T09:30:00.123456789Z"}`
	small := MessageView{ID: 5, To: "+1555", Status: sms.StatusAccepted,
		CreatedAt: time.Date(2026, 5, 1, 9, 30, 0, 123456789, time.UTC), History: []EventView{}}
	cases := []struct {
		name, uri string
		svc       goldenMessages
		want      string
	}{
		{"full message", "/v1/messages/7385911202113537", goldenMessages{view: goldenView()}, full},
		{"minimal message, empty history", "/v1/messages/5", goldenMessages{view: small}, minimal},
		{"page", "/v1/messages", goldenMessages{page: MessagePage{Items: []MessageView{small}, NextCursor: "4"}},
			`{"items":[` + minimal + `],"next_cursor":"4"}`},
		{"empty page", "/v1/messages", goldenMessages{}, `{"items":[]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(Config{}, Deps{Auth: benchAuth{}, Messages: c.svc, Idempotency: newMemIdempotency()}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := handlerCtx(fasthttp.MethodGet, c.uri, nil)
			s.router.Handler(ctx)
			if code := ctx.Response.StatusCode(); code != fasthttp.StatusOK {
				t.Fatalf("status %d: %s", code, ctx.Response.Body())
			}
			if ct := string(ctx.Response.Header.ContentType()); ct != contentJSON {
				t.Errorf("content type %q", ct)
			}
			if got := string(ctx.Response.Body()); got != c.want {
				t.Errorf("body\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
