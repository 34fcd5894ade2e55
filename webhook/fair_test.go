package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// blackHole is a receiver that accepts connections, reads what comes and
// never answers.
type blackHole struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// newBlackHole listens on 127.0.0.1 until the test ends.
func newBlackHole(tb testing.TB) *blackHole {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	b := &blackHole{ln: ln}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		for _, c := range b.conns {
			c.Close()
		}
		b.mu.Unlock()
		b.wg.Wait()
	})
	return b
}

// URL is the black hole's callback URL.
func (b *blackHole) URL() string { return "http://" + b.ln.Addr().String() + "/hook" }

// accepted returns how many connections it took.
func (b *blackHole) accepted() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.conns)
}

// TestBlackHoledAccountDoesNotDelayOthers: account A's receiver accepts
// connections and never answers, with 5,000 of A's callbacks queued
// first; account B's callbacks, enqueued one every 5 ms meanwhile with
// the default configuration, reach B's receiver with a p99 delay from
// Enqueue under one second, and A's posts hold at most HostConcurrency
// connections. A's callbacks are all accepted (those beyond its share of
// the queue go to the outbox).
func TestBlackHoledAccountDoesNotDelayOthers(t *testing.T) {
	const holed, others = 5000, 200
	hole := newBlackHole(t)
	var (
		mu      sync.Mutex
		arrived = map[sms.ID]time.Time{}
	)
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		body, _ := io.ReadAll(r.Body)
		ev := decodeEvent(t, body)
		mu.Lock()
		arrived[ev.ID] = now
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(b.Close)
	cfg := loopbackConfig(DefaultConfig())
	cfg.Outbox, cfg.SecretOf = newFakeOutbox(), testSecrets
	d, err := New(cfg, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer func() {
		// A's posts hang until Stop aborts them.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := d.Stop(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop: %v", err)
		}
	}()

	for i := range holed {
		dl := testDelivery(hole.URL(), i+1)
		dl.AccountID = 1
		if err := d.Enqueue(dl); err != nil {
			t.Fatalf("Enqueue A %d: %v", i, err)
		}
	}
	sent := map[sms.ID]time.Time{}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for i := range others {
		<-tick.C
		id := sms.ID(100000 + i)
		dl := testDelivery(b.URL, int(id))
		dl.AccountID = 2
		sent[id] = time.Now()
		if err := d.Enqueue(dl); err != nil {
			t.Fatalf("Enqueue B %d: %v", i, err)
		}
	}
	eventually(t, "B's callbacks", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(arrived) == others, fmt.Sprintf("%d of %d", len(arrived), others)
	})
	var delays []time.Duration
	mu.Lock()
	for id, at := range arrived {
		delays = append(delays, at.Sub(sent[id]))
	}
	mu.Unlock()
	slices.Sort(delays)
	p99 := delays[len(delays)*99/100]
	t.Logf("B's delay from Enqueue to receipt: p50 %v, p99 %v, max %v", delays[len(delays)/2], p99, delays[len(delays)-1])
	if p99 >= time.Second {
		t.Errorf("B's p99 delay %v, want under 1 s", p99)
	}
	if n := hole.accepted(); n > DefaultHostConcurrency {
		t.Errorf("A's black hole took %d connections, want at most %d", n, DefaultHostConcurrency)
	}
}

