package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/valyala/fasthttp"
)

// HTTP client tuning. fasthttp's HostClient was measured against a tuned
// net/http Transport on this (shared, 2-core) machine:
// BenchmarkHTTPClient, client and a minimal server on loopback with 16
// requests in flight, took 21–31 µs and 0 allocations per request with
// fasthttp against 39–72 µs and 55 allocations with net/http, over two
// sessions: about half the cost, so RunHTTP uses fasthttp.
const (
	// idleConn closes connections idle this long; the client's cleaner
	// goroutine exits at most this long after the run.
	idleConn = time.Second
	// errorBackoff keeps a worker whose requests fail (server down) from
	// spinning.
	errorBackoff = 10 * time.Millisecond
)

// httpRun is the state of one [RunHTTP].
type httpRun struct {
	cfg    HTTPConfig
	client *fasthttp.HostClient
	uri    string
	auth   string
	cycle  []Kind
	nums   numbers
	next   atomic.Int64 // the next message number to claim
	stop   atomic.Bool
	start  time.Time
}

// RunHTTP runs an HTTP load test described by cfg: Concurrency workers
// post to the API over keep-alive connections until cfg.Duration or
// cfg.Count, and the report is returned. When ctx ends early the workers
// stop after their current request and the report has Interrupted set.
func RunHTTP(ctx context.Context, cfg HTTPConfig) (*HTTPReport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	addr, tls, err := cfg.target()
	if err != nil {
		return nil, err
	}
	nums, err := cfg.Addressing.numbers()
	if err != nil {
		return nil, err
	}
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	r := &httpRun{
		cfg: cfg,
		client: &fasthttp.HostClient{
			Addr:                     addr,
			IsTLS:                    tls,
			MaxConns:                 cfg.Concurrency,
			ReadTimeout:              cfg.Timeout,
			WriteTimeout:             cfg.Timeout,
			MaxConnWaitTimeout:       cfg.Timeout,
			MaxIdleConnDuration:      idleConn,
			NoDefaultUserAgentHeader: true,
			DisablePathNormalizing:   true,
			// Our own dialer: fasthttp's default one keeps a DNS cache
			// with a cleaner goroutine that never ends.
			Dial: func(addr string) (net.Conn, error) {
				d := net.Dialer{Timeout: cfg.Timeout}
				return d.Dial("tcp", addr)
			},
		},
		uri:   scheme + addr + cfg.Endpoint.path(),
		auth:  "Bearer " + cfg.APIKey,
		cycle: cfg.Mix.cycle(),
		nums:  nums,
	}
	defer r.client.CloseIdleConnections()
	workers := make([]*httpWorker, cfg.Concurrency)
	for i := range workers {
		workers[i] = &httpWorker{r: r}
		for k := range numKinds {
			workers[i].bodies[k] = httpBodyFor(cfg, k, cfg.BatchSize)
		}
	}

	sctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	stopAfter := context.AfterFunc(sctx, func() { r.stop.Store(true) })
	defer stopAfter()
	stopProgress := r.startProgress(workers)
	r.start = time.Now()
	perWorker := cfg.Rate / float64(cfg.BatchSize) / float64(cfg.Concurrency)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.loop(newPacer(perWorker)) })
	}
	wg.Wait()
	elapsed := time.Since(r.start)
	r.stop.Store(true)
	stopProgress()
	return r.report(workers, elapsed, ctx.Err() != nil), nil
}

// httpBody is a pre-encoded request body and where its destination
// numbers are.
type httpBody struct {
	b    []byte
	dest []int
}

