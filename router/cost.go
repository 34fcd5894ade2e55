package router

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Least-cost routing. A route with LeastCost set tries, among the
// carriers of its best available priority, the one with the lowest buy
// rate for the destination first (ties shared by weight); carriers without
// a rate come after every priced one. Priorities still order failover.
//
// The rates are compiled with the route table into a digit trie per
// least-cost route holding, for every rate prefix that can apply to the
// route, the cost of each of the route's choices: the price of that
// carrier's longest rate prefix of it. The longest prefix of a
// destination in this trie fixes the cost of every choice (any carrier's
// matching rate prefix is a prefix of it), so one walk of at most 15
// digits, without locks or allocation, prices all choices at once.

// BuyRate is what a carrier charges per segment for destinations starting
// with Prefix, as least-cost routing compares it. Prices of one route's
// carriers must be in one currency: the router compares numbers only.
type BuyRate struct {
	// Prefix is 1 to 15 E.164 digits.
	Prefix string
	// Price is in any fixed unit (the gateway uses micro-units), >= 0.
	Price int64
}

// noCost is the cost of a choice without a rate: after every priced one.
const noCost = math.MaxInt64

// costTrie is the compiled rates of one least-cost route.
// Its trie's values index the cost vectors.
type costTrie struct {
	trie  digitTrie
	width int     // choices of the route: the length of each vector
	costs []int64 // vectors of width costs, one per rated prefix
}

// validateRates checks rates by carrier.
func validateRates(rates map[string][]BuyRate, carriers map[string]int32) error {
	var errs []error
	for c, list := range rates {
		if _, ok := carriers[c]; !ok {
			// Rates of carriers this gateway does not bind to are
			// harmless: the price list may cover more.
			continue
		}
		seen := make(map[string]bool, len(list))
		for _, r := range list {
			p, ok := normalizePrefix(r.Prefix)
			if !ok || p == "" {
				errs = append(errs, fmt.Errorf("carrier %q: rate prefix %q is not 1 to %d digits", c, r.Prefix, maxPrefixDigits))
				continue
			}
			if r.Price < 0 {
				errs = append(errs, fmt.Errorf("carrier %q: prefix %s: negative price", c, p))
			}
			if seen[p] {
				errs = append(errs, fmt.Errorf("carrier %q: prefix %s rated twice", c, p))
			}
			seen[p] = true
		}
	}
	return errors.Join(errs...)
}

// buildCosts compiles the rates that apply to a least-cost route with
// prefix prefix and choices (carrier names by index in names). It returns
// nil when no rate applies: the route then draws by weight alone.
func buildCosts(prefix string, choices []choice, names []string, rates map[string][]BuyRate) *costTrie {
	// byChoice[i] maps the rate prefixes of choice i's carrier that may
	// apply under prefix to their price.
	byChoice := make([]map[string]int64, len(choices))
	var keys []string
	keySeen := map[string]bool{}
	for i, ch := range choices {
		byChoice[i] = map[string]int64{}
		for _, r := range rates[names[ch.carrier]] {
			p, ok := normalizePrefix(r.Prefix)
			if !ok || p == "" || !(strings.HasPrefix(prefix, p) || strings.HasPrefix(p, prefix)) {
				continue
			}
			byChoice[i][p] = r.Price
			if !keySeen[p] {
				keySeen[p] = true
				keys = append(keys, p)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	t := &costTrie{trie: newDigitTrie(), width: len(choices)}
	for _, k := range keys {
		t.trie.nodes[t.trie.node(k)].val = int32(len(t.costs) / t.width)
		for i := range choices {
			cost := int64(noCost)
			for l := len(k); l > 0; l-- {
				if p, ok := byChoice[i][k[:l]]; ok {
					cost = p
					break
				}
			}
			t.costs = append(t.costs, cost)
		}
	}
	return t
}

// lookup returns the cost of each choice for dest (indexed like the
// route's choices), or nil when no rate applies to it. A leading '+' is
// skipped and matching stops at the first non-digit.
func (t *costTrie) lookup(dest string) []int64 {
	if t == nil {
		return nil
	}
	vec := t.trie.longest(dest)
	if vec < 0 {
		return nil
	}
	return t.costs[int(vec)*t.width : int(vec+1)*t.width]
}