// TestAccountOfManySlowReceiversLeavesWorkers: an account whose
// callbacks go to eight receivers that never answer holds at most
// AccountConcurrency workers, not every worker (eight receivers times
// HostConcurrency would be), so another account's callbacks are posted
// at once, not when the hanging posts time out.
func TestAccountOfManySlowReceiversLeavesWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var (
			mu      sync.Mutex
			hanging int
			okAt    []time.Duration
		)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Host, "hole") {
				mu.Lock()
				hanging++
				mu.Unlock()
				<-r.Context().Done()
				return
			}
			mu.Lock()
			okAt = append(okAt, time.Since(start))
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		})
		cfg := Config{Workers: 8, HostConcurrency: 4, AccountConcurrency: 4, Timeout: 10 * time.Second,
			Transport: ctxTransport{roundTripper{h}}}
		d, err := New(cfg, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		for i := range 80 {
			dl := testDelivery(fmt.Sprintf("https://hole%d.example/x", i%8), i+1)
			dl.AccountID = 1
			if err := d.Enqueue(dl); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
		for i := range 5 {
			dl := testDelivery("https://ok.example/x", 1000+i)
			dl.AccountID = 2
			if err := d.Enqueue(dl); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		mu.Lock()
		gotHanging, gotOK := hanging, slices.Clone(okAt)
		mu.Unlock()
		if gotHanging != 4 {
			t.Errorf("%d posts hanging for account 1, want its cap of 4", gotHanging)
		}
		if len(gotOK) != 5 || gotOK[4] != time.Second {
			t.Errorf("account 2 posted at %v, want all 5 at once (1 s)", gotOK)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := d.Stop(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Stop = %v", err)
		}
	})
}

// TestRoundRobinAcrossAccounts: with one worker, deliveries queued by
// three accounts (one with many) are posted in turn, one account after
// another, not in arrival order.
func TestRoundRobinAcrossAccounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var order []int64
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			order = append(order, int64(decodeEvent(t, body).ID)/1000)
			w.WriteHeader(http.StatusOK)
		})
		d, err := New(Config{Workers: 1, Transport: roundTripper{h}}, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Account 1 queues 6 first, then accounts 2 and 3 two each.
		for _, q := range []struct{ acct, n int }{{1, 6}, {2, 2}, {3, 2}} {
			for i := range q.n {
				dl := testDelivery("https://hooks.example/x", q.acct*1000+i)
				dl.AccountID = int64(q.acct)
				if err := d.Enqueue(dl); err != nil {
					t.Fatal(err)
				}
			}
		}
		d.Start()
		time.Sleep(time.Second)
		synctest.Wait()
		if _, err := d.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := []int64{1, 2, 3, 1, 2, 3, 1, 1, 1, 1}
		if !slices.Equal(order, want) {
			t.Fatalf("posted accounts in order %v, want %v", order, want)
		}
	})
}

// TestBreakerOpensAndRecoversFakeClock: three failed posts in a row open
// a receiver's breaker; for the 30 s cooldown nothing more is posted to
// it (the waiting deliveries are not attempted, so not counted) while
// another receiver is served; then one probe, which fails and opens the
// breaker for 60 s; the next probe succeeds and closes it, and every
// delivery is delivered, the ones that waited at their first attempt.
func TestBreakerOpensAndRecoversFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var (
			mu        sync.Mutex // workers post concurrently
			downPosts []time.Duration
			failing   = true
		)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if r.URL.Host == "down.example" {
				downPosts = append(downPosts, time.Since(start))
				if failing {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
			}
			w.WriteHeader(http.StatusOK)
		})
		rec := newFakeRecorder()
		cfg := Config{Workers: 4, HostConcurrency: 1, BreakerFailures: 3, BreakerCooldown: 30 * time.Second,
			FirstRetry: time.Second, Transport: roundTripper{h}}
		d, reg := newTestDispatcher(t, cfg, rec)
		const n = 10
		for i := range n {
			dl := testDelivery("https://down.example/x", i+1)
			dl.AccountID = 1
			if err := d.Enqueue(dl); err != nil {
				t.Fatal(err)
			}
		}
		posts := func() []time.Duration {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(downPosts)
		}
		gauge := func() float64 { return metricValue(t, reg, "gallant_webhook_breaker_open_hosts", nil) }
		changes := func(state string) float64 {
			return metricValue(t, reg, "gallant_webhook_breaker_transitions_total", map[string]string{"state": state})
		}

		time.Sleep(10 * time.Second)
		synctest.Wait()
		if len(posts()) != 3 || gauge() != 1 || changes("open") != 1 {
			t.Fatalf("after 10 s: posts at %v, open hosts %v, opened %v times; want 3 posts at 0 and the breaker open",
				posts(), gauge(), changes("open"))
		}
		if v := metricValue(t, reg, "gallant_webhook_queue_depth", map[string]string{"state": "blocked"}); v != n {
			t.Errorf("queue_depth{blocked} = %v, want all %d waiting", v, n)
		}
		// Another receiver is served at once meanwhile.
		up := testDelivery("https://up.example/x", 99)
		up.AccountID = 2
		if err := d.Enqueue(up); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if as := rec.all(); as[len(as)-1].MessageID != 99 || !as[len(as)-1].Delivered || as[len(as)-1].At.Sub(start) != 10*time.Second {
			t.Fatalf("delivery to another receiver: %+v, want delivered at once", as[len(as)-1])
		}

		time.Sleep(25 * time.Second) // 35 s: the probe at 30 s failed
		synctest.Wait()
		if len(posts()) != 4 || posts()[3] != 30*time.Second || changes("half_open") != 1 || changes("open") != 2 {
			t.Fatalf("after 35 s: posts at %v, half-opened %v, opened %v; want one probe at 30 s, failed",
				posts(), changes("half_open"), changes("open"))
		}
		mu.Lock()
		failing = false
		mu.Unlock()
		time.Sleep(30 * time.Second) // 65 s: the breaker waits until 90 s
		synctest.Wait()
		if len(posts()) != 4 {
			t.Fatalf("posts at %v: want none in the second cooldown (doubled to 60 s)", posts())
		}
		time.Sleep(time.Minute) // 125 s
		synctest.Wait()
		if posts()[4] != 90*time.Second || changes("closed") != 1 || gauge() != 0 {
			t.Fatalf("posts at %v, closed %v times, open hosts %v; want a probe at 90 s closing the breaker",
				posts(), changes("closed"), gauge())
		}
		delivered := map[sms.ID]int{}
		for _, a := range rec.all() {
			if a.GaveUp {
				t.Errorf("gave up: %+v", a)
			}
			if a.Delivered {
				delivered[a.MessageID] = a.N
			}
		}
		// 3 failed at first, 1 failed probe, then every one of the 10
		// once: 14 posts. The ones that only waited were delivered at
		// their first attempt.
		if len(posts()) != 14 || len(delivered) != n+1 {
			t.Fatalf("%d posts, %d delivered; want 14 and %d", len(posts()), len(delivered), n+1)
		}
		for id := sms.ID(5); id <= n; id++ {
			if delivered[id] != 1 {
				t.Errorf("message %d delivered at attempt %d, want 1: waiting is not an attempt", id, delivered[id])
			}
		}
	})
}