// httpBodyFor encodes the body of a request of n messages of kind k:
// {"to":"…","from":…,"text":…} for Single, or {"from":…,"text":…,
// "to":["…",…]} with n recipients for Batch.
func httpBodyFor(cfg HTTPConfig, k Kind, n int) httpBody {
	from, _ := json.Marshal(cfg.Addressing.From) // strings always marshal
	text, _ := json.Marshal(textOf(k))
	digits := []byte(cfg.Addressing.To)
	var b []byte
	var dest []int
	shared := func() {
		b = append(b, `"from":`...)
		b = append(b, from...)
		b = append(b, `,"text":`...)
		b = append(b, text...)
		if cfg.NoDeliveryReport {
			b = append(b, `,"delivery_report":false`...)
		}
	}
	if cfg.Endpoint == Single {
		b = append(b, `{"to":"`...)
		dest = append(dest, len(b))
		b = append(b, digits...)
		b = append(b, `",`...)
		shared()
		b = append(b, '}')
		return httpBody{b: b, dest: dest}
	}
	b = append(b, '{')
	shared()
	b = append(b, `,"to":[`...)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		dest = append(dest, len(b))
		b = append(b, digits...)
		b = append(b, '"')
	}
	b = append(b, "]}"...)
	return httpBody{b: b, dest: dest}
}

// httpWorker is one worker goroutine's connection use and counters.
// Plain fields belong to the worker and are read after it ended.
type httpWorker struct {
	r        *httpRun
	bodies   [numKinds]httpBody
	lat      Histogram
	codes    map[int]uint64
	errors   uint64
	messages uint64 // in answered requests
	rejected uint64

	requests atomic.Uint64 // answered
	accepted atomic.Uint64 // messages
}

// loop posts requests until the run stops or the count is reached.
func (w *httpWorker) loop(p pacer) {
	r := w.r
	cfg := r.cfg
	w.codes = map[int]uint64{}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(r.uri)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set(fasthttp.HeaderAuthorization, r.auth)
	batch := int64(cfg.BatchSize)
	for p.wait(&r.stop) {
		k := r.next.Add(batch) - batch
		n := batch
		if cfg.Count > 0 {
			if k >= cfg.Count {
				return
			}
			n = min(batch, cfg.Count-k)
		}
		kind := r.cycle[(k/batch)%int64(len(r.cycle))]
		body := &w.bodies[kind]
		if n < batch {
			short := httpBodyFor(cfg, kind, int(n)) // the last, partial batch only
			body = &short
		}
		for j, off := range body.dest {
			r.nums.put(body.b[off:], uint64(k)+uint64(j))
		}
		req.SetBodyRaw(body.b)
		start := time.Now()
		err := r.client.Do(req, resp)
		if err != nil {
			w.errors++
			if !r.stop.Load() {
				time.Sleep(errorBackoff)
			}
			continue
		}
		w.lat.Record(time.Since(start))
		code := resp.StatusCode()
		w.codes[code]++
		w.messages += uint64(n)
		acc := uint64(0)
		if code/100 == 2 {
			acc = uint64(n)
			if cfg.Endpoint == Batch {
				acc = min(batchAccepted(resp.Body()), uint64(n))
			}
		}
		w.rejected += uint64(n) - acc
		w.accepted.Add(acc)
		w.requests.Add(1)
		if acc < uint64(n) && !r.stop.Load() {
			// Refused (backpressure, rate limit): back off a little, as a
			// well-behaved client does, instead of hammering the gateway
			// with requests it cannot take.
			time.Sleep(refusalBackoff)
		}
	}
}

// refusalBackoff is the pause after a request with refused messages.
const refusalBackoff = 10 * time.Millisecond

