package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// AddressPolicy says where callbacks may be posted. The zero value allows
// public addresses only: loopback, private (RFC 1918), link-local, CGNAT,
// unique-local, multicast, unspecified, broadcast and other
// special-purpose addresses are refused, whether written in the URL,
// resolved from its host name or reached through an IPv4-mapped, NAT64 or
// 6to4 form (see [Guard]).
type AddressPolicy struct {
	// AllowPrivate lets callbacks go to any address. Default false. Only
	// for a gateway whose receivers share its machine or private network
	// by design, such as gallant demo and tests; an operator with a few
	// internal receivers lists them in AllowHosts instead.
	AllowPrivate bool
	// AllowHosts lets through receivers the policy would refuse. Each
	// entry is a host name, an IP address or a CIDR prefix. A host name
	// is compared, case-insensitively and without a trailing dot, with a
	// URL's host; every address it resolves to is then allowed. An
	// address or prefix is compared with an IP literal in a URL, with the
	// addresses a stored URL's name resolves to, and with every address
	// dialled. Empty by default.
	AllowHosts []string
}

// Validate reports every AllowHosts entry that is neither a host name, an
// IP address nor a CIDR prefix.
func (p AddressPolicy) Validate() error {
	var errs []error
	for _, h := range p.AllowHosts {
		if _, _, err := parseAllowEntry(h); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// parseAllowEntry reads one AllowHosts entry as a prefix (an address is a
// prefix of its full length) or a lower-case host name.
func parseAllowEntry(s string) (netip.Prefix, string, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), "", nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Prefix{}, "", fmt.Errorf("webhook: allow_hosts entry %q: an address with a zone", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), "", nil
	}
	name := hostName(s)
	if !validHostName(name) {
		return netip.Prefix{}, "", fmt.Errorf("webhook: allow_hosts entry %q is not a host name, IP address or CIDR prefix", s)
	}
	return netip.Prefix{}, name, nil
}

