package throttle

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

func newTestAIMD(t *testing.T, cfg AIMDConfig, burst int) (*AIMD, *TokenBucket, *fakeClock) {
	t.Helper()
	b, clk := newTestBucket(t, cfg.Ceiling, burst)
	a, err := NewAIMD(b, cfg)
	if err != nil {
		t.Fatalf("NewAIMD: %v", err)
	}
	return a, b, clk
}

func TestDefaultAIMDConfig(t *testing.T) {
	tests := []struct {
		ceiling float64
		want    AIMDConfig
	}{
		{100, AIMDConfig{Ceiling: 100, Floor: 1, Pause: time.Second, Factor: 0.5, Step: 5, CleanRun: 100}},
		{4, AIMDConfig{Ceiling: 4, Floor: 1, Pause: time.Second, Factor: 0.5, Step: 0.2, CleanRun: 10}},
		{0.5, AIMDConfig{Ceiling: 0.5, Floor: 0.5, Pause: time.Second, Factor: 0.5, Step: 0.025, CleanRun: 10}},
	}
	for _, tt := range tests {
		got := DefaultAIMDConfig(tt.ceiling)
		if got != tt.want {
			t.Fatalf("DefaultAIMDConfig(%v) = %+v, want %+v", tt.ceiling, got, tt.want)
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("DefaultAIMDConfig(%v) invalid: %v", tt.ceiling, err)
		}
	}
}

func TestAIMDConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  AIMDConfig
	}{
		{"no ceiling", AIMDConfig{}},
		{"NaN ceiling", AIMDConfig{Ceiling: math.NaN()}},
		{"floor above ceiling", AIMDConfig{Ceiling: 10, Floor: 20}},
		{"negative floor", AIMDConfig{Ceiling: 10, Floor: -1}},
		{"negative pause", AIMDConfig{Ceiling: 10, Pause: -time.Second}},
		{"factor 1", AIMDConfig{Ceiling: 10, Factor: 1}},
		{"factor above 1", AIMDConfig{Ceiling: 10, Factor: 2}},
		{"step above ceiling", AIMDConfig{Ceiling: 10, Step: 11}},
		{"negative clean run", AIMDConfig{Ceiling: 10, CleanRun: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error", tt.cfg)
			}
			b, _ := newTestBucket(t, 10, 1)
			if _, err := NewAIMD(b, tt.cfg); err == nil {
				t.Fatal("NewAIMD accepted an invalid config")
			}
		})
	}
	if _, err := NewAIMD(nil, DefaultAIMDConfig(10)); err == nil {
		t.Fatal("NewAIMD accepted a nil bucket")
	}
}

func TestAIMDStartsAtCeiling(t *testing.T) {
	b, _ := newTestBucket(t, 3, 1)
	a, err := NewAIMD(b, DefaultAIMDConfig(40))
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate() != 40 || b.Rate() != 40 {
		t.Fatalf("rates %v/%v, want the ceiling 40", a.Rate(), b.Rate())
	}
}

func TestAIMDHalvesOncePerPauseDownToFloor(t *testing.T) {
	a, b, clk := newTestAIMD(t, AIMDConfig{Ceiling: 100, Floor: 10}, 5)
	if d := a.Throttled(); d != time.Second {
		t.Fatalf("first Throttled paused %v, want 1s", d)
	}
	if a.Rate() != 50 || b.Rate() != 50 {
		t.Fatalf("after one throttle: rate %v (bucket %v), want 50", a.Rate(), b.Rate())
	}
	if b.Allow() {
		t.Fatal("bucket not paused after a throttling answer")
	}
	clk.Advance(400 * time.Millisecond)
	for range 10 { // the rest of a window of throttled answers
		if d := a.Throttled(); d != 600*time.Millisecond {
			t.Fatalf("Throttled during the pause = %v, want the remaining 600ms", d)
		}
	}
	if a.Rate() != 50 {
		t.Fatalf("throttles during the pause changed the rate to %v", a.Rate())
	}
	clk.Advance(600 * time.Millisecond)
	if !b.Allow() || b.Allow() {
		t.Fatal("want exactly one token when the pause ends")
	}
	want := []float64{25, 12.5, 10, 10} // floor 10
	for i, w := range want {
		if d := a.Throttled(); d != time.Second {
			t.Fatalf("throttle %d paused %v, want 1s", i, d)
		}
		if a.Rate() != w || b.Rate() != w {
			t.Fatalf("throttle %d: rate %v (bucket %v), want %v", i, a.Rate(), b.Rate(), w)
		}
		clk.Advance(time.Second)
	}
	if st := a.Stats(); st.Backoffs != 5 || st.Increases != 0 || st.Rate != 10 {
		t.Fatalf("Stats = %+v, want 5 backoffs at rate 10", st)
	}
}

