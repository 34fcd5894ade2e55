package api_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/gallant-sms/gallant/api"
	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
)

// keys is a one-key Authenticator.
type keys struct{}

func (keys) AuthenticateAPIKey(_ context.Context, key string) (api.Principal, error) {
	if key != "demo-key" {
		return api.Principal{}, api.ErrUnauthorized
	}
	return api.Principal{AccountID: 1, Scopes: []string{api.ScopeSend, api.ScopeRead}}, nil
}

// messages accepts every message with id 42.
type messages struct{}

func (messages) Send(context.Context, api.Principal, api.SendRequest) (api.SendResult, error) {
	return api.SendResult{ID: 42, Status: sms.StatusAccepted, Segments: 1, Encoding: api.EncodingGSM7}, nil
}

func (messages) SendBatch(context.Context, api.Principal, []api.SendRequest) ([]api.BatchItem, error) {
	return nil, api.Backpressure("not in this example", 0)
}

func (messages) Get(context.Context, api.Principal, sms.ID) (api.MessageView, error) {
	return api.MessageView{}, api.ErrNotFound
}

func (messages) List(context.Context, api.Principal, api.ListFilter) (api.MessagePage, error) {
	return api.MessagePage{}, nil
}

// answers is an in-memory Idempotency.
type answers struct {
	mu sync.Mutex
	m  map[string]api.IdempotencyRecord
}

func (a *answers) Get(_ context.Context, account int64, key string) (api.IdempotencyRecord, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.m[fmt.Sprint(account, key)]
	return r, ok, nil
}

func (a *answers) Put(_ context.Context, account int64, key string, r api.IdempotencyRecord) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.m[fmt.Sprint(account, key)]; ok {
		return api.ErrIdempotencyConflict
	}
	a.m[fmt.Sprint(account, key)] = r
	return nil
}

func Example() {
	srv, err := api.New(api.DefaultConfig(), api.Deps{
		Auth: keys{}, Messages: messages{}, Idempotency: &answers{m: map[string]api.IdempotencyRecord{}},
	}, nil, prometheus.NewRegistry())
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/v1/messages",
		strings.NewReader(`{"to":"+447700900123","text":"hello"}`))
	req.Header.Set("Authorization", "Bearer demo-key")
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	fmt.Println(string(body))

	_ = srv.Shutdown(context.Background())
	fmt.Println(<-served)
	// Output:
	// 202 /v1/messages/42
	// {"id":"42","status":"accepted","segments":1,"encoding":"gsm7"}
	// api: server closed
}
