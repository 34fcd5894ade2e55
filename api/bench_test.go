package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// nopMessages accepts everything at once, so benchmarks measure the API.
type nopMessages struct{}

func (nopMessages) Send(context.Context, Principal, SendRequest) (SendResult, error) {
	return SendResult{ID: 7_385_911_202_113_537, Status: sms.StatusAccepted, Segments: 1, Encoding: EncodingGSM7}, nil
}

func (nopMessages) SendBatch(_ context.Context, _ Principal, reqs []SendRequest) ([]BatchItem, error) {
	items := make([]BatchItem, len(reqs))
	for i := range items {
		items[i].Result = SendResult{ID: sms.ID(7_385_911_202_113_537 + i), Status: sms.StatusAccepted, Segments: 1}
	}
	return items, nil
}

func (nopMessages) Get(context.Context, Principal, sms.ID) (MessageView, error) {
	return MessageView{}, ErrNotFound
}

func (nopMessages) List(context.Context, Principal, ListFilter) (MessagePage, error) {
	return MessagePage{}, nil
}

// benchScopes is shared so that authenticating allocates nothing.
var benchScopes = []string{ScopeSend, ScopeRead}

// benchAuth accepts every key.
type benchAuth struct{}

func (benchAuth) AuthenticateAPIKey(context.Context, string) (Principal, error) {
	return Principal{AccountID: 1, KeyID: 1, Scopes: benchScopes}, nil
}

func newBenchServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(Config{}, Deps{Auth: benchAuth{}, Messages: nopMessages{}, Idempotency: newMemIdempotency()},
		nil, prometheus.NewRegistry())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var benchBody = []byte(`{"to":"+447700900123","from":"Gallant","text":"Your code is 123456","client_ref":"order-17"}`)

// BenchmarkPostMessage sends POST /v1/messages over keep-alive connections
// to an in-memory listener: client and server in one process, so allocs/op
// counts both sides.
func BenchmarkPostMessage(b *testing.B) {
	s := newBenchServer(b)
	ln := fasthttputil.NewInmemoryListener()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			b.Error(err)
		}
		<-served
	}()
	c := &fasthttp.HostClient{Addr: "gallant", Dial: func(string) (net.Conn, error) { return ln.Dial() }, MaxConns: 64}
	defer c.CloseIdleConnections()

	b.ReportAllocs()
	b.SetParallelism(4)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://gallant/v1/messages")
		req.Header.SetMethod(fasthttp.MethodPost)
		req.Header.Set("Authorization", "Bearer key-bench")
		req.Header.SetContentType(contentJSON)
		for pb.Next() {
			req.SetBody(benchBody)
			if err := c.Do(req, resp); err != nil {
				b.Error(err)
				return
			}
			if resp.StatusCode() != fasthttp.StatusAccepted {
				b.Errorf("status %d: %s", resp.StatusCode(), resp.Body())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// handlerCtx prepares a request for calling the router directly.
func handlerCtx(method, uri string, body []byte) *fasthttp.RequestCtx {
	var req fasthttp.Request
	req.Header.SetMethod(method)
	req.SetRequestURI(uri)
	req.Header.Set("Authorization", "Bearer key-bench")
	req.SetBody(body)
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, nil)
	return ctx
}

// BenchmarkHandlerPostMessage measures the API's own work for one POST:
// routing, metrics, auth, decoding, validation, the answer.
func BenchmarkHandlerPostMessage(b *testing.B) {
	s := newBenchServer(b)
	ctx := handlerCtx(fasthttp.MethodPost, "/v1/messages", benchBody)
	h := s.router.Handler
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		ctx.Response.Reset()
		h(ctx)
	}
	if ctx.Response.StatusCode() != fasthttp.StatusAccepted {
		b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
}

// BenchmarkBatch10k sends one batch of 10,000 recipients through the
// handler; msgs/s is the batch endpoint's ceiling on one core.
func BenchmarkBatch10k(b *testing.B) {
	s := newBenchServer(b)
	var body bytes.Buffer
	body.WriteString(`{"text":"Sale: 20% off today","from":"Shop","to":[`)
	for i := range MaxBatch {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`"+44770` + strconv.Itoa(1_000_000+i) + `"`)
	}
	body.WriteString(`]}`)
	ctx := handlerCtx(fasthttp.MethodPost, "/v1/messages/batch", body.Bytes())
	h := s.router.Handler
	b.ReportAllocs()
	b.SetBytes(int64(body.Len()))
	start := time.Now()
	for b.Loop() {
		ctx.Response.Reset()
		h(ctx)
	}
	b.ReportMetric(float64(b.N)*MaxBatch/time.Since(start).Seconds(), "msgs/s")
	if ctx.Response.StatusCode() != fasthttp.StatusAccepted {
		b.Fatalf("status %d: %.300s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
}

// BenchmarkDecodeSend compares our body decoder with encoding/json.
func BenchmarkDecodeSend(b *testing.B) {
	b.Run("scanner", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBody)))
		for b.Loop() {
			if _, perr := decodeSend(benchBody); perr != nil {
				b.Fatal(perr)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchBody)))
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(benchBody))
			dec.DisallowUnknownFields()
			var v stdSend
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHandlerGetMessage measures GET /v1/messages/{id} of a message
// with every member and three events, answered by a fake service: the
// API's own work, encoding the view included.
func BenchmarkHandlerGetMessage(b *testing.B) {
	s, err := New(Config{}, Deps{Auth: benchAuth{}, Messages: goldenMessages{view: goldenView()},
		Idempotency: newMemIdempotency()}, nil, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	ctx := handlerCtx(fasthttp.MethodGet, "/v1/messages/7385911202113537", nil)
	h := s.router.Handler
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(ctx)
	}
	if ctx.Response.StatusCode() != fasthttp.StatusOK {
		b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
}
