package billing

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Quote is the price of one message.
type Quote struct {
	PerSegment Micros
	Total      Micros // PerSegment times the segments
	Currency   string
	PlanID     int64
}

// Pricer prices messages from the plans in the store. Its index is
// immutable and replaced as a whole by [Pricer.Reload] or [Pricer.Load],
// so Price never waits for a reload. A Pricer is safe for concurrent use;
// before the first load every Price fails with [ErrNoPlan].
type Pricer struct {
	st  *store.Store
	idx atomic.Pointer[priceIndex]
}

// NewPricer returns a Pricer reading plans from st (nil when plans are
// only given to [Pricer.Load]).
func NewPricer(st *store.Store) *Pricer {
	p := &Pricer{st: st}
	p.idx.Store(&priceIndex{})
	return p
}

// Reload reads every plan from the store and swaps the index.
func (p *Pricer) Reload(ctx context.Context) error {
	if p.st == nil {
		return fmt.Errorf("billing: reload prices: pricer has no store")
	}
	data, err := p.st.LoadPricing(ctx)
	if err != nil {
		return fmt.Errorf("billing: reload prices: %w", err)
	}
	return p.Load(data)
}

// Load builds an index from data and swaps it in. Invalid data leaves the
// current index in place.
func (p *Pricer) Load(data *store.Pricing) error {
	idx, err := buildIndex(data)
	if err != nil {
		return fmt.Errorf("billing: load prices: %w", err)
	}
	p.idx.Store(idx)
	return nil
}

// Price returns what a message of segments segments to dest costs account
// accountID at time at. dest is an E.164 number, with or without a leading
// '+'. The plan is the account's own in force at at, else its reseller's
// default, else the platform default; among plans of one kind in force
// the one starting latest wins. Within the plan the longest prefix of dest
// sets the price. It does not allocate.
func (p *Pricer) Price(accountID int64, dest string, segments int, at time.Time) (Quote, error) {
	if segments < 1 || segments > maxSegments {
		return Quote{}, ErrBadSegments
	}
	digits, ok := e164(dest)
	if !ok {
		return Quote{}, ErrBadDestination
	}
	idx := p.idx.Load()
	plan := idx.planFor(accountID, at.UnixMicro())
	if plan == nil {
		return Quote{}, ErrNoPlan
	}
	price, ok := plan.lookup(digits)
	if !ok {
		return Quote{}, ErrNoPrice
	}
	// Prices are capped at load so that this cannot overflow.
	return Quote{PerSegment: price, Total: price * Micros(segments), Currency: plan.currency, PlanID: plan.id}, nil
}

// PlanInForce returns the id of the plan accountID is priced by at time
// at: its own, its reseller's default or the platform default, as
// [Pricer.Price] chooses. ok is false when no plan is in force.
func (p *Pricer) PlanInForce(accountID int64, at time.Time) (id int64, ok bool) {
	plan := p.idx.Load().planFor(accountID, at.UnixMicro())
	if plan == nil {
		return 0, false
	}
	return plan.id, true
}

// BuyRate returns what carrier charges per segment for dest at time at,
// by the longest prefix among its rates in force, and the rate's currency.
func (p *Pricer) BuyRate(carrier, dest string, at time.Time) (Money, error) {
	digits, ok := e164(dest)
	if !ok {
		return Money{}, ErrBadDestination
	}
	rates := p.idx.Load().buy[carrier]
	t := at.UnixMicro()
	best, bestLen := -1, 0
	for i := range rates {
		r := &rates[i]
		if r.from > t || t >= r.to || len(r.prefix) > len(digits) || digits[:len(r.prefix)] != r.prefix {
			continue
		}
		// A longer prefix wins; among equal prefixes the latest start.
		if len(r.prefix) > bestLen || (len(r.prefix) == bestLen && r.from > rates[best].from) {
			best, bestLen = i, len(r.prefix)
		}
	}
	if best < 0 {
		return Money{}, ErrNoPrice
	}
	return Money{Amount: rates[best].price, Currency: rates[best].currency}, nil
}

// RefundsUndelivered reports whether plan planID refunds the charge of a
// message whose final status is not delivered. Unknown plans do not.
func (p *Pricer) RefundsUndelivered(planID int64) bool {
	pl := p.idx.Load().plans[planID]
	return pl != nil && pl.refund
}

// CarrierRate is one buy rate in force, as [Pricer.BuyRatesAt] lists it.
type CarrierRate struct {
	Prefix   string // E.164 digits
	Price    Micros // per segment
	Currency string
}

// BuyRatesAt returns every carrier's buy rates in force at time at, one
// per prefix (the latest start among rates of one prefix), by carrier
// name, sorted by prefix. [Pricer.BuyRate] answers from the same rates:
// the longest prefix of a destination among them sets its price.
func (p *Pricer) BuyRatesAt(at time.Time) map[string][]CarrierRate {
	t := at.UnixMicro()
	x := p.idx.Load()
	out := make(map[string][]CarrierRate, len(x.buy))
	for carrier, rates := range x.buy {
		best := map[string]*buyRate{}
		for i := range rates {
			r := &rates[i]
			if r.from > t || t >= r.to {
				continue
			}
			if b := best[r.prefix]; b == nil || r.from > b.from {
				best[r.prefix] = r
			}
		}
		if len(best) == 0 {
			continue
		}
		list := make([]CarrierRate, 0, len(best))
		for _, r := range best {
			list = append(list, CarrierRate{Prefix: r.prefix, Price: r.price, Currency: r.currency})
		}
		slices.SortFunc(list, func(a, b CarrierRate) int { return strings.Compare(a.Prefix, b.Prefix) })
		out[carrier] = list
	}
	return out
}

