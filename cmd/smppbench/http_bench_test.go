package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkHTTPClient compares the two clients RunHTTP could use (cpu-µs/op
// is the process's CPU time per request, client and server): each
// posts a single-message body over keep-alive connections, 16 requests
// in flight like the default concurrency, to a minimal HTTP/1.1 server
// on 127.0.0.1 that answers 202 with a fixed body. Client and server
// share the machine, so ns/op is the cost of both; the server's share is
// the same in both, so the difference is the client's.
func BenchmarkHTTPClient(b *testing.B) {
	srv := startRawHTTP(b)
	url := "http://" + srv.addr + "/v1/messages"
	body := httpBodyFor(DefaultHTTPConfig().withDefaults(), GSM7, 1).b
	const inFlight = 16
	parallelism := max(1, inFlight/runtime.GOMAXPROCS(0))

	b.Run("fasthttp", func(b *testing.B) {
		defer reportCPU(b)()
		c := &fasthttp.HostClient{Addr: srv.addr, MaxConns: inFlight, NoDefaultUserAgentHeader: true,
			DisablePathNormalizing: true, MaxIdleConnDuration: idleConn,
			Dial: func(a string) (net.Conn, error) { return net.Dial("tcp", a) }}
		defer c.CloseIdleConnections()
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(url)
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			req.Header.Set(fasthttp.HeaderAuthorization, "Bearer k3y")
			req.SetBodyRaw(body)
			for pb.Next() {
				if err := c.Do(req, resp); err != nil || resp.StatusCode() != fasthttp.StatusAccepted {
					b.Errorf("fasthttp: %v, status %d", err, resp.StatusCode())
					return
				}
			}
		})
	})

	b.Run("net-http", func(b *testing.B) {
		defer reportCPU(b)()
		tr := &http.Transport{
			MaxIdleConns: inFlight, MaxIdleConnsPerHost: inFlight, MaxConnsPerHost: inFlight,
			IdleConnTimeout: time.Second, DisableCompression: true,
		}
		c := &http.Client{Transport: tr}
		defer tr.CloseIdleConnections()
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer k3y")
				resp, err := c.Do(req)
				if err != nil {
					b.Errorf("net/http: %v", err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Errorf("net/http: status %d", resp.StatusCode)
					return
				}
			}
		})
	})
}

// rawHTTP is a minimal keep-alive HTTP/1.1 server for the client
// benchmark: it reads each request's head and Content-Length body and
// answers 202 with a fixed JSON body. One goroutine per connection, all
// ended by the benchmark's cleanup.
type rawHTTP struct {
	l     net.Listener
	addr  string
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

const rawAnswer = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 43\r\n\r\n" +
	`{"id":"1","status":"accepted","segments":1}`

func startRawHTTP(tb testing.TB) *rawHTTP {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &rawHTTP{l: l, addr: l.Addr().String()}
	s.wg.Go(s.accept)
	tb.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawHTTP) accept() {
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Go(func() { s.serve(c) })
	}
}

func (s *rawHTTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	prefix := []byte("content-length:")
	for {
		length := 0
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 { // the blank line ending the head
				break
			}
			if len(line) > len(prefix) && bytes.EqualFold(line[:len(prefix)], prefix) {
				length, _ = strconv.Atoi(string(bytes.TrimSpace(line[len(prefix):])))
			}
		}
		if _, err := r.Discard(length); err != nil {
			return
		}
		w.WriteString(rawAnswer)
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// reportCPU starts counting the process's CPU time; the returned function
// reports it per op as cpu-µs/op.
func reportCPU(b *testing.B) func() {
	before := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-before)/1e3/float64(b.N), "cpu-µs/op") }
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
