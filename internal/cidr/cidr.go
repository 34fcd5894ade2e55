// Package cidr reads lists of trusted addresses and networks, such as the
// reverse proxies of http.trusted_proxies and the balancers of
// smpp.proxy_protocol.trusted.
package cidr

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseList parses addresses (a host: its /32 or /128) and CIDR networks,
// spaces around each ignored. IPv4-mapped IPv6 forms are read as IPv4,
// networks are masked, and an address with a zone is refused. The error
// names the entry; callers add which setting it came from.
func ParseList(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", s, err)
			}
			out = append(out, Normalize(p))
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR network", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Normalize makes p an IPv4 prefix when it is an IPv4-mapped one, and
// masks it.
func Normalize(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
	}
	return p.Masked()
}
