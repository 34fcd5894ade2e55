package gateway

import (
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/smpp"
)

// smppRefusal is why a customer's SMPP connection or bind was refused:
// the reason label of gallant_gateway_smpp_refused_total.
type smppRefusal uint8

const (
	refusedMaxConnections smppRefusal = iota // smpp.max_connections reached
	refusedPerIP                             // smpp.max_connections_per_ip reached
	refusedBindTimeout                       // no bind within smpp.bind_timeout
	refusedBindBlocked                       // the failed-bind limiter blocks the client
	refusedBadCredentials                    // unknown system_id or wrong password
	refusedNotAllowed                        // account suspended, or address outside the credential's ranges
	refusedBindLimit                         // the credential's bind limit reached
	refusedProxyHeader                       // a trusted balancer sent no valid PROXY header
	numRefusals
)

var refusalNames = [numRefusals]string{"max_connections", "max_connections_per_ip", "bind_timeout",
	"bind_blocked", "bad_credentials", "not_allowed", "bind_limit", "proxy_header"}

func (r smppRefusal) String() string { return refusalNames[r] }

// refusalOf maps the smpp server's refusal reasons.
func refusalOf(r smpp.RefuseReason) smppRefusal {
	switch r {
	case smpp.RefuseMaxConnections:
		return refusedMaxConnections
	case smpp.RefuseMaxConnectionsPerIP:
		return refusedPerIP
	case smpp.RefuseProxyHeader:
		return refusedProxyHeader
	}
	return refusedBindTimeout
}

// newRefusalCounters makes gallant_gateway_smpp_refused_total, one
// counter per reason resolved once.
func newRefusalCounters(reg prometheus.Registerer) [numRefusals]prometheus.Counter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gallant_gateway", Name: "smpp_refused_total",
		Help: "Customer SMPP connections and binds refused, by reason: max_connections, max_connections_per_ip, " +
			"bind_timeout, bind_blocked (failed-bind limiter), bad_credentials, not_allowed (suspended account or " +
			"address), bind_limit, proxy_header (a trusted load balancer sent no valid PROXY protocol header)."}, []string{"reason"})
	var out [numRefusals]prometheus.Counter
	for i := range out {
		out[i] = vec.WithLabelValues(refusalNames[i])
	}
	if reg != nil {
		reg.MustRegister(vec)
	}
	return out
}

// refusalLogInterval is how often refusal counts are logged, and
// refusalLogAddrs how many addresses get a line of their own in one
// interval (the rest are summed in one line), so that refusals cost at
// most about 2 x refusalLogAddrs + 1 lines a minute however fast they
// come.
const (
	refusalLogInterval = time.Minute
	refusalLogAddrs    = 100
)

// refusalLog logs refusals at a bounded rate: the first refusal of an
// address in an interval at once (with the system_id and reason, so a
// misconfigured customer shows up), then, when the interval ends, one
// line per address with its counts by reason.
type refusalLog struct {
	log *slog.Logger

	mu         sync.Mutex
	addrs      map[string]*[numRefusals]int // this interval's refusals after the first, by address
	others     int                          // refusals of addresses beyond refusalLogAddrs
	otherAddrs map[string]struct{}          // those addresses, up to maxGuardEntries
}

func newRefusalLog(log *slog.Logger) *refusalLog {
	return &refusalLog{log: log, addrs: map[string]*[numRefusals]int{}, otherAddrs: map[string]struct{}{}}
}

// note records one refusal of a connection from addr (a ClientKey);
// systemID is the bind's, or "" before a bind.
func (l *refusalLog) note(addr, systemID string, r smppRefusal) {
	l.mu.Lock()
	counts, seen := l.addrs[addr]
	switch {
	case seen:
		counts[r]++
		l.mu.Unlock()
		return
	case len(l.addrs) >= refusalLogAddrs:
		l.others++
		if len(l.otherAddrs) < maxGuardEntries {
			l.otherAddrs[addr] = struct{}{}
		}
		l.mu.Unlock()
		return
	}
	l.addrs[addr] = &[numRefusals]int{}
	l.mu.Unlock()
	l.log.Info("smpp refused", "client", addr, "system_id", systemID, "reason", r.String())
}

// flush logs the interval's counts and starts a new interval.
func (l *refusalLog) flush() {
	l.mu.Lock()
	addrs, others, otherAddrs := l.addrs, l.others, len(l.otherAddrs)
	l.addrs, l.others = map[string]*[numRefusals]int{}, 0
	clear(l.otherAddrs)
	l.mu.Unlock()
	for addr, counts := range addrs {
		attrs := []any{"client", addr, "interval", refusalLogInterval}
		total := 0
		for i, n := range counts {
			if n > 0 {
				attrs = append(attrs, refusalNames[i], n)
				total += n
			}
		}
		if total > 0 {
			l.log.Info("smpp refusals", attrs...)
		}
	}
	if others > 0 {
		l.log.Warn("smpp refused: more clients than are logged one by one", "refusals", others, "clients", otherAddrs,
			"interval", refusalLogInterval)
	}
}
