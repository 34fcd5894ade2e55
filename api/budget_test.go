//go:build !race

package api

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
)

// TestUnauthenticatedBodyBudget: 50 connections each posting a 16 MiB
// body to /v1/auth/login (no credentials needed) are all answered 413 and
// grow the process's resident memory by less than 32 MiB. The server runs
// in this process; the clients stream their bodies from one shared 64 KiB
// buffer, so the only large allocations the figure can see are the
// server's.
func TestUnauthenticatedBodyBudget(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads resident memory from /proc")
	}
	const (
		conns    = 50
		bodySize = 16 << 20
		budget   = 32 << 20
	)
	ts := newIdentityServer(t, &fakeIdentity{})
	addr := strings.TrimPrefix(ts.base, "http://")
	chunk := bytes.Repeat([]byte("a"), 64<<10)

	runtime.GC()
	debug.FreeOSMemory()
	base := rssBytes(t, "VmRSS")
	peak := newPeakRSS(t)

	var wg sync.WaitGroup
	codes := make([]int, conns)
	errs := make([]error, conns)
	var sent atomic.Int64
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], errs[i] = postStreamed(addr, "/v1/auth/login", bodySize, chunk, &sent)
		}()
	}
	wg.Wait()
	grown := peak.stop() - base
	t.Logf("RSS %d MiB before, peak %d MiB during (+%d MiB); clients sent %d MiB in all",
		base>>20, (base+grown)>>20, grown>>20, sent.Load()>>20)
	for i := range conns {
		if errs[i] != nil {
			t.Errorf("connection %d: %v", i, errs[i])
		} else if codes[i] != http.StatusRequestEntityTooLarge {
			t.Errorf("connection %d: status %d, want 413", i, codes[i])
		}
	}
	if grown >= budget {
		t.Errorf("RSS grew by %d MiB, want under %d MiB", grown>>20, budget>>20)
	}
}

// postStreamed posts a body of size bytes (chunk repeated) to path on a
// new connection, writing while it reads the answer, and returns the
// answer's status. The body is not finished when the server answers
// first and closes.
func postStreamed(addr, path string, size int, chunk []byte, sent *atomic.Int64) (int, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(40 * time.Second)); err != nil {
		return 0, err
	}
	head := "POST " + path + " HTTP/1.1\r\nHost: gallant\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		return 0, err
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for left := size; left > 0; {
			n, err := c.Write(chunk[:min(left, len(chunk))])
			sent.Add(int64(n))
			if err != nil {
				return // the server answered and closed
			}
			left -= n
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, fmt.Errorf("reading the answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	_ = c.Close() // stops the writer if the server did not
	<-wrote
	return resp.StatusCode, nil
}

// rssBytes reads a memory figure in bytes (VmRSS, VmHWM) of this
// process.
func rssBytes(t testing.TB, field string) int64 {
	t.Helper()
	n, ok := testutil.ProcMemory(0, field)
	if !ok {
		t.Fatalf("no %s in /proc/self/status", field)
	}
	return n
}

// peakRSS tracks the process's highest resident memory from its start:
// the kernel's high-water mark, reset at the start, when the kernel allows
// the reset, and in any case the highest of samples taken every 2 ms.
type peakRSS struct {
	t        testing.TB
	hwmReset bool
	done     chan struct{}
	finished chan int64
}

func newPeakRSS(t testing.TB) *peakRSS {
	p := &peakRSS{t: t, done: make(chan struct{}), finished: make(chan int64, 1)}
	// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
	p.hwmReset = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	start := rssBytes(t, "VmRSS")
	go func() {
		high := start
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				p.finished <- high
				return
			case <-tick.C:
				high = max(high, rssNow())
			}
		}
	}()
	return p
}

// stop ends the sampling and returns the peak in bytes.
func (p *peakRSS) stop() int64 {
	close(p.done)
	high := <-p.finished
	if p.hwmReset {
		high = max(high, rssBytes(p.t, "VmHWM"))
	}
	return max(high, rssBytes(p.t, "VmRSS"))
}

// rssNow reads VmRSS from /proc/self/statm (pages), 0 on error.
func rssNow() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
