package router

import (
	"cmp"
	"fmt"
	"slices"
)

// table is an immutable snapshot of every route plan, resolved to
// carrier indexes. Router swaps whole tables through an atomic pointer,
// so lookups take no lock.
type table struct {
	def      *plan
	accounts map[int64]*plan // nil when no account has its own plan
}

// plan is one route plan as a digit trie whose values index routes.
type plan struct {
	trie   digitTrie
	routes []route
}

// route is a compiled Route: its choices sorted by priority, so that
// choices of equal priority (a group) are adjacent.
type route struct {
	prefix  string
	choices []choice
	costs   *costTrie // least-cost routes with rates only

	senderTPS float64 // Route.SenderTPS
}

// choice is a compiled Choice.
type choice struct {
	carrier  int32
	priority int
	weight   uint64
}

// buildTable compiles the plans. index maps carrier names to indexes;
// the plans must have been validated against it.
func buildTable(def []Route, accounts map[int64][]Route, index map[string]int32) (*table, error) {
	return buildTableRates(def, accounts, index, nil)
}

// buildTableRates is buildTable with buy rates for least-cost routes.
func buildTableRates(def []Route, accounts map[int64][]Route, index map[string]int32, rates map[string][]BuyRate) (*table, error) {
	t := &table{}
	// Indexes may have holes (RemoveCarrier leaves its index unused).
	size := 0
	for _, i := range index {
		size = max(size, int(i)+1)
	}
	names := make([]string, size)
	for n, i := range index {
		names[i] = n
	}
	buildPlan := func(routes []Route, index map[string]int32) (*plan, error) {
		return buildPlanRates(routes, index, names, rates)
	}
	var err error
	if t.def, err = buildPlan(def, index); err != nil {
		return nil, err
	}
	if len(accounts) > 0 {
		t.accounts = make(map[int64]*plan, len(accounts))
		for acct, routes := range accounts {
			if t.accounts[acct], err = buildPlan(routes, index); err != nil {
				return nil, fmt.Errorf("account %d plan: %w", acct, err)
			}
		}
	}
	return t, nil
}

// buildPlanRates compiles one plan into a trie; names are the carriers
// by index, rates their buy rates.
func buildPlanRates(routes []Route, index map[string]int32, names []string, rates map[string][]BuyRate) (*plan, error) {
	p := &plan{trie: newDigitTrie(), routes: make([]route, 0, len(routes))}
	for _, rt := range routes {
		prefix, ok := normalizePrefix(rt.Prefix)
		if !ok {
			return nil, fmt.Errorf("bad prefix %q", rt.Prefix)
		}
		cr := route{prefix: prefix, senderTPS: rt.SenderTPS, choices: make([]choice, 0, len(rt.Carriers))}
		for _, ch := range rt.Carriers {
			c, ok := index[ch.Carrier]
			if !ok {
				return nil, fmt.Errorf("prefix %q: unknown carrier %q", rt.Prefix, ch.Carrier)
			}
			w := uint64(max(ch.Weight, 1))
			cr.choices = append(cr.choices, choice{carrier: c, priority: ch.Priority, weight: w})
		}
		if len(cr.choices) == 0 || len(cr.choices) > maxChoices {
			return nil, fmt.Errorf("prefix %q: %d carriers, want 1..%d", rt.Prefix, len(cr.choices), maxChoices)
		}
		slices.SortStableFunc(cr.choices, func(a, b choice) int { return cmp.Compare(a.priority, b.priority) })
		if rt.LeastCost {
			cr.costs = buildCosts(prefix, cr.choices, names, rates)
		}
		n := p.trie.node(prefix)
		if p.trie.nodes[n].val >= 0 {
			return nil, fmt.Errorf("prefix %q listed twice", rt.Prefix)
		}
		p.trie.nodes[n].val = int32(len(p.routes))
		p.routes = append(p.routes, cr)
	}
	return p, nil
}

// priorityOf returns the priority of carrier c in rt.
func (rt *route) priorityOf(c int32) int {
	for _, ch := range rt.choices {
		if ch.carrier == c {
			return ch.priority
		}
	}
	return 0
}

// lookup returns the route for a destination of account acct: the
// longest matching prefix of the account's plan, else of the default
// plan, else nil.
func (t *table) lookup(acct int64, dest string) *route {
	if t.accounts != nil {
		if p := t.accounts[acct]; p != nil {
			if rt := p.match(dest); rt != nil {
				return rt
			}
		}
	}
	return t.def.match(dest)
}

// match returns the route with the longest prefix of dest, or nil. A
// leading '+' is skipped and matching stops at the first non-digit.
func (p *plan) match(dest string) *route {
	best := p.trie.longest(dest)
	if best < 0 {
		return nil
	}
	return &p.routes[best]
}
