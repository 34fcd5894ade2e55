package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"
)

// roundTripper serves requests in memory with handler, so dispatchers can
// run inside a synctest bubble, where the clock is fake and back-off
// delays can be checked exactly.
type roundTripper struct{ handler http.Handler }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	rt.handler.ServeHTTP(w, r)
	return w.Result(), nil
}

// scripted answers the n-th request (0-based) with answers[n], repeating
// the last.
func scripted(answers ...answer) http.Handler {
	n := 0 // requests come one at a time: one delivery, one worker.
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		a := answers[min(n, len(answers)-1)]
		n++
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
	})
}

// runBubble enqueues one delivery to a dispatcher answering through h and
// returns the attempts made within an hour of fake time.
func runBubble(t *testing.T, cfg Config, h http.Handler) []Attempt {
	t.Helper()
	var as []Attempt
	synctest.Test(t, func(t *testing.T) {
		cfg.Workers = 1
		cfg.Transport = roundTripper{h}
		rec := newFakeRecorder()
		d, err := New(cfg, rec, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		if err := d.Enqueue(testDelivery("https://hooks.example/x", 1)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if _, err := d.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		as = rec.all()
	})
	return as
}

// gaps returns the fake time between consecutive attempts.
func gaps(as []Attempt) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(as); i++ {
		out = append(out, as[i].At.Sub(as[i-1].At))
	}
	return out
}

func TestBackoffScheduleFakeClock(t *testing.T) {
	// Six failures in a row would open the breaker at the fifth: not here.
	cfg := Config{MaxAttempts: 6, FirstRetry: time.Second, MaxBackoff: 5 * time.Second, BreakerFailures: 10}
	as := runBubble(t, cfg, scripted(answer{status: http.StatusInternalServerError}))
	if len(as) != 6 {
		t.Fatalf("%d attempts, want 6: %+v", len(as), as)
	}
	if !as[5].GaveUp || as[4].GaveUp {
		t.Fatalf("only the last attempt should give up: %+v", as)
	}
	// Nominal delays 1, 2, 4, then capped at 5; each less 0-20% jitter.
	nominal := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for i, g := range gaps(as) {
		if g > nominal[i] || g < nominal[i]*8/10 {
			t.Errorf("gap before attempt %d = %v, want in [%v, %v]", i+2, g, nominal[i]*8/10, nominal[i])
		}
	}
}

func TestRetryAfterHonouredFakeClock(t *testing.T) {
	cases := []struct {
		name   string
		header string
		want   time.Duration
	}{
		{"seconds", "30", 30 * time.Second},
		{"zero", "0", 0},
		{"capped", "86400", 2 * time.Minute},
		{"http date", "", 45 * time.Second}, // filled in inside the bubble
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{MaxAttempts: 3, FirstRetry: time.Second, MaxBackoff: 2 * time.Minute}
			first := true
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if !first {
					w.WriteHeader(http.StatusOK)
					return
				}
				first = false
				v := c.header
				if v == "" {
					// Whole seconds from a fake clock that starts on one.
					v = time.Now().Add(c.want).UTC().Format(http.TimeFormat)
				}
				w.Header().Set("Retry-After", v)
				w.WriteHeader(http.StatusTooManyRequests)
			})
			as := runBubble(t, cfg, h)
			if len(as) != 2 || as[0].StatusCode != http.StatusTooManyRequests || !as[1].Delivered {
				t.Fatalf("attempts = %+v, want a 429 then a delivery", as)
			}
			if g := gaps(as)[0]; g != c.want {
				t.Fatalf("retried after %v, want %v", g, c.want)
			}
		})
	}
}

func TestMalformedRetryAfterFallsBackToBackoff(t *testing.T) {
	cfg := Config{MaxAttempts: 2, FirstRetry: 10 * time.Second, MaxBackoff: time.Minute}
	as := runBubble(t, cfg, scripted(
		answer{status: http.StatusServiceUnavailable, header: http.Header{"Retry-After": {"soon"}}},
		answer{status: http.StatusOK},
	))
	if len(as) != 2 || !as[1].Delivered {
		t.Fatalf("attempts = %+v", as)
	}
	if g := gaps(as)[0]; g < 8*time.Second || g > 10*time.Second {
		t.Fatalf("retried after %v, want the 8-10 s back-off", g)
	}
}

func TestNextAtHoldsDeliveryFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newFakeRecorder()
		d, err := New(Config{Workers: 1, Transport: roundTripper{scripted(answer{status: http.StatusOK})}}, rec, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		start := time.Now()
		later := testDelivery("https://hooks.example/x", 1)
		later.NextAt = start.Add(time.Minute)
		sooner := testDelivery("https://hooks.example/x", 2)
		sooner.NextAt = start.Add(10 * time.Second)
		for _, dl := range []Delivery{later, sooner, testDelivery("https://hooks.example/x", 3)} {
			if err := d.Enqueue(dl); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if _, err := d.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		as := rec.all()
		if len(as) != 3 {
			t.Fatalf("attempts = %+v", as)
		}
		want := []struct {
			id int
			at time.Duration
		}{{3, 0}, {2, 10 * time.Second}, {1, time.Minute}}
		for i, w := range want {
			if int(as[i].MessageID) != w.id || as[i].At.Sub(start) != w.at {
				t.Errorf("attempt %d: message %d at +%v, want message %d at +%v", i, as[i].MessageID, as[i].At.Sub(start), w.id, w.at)
			}
		}
	})
}

func TestTimeoutIsRetriedFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			if calls == 1 {
				<-r.Context().Done() // never answers in time
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		rec := newFakeRecorder()
		cfg := Config{Workers: 1, Timeout: 3 * time.Second, FirstRetry: time.Second, Transport: ctxTransport{roundTripper{h}}}
		d, err := New(cfg, rec, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		if err := d.Enqueue(testDelivery("https://hooks.example/x", 1)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if _, err := d.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		as := rec.all()
		if len(as) != 2 || as[0].Err == "" || as[0].StatusCode != 0 || as[0].Duration != 3*time.Second || !as[1].Delivered {
			t.Fatalf("attempts = %+v, want a 3 s timeout then a delivery", as)
		}
	})
}

// ctxTransport fails a request whose context ended, as a real transport
// does, even if the wrapped one answered.
type ctxTransport struct{ rt http.RoundTripper }

func (c ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if cerr := r.Context().Err(); cerr != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, cerr
	}
	return resp, err
}
