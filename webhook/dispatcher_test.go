package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// loopback is the policy of tests whose receivers are httptest servers
// on 127.0.0.1, which the default policy refuses.
var loopback = AddressPolicy{AllowPrivate: true}

// fast is a config whose retries come quickly on real sockets, allowed
// to post to loopback receivers. Its one account may fill the whole
// queue.
func fast() Config {
	return Config{Workers: 4, QueueSize: 64, AccountQueueSize: 64, MaxAttempts: 4, Timeout: 5 * time.Second,
		FirstRetry: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Policy: loopback}
}

func TestDeliveredFirstTry(t *testing.T) {
	rc := newReceiver(t, always(http.StatusNoContent))
	rec := newFakeRecorder()
	d, reg := newTestDispatcher(t, fast(), rec)

	dl := testDelivery(rc.URL+"/hook?x=1", 42)
	dl.Event.At = time.Date(2026, 3, 1, 11, 0, 0, 5, time.FixedZone("CET", 3600))
	if err := d.Enqueue(dl); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "delivery", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 1 {
		t.Fatalf("attempts = %+v, want one", as)
	}
	a := as[0]
	if !a.Delivered || a.GaveUp || a.N != 1 || a.StatusCode != http.StatusNoContent || a.Err != "" ||
		a.AccountID != 7 || a.MessageID != 42 || a.URL != dl.URL || a.At.IsZero() || len(a.EventID) != 32 {
		t.Fatalf("attempt = %+v", a)
	}

	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := r.header.Get("User-Agent"); got != "Gallant-Webhook/1" {
		t.Errorf("User-Agent = %q", got)
	}
	if err := Verify("whsec_test", r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
		t.Errorf("signature: %v (header %q)", err, r.header.Get(SignatureHeader))
	}
	ev := decodeEvent(t, r.body)
	if ev.ID != 42 || ev.Status.String() != "delivered" || ev.To != "447700900123" || ev.EventID != a.EventID {
		t.Errorf("event = %+v", ev)
	}
	if !strings.Contains(string(r.body), `"at":"2026-03-01T10:00:00.000000005Z"`) || !strings.Contains(string(r.body), `"id":"42"`) {
		t.Errorf("body %s: want UTC time and string id", r.body)
	}

	if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "delivered"}); v != 1 {
		t.Errorf("deliveries_total{delivered} = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gallant_webhook_attempts_total", nil); v != 1 {
		t.Errorf("attempts_total = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gallant_webhook_attempt_duration_seconds", nil); v != 1 {
		t.Errorf("latency samples = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gallant_webhook_pending", nil); v != 0 {
		t.Errorf("pending = %v, want 0", v)
	}
}

func TestRetriedAfter500sThenDelivered(t *testing.T) {
	rc := newReceiver(t, func(n int, _ *http.Request) answer {
		if n < 2 {
			return answer{status: http.StatusInternalServerError}
		}
		return answer{status: http.StatusOK}
	})
	rec := newFakeRecorder()
	d, reg := newTestDispatcher(t, fast(), rec)
	if err := d.Enqueue(testDelivery(rc.URL, 1)); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "delivery", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 3 {
		t.Fatalf("attempts = %+v, want 3", as)
	}
	for i, a := range as {
		wantDelivered := i == 2
		wantStatus := http.StatusInternalServerError
		if wantDelivered {
			wantStatus = http.StatusOK
		}
		if a.N != i+1 || a.Delivered != wantDelivered || a.GaveUp || a.StatusCode != wantStatus {
			t.Errorf("attempt %d = %+v", i, a)
		}
		if !wantDelivered && a.Err == "" {
			t.Errorf("attempt %d: failed without Err", i)
		}
	}
	reqs := rc.requests()
	if len(reqs) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if string(r.body) != string(reqs[0].body) {
			t.Errorf("request %d body differs from the first: retries must resend the same event", i)
		}
		if err := Verify("whsec_test", r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute); err != nil {
			t.Errorf("request %d signature: %v", i, err)
		}
	}
	if v := metricValue(t, reg, "gallant_webhook_retries_scheduled_total", nil); v != 2 {
		t.Errorf("retries_scheduled_total = %v, want 2", v)
	}
}

func TestClientErrorGivesUpAtOnce(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusGone, http.StatusFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			other := newReceiver(t, always(http.StatusOK))
			rc := newReceiver(t, func(int, *http.Request) answer {
				return answer{status: status, header: http.Header{"Location": {other.URL}}}
			})
			rec := newFakeRecorder()
			d, reg := newTestDispatcher(t, fast(), rec)
			if err := d.Enqueue(testDelivery(rc.URL, 1)); err != nil {
				t.Fatal(err)
			}
			as := rec.waitFor(t, "give-up", func(as []Attempt) bool { return finished(as) == 1 })
			if len(as) != 1 || !as[0].GaveUp || as[0].Delivered || as[0].StatusCode != status || as[0].Err == "" {
				t.Fatalf("attempts = %+v, want one given up with %d", as, status)
			}
			if n := len(rc.requests()); n != 1 {
				t.Errorf("receiver got %d requests, want 1", n)
			}
			if n := len(other.requests()); n != 0 {
				t.Errorf("redirect target got %d requests, want 0", n)
			}
			if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "gave_up"}); v != 1 {
				t.Errorf("deliveries_total{gave_up} = %v, want 1", v)
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	rc := newReceiver(t, always(http.StatusServiceUnavailable))
	rec := newFakeRecorder()
	cfg := fast()
	cfg.MaxAttempts = 3
	d, _ := newTestDispatcher(t, cfg, rec)
	if err := d.Enqueue(testDelivery(rc.URL, 1)); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "give-up", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 3 {
		t.Fatalf("attempts = %+v, want 3", as)
	}
	for i, a := range as {
		if a.N != i+1 || a.GaveUp != (i == 2) || a.Delivered || a.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("attempt %d = %+v", i, a)
		}
	}
	if n := len(rc.requests()); n != 3 {
		t.Errorf("receiver got %d requests, want 3", n)
	}
}

func TestNetworkErrorRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/hook"
	ln.Close() // nothing listens there now: connection refused

	rec := newFakeRecorder()
	cfg := fast()
	cfg.MaxAttempts = 2
	d, _ := newTestDispatcher(t, cfg, rec)
	if err := d.Enqueue(testDelivery(url, 1)); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "give-up", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 2 || as[0].GaveUp || !as[1].GaveUp {
		t.Fatalf("attempts = %+v, want two, the last given up", as)
	}
	for _, a := range as {
		if a.StatusCode != 0 || a.Err == "" || strings.Contains(a.Err, "Post ") {
			t.Errorf("attempt = %+v: want no status and a bare network error", a)
		}
	}
}

func TestEnqueueBacklog(t *testing.T) {
	reg := prometheus.NewRegistry()
	d, err := New(Config{QueueSize: 2, AccountQueueSize: 2, Policy: loopback}, nil, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	// Not started: nothing leaves the queue.
	for i := range 2 {
		dl := testDelivery("http://127.0.0.1:1/", i+1)
		if i == 1 {
			dl.Event.At = time.Time{} // set to now by Enqueue
		}
		if err := d.Enqueue(dl); err != nil {
			t.Fatalf("Enqueue %d: %v", i, err)
		}
	}
	if err := d.Enqueue(testDelivery("http://127.0.0.1:1/", 3)); !errors.Is(err, ErrBacklog) {
		t.Fatalf("Enqueue on a full queue = %v, want ErrBacklog", err)
	}
	if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "backlog"}); v != 1 {
		t.Errorf("deliveries_total{backlog} = %v, want 1", v)
	}
	if v := metricValue(t, reg, "gallant_webhook_queue_depth", map[string]string{"state": "ready"}); v != 2 {
		t.Errorf("queue_depth{ready} = %v, want 2", v)
	}
	pending, err := d.Stop(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].MessageID != 1 || pending[1].MessageID != 2 {
		t.Fatalf("Stop returned %+v, want messages 1 and 2", pending)
	}
	if at := pending[1].Event.At; at.IsZero() || at.Location() != time.UTC {
		t.Errorf("zero Event.At became %v, want now in UTC", at)
	}
	for _, p := range pending {
		if p.Attempts != 0 || p.Event.EventID == "" || p.NextAt.IsZero() {
			t.Errorf("pending %+v: want no attempts, an event id and a time", p)
		}
	}
	if err := d.Enqueue(testDelivery("http://127.0.0.1:1/", 4)); !errors.Is(err, ErrStopped) {
		t.Fatalf("Enqueue after Stop = %v, want ErrStopped", err)
	}
	if again, err := d.Stop(context.Background()); again != nil || err != nil {
		t.Fatalf("second Stop = %v, %v; want nothing", again, err)
	}
}

