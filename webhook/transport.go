package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// NewTransport returns a Transport whose every connection is checked
// against g's policy (see [Guard]), tuned for posting to many hosts:
// idlePerHost idle connections kept per host (one per worker keeps a busy
// receiver on warm connections), at most 1,024 idle in all, dial and TLS
// handshake bounded by timeout and a 16 KiB bound on response headers. It
// uses no proxy, whatever the environment says: a proxy would make the
// connection, out of the guard's sight. A [Dispatcher] uses one when
// Config.Transport is nil.
func (g *Guard) NewTransport(idlePerHost int, timeout time.Duration) *http.Transport {
	d := &dialer{g: g, d: net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    idlePerHost,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
}

// NewClient returns the client for callbacks other than a Dispatcher's
// (low-balance alerts, and any callback to come): a transport from
// [Guard.NewTransport] with 2 idle connections per host, redirects
// handed back instead of followed, and timeout bounding each request
// from dialling to reading the body.
func (g *Guard) NewClient(timeout time.Duration) *http.Client {
	return &http.Client{Transport: g.NewTransport(2, timeout), CheckRedirect: noRedirect, Timeout: timeout}
}

// noRedirect makes the client hand back a 3xx answer instead of following
// it: a callback is posted to the URL the customer registered, nowhere
// else.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// dialer connects to callback receivers. It resolves a host name itself,
// skips the addresses the policy refuses, and dials the others by
// address, one after the other, each through a net.Dialer whose Control
// checks the address about to be connected once more: whatever resolved
// it, a connection to a refused address is never made. A name listed in
// AllowHosts is dialled wherever it resolves to.
type dialer struct {
	g *Guard
	d net.Dialer
}

// DialContext connects to address (host:port) over network.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("webhook: dial %s: %w", address, err)
	}
	if d.g.open {
		return d.d.DialContext(ctx, network, address)
	}
	// A name in AllowHosts goes wherever it resolves to.
	byName := d.g.names[hostName(host)]
	var addrs []netip.Addr
	literal := false
	if a, err := netip.ParseAddr(host); err == nil {
		addrs, literal = []netip.Addr{a}, true
	} else {
		ipNet := "ip"
		switch network {
		case "tcp4":
			ipNet = "ip4"
		case "tcp6":
			ipNet = "ip6"
		}
		if addrs, err = d.g.lookup(ctx, ipNet, host); err != nil {
			return nil, fmt.Errorf("webhook: resolve %s: %w", host, err)
		}
	}
	checked := d.d
	if !byName {
		checked.Control = d.control
	}
	var errs []error
	for _, a := range addrs {
		if r := d.g.addrReason(a); r != "" && !byName {
			detail := "the host " + host + " resolves to " + a.String() + ", " + describe(r)
			if literal {
				detail = host + " is " + describe(r)
			}
			errs = append(errs, d.g.refuse(StageDial, &URLError{Reason: r, Detail: detail}))
			continue
		}
		c, err := checked.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("webhook: resolve %s: no addresses", host)
	}
	return nil, errors.Join(errs...)
}

// control refuses to connect to an address the policy refuses. It runs
// after the socket is made and before it connects, on the address
// connected to.
func (d *dialer) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %s %s: %w", network, address, err)
	}
	if r := d.g.addrReason(ap.Addr()); r != "" {
		return d.g.refuse(StageDial, &URLError{Reason: r, Detail: ap.Addr().String() + " is " + describe(r) +
			" (port " + strconv.Itoa(int(ap.Port())) + ")"})
	}
	return nil
}

// Guard returns the guard enforcing Config.Policy, for callers that check
// URLs before they become deliveries (a message's callback_url, an
// account's webhook URL) or post callbacks of their own.
func (d *Dispatcher) Guard() *Guard { return d.guard }
