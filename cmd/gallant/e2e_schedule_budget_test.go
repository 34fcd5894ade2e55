//go:build !race

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// TestScheduledMillionBudget: `gallant serve` on the embedded SQLite
// store with the production defaults (10-minute horizon, 50,000 held in
// memory at most, the 200 MiB soft memory limit) takes a million
// scheduled messages over the HTTP batch API and stays under 300 MiB
// resident from its start to the end; each message reaches the carrier
// (an in-process simulator, whose memory is not the gateway's) exactly
// once when due: the carrier counts a million submit_sm, the gateway a
// million acknowledged segments, and the store has none waiting and none
// unfinished afterwards.
//
// The send times are 40 to 50 s after the first batch, so most of the
// million wait in the store beyond what memory may hold, and come due
// together.
func TestScheduledMillionBudget(t *testing.T) {
	const (
		n       = 1_000_000
		batch   = 10_000
		posters = 4
		budget  = 300 << 20
	)
	bin := buildGallant(t)
	scfg := storetest.Config(t, storetest.SQLite)
	ctx := testContext(t)
	st, err := store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	cust := newCustomer(t, st, account.New(st, nil), "Bulk", "")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	sim, err := smpptest.NewSimulator(smpptest.SimConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = sim.Serve(l) }()
	t.Cleanup(func() { _ = sim.Close() })

	cfg := map[string]any{
		"http":    map[string]any{"listen": "127.0.0.1:0", "rate_limit_per_key": 0, "rate_limit_per_ip": 0},
		"metrics": map[string]any{"listen": "127.0.0.1:0"},
		"smpp":    map[string]any{"listen": "127.0.0.1:0"},
		"store":   map[string]any{"driver": scfg.Driver, "dsn": scfg.DSN},
		"log":     map[string]any{"level": "info", "format": "json"},
		"carriers": []any{map[string]any{"name": "sim", "address": l.Addr().String(), "system_id": "gallant",
			"password": "secret", "binds": 4, "window": 100}},
		"routes": []any{map[string]any{"prefix": "", "carriers": []string{"sim"}}},
	}
	b, err := json.Marshal(cfg) // JSON is YAML
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "gallant.yaml")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startGallant(t, bin, cfgPath)
	rss := watchRSS(t, p.cmd.Process.Pid)

	start := time.Now()
	firstDue := start.Add(40 * time.Second)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, posters)
	client := &http.Client{Timeout: 2 * time.Minute}
	for range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := next.Add(1) - 1
				if b*batch >= n {
					return
				}
				to := make([]string, batch)
				for i := range to {
					to[i] = "+4477" + strconv.FormatInt(10_000_000+b*batch+int64(i), 10)
				}
				sendAt := firstDue.Add(time.Duration(b%20) * 500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
				if err := postScheduled(client, p.httpURL, cust.APIKey, to, sendAt); err != nil {
					errs <- fmt.Errorf("batch %d: %w", b, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	accepted := time.Since(start)
	t.Logf("%d scheduled messages accepted over HTTP in %v (%.0f/s); gallant RSS %d MiB", n,
		accepted.Round(time.Millisecond), n/accepted.Seconds(), rss.now()>>20)

	deadline := firstDue.Add(5 * time.Minute)
	for sim.Summary().SubmitSM < n || scrapeMetric(t, p.metricsURL, "gallant_gateway_segments_submitted_total") < n {
		if time.Now().After(deadline) {
			t.Fatalf("carrier got %d submit_sm, gateway counts %v acknowledged, of %d; gallant RSS peak %d MiB",
				sim.Summary().SubmitSM, scrapeMetric(t, p.metricsURL, "gallant_gateway_segments_submitted_total"), n,
				rss.peak()>>20)
		}
		time.Sleep(200 * time.Millisecond)
	}
	sent := time.Since(firstDue)
	peak := rss.peak()
	rss.stop()
	// Stop it (SIGTERM: every status written), then read the store.
	p.stop(t, time.Minute)
	ctx = testContext(t) // the first one ran out during the load
	st, err = store.Open(ctx, scfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if counts, err := st.ScheduledCounts(ctx); err != nil || len(counts) != 0 {
		t.Errorf("still waiting in the store: %v, %v", counts, err)
	}
	if pend, err := st.Unfinished(ctx, 0, 1); err != nil || len(pend) != 0 {
		t.Errorf("unfinished after all were sent: %d, %v", len(pend), err)
	}
	if got := sim.Summary().SubmitSM; got != n {
		t.Errorf("carrier got %d submit_sm for %d messages", got, n)
	}
	t.Logf("all %d sent %v after the first was due (%.0f/s); gallant peak RSS %d MiB", n,
		sent.Round(time.Millisecond), n/sent.Seconds(), peak>>20)
	if peak >= budget {
		t.Errorf("gallant's peak RSS %d MiB, want under %d MiB", peak>>20, budget>>20)
	}
}

// postScheduled posts one batch of one text to numbers, scheduled for
// sendAt, and posts again the numbers refused for backpressure (after a
// pause, as a client honouring Retry-After would) until all are accepted.
func postScheduled(client *http.Client, base, key string, to []string, sendAt string) error {
	for attempt := 0; len(to) > 0; attempt++ {
		if attempt > 200 {
			return fmt.Errorf("%d numbers still refused after %d attempts", len(to), attempt)
		}
		body, err := json.Marshal(map[string]any{"to": to, "text": "scheduled", "send_at": sendAt})
		if err != nil {
			return err
		}
		req, err := http.NewRequest(http.MethodPost, base+"/v1/messages/batch", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d: %.300s", resp.StatusCode, raw)
		}
		var ans struct {
			Items []struct {
				Error *struct {
					Type string `json:"type"`
				} `json:"error"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &ans); err != nil || len(ans.Items) != len(to) {
			return fmt.Errorf("answer of %d items for %d numbers: %v", len(ans.Items), len(to), err)
		}
		var again []string
		for i, it := range ans.Items {
			switch {
			case it.Error == nil:
			case strings.HasSuffix(it.Error.Type, "/backpressure"):
				again = append(again, to[i])
			default:
				return fmt.Errorf("item refused: %s", it.Error.Type)
			}
		}
		to = again
		if len(to) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}


// rssWatch samples a process's resident memory.
type rssWatch struct {
	pid  int
	high atomic.Int64
	done chan struct{}
	end  chan struct{}
}

// watchRSS samples pid's VmRSS every 10 ms until stop.
func watchRSS(t testing.TB, pid int) *rssWatch {
	w := &rssWatch{pid: pid, done: make(chan struct{}), end: make(chan struct{})}
	go func() {
		defer close(w.end)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if r := w.now(); r > w.high.Load() {
				w.high.Store(r)
			}
			select {
			case <-w.done:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

// read reads a memory figure of the process: VmRSS, or VmHWM (the
// kernel's high-water mark, which covers what sampling missed); 0 once it
// has ended.
func (w *rssWatch) read(field string) int64 {
	n, _ := testutil.ProcMemory(w.pid, field)
	return n
}

func (w *rssWatch) now() int64 { return w.read("VmRSS") }

// peak is the highest resident memory seen so far, the kernel's
// high-water mark included.
func (w *rssWatch) peak() int64 { return max(w.high.Load(), w.read("VmHWM")) }

// stop ends the sampling.
func (w *rssWatch) stop() {
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	<-w.end
}