// e164 strips a leading '+' from dest and checks that 1 to 15 digits
// remain.
func e164(dest string) (string, bool) {
	if len(dest) > 0 && dest[0] == '+' {
		dest = dest[1:]
	}
	if dest == "" || len(dest) > 15 {
		return "", false
	}
	for i := 0; i < len(dest); i++ {
		if dest[i] < '0' || dest[i] > '9' {
			return "", false
		}
	}
	return dest, true
}

// priceIndex is an immutable snapshot of the plans.
type priceIndex struct {
	// byAccount holds each account's assigned plans, latest start first.
	byAccount map[int64][]*planIndex
	// defaults holds each owner's default plans (owner 0: the platform),
	// latest start first.
	defaults  map[int64][]*planIndex
	resellers map[int64]int64
	buy       map[string][]buyRate
	plans     map[int64]*planIndex
}

// planIndex is one plan's prices, keyed by prefix.
type planIndex struct {
	id, owner int64
	currency  string
	from, to  int64 // unix micros; to is MaxInt64 for no end
	prices    map[string]Micros
	maxLen    int
	refund    bool // refund undelivered messages
}

type buyRate struct {
	prefix   string
	price    Micros
	currency string
	from, to int64
}

// planFor returns the plan in force for account at t, or nil.
func (x *priceIndex) planFor(account int64, t int64) *planIndex {
	if pl := inForce(x.byAccount[account], t); pl != nil {
		return pl
	}
	if r, ok := x.resellers[account]; ok {
		if pl := inForce(x.defaults[r], t); pl != nil {
			return pl
		}
	}
	return inForce(x.defaults[0], t)
}

// inForce returns the first of plans (sorted latest start first) in force
// at t.
func inForce(plans []*planIndex, t int64) *planIndex {
	for _, pl := range plans {
		if pl.from <= t && t < pl.to {
			return pl
		}
	}
	return nil
}

// lookup returns the price of the longest prefix of digits.
func (pl *planIndex) lookup(digits string) (Micros, bool) {
	for n := min(len(digits), pl.maxLen); n > 0; n-- {
		if price, ok := pl.prices[digits[:n]]; ok {
			return price, true
		}
	}
	return 0, false
}

func endMicros(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	return t.UnixMicro()
}

// buildIndex checks data and indexes it.
func buildIndex(data *store.Pricing) (*priceIndex, error) {
	x := &priceIndex{
		byAccount: map[int64][]*planIndex{},
		defaults:  map[int64][]*planIndex{},
		resellers: map[int64]int64{},
		buy:       map[string][]buyRate{},
	}
	plans := make(map[int64]*planIndex, len(data.Plans))
	x.plans = plans
	for i := range data.Plans {
		p := &data.Plans[i]
		if !ValidCurrency(p.Currency) {
			return nil, fmt.Errorf("plan %d: currency %q", p.ID, p.Currency)
		}
		pl := &planIndex{id: p.ID, owner: p.OwnerAccountID, currency: p.Currency,
			from: p.ValidFrom.UnixMicro(), to: endMicros(p.ValidTo), prices: make(map[string]Micros, len(p.Prices)),
			refund: p.RefundUndelivered}
		for _, pr := range p.Prices {
			if _, ok := e164(pr.Prefix); !ok || pr.Prefix[0] == '+' {
				return nil, fmt.Errorf("plan %d: prefix %q", p.ID, pr.Prefix)
			}
			if pr.PriceMicros < 0 || Micros(pr.PriceMicros) > maxPrice {
				return nil, fmt.Errorf("plan %d: prefix %s: price %d out of range", p.ID, pr.Prefix, pr.PriceMicros)
			}
			pl.prices[pr.Prefix] = Micros(pr.PriceMicros)
			pl.maxLen = max(pl.maxLen, len(pr.Prefix))
		}
		plans[p.ID] = pl
		if p.Default {
			x.defaults[p.OwnerAccountID] = append(x.defaults[p.OwnerAccountID], pl)
		}
	}
	for _, a := range data.Assignments {
		pl, ok := plans[a.PlanID]
		if !ok {
			return nil, fmt.Errorf("account %d: unknown plan %d", a.AccountID, a.PlanID)
		}
		x.byAccount[a.AccountID] = append(x.byAccount[a.AccountID], pl)
	}
	for acct, r := range data.Resellers {
		x.resellers[acct] = r
	}
	latestFirst := func(a, b *planIndex) int {
		if a.from != b.from {
			return int(min(max(b.from-a.from, -1), 1))
		}
		return int(min(max(b.id-a.id, -1), 1))
	}
	for _, m := range []map[int64][]*planIndex{x.byAccount, x.defaults} {
		for _, l := range m {
			slices.SortFunc(l, latestFirst)
		}
	}
	for _, r := range data.BuyRates {
		if _, ok := e164(r.Prefix); !ok || r.Prefix[0] == '+' || r.PriceMicros < 0 || !ValidCurrency(r.Currency) {
			return nil, fmt.Errorf("buy rate %s/%s: bad prefix, price or currency", r.Carrier, r.Prefix)
		}
		x.buy[r.Carrier] = append(x.buy[r.Carrier], buyRate{prefix: r.Prefix, price: Micros(r.PriceMicros),
			currency: r.Currency, from: r.ValidFrom.UnixMicro(), to: endMicros(r.ValidTo)})
	}
	return x, nil
}
