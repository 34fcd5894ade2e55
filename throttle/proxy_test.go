package throttle

import (
	"io"
	"net"
	"sync"
	"testing"
)

// proxyMode is how a [flakyProxy] treats connections.
type proxyMode int

const (
	proxyUp        proxyMode = iota // forward to the target
	proxyDown                       // close every connection (Redis down)
	proxyBlackhole                  // accept and never answer (Redis hung)
)

// flakyProxy is a TCP proxy on 127.0.0.1 in front of a real server whose
// availability a test switches. Its goroutines are stopped when the test
// ends.
type flakyProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu    sync.Mutex
	mode  proxyMode
	conns map[net.Conn]struct{} // guarded by mu; open connections, both sides
}

// startProxy listens on 127.0.0.1:0 in front of target, in mode up.
func startProxy(t testing.TB, target string) *flakyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		_ = p.ln.Close()
		p.setMode(proxyDown)
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's address.
func (p *flakyProxy) Addr() string { return p.ln.Addr().String() }

// setMode switches the mode; leaving up drops every open connection.
func (p *flakyProxy) setMode(m proxyMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = m
	if m != proxyUp {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

func (p *flakyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		switch mode {
		case proxyDown:
			_ = c.Close()
		case proxyBlackhole:
			if p.track(mode, c) {
				p.wg.Go(func() { p.pipe(io.Discard, c) })
			}
		case proxyUp:
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			if p.track(mode, c, u) {
				p.wg.Go(func() { p.pipe(u, c) })
				p.wg.Go(func() { p.pipe(c, u) })
			}
		}
	}
}

// track remembers conns so that setMode can drop them, unless the mode has
// changed from mode since they were accepted: then it closes them and
// reports false.
func (p *flakyProxy) track(mode proxyMode, conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode != mode {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

// pipe copies src to dst until either fails, then closes both.
func (p *flakyProxy) pipe(dst io.Writer, src net.Conn) {
	_, _ = io.Copy(dst, src)
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, src)
	p.mu.Unlock()
	if c, ok := dst.(net.Conn); ok {
		_ = c.Close()
	}
}