// TestOpenBreakerEvictedWhenMemoryNeeded: with the queue full of
// deliveries waiting on an open breaker, a new delivery of another
// account evicts them to the outbox instead of being refused or waiting
// behind them; they come back when the cooldown ends and are delivered.
func TestOpenBreakerEvictedWhenMemoryNeeded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu      sync.Mutex // workers post concurrently
			failing = true
		)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if r.URL.Host == "down.example" && failing {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		ob := newFakeOutbox()
		rec := newFakeRecorder()
		cfg := Config{Workers: 2, QueueSize: 10, AccountQueueSize: 10, BreakerFailures: 2, BreakerCooldown: 30 * time.Second,
			FirstRetry: time.Second, Transport: roundTripper{h}, Outbox: ob, SecretOf: testSecrets}
		d, reg := newTestDispatcher(t, cfg, rec)
		for i := range 10 {
			dl := testDelivery("https://down.example/x", i+1)
			if err := d.Enqueue(dl); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if v := metricValue(t, reg, "gallant_webhook_breaker_open_hosts", nil); v != 1 {
			t.Fatalf("open hosts %v, want the breaker open", v)
		}
		other := testDelivery("https://up.example/x", 99)
		other.AccountID = 2
		if err := d.Enqueue(other); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if as := rec.all(); !as[len(as)-1].Delivered || as[len(as)-1].MessageID != 99 {
			t.Fatalf("last attempt %+v: want the other account's delivery delivered at once", as[len(as)-1])
		}
		evicted := metricValue(t, reg, "gallant_webhook_outbox_persisted_total", map[string]string{"reason": "evicted"})
		if evicted <= 0 {
			t.Fatalf("outbox_persisted_total{evicted} = %v, want the waiting deliveries evicted", evicted)
		}
		if all, _ := ob.size(); float64(all) != evicted {
			t.Fatalf("outbox holds %d, want the %v evicted", all, evicted)
		}
		mu.Lock()
		failing = false
		mu.Unlock()
		time.Sleep(time.Minute)
		synctest.Wait()
		delivered := map[sms.ID]bool{}
		for _, a := range rec.all() {
			if a.Delivered {
				delivered[a.MessageID] = true
			}
		}
		if len(delivered) != 11 {
			t.Fatalf("%d delivered, want all 11", len(delivered))
		}
		if all, _ := ob.size(); all != 0 {
			t.Fatalf("outbox holds %d after all were delivered", all)
		}
	})
}

// TestHostKey groups URLs by scheme, host and port.
func TestHostKey(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"https://Hooks.Example/x?y=1", "https://hooks.example:443"},
		{"http://hooks.example/x", "http://hooks.example:80"},
		{"http://hooks.example:8080/x", "http://hooks.example:8080"},
		{"https://user:pw@hooks.example:8443/", "https://hooks.example:8443"},
		{"http://[::1]:9/x", "http://[::1]:9"},
		{"HTTP://127.0.0.1/", "http://127.0.0.1:80"},
	} {
		if got := hostKey(c.url); got != c.want {
			t.Errorf("hostKey(%q) = %q, want %q", c.url, got, c.want)
		}
	}
	if strings.EqualFold(hostKey("http://a.example:1/"), hostKey("http://a.example:2/")) {
		t.Error("two ports share a key")
	}
}
