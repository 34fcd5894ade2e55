package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Stages at which a [Guard] refuses: the stage label of
// gallant_webhook_url_refused_total.
const (
	// StageEntry is a URL refused when it is given, stored or queued.
	StageEntry = "entry"
	// StageDial is an address refused just before it is connected to.
	StageDial = "dial"
)

// lookupTimeout bounds the DNS lookup of [Guard.CheckStoredURL].
const lookupTimeout = 5 * time.Second

// Guard keeps callbacks off the addresses its [AddressPolicy] refuses, at
// the two places where that can be checked: when a URL enters
// ([Guard.CheckURL], [Guard.CheckStoredURL]) and when a connection is
// about to be made ([Guard.NewTransport], [Guard.NewClient]), after DNS
// resolution, on the very address dialled, so that a name resolving to a
// public address when it was checked and to a private one when it is used
// (DNS rebinding) gains nothing. Every outbound callback of the platform
// goes through a client a Guard built. Its methods are safe for
// concurrent use.
type Guard struct {
	open     bool            // AllowPrivate: nothing is refused for its address
	names    map[string]bool // AllowHosts names, see hostName
	prefixes []netip.Prefix  // AllowHosts addresses and prefixes
	refused  *prometheus.CounterVec
	// lookup resolves a host name; a test may replace it before the
	// Guard is used.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// PublicOnly returns a Guard of the default policy (the zero
// AddressPolicy: public addresses only), counting its refusals nowhere:
// for callers that check URLs with no dispatcher of their own.
func PublicOnly() *Guard {
	return newGuard(AddressPolicy{})
}

// NewGuard returns a Guard enforcing p, counting its refusals in
// gallant_webhook_url_refused_total{stage,reason} registered with reg
// (nil: not registered). Guards sharing a registry share that counter. It
// fails on an invalid p.
func NewGuard(p AddressPolicy, reg prometheus.Registerer) (*Guard, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	g := newGuard(p)
	if reg != nil {
		if err := reg.Register(g.refused); err != nil {
			are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err)
			if !ok {
				return nil, fmt.Errorf("webhook: register metrics: %w", err)
			}
			existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
			if !ok {
				return nil, fmt.Errorf("webhook: register metrics: %w", err)
			}
			g.refused = existing
		}
	}
	return g, nil
}

// newGuard builds the Guard of p, a valid policy, with its refusal
// counter not registered anywhere.
func newGuard(p AddressPolicy) *Guard {
	g := &Guard{open: p.AllowPrivate, names: map[string]bool{}, lookup: net.DefaultResolver.LookupNetIP}
	for _, h := range p.AllowHosts {
		prefix, name, _ := parseAllowEntry(h)
		if name != "" {
			g.names[name] = true
		} else {
			g.prefixes = append(g.prefixes, prefix)
		}
	}
	g.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "gallant", Subsystem: "webhook", Name: "url_refused_total",
		Help: "Callback URLs and addresses refused by the address policy (webhooks.allow_private, webhooks.allow_hosts), " +
			"by stage (entry: a URL given, stored or queued; dial: an address about to be connected) and reason.",
	}, []string{"stage", "reason"})
	return g
}

// CheckURL checks raw, a callback URL, without a DNS lookup: its form
// (absolute http or https, a host, no user information, at most
// MaxURLLength bytes) and, unless the policy allows it, its host: an IP
// literal must be a public address, and a name must not be one that
// always means this machine (localhost, *.localhost) or an IPv4 address
// in disguise (2130706433, 127.1). It is meant for URLs checked often,
// such as a message's callback_url: the dialer checks every address the
// name resolves to. The error is a *[URLError].
func (g *Guard) CheckURL(raw string) error {
	_, _, err := g.check(raw)
	return err
}

// CheckStoredURL is [Guard.CheckURL] and, for a host name the policy
// does not allow outright, a DNS lookup (bounded by ctx and 5 s): every
// address the name resolves to must be allowed, and it must resolve. It
// is meant for URLs stored once and used for a long time, such as an
// account's webhook_url or alert URL, so that a mistake or a probe is
// answered at once. The dialer still checks every connection, as DNS may
// change. The error is a *[URLError], or ctx's error.
func (g *Guard) CheckStoredURL(ctx context.Context, raw string) error {
	host, ip, err := g.check(raw)
	if err != nil || g.open || ip || g.names[host] {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, lerr := g.lookup(lctx, "ip", host)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if lerr != nil || len(addrs) == 0 {
		return g.refuse(StageEntry, &URLError{Reason: ReasonUnresolved, Detail: "the host " + host + " could not be resolved"})
	}
	for _, a := range addrs {
		if r := g.addrReason(a); r != "" {
			return g.refuse(StageEntry, &URLError{Reason: r,
				Detail: "the host " + host + " resolves to " + a.String() + ", " + describe(r) + "; callbacks go to public addresses only"})
		}
	}
	return nil
}

// check is CheckURL, also returning the host and whether it is an IP
// literal.
func (g *Guard) check(raw string) (host string, ip bool, err error) {
	host, ue := parseURL(raw)
	if ue != nil {
		return "", false, g.refuse(StageEntry, ue)
	}
	if a, perr := netip.ParseAddr(host); perr == nil {
		if r := g.addrReason(a); r != "" {
			return host, true, g.refuse(StageEntry, &URLError{Reason: r,
				Detail: "the host " + host + " is " + describe(r) + "; callbacks go to public addresses only"})
		}
		return host, true, nil
	}
	if g.open || g.names[host] {
		return host, false, nil
	}
	if r := hostReason(host); r != "" {
		d := "the host " + host + " names this machine; callbacks go to public addresses only"
		if r == ReasonNumericHost {
			d = "the host " + host + " is an IPv4 address in a non-standard form; write a public address in dotted decimal or a host name"
		}
		return host, false, g.refuse(StageEntry, &URLError{Reason: r, Detail: d})
	}
	return host, false, nil
}

// addrReason returns why a is refused under the policy, or "".
func (g *Guard) addrReason(a netip.Addr) string {
	if g.open {
		return ""
	}
	a = a.WithZone("")
	for _, p := range g.prefixes {
		if p.Contains(a) || (a.Is4In6() && p.Contains(a.Unmap())) {
			return ""
		}
	}
	return classify(a)
}

// refuse counts e at stage and returns it.
func (g *Guard) refuse(stage string, e *URLError) *URLError {
	g.refused.WithLabelValues(stage, e.Reason).Inc()
	return e
}
