package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is an httptest server with the gateway's two send endpoints. It
// checks each request and answers like the API: 202 with a result for a
// single message; for a batch, one item per recipient, refusing numbers
// that end in 0.
type fakeAPI struct {
	t        *testing.T
	mu       sync.Mutex
	singles  int
	batches  int
	to       map[string]int // recipients seen, for spread checks
	texts    map[string]int
	every429 int // answer 429 to every n-th single request
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer k3y" ||
		r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad request line or headers", http.StatusBadRequest)
		return
	}
	var req struct {
		To             json.RawMessage `json:"to"`
		From           string          `json:"from"`
		Text           string          `json:"text"`
		DeliveryReport *bool           `json:"delivery_report"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.From != "Gallant" || req.Text == "" {
		http.Error(w, fmt.Sprintf("bad body: %v", err), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts[req.Text]++
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/v1/messages":
		var to string
		if err := json.Unmarshal(req.To, &to); err != nil {
			http.Error(w, "to is not a string", http.StatusBadRequest)
			return
		}
		f.singles++
		f.to[to]++
		if f.every429 > 0 && f.singles%f.every429 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"title":"slow down"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"id":"%d","status":"accepted","segments":1}`, f.singles)
	case "/v1/messages/batch":
		var to []string
		if err := json.Unmarshal(req.To, &to); err != nil || len(to) == 0 {
			http.Error(w, "to is not a list", http.StatusBadRequest)
			return
		}
		f.batches++
		var items []string
		acc := 0
		for _, n := range to {
			f.to[n]++
			if strings.HasSuffix(n, "0") {
				items = append(items, `{"error":{"title":"refused"}}`)
				continue
			}
			acc++
			items = append(items, `{"id":"1","status":"accepted","segments":1}`)
		}
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"items":[%s],"accepted":%d,"rejected":%d}`, strings.Join(items, ","), acc, len(to)-acc)
	default:
		http.NotFound(w, r)
	}
}

func startAPI(t *testing.T, every429 int) (*fakeAPI, string) {
	f := &fakeAPI{t: t, to: map[string]int{}, texts: map[string]int{}, every429: every429}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func runHTTP(t *testing.T, cfg HTTPConfig) *HTTPReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := RunHTTP(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRunHTTPSingle(t *testing.T) {
	api, url := startAPI(t, 10)
	cfg := DefaultHTTPConfig()
	cfg.URL, cfg.APIKey = url, "k3y"
	cfg.Concurrency, cfg.Count = 4, 500
	cfg.Mix = Mix{GSM7: 3, UCS2: 1, Long: 1}
	rep := runHTTP(t, cfg)
	if rep.Requests != 500 || rep.Messages != 500 || rep.Errors != 0 {
		t.Errorf("requests %d, messages %d, errors %d; want 500, 500, 0", rep.Requests, rep.Messages, rep.Errors)
	}
	if rep.StatusCodes["202"] != 450 || rep.StatusCodes["429"] != 50 || rep.Accepted != 450 || rep.Rejected != 50 {
		t.Errorf("status codes %v, accepted %d, rejected %d; want 450×202 and 50×429", rep.StatusCodes, rep.Accepted, rep.Rejected)
	}
	if rep.Latency.Count != 500 || rep.RequestsPerSecond <= 0 || rep.MessagesPerSecond <= 0 {
		t.Errorf("latency %+v, %.1f req/s, %.1f msg/s", rep.Latency, rep.RequestsPerSecond, rep.MessagesPerSecond)
	}
	if api.singles != 500 || len(api.to) != 500 {
		t.Errorf("server saw %d requests to %d numbers, want 500 distinct", api.singles, len(api.to))
	}
	if api.texts[gsm7Text] != 300 || api.texts[ucs2Text] != 100 || api.texts[longText()] != 100 {
		t.Errorf("texts by count: gsm7 %d, ucs2 %d, long %d; want 300, 100, 100",
			api.texts[gsm7Text], api.texts[ucs2Text], api.texts[longText()])
	}
	b, _ := json.Marshal(rep)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"mode", "requests_per_second", "messages_per_second", "latency", "status_codes", "accepted"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
}

func TestRunHTTPBatch(t *testing.T) {
	api, url := startAPI(t, 0)
	cfg := DefaultHTTPConfig()
	cfg.URL, cfg.APIKey = url, "k3y"
	cfg.Endpoint, cfg.BatchSize = Batch, 100
	cfg.Concurrency, cfg.Count = 3, 1050 // ten full batches and one of 50
	rep := runHTTP(t, cfg)
	// Recipients 447700900000.. 447700901049 spread over 1,000 numbers:
	// those ending in 0 (105 of them) are refused.
	if rep.Requests != 11 || rep.Messages != 1050 || rep.Accepted != 945 || rep.Rejected != 105 {
		t.Errorf("requests %d, messages %d, accepted %d, rejected %d; want 11, 1050, 945, 105",
			rep.Requests, rep.Messages, rep.Accepted, rep.Rejected)
	}
	if api.batches != 11 || len(api.to) != 1000 {
		t.Errorf("server saw %d batches to %d numbers, want 11 to 1000", api.batches, len(api.to))
	}
}

func TestRunHTTPServerDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cfg := DefaultHTTPConfig()
	cfg.URL, cfg.APIKey = url, "k3y"
	cfg.Concurrency, cfg.Duration = 2, 200*time.Millisecond
	rep := runHTTP(t, cfg)
	if rep.Errors == 0 || rep.Requests != 0 || rep.Accepted != 0 {
		t.Errorf("errors %d, requests %d, accepted %d against a closed port", rep.Errors, rep.Requests, rep.Accepted)
	}
	// The error backoff keeps two workers to about 20 attempts in 0.2 s.
	if rep.Errors > 200 {
		t.Errorf("%d failed attempts in 0.2 s: the workers spin", rep.Errors)
	}
}

func TestHTTPConfigValidate(t *testing.T) {
	good := DefaultHTTPConfig()
	good.URL = "http://127.0.0.1:8080"
	if err := good.Validate(); err != nil {
		t.Fatalf("default config with a URL: %v", err)
	}
	for name, edit := range map[string]func(*HTTPConfig){
		"no url":          func(c *HTTPConfig) { c.URL = "" },
		"ftp":             func(c *HTTPConfig) { c.URL = "ftp://x" },
		"path":            func(c *HTTPConfig) { c.URL = "http://h:1/v1" },
		"concurrency":     func(c *HTTPConfig) { c.Concurrency = -1 },
		"batch too large": func(c *HTTPConfig) { c.Endpoint, c.BatchSize = Batch, MaxBatchSize+1 },
		"negative rate":   func(c *HTTPConfig) { c.Rate = -2 },
		"bad to":          func(c *HTTPConfig) { c.Addressing.To = "+44" },
	} {
		c := good
		edit(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
}

func TestBatchAccepted(t *testing.T) {
	for body, want := range map[string]uint64{
		`{"items":[],"accepted":42,"rejected":0}`:                  42,
		`{"items":[{"error":{"accepted":1}}],"accepted": 7,"r":1}`: 7,
		`{"items":[]}`: 0,
		`garbage`:      0,
	} {
		if got := batchAccepted([]byte(body)); got != want {
			t.Errorf("batchAccepted(%s) = %d, want %d", body, got, want)
		}
	}
}