// batchAccepted reads the "accepted" count of a batch answer
// ({"items":[…],"accepted":N,"rejected":M}); 0 when it has none.
func batchAccepted(body []byte) uint64 {
	const key = `"accepted":`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return 0
	}
	var n uint64
	for _, c := range body[i+len(key):] {
		if c == ' ' && n == 0 {
			continue
		}
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// startProgress starts the progress goroutine when asked for, and
// returns the function that stops it and waits for it.
func (r *httpRun) startProgress(workers []*httpWorker) func() {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(r.cfg.ProgressEvery)
		defer t.Stop()
		var lastReq uint64
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				var reqs, acc uint64
				for _, w := range workers {
					reqs += w.requests.Load()
					acc += w.accepted.Load()
				}
				rate := float64(reqs-lastReq) / now.Sub(last).Seconds()
				lastReq, last = reqs, now
				fmt.Fprintf(r.cfg.Progress, "%6.1fs  requests %d  %.0f/s  messages accepted %d\n",
					time.Since(r.start).Seconds(), reqs, rate, acc)
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// HTTPReport is the outcome of [RunHTTP]. Its JSON field names are
// stable and documented in --help.
type HTTPReport struct {
	Mode        string         `json:"mode"` // "http"
	URL         string         `json:"url"`
	Endpoint    string         `json:"endpoint"`
	BatchSize   int            `json:"batch_size"`
	Concurrency int            `json:"concurrency"`
	Rate        float64        `json:"rate"` // messages/s asked for; 0 = flat out
	Mix         map[string]int `json:"mix"`
	Interrupted bool           `json:"interrupted"`

	Requests uint64 `json:"requests"` // answered, whatever the status
	Errors   uint64 `json:"errors"`   // failed without an answer (connection, timeout)
	Messages uint64 `json:"messages"` // in answered requests
	Accepted uint64 `json:"accepted"` // messages accepted: 2xx singles, accepted batch items
	Rejected uint64 `json:"rejected"` // messages in non-2xx answers or rejected batch items
	// Seconds is the run's length; the rates are over it.
	Seconds           float64           `json:"seconds"`
	RequestsPerSecond float64           `json:"requests_per_second"`
	MessagesPerSecond float64           `json:"messages_per_second"` // accepted messages
	Latency           Latency           `json:"latency"`             // request sent to answer read
	StatusCodes       map[string]uint64 `json:"status_codes"`
}

// report builds the report once every worker has ended.
func (r *httpRun) report(workers []*httpWorker, elapsed time.Duration, interrupted bool) *HTTPReport {
	cfg := r.cfg
	rep := &HTTPReport{
		Mode: "http", URL: cfg.URL, Endpoint: cfg.Endpoint.String(), BatchSize: cfg.BatchSize,
		Concurrency: cfg.Concurrency, Rate: cfg.Rate, Mix: map[string]int{}, Interrupted: interrupted,
		StatusCodes: map[string]uint64{}, Seconds: elapsed.Seconds(),
	}
	for k, wt := range cfg.Mix {
		rep.Mix[kindNames[k]] = wt
	}
	var lat Histogram
	for _, w := range workers {
		lat.Merge(&w.lat)
		rep.Requests += w.requests.Load()
		rep.Accepted += w.accepted.Load()
		rep.Errors += w.errors
		rep.Messages += w.messages
		rep.Rejected += w.rejected
		for code, n := range w.codes {
			rep.StatusCodes[strconv.Itoa(code)] += n
		}
	}
	rep.Latency = lat.Summary()
	rep.RequestsPerSecond = perSecond(rep.Requests, rep.Seconds)
	rep.MessagesPerSecond = perSecond(rep.Accepted, rep.Seconds)
	return rep
}

// WriteTable writes the report as an aligned table for people.
func (rep *HTTPReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	rate := "flat out"
	if rep.Rate > 0 {
		rate = fmt.Sprintf("%.0f msg/s", rep.Rate)
	}
	p("smppbench\tHTTP %s, %s endpoint (batch %d), concurrency %d, %s%s", rep.URL, rep.Endpoint, rep.BatchSize,
		rep.Concurrency, rate, interrupted(rep.Interrupted))
	p("requests\t%d\t%.1f/s over %.2f s, %d failed without an answer", rep.Requests, rep.RequestsPerSecond, rep.Seconds, rep.Errors)
	p("messages\t%d\taccepted %d (%.1f/s), rejected %d", rep.Messages, rep.Accepted, rep.MessagesPerSecond, rep.Rejected)
	p("latency\t%s", latencyText(rep.Latency))
	codes := make(map[string]uint64, len(rep.StatusCodes))
	for c, n := range rep.StatusCodes {
		codes["HTTP "+c] = n
	}
	p("status codes\t%s", kindCounts(codes))
	return tw.Flush()
}
