package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// Operator is the platform operator's read-only view of this instance's
// carriers (binds, queues, throughput) and of the route plans and buy
// rates in force. Platform admins only. Its methods are safe for
// concurrent use.
type Operator struct {
	acc    *account.Service // nil: no audit log
	gw     *gateway.Service // nil: no carriers
	pricer *billing.Pricer  // nil without billing: no buy rates
	now    func() time.Time
	rates  rateMeter
}

// NewOperator returns the operator's view of gw (nil: a gateway without
// carriers) with pricer's buy rates (nil: none) and acc's audit log (nil:
// none).
func NewOperator(acc *account.Service, gw *gateway.Service, pricer *billing.Pricer) *Operator {
	return &Operator{acc: acc, gw: gw, pricer: pricer, now: time.Now}
}

// forOperator refuses callers other than platform admins.
func forOperator(p Principal) error {
	if p.Role != RoleAdmin {
		return Forbidden("the operator's views are for platform admins")
	}
	return nil
}

// Carriers returns every carrier of this instance with its binds'
// states, throughput and in-flight submits and its queue. Throughput
// (submits per second) is measured between this call and an earlier one
// within [RateWindow]: poll every few seconds to see it.
func (o *Operator) Carriers(ctx context.Context, p Principal) (CarriersView, error) {
	if err := forOperator(p); err != nil {
		return CarriersView{}, err
	}
	now := o.now()
	v := CarriersView{At: now.UTC(), RateWindowSeconds: int(RateWindow / time.Second), Carriers: []CarrierView{}}
	if o.gw == nil {
		return v, nil
	}
	for _, c := range o.gw.CarrierStatus() {
		cv := CarrierView{Name: c.Name, TPSLimit: c.TPS, Queued: c.Queued, QueueCapacity: c.Capacity,
			Reserved: c.Reserved, Binds: make([]BindView, 0, len(c.Binds))}
		var sum float64
		known := false
		for i, b := range c.Binds {
			bv := BindView{Index: i, State: b.State, LastError: b.LastError, Submitted: b.Submitted,
				InFlight: b.InFlight, Window: b.Window}
			if !b.Since.IsZero() {
				since := b.Since.UTC()
				bv.Since = &since
			}
			if r, ok := o.rates.rate(c.Name+"/"+strconv.Itoa(i), now, b.Submitted); ok {
				bv.SubmitsPerSecond = &r
				sum += r
				known = true
			}
			cv.Submitted += b.Submitted
			cv.InFlight += b.InFlight
			cv.Binds = append(cv.Binds, bv)
		}
		if known {
			cv.SubmitsPerSecond = &sum
		}
		v.Carriers = append(v.Carriers, cv)
	}
	return v, nil
}

// Routes returns the route plans this instance routes by (the default
// plan, then per-account plans by account id) and the carriers' buy
// rates in force now.
func (o *Operator) Routes(ctx context.Context, p Principal) (RoutesView, error) {
	if err := forOperator(p); err != nil {
		return RoutesView{}, err
	}
	v := RoutesView{Routes: []RouteView{}, AccountRoutes: []AccountRoutesView{}, BuyRates: []BuyRateView{}}
	if o.gw != nil {
		plan, accounts := o.gw.RoutePlans()
		v.Routes = routeViews(plan)
		for _, id := range slices.Sorted(maps.Keys(accounts)) {
			v.AccountRoutes = append(v.AccountRoutes, AccountRoutesView{AccountID: strconv.FormatInt(id, 10),
				Routes: routeViews(accounts[id])})
		}
	}
	if o.pricer != nil {
		byCarrier := o.pricer.BuyRatesAt(o.now())
		for _, name := range slices.Sorted(maps.Keys(byCarrier)) {
			for _, r := range byCarrier[name] {
				v.BuyRates = append(v.BuyRates, BuyRateView{Carrier: name, Prefix: r.Prefix, Price: int64(r.Price),
					Currency: r.Currency})
			}
		}
	}
	return v, nil
}

// Audit returns up to limit entries of the whole platform's audit log
// (every account's, and failed logins of unknown emails under account 0),
// newest first, with ids below before (0: from the newest).
func (o *Operator) Audit(ctx context.Context, p Principal, before int64, limit int) (AuditPage, error) {
	if err := forOperator(p); err != nil {
		return AuditPage{}, err
	}
	page := AuditPage{Items: []AuditItem{}}
	if o.acc == nil {
		return page, nil
	}
	entries, err := o.acc.ReadAudit(ctx, actorOf(p), store.AuditAllAccounts, before, limit)
	if errors.Is(err, account.ErrForbidden) {
		return AuditPage{}, Forbidden("the platform's audit log is for platform admins")
	}
	if err != nil {
		return AuditPage{}, fmt.Errorf("operator: audit log: %w", err)
	}
	for _, e := range entries {
		page.Items = append(page.Items, AuditItem{ID: e.ID, AccountID: e.AccountID, ActorUserID: e.ActorUserID,
			Action: e.Action, Target: e.Target, Details: e.Details, IP: e.IP, At: e.At})
	}
	if len(entries) == limit && limit > 0 {
		page.NextBefore = strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	return page, nil
}

// RateWindow is how far back a throughput sample may be to measure
// submits per second from.
const RateWindow = 10 * time.Second

// rateMeter turns growing counters into rates: it keeps, per counter,
// the samples of the last RateWindow taken when it was read.
type rateMeter struct {
	mu      sync.Mutex
	samples map[string][]rateSample
}

type rateSample struct {
	at time.Time
	n  uint64
}

// minRateSpan is the shortest span a rate is measured over, and the
// closest two kept samples may be (many readers keep few samples).
const minRateSpan = time.Second

// rate records counter key at n now and returns its increase per second
// since the oldest sample within RateWindow that is at least minRateSpan
// old; ok is false when there is none.
func (m *rateMeter) rate(key string, now time.Time, n uint64) (perSecond float64, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.samples == nil {
		m.samples = map[string][]rateSample{}
	}
	s := m.samples[key]
	keep := 0
	for keep < len(s) && (now.Sub(s[keep].at) > RateWindow || s[keep].n > n) {
		keep++ // too old, or from before the counter restarted
	}
	s = s[keep:]
	if len(s) > 0 {
		if span := now.Sub(s[0].at); span >= minRateSpan {
			perSecond, ok = float64(n-s[0].n)/span.Seconds(), true
		}
	}
	if len(s) == 0 || now.Sub(s[len(s)-1].at) >= minRateSpan {
		s = append(s, rateSample{at: now, n: n})
	}
	m.samples[key] = slices.Clip(s)
	return perSecond, ok
}

// routeViews shows a route plan.
func routeViews(plan []gateway.Route) []RouteView {
	out := make([]RouteView, 0, len(plan))
	for _, r := range plan {
		v := RouteView{Prefix: r.Prefix, LeastCost: r.LeastCost, SenderTPS: r.SenderTPS,
			Carriers: make([]RouteCarrier, 0, len(r.Carriers))}
		for _, c := range r.Carriers {
			v.Carriers = append(v.Carriers, RouteCarrier{Carrier: c.Carrier, Priority: c.Priority, Weight: max(c.Weight, 1)})
		}
		out = append(out, v)
	}
	return out
}
