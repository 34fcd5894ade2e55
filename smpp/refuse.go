package smpp

import (
	"net"
	"net/netip"
	"strconv"
)

// RefuseReason says why a [Server] turned a connection away.
type RefuseReason uint8

// The reasons a Server refuses a connection (see Server.OnRefuse).
const (
	// RefuseMaxConnections: Server.MaxConnections connections were open.
	RefuseMaxConnections RefuseReason = iota + 1
	// RefuseMaxConnectionsPerIP: Server.MaxConnectionsPerIP connections
	// from the client's address were open.
	RefuseMaxConnectionsPerIP
	// RefuseBindTimeout: the connection sent no acceptable bind within
	// SessionConfig.BindTimeout and was closed.
	RefuseBindTimeout
	// RefuseProxyHeader: a trusted load balancer's connection sent no
	// valid PROXY protocol header in time and was closed (see
	// Server.ProxyProtocol).
	RefuseProxyHeader
)

// String returns the reason as a metric label: max_connections,
// max_connections_per_ip, bind_timeout or proxy_header.
func (r RefuseReason) String() string {
	switch r {
	case RefuseMaxConnections:
		return "max_connections"
	case RefuseMaxConnectionsPerIP:
		return "max_connections_per_ip"
	case RefuseBindTimeout:
		return "bind_timeout"
	case RefuseProxyHeader:
		return "proxy_header"
	}
	return "refuse_reason(" + strconv.Itoa(int(r)) + ")"
}

// ClientKey names the client behind a remote address, for limits per
// client: the IP address for IPv4 (an IPv4-mapped IPv6 address counts as
// its IPv4 address), and the /64 prefix for IPv6, since one subscriber
// usually holds a whole /64 and could otherwise pick a fresh address per
// connection. An address that is not IP (net.Pipe's) is named by its
// String. A nil address is "".
func ClientKey(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(addr.String())
		if err != nil {
			return addr.String()
		}
		ip = ap.Addr()
	}
	if !ip.IsValid() {
		return addr.String()
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return ip.String()
	}
	return p.String()
}

// addrString is addr.String(), or "" for nil.
func addrString(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	return addr.String()
}