func TestAIMDIncreasesAfterCleanRuns(t *testing.T) {
	a, b, clk := newTestAIMD(t, AIMDConfig{Ceiling: 100, Step: 20, CleanRun: 10}, 1)
	a.Throttled() // 50
	clk.Advance(time.Second)
	for range 9 {
		a.Success()
	}
	if a.Rate() != 50 {
		t.Fatalf("rate %v after 9 of 10 clean answers, want 50", a.Rate())
	}
	a.Success()
	if a.Rate() != 70 || b.Rate() != 70 {
		t.Fatalf("rate %v (bucket %v) after a clean run, want 70", a.Rate(), b.Rate())
	}
	for range 9 {
		a.Success()
	}
	a.Throttled() // restarts the run: 35
	a.Success()
	if a.Rate() != 35 {
		t.Fatalf("a throttle did not restart the clean run: rate %v, want 35", a.Rate())
	}
	clk.Advance(time.Second)
	for range 100 {
		a.Success()
	}
	if a.Rate() != 100 || b.Rate() != 100 {
		t.Fatalf("rate %v (bucket %v) after many clean runs, want the ceiling 100", a.Rate(), b.Rate())
	}
	if st := a.Stats(); st.Backoffs != 2 || st.Increases != 5 { // 50→70, then 35→55→75→95→100
		t.Fatalf("Stats = %+v, want 2 backoffs and 5 increases", st)
	}
}

func TestAIMDCleanRunDuringPauseEarnsNothing(t *testing.T) {
	a, b, clk := newTestAIMD(t, AIMDConfig{Ceiling: 100, Step: 20, CleanRun: 10}, 1)
	a.Throttled() // 50, paused for 1 s
	for range 10 {
		a.Success() // answers to requests sent before the throttling
	}
	if a.Rate() != 50 {
		t.Fatalf("rate %v after a run inside the pause, want 50", a.Rate())
	}
	clk.Advance(999 * time.Millisecond)
	if b.Allow() {
		t.Fatal("the pause was shortened")
	}
	clk.Advance(time.Millisecond)
	for range 10 {
		a.Success()
	}
	if a.Rate() != 70 {
		t.Fatalf("rate %v after a run past the pause, want 70", a.Rate())
	}
}

func TestAIMDConcurrentSuccessCountsEveryRun(t *testing.T) {
	const (
		workers = 8
		each    = 250
		run     = 10
	)
	a, _, clk := newTestAIMD(t, AIMDConfig{Ceiling: 10_000, Floor: 1, Step: 1, CleanRun: run}, 1)
	a.Throttled() // 5,000
	clk.Advance(time.Second)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				a.Success()
			}
		})
	}
	wg.Wait()
	want := 5000.0 + workers*each/run
	if a.Rate() != want {
		t.Fatalf("rate %v after %d concurrent clean answers, want %v", a.Rate(), workers*each, want)
	}
}

func TestAIMDInvalidInputIsAnError(t *testing.T) {
	b, _ := newTestBucket(t, 10, 1)
	_, err := NewAIMD(b, AIMDConfig{Ceiling: 2e9})
	if !errors.Is(err, ErrInvalidRate) {
		t.Fatalf("NewAIMD with ceiling 2e9 = %v, want ErrInvalidRate", err)
	}
}