func TestStopReturnsRetriesAndTheyResume(t *testing.T) {
	failing := true
	var mu sync.Mutex
	rc := newReceiver(t, func(int, *http.Request) answer {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			return answer{status: http.StatusBadGateway}
		}
		return answer{status: http.StatusOK}
	})
	rec := newFakeRecorder()
	cfg := fast()
	cfg.FirstRetry, cfg.MaxBackoff = time.Hour, time.Hour
	d, err := New(cfg, rec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	const n = 3
	for i := range n {
		if err := d.Enqueue(testDelivery(rc.URL, i+1)); err != nil {
			t.Fatal(err)
		}
	}
	rec.waitFor(t, "first attempts", func(as []Attempt) bool { return len(as) == n })
	before := time.Now()
	pending, err := d.Stop(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != n {
		t.Fatalf("Stop returned %d deliveries, want %d", len(pending), n)
	}
	ids := map[string]bool{}
	for _, p := range pending {
		// The retry is due 48-60 minutes after its failure.
		if p.Attempts != 1 || p.NextAt.Before(before.Add(47*time.Minute)) || p.NextAt.After(before.Add(time.Hour)) {
			t.Errorf("pending %+v: want 1 attempt and a retry within the hour", p)
		}
		ids[p.Event.EventID] = true
	}

	// A new dispatcher takes them over, retrying now.
	mu.Lock()
	failing = false
	mu.Unlock()
	rec2 := newFakeRecorder()
	d2, _ := newTestDispatcher(t, fast(), rec2)
	for _, p := range pending {
		p.NextAt = time.Time{}
		if err := d2.Enqueue(p); err != nil {
			t.Fatal(err)
		}
	}
	as := rec2.waitFor(t, "resumed deliveries", func(as []Attempt) bool { return finished(as) == n })
	for _, a := range as {
		if !a.Delivered || a.N != 2 || !ids[a.EventID] {
			t.Errorf("resumed attempt %+v: want delivered as attempt 2 with the same event id", a)
		}
	}
}

func TestStopDeadlineAbortsInFlight(t *testing.T) {
	entered := make(chan struct{}, 1)
	rc := newReceiver(t, func(_ int, r *http.Request) answer {
		entered <- struct{}{}
		<-r.Context().Done() // hang until the client gives up
		return answer{status: http.StatusOK}
	})
	rec := newFakeRecorder()
	d, err := New(fast(), rec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	if err := d.Enqueue(testDelivery(rc.URL, 9)); err != nil {
		t.Fatal(err)
	}
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pending, err := d.Stop(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want context.Canceled", err)
	}
	if len(pending) != 1 || pending[0].MessageID != 9 || pending[0].Attempts != 0 {
		t.Fatalf("pending = %+v, want message 9 with no attempt counted", pending)
	}
	as := rec.all()
	if len(as) != 1 || as[0].GaveUp || as[0].Delivered || as[0].Err == "" {
		t.Fatalf("attempts = %+v, want one aborted attempt, not given up", as)
	}
}

func TestEnqueueRefusesBadDeliveries(t *testing.T) {
	reg := prometheus.NewRegistry()
	d, err := New(Config{}, nil, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop(context.Background())
	ok := testDelivery("https://hooks.example/x", 1)
	cases := []struct {
		name string
		edit func(*Delivery)
		want error
	}{
		{"empty url", func(dl *Delivery) { dl.URL = "" }, ErrBadURL},
		{"ftp", func(dl *Delivery) { dl.URL = "ftp://hooks.example/x" }, ErrBadURL},
		{"file", func(dl *Delivery) { dl.URL = "file:///etc/passwd" }, ErrBadURL},
		{"javascript", func(dl *Delivery) { dl.URL = "javascript:alert(1)" }, ErrBadURL},
		{"mailto", func(dl *Delivery) { dl.URL = "mailto:ops@hooks.example" }, ErrBadURL},
		{"relative", func(dl *Delivery) { dl.URL = "/hooks/x" }, ErrBadURL},
		{"no host", func(dl *Delivery) { dl.URL = "http:///x" }, ErrBadURL},
		{"unparsable", func(dl *Delivery) { dl.URL = "http://[::1/x" }, ErrBadURL},
		{"control char", func(dl *Delivery) { dl.URL = "http://hooks.example/\x00" }, ErrBadURL},
		{"too long", func(dl *Delivery) { dl.URL = "https://hooks.example/" + strings.Repeat("a", 3000) }, ErrBadURL},
		{"userinfo", func(dl *Delivery) { dl.URL = "http://user:pw@hooks.example:8080/x?y=1" }, ErrBadURL},
		{"localhost", func(dl *Delivery) { dl.URL = "https://LocalHost:8443/x" }, ErrHostNotAllowed},
		{"private ip", func(dl *Delivery) { dl.URL = "http://10.0.0.1/x" }, ErrHostNotAllowed},
		{"loopback ipv6", func(dl *Delivery) { dl.URL = "http://[::1]:9/x" }, ErrHostNotAllowed},
		{"no secret", func(dl *Delivery) { dl.Secret = "" }, ErrNoSecret},
		{"attempts used up", func(dl *Delivery) { dl.Attempts = DefaultMaxAttempts }, ErrBadDelivery},
		{"negative attempts", func(dl *Delivery) { dl.Attempts = -1 }, ErrBadDelivery},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dl := ok
			c.edit(&dl)
			if err := d.Enqueue(dl); !errors.Is(err, c.want) {
				t.Fatalf("Enqueue = %v, want %v", err, c.want)
			}
		})
	}
	if v := metricValue(t, reg, "gallant_webhook_deliveries_total", map[string]string{"result": "refused"}); v != float64(len(cases)) {
		t.Errorf("deliveries_total{refused} = %v, want %d", v, len(cases))
	}
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "entry", "reason": "loopback"}); v != 1 {
		t.Errorf("url_refused_total{entry,loopback} = %v, want 1", v)
	}
	for _, u := range []string{"https://hooks.example/x", "HTTP://hooks.example/x", "http://hooks.example:8080/x?y=1", "http://[2606:4700::1111]:9/x"} {
		dl := ok
		dl.URL = u
		if err := d.Enqueue(dl); err != nil {
			t.Errorf("Enqueue(%q) = %v, want nil", u, err)
		}
	}
}

