package router

import (
	"strconv"
	"testing"

	"github.com/gallant-sms/gallant/sms"
)

// costRouter returns an unstarted router over carriers A, B, C, D with a
// least-cost route for 44: A, B (weight 3) and C at priority 0, D at
// priority 1, and rates A 44 -> 50, 447 -> 30; B 44 -> 40; D 4 -> 1; C
// none. A plain route for everything else lists the same carriers.
func costRouter(t testing.TB) *Router {
	t.Helper()
	var carriers []Carrier
	for _, n := range []string{"A", "B", "C", "D"} {
		carriers = append(carriers, carrierCfg(n, 0, 0, newFakeSender(n, 0, 0)))
	}
	choices := []Choice{{Carrier: "A"}, {Carrier: "B", Weight: 3}, {Carrier: "C"}, {Carrier: "D", Priority: 1}}
	r, err := New(Config{
		Carriers: carriers,
		Routes:   []Route{{Prefix: "44", LeastCost: true, Carriers: choices}, {Prefix: "", Carriers: choices}},
		BuyRates: map[string][]BuyRate{
			"A": {{Prefix: "44", Price: 50}, {Prefix: "447", Price: 30}},
			"B": {{Prefix: "44", Price: 40}},
			"D": {{Prefix: "4", Price: 1}},
			"Z": {{Prefix: "44", Price: 0}}, // a carrier we do not bind to
		},
	}, &nopRecorder{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// pickFor picks a carrier name for a message to dest, excluding some.
func pickFor(r *Router, id sms.ID, dest string, exclude ...string) string {
	m := &sms.Message{ID: id, Dest: sms.Address{Addr: dest}}
	rt := r.table.Load().lookup(0, dest)
	j := &Job{Msg: m, hash: mix(uint64(id) ^ r.cfg.Seed ^ pickSalt)}
	for _, e := range exclude {
		j.excluded = append(j.excluded, r.set.Load().byName[e])
	}
	c := r.pick(rt, j)
	if c < 0 {
		return "-"
	}
	return r.carrier(c).name
}

func TestLeastCostPick(t *testing.T) {
	r := costRouter(t)
	for _, tc := range []struct {
		dest    string
		exclude []string
		want    string
	}{
		{"441234567890", nil, "B"},                // B 40 < A 50; C unpriced; D a lower priority
		{"+447700900123", nil, "A"},               // A's 447 rate, 30, wins
		{"441234567890", []string{"B"}, "A"},      // next cheapest of the priority
		{"441234567890", []string{"B", "A"}, "C"}, // unpriced, but of the priority
		{"441234567890", []string{"A", "B", "C"}, "D"},
		{"441234567890", []string{"A", "B", "C", "D"}, "-"},
	} {
		for id := range sms.ID(50) {
			if got := pickFor(r, id+1, tc.dest, tc.exclude...); got != tc.want {
				t.Fatalf("%s excluding %v: picked %s, want %s", tc.dest, tc.exclude, got, tc.want)
			}
		}
	}
	// The plain route ignores the rates: all three of priority 0 share.
	seen := map[string]int{}
	for id := range sms.ID(400) {
		seen[pickFor(r, id+1, "33612345678")]++
	}
	if seen["A"] == 0 || seen["B"] == 0 || seen["C"] == 0 || seen["D"] != 0 {
		t.Fatalf("plain route picks %v", seen)
	}

	// New rates: A ties with B at 40 on 44; the weights (1:3) share.
	if err := r.SetBuyRates(map[string][]BuyRate{"A": {{Prefix: "44", Price: 40}}, "B": {{Prefix: "44", Price: 40}}}); err != nil {
		t.Fatal(err)
	}
	seen = map[string]int{}
	for id := range sms.ID(2000) {
		seen[pickFor(r, id+1, "441234567890")]++
	}
	if seen["C"] != 0 || seen["D"] != 0 || seen["A"] < 350 || seen["A"] > 650 || seen["A"]+seen["B"] != 2000 {
		t.Fatalf("tied rates pick %v, want A:B about 1:3 and nothing else", seen)
	}
	// Without rates the least-cost route draws by weight over priority 0.
	if err := r.SetBuyRates(nil); err != nil {
		t.Fatal(err)
	}
	seen = map[string]int{}
	for id := range sms.ID(400) {
		seen[pickFor(r, id+1, "441234567890")]++
	}
	if seen["C"] == 0 || seen["D"] != 0 {
		t.Fatalf("unrated least-cost route picks %v", seen)
	}
}

func TestSetBuyRatesValidates(t *testing.T) {
	r := costRouter(t)
	for _, bad := range []map[string][]BuyRate{
		{"A": {{Prefix: "4x", Price: 1}}},
		{"A": {{Prefix: "", Price: 1}}},
		{"A": {{Prefix: "44", Price: -1}}},
		{"A": {{Prefix: "44", Price: 1}, {Prefix: "+44", Price: 2}}},
	} {
		if err := r.SetBuyRates(bad); err == nil {
			t.Errorf("rates %v accepted", bad)
		}
	}
	// The old rates stay.
	if got := pickFor(r, 1, "441234567890"); got != "B" {
		t.Fatalf("after refused rates picked %s, want B", got)
	}
	// Routes replaced later keep the rates.
	if err := r.SetRoutes([]Route{{Prefix: "4", LeastCost: true, Carriers: []Choice{{Carrier: "A"}, {Carrier: "D"}}}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := pickFor(r, 1, "441234567890"); got != "D" {
		t.Fatalf("after SetRoutes picked %s, want D (rate 1)", got)
	}
}

// BenchmarkPickLeastCost compares pick on a plain route with pick on a
// least-cost route whose carriers have rates for 1,000 prefixes each.
func BenchmarkPickLeastCost(b *testing.B) {
	var carriers []Carrier
	rates := map[string][]BuyRate{}
	var choices []Choice
	for i, n := range []string{"A", "B", "C"} {
		carriers = append(carriers, carrierCfg(n, 0, 0, newFakeSender(n, 0, 0)))
		choices = append(choices, Choice{Carrier: n})
		for p := range 1000 {
			rates[n] = append(rates[n], BuyRate{Prefix: strconv.Itoa(100 + p), Price: int64((p*7 + i*13) % 50)})
		}
	}
	for _, lc := range []bool{false, true} {
		r, err := New(Config{Carriers: carriers, Routes: []Route{{Prefix: "", LeastCost: lc, Carriers: choices}}, BuyRates: rates},
			&nopRecorder{}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		name := "plain"
		if lc {
			name = "least-cost"
		}
		b.Run(name, func(b *testing.B) {
			dests := []string{"447700900123", "+4915112345678", "19175551234", "8613800138000"}
			msgs := make([]*sms.Message, len(dests))
			for i, d := range dests {
				msgs[i] = &sms.Message{ID: sms.ID(i + 1), Dest: sms.Address{Addr: d}}
			}
			j := &Job{}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m := msgs[i%len(msgs)]
				rt := r.table.Load().lookup(0, m.Dest.Addr)
				j.Msg, j.hash = m, uint64(i)*0x9e3779b97f4a7c15
				if r.pick(rt, j) < 0 {
					b.Fatal("no carrier")
				}
				i++
			}
		})
	}
}
