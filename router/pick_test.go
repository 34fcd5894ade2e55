package router

import (
	"math"
	"testing"
)

// pickRouter returns an unstarted router over carriers A, B, C (one
// fake bind each) with one route: A weight 3 and B weight 1 at priority
// 0, C at priority 1.
func pickRouter(t *testing.T, seed uint64) (*Router, []*fakeSender) {
	t.Helper()
	fa, fb, fc := newFakeSender("a", 0, 0), newFakeSender("b", 0, 0), newFakeSender("c", 0, 0)
	cfg := Config{
		Carriers: []Carrier{carrierCfg("A", 0, 0, fa), carrierCfg("B", 0, 0, fb), carrierCfg("C", 0, 0, fc)},
		Routes: []Route{{Prefix: "", Carriers: []Choice{
			{Carrier: "A", Weight: 3}, {Carrier: "B", Weight: 1}, {Carrier: "C", Priority: 1, Weight: 100},
		}}},
		Seed: seed,
	}
	r, err := New(cfg, &nopRecorder{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r, []*fakeSender{fa, fb, fc}
}

// picks returns the carrier chosen for each of n message ids.
func picks(r *Router, n int, exclude ...int32) []int32 {
	rt := r.table.Load().lookup(0, "1")
	out := make([]int32, n)
	j := &Job{}
	for i, id := range ids(n) {
		j.hash = mix(uint64(id) ^ r.cfg.Seed ^ pickSalt)
		j.excluded = append(j.excluded[:0], exclude...)
		out[i] = r.pick(rt, j)
	}
	return out
}

func TestPickWeightsAndPriority(t *testing.T) {
	r, fakes := pickRouter(t, 42)
	const n = 10_000
	got := picks(r, n)
	var count [3]int
	for _, c := range got {
		count[c]++
	}
	// A:B = 3:1 within 3 standard deviations (sd = sqrt(n p (1-p)) ≈ 43).
	wantA := 0.75 * n
	if math.Abs(float64(count[0])-wantA) > 130 || count[0]+count[1] != n || count[2] != 0 {
		t.Fatalf("10,000 picks gave A %d, B %d, C %d; want about 7500/2500/0", count[0], count[1], count[2])
	}

	// Same seed, same choices; another seed, other choices.
	r2, _ := pickRouter(t, 42)
	r3, _ := pickRouter(t, 43)
	again, other := picks(r2, n), picks(r3, n)
	differ := 0
	for i := range got {
		if again[i] != got[i] {
			t.Fatalf("pick %d differs under the same seed", i)
		}
		if other[i] != got[i] {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("another seed gave exactly the same choices")
	}

	// Excluding A leaves B for all; excluding both leaves C; all three: none.
	for _, c := range picks(r, 100, 0) {
		if c != 1 {
			t.Fatalf("with A excluded picked %d, want B", c)
		}
	}
	for _, c := range picks(r, 100, 0, 1) {
		if c != 2 {
			t.Fatalf("with A and B excluded picked %d, want C", c)
		}
	}
	for _, c := range picks(r, 10, 0, 1, 2) {
		if c != -1 {
			t.Fatalf("with every carrier excluded picked %d, want -1", c)
		}
	}

	// A unbound: B takes everything at priority 0.
	fakes[0].setBound(false)
	for _, c := range picks(r, 100) {
		if c != 1 {
			t.Fatalf("with A unbound picked %d, want B", c)
		}
	}
	// A and B unbound: the lower priority C, which is bound.
	fakes[1].setBound(false)
	for _, c := range picks(r, 100) {
		if c != 2 {
			t.Fatalf("with A and B unbound picked %d, want C", c)
		}
	}
	// Nothing bound: priority and weight decide as if all were bound.
	fakes[2].setBound(false)
	count = [3]int{}
	for _, c := range picks(r, 1000) {
		count[c]++
	}
	if count[2] != 0 || count[0] < 650 || count[1] < 180 {
		t.Fatalf("with nothing bound picked A %d, B %d, C %d; want A and B about 3:1", count[0], count[1], count[2])
	}
}