func TestConcurrentEnqueueUnderLoad(t *testing.T) {
	// Every third request fails once, so retries run beside new work.
	rc := newReceiver(t, func(n int, _ *http.Request) answer {
		if n%3 == 0 {
			return answer{status: http.StatusInternalServerError}
		}
		return answer{status: http.StatusOK}
	})
	rec := newFakeRecorder()
	cfg := fast()
	cfg.QueueSize, cfg.AccountQueueSize = 1000, 1000
	cfg.MaxAttempts = 8
	d, reg := newTestDispatcher(t, cfg, rec)
	const producers, each = 8, 40
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := d.Enqueue(testDelivery(rc.URL, p*each+i+1)); err != nil {
					t.Errorf("Enqueue: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	as := rec.waitFor(t, "all deliveries", func(as []Attempt) bool { return finished(as) == producers*each })
	delivered := map[int]int{}
	for _, a := range as {
		if a.GaveUp {
			t.Errorf("gave up: %+v", a)
		}
		if a.Delivered {
			delivered[int(a.MessageID)]++
		}
	}
	for id := 1; id <= producers*each; id++ {
		if delivered[id] != 1 {
			t.Errorf("message %d delivered %d times", id, delivered[id])
		}
	}
	if v := metricValue(t, reg, "gallant_webhook_pending", nil); v != 0 {
		t.Errorf("pending = %v after all finished, want 0", v)
	}
}

func TestEnqueueRacingStopLosesNothing(t *testing.T) {
	rc := newReceiver(t, always(http.StatusOK))
	rec := newFakeRecorder()
	d, err := New(fast(), rec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted = map[int]bool{}
	)
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := p*50 + i + 1
				err := d.Enqueue(testDelivery(rc.URL, id))
				switch {
				case err == nil:
					mu.Lock()
					accepted[id] = true
					mu.Unlock()
				case errors.Is(err, ErrStopped), errors.Is(err, ErrBacklog):
				default:
					t.Errorf("Enqueue: %v", err)
				}
			}
		}()
	}
	// Stop once some posts are done and more are queued or in flight.
	rec.waitFor(t, "some attempts", func(as []Attempt) bool { return len(as) >= 5 })
	pending, err := d.Stop(context.Background())
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	// Each accepted delivery was either delivered or handed back, once.
	seen := map[int]int{}
	for _, a := range rec.all() {
		if a.Delivered {
			seen[int(a.MessageID)]++
		}
	}
	for _, p := range pending {
		seen[int(p.MessageID)]++
	}
	for id := range accepted {
		if seen[id] != 1 {
			t.Errorf("accepted message %d accounted %d times", id, seen[id])
		}
	}
	if len(seen) != len(accepted) {
		t.Errorf("%d messages accounted, %d accepted", len(seen), len(accepted))
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("zero Config: %v", err)
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	bad := []Config{
		{Workers: -1}, {QueueSize: -1}, {MaxAttempts: -1}, {Timeout: -1},
		{FirstRetry: -1}, {MaxBackoff: -1}, {FirstRetry: time.Hour, MaxBackoff: time.Minute},
		{AccountQueueSize: -1}, {HostConcurrency: -1}, {AccountConcurrency: -1}, {BreakerFailures: -1}, {BreakerCooldown: -1}, {OutboxLease: -1},
		{QueueSize: 10, AccountQueueSize: 11}, {Outbox: newFakeOutbox()},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil", c)
		}
		if _, err := New(c, nil, nil, nil); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
}

func TestMetricsRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	d, err := New(Config{}, nil, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{}, nil, nil, reg); err == nil {
		t.Fatal("second dispatcher on one registry registered its metrics")
	}
	if _, err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Stop unregisters, so a successor can register.
	d2, err := New(Config{}, nil, nil, reg)
	if err != nil {
		t.Fatalf("New after Stop: %v", err)
	}
	if _, err := d2.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