// hostName is the form host names are compared in: lower case, without a
// trailing dot.
func hostName(s string) string {
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// validHostName reports whether s (see hostName) is a DNS name: labels of
// 1 to 63 letters, digits, hyphens or underscores, 253 bytes at most.
func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Reasons a URL or an address is refused: the reason label of
// gallant_webhook_url_refused_total and [URLError.Reason].
const (
	// The URL itself.
	ReasonMalformed = "malformed" // empty, unparsable, opaque or a bad port
	ReasonTooLong   = "too_long"  // over MaxURLLength bytes
	ReasonScheme    = "scheme"    // not http or https
	ReasonNoHost    = "no_host"   // no host
	ReasonUserinfo  = "userinfo"  // user name or password in the URL

	// The host name.
	ReasonLocalName   = "local_name"   // localhost and the like
	ReasonNumericHost = "numeric_host" // 2130706433, 0x7f.1, 127.1: IPv4 in a form some resolvers accept
	ReasonUnresolved  = "unresolved"   // a stored URL's name does not resolve

	// The address, given or resolved.
	ReasonLoopback      = "loopback"      // 127/8, ::1
	ReasonPrivate       = "private"       // RFC 1918: 10/8, 172.16/12, 192.168/16
	ReasonLinkLocal     = "link_local"    // 169.254/16 (cloud metadata), fe80::/10
	ReasonCGNAT         = "cgnat"         // 100.64/10, RFC 6598
	ReasonULA           = "ula"           // fc00::/7
	ReasonMulticast     = "multicast"     // 224/4, ff00::/8
	ReasonUnspecified   = "unspecified"   // 0.0.0.0, ::
	ReasonBroadcast     = "broadcast"     // 255.255.255.255
	ReasonNAT64         = "nat64"         // 64:ff9b:1::/48, local-use NAT64 (RFC 8215)
	ReasonDocumentation = "documentation" // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	ReasonReserved      = "reserved"      // other special-purpose ranges
)

// rangeRule names the reason addresses of a prefix are refused. embedded,
// for IPv6 prefixes that carry an IPv4 address, is where its first byte
// is: the address is judged by the IPv4 address instead.
type rangeRule struct {
	prefix   netip.Prefix
	reason   string
	embedded int
}

// rules4 are the IPv4 ranges refused, from the IANA IPv4 Special-Purpose
// Address Registry (RFC 6890 and later) plus multicast and 240/4. Every
// range there that is not globally reachable is here; so are the
// documentation ranges, which no receiver can be on.
var rules4 = []rangeRule{
	{prefix: netip.MustParsePrefix("255.255.255.255/32"), reason: ReasonBroadcast},
	{prefix: netip.MustParsePrefix("0.0.0.0/32"), reason: ReasonUnspecified},
	{prefix: netip.MustParsePrefix("0.0.0.0/8"), reason: ReasonReserved}, // "this network"
	{prefix: netip.MustParsePrefix("10.0.0.0/8"), reason: ReasonPrivate},
	{prefix: netip.MustParsePrefix("100.64.0.0/10"), reason: ReasonCGNAT},
	{prefix: netip.MustParsePrefix("127.0.0.0/8"), reason: ReasonLoopback},
	{prefix: netip.MustParsePrefix("169.254.0.0/16"), reason: ReasonLinkLocal},
	{prefix: netip.MustParsePrefix("172.16.0.0/12"), reason: ReasonPrivate},
	{prefix: netip.MustParsePrefix("192.0.0.0/24"), reason: ReasonReserved}, // IETF protocol assignments
	{prefix: netip.MustParsePrefix("192.0.2.0/24"), reason: ReasonDocumentation},
	{prefix: netip.MustParsePrefix("192.88.99.0/24"), reason: ReasonReserved}, // 6to4 relay anycast, deprecated
	{prefix: netip.MustParsePrefix("192.168.0.0/16"), reason: ReasonPrivate},
	{prefix: netip.MustParsePrefix("198.18.0.0/15"), reason: ReasonReserved}, // benchmarking
	{prefix: netip.MustParsePrefix("198.51.100.0/24"), reason: ReasonDocumentation},
	{prefix: netip.MustParsePrefix("203.0.113.0/24"), reason: ReasonDocumentation},
	{prefix: netip.MustParsePrefix("224.0.0.0/4"), reason: ReasonMulticast},
	{prefix: netip.MustParsePrefix("240.0.0.0/4"), reason: ReasonReserved},
}

// rules6 are the IPv6 ranges refused or looked through, from the IANA
// IPv6 Special-Purpose Address Registry; anything outside global unicast
// (2000::/3) is refused as well (see classify).
var rules6 = []rangeRule{
	{prefix: netip.MustParsePrefix("::/128"), reason: ReasonUnspecified},
	{prefix: netip.MustParsePrefix("::1/128"), reason: ReasonLoopback},
	// NAT64 with the well-known prefix reaches the IPv4 address in its
	// last 32 bits (RFC 6052); the local-use prefix may put it anywhere
	// (RFC 8215) and serves private networks only.
	{prefix: netip.MustParsePrefix("64:ff9b::/96"), embedded: 12},
	{prefix: netip.MustParsePrefix("64:ff9b:1::/48"), reason: ReasonNAT64},
	// 6to4 reaches the IPv4 address in bits 16-47 (RFC 3056).
	{prefix: netip.MustParsePrefix("2002::/16"), embedded: 2},
	{prefix: netip.MustParsePrefix("fc00::/7"), reason: ReasonULA},
	{prefix: netip.MustParsePrefix("fe80::/10"), reason: ReasonLinkLocal},
	{prefix: netip.MustParsePrefix("ff00::/8"), reason: ReasonMulticast},
	{prefix: netip.MustParsePrefix("2001:db8::/32"), reason: ReasonDocumentation},
	{prefix: netip.MustParsePrefix("3fff::/20"), reason: ReasonDocumentation},
	// IETF protocol assignments: Teredo (2001::/32, which embeds an
	// obfuscated IPv4 address), benchmarking, ORCHID and the like.
	{prefix: netip.MustParsePrefix("2001::/23"), reason: ReasonReserved},
}

// globalUnicast6 holds every IPv6 address that may be a public host.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// classify returns why a is refused, or "" for a public address. An
// IPv4-mapped address is judged as its IPv4 address, a zone is ignored.
func classify(a netip.Addr) string {
	a = a.WithZone("")
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is4() {
		for _, r := range rules4 {
			if r.prefix.Contains(a) {
				return r.reason
			}
		}
		return ""
	}
	for _, r := range rules6 {
		if !r.prefix.Contains(a) {
			continue
		}
		if r.embedded > 0 {
			b := a.As16()
			return classify(netip.AddrFrom4([4]byte(b[r.embedded : r.embedded+4])))
		}
		return r.reason
	}
	if !globalUnicast6.Contains(a) {
		return ReasonReserved // IPv4-compatible ::/96, discard-only 100::/64, site-local fec0::/10, ...
	}
	return ""
}

// describe says in words what kind of address a reason is about.
func describe(reason string) string {
	switch reason {
	case ReasonLoopback:
		return "a loopback address"
	case ReasonPrivate:
		return "a private address"
	case ReasonLinkLocal:
		return "a link-local address"
	case ReasonCGNAT:
		return "a shared (CGNAT) address"
	case ReasonULA:
		return "a unique local address"
	case ReasonMulticast:
		return "a multicast address"
	case ReasonUnspecified:
		return "the unspecified address"
	case ReasonBroadcast:
		return "the broadcast address"
	case ReasonNAT64:
		return "a local-use NAT64 address"
	case ReasonDocumentation:
		return "a documentation address"
	}
	return "a special-purpose address"
}

// localNames are host names that name this machine whatever DNS says.
var localNames = map[string]bool{
	"localhost": true, "localhost.localdomain": true, "ip6-localhost": true, "ip6-loopback": true,
}

// hostReason returns why host name (see hostName) is refused without a
// lookup, or "".
func hostReason(name string) string {
	if localNames[name] || strings.HasSuffix(name, ".localhost") {
		return ReasonLocalName
	}
	// No top-level domain is numeric, so a name whose last label is a
	// number (2130706433, 127.1, 0x7f.0x1) is an IPv4 address in one of
	// the forms inet_aton and some resolvers accept.
	last := name[strings.LastIndexByte(name, '.')+1:]
	if numeric(last) {
		return ReasonNumericHost
	}
	return ""
}

// numeric reports whether s is a decimal, octal or 0x hex number.
func numeric(s string) bool {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		s = h
		if s == "" {
			return true
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
