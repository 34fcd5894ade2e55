package api

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/valyala/fasthttp"
)

// The client's address. Every use of it (the per-address rate limit, the
// audit log, login and sign-up limits) reads it through clientAddr, and
// Server.serveHTTP settles it once per request, before routing: the
// connection's peer or, when the peer is a trusted proxy, the address the
// proxies reported.

// clientAddr returns the address of the client that sent the request, as
// settled by [Server.serveHTTP]; an invalid Addr if the connection has no
// IP address (an in-memory listener).
func clientAddr(ctx *fasthttp.RequestCtx) netip.Addr {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// headerForwardedFor is the de facto standard header in which proxies
// append the address of the peer they received the request from.
const headerForwardedFor = "X-Forwarded-For"

// settleClient makes the request's remote address its client's when the
// connection's peer is a trusted proxy and X-Forwarded-For names someone
// else; it costs nothing without trusted proxies.
func (s *Server) settleClient(ctx *fasthttp.RequestCtx) {
	if len(s.trusted) == 0 {
		return
	}
	peer := clientAddr(ctx)
	if !s.isTrusted(peer) {
		return
	}
	client := forwardedClient(peer, ctx.Request.Header.PeekAll(headerForwardedFor), s.isTrusted)
	if client != peer {
		ctx.SetRemoteAddr(&net.TCPAddr{IP: client.AsSlice()})
	}
}

// isTrusted reports whether a is one of the trusted proxies.
func (s *Server) isTrusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient walks the X-Forwarded-For values (header lines in
// order, each a comma-separated list, every proxy appending the peer it
// saw) from the right, starting at peer, a trusted proxy: each address
// appended by a trusted proxy is believed, and the first address that is
// not a trusted proxy is the client. Addresses left of it were written by
// the client or proxies nobody vouches for, and are ignored. An entry that
// is not an address ends the walk at the last address believed; so does
// the end of the list.
func forwardedClient(peer netip.Addr, values [][]byte, trusted func(netip.Addr) bool) netip.Addr {
	cur := peer
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for len(v) > 0 {
			var item []byte
			if j := bytes.LastIndexByte(v, ','); j >= 0 {
				item, v = v[j+1:], v[:j]
			} else {
				item, v = v, nil
			}
			item = bytes.TrimSpace(item)
			if len(item) == 0 {
				continue
			}
			a, ok := parseForwarded(item)
			if !ok {
				return cur
			}
			cur = a
			if !trusted(a) {
				return cur
			}
		}
	}
	return cur
}

// parseForwarded parses one X-Forwarded-For entry: an IPv4 or IPv6
// address, optionally with a port ("192.0.2.1:4711", "[2001:db8::1]:4711"),
// as some proxies write it. A zone is dropped; IPv4-mapped IPv6 becomes
// IPv4.
func parseForwarded(b []byte) (netip.Addr, bool) {
	if len(b) > len("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%interface-name]:65535") {
		return netip.Addr{}, false
	}
	s := string(b)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.WithZone("").Unmap(), true
}

// limitKey is the address under which per-address limits count a
// client: an IPv4 address itself, an IPv6 address by its /64, the
// smallest network a single host is commonly given.
func limitKey(a netip.Addr) netip.Prefix {
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// limitKeyString is limitKey as text: an IPv4 address alone, an IPv6
// network in CIDR form.
func limitKeyString(a netip.Addr) string {
	if a.Is4() || !a.IsValid() {
		return a.String()
	}
	return limitKey(a).String()
}
