package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramExactBelow256us(t *testing.T) {
	var h Histogram
	for v := 1; v <= 100; v++ {
		h.Record(time.Duration(v) * time.Microsecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0, 1}, {0.01, 1}, {0.5, 50}, {0.9, 90}, {0.99, 99}, {0.999, 100}, {1, 100}} {
		if got := h.Quantile(tt.q); got != tt.want*time.Microsecond {
			t.Errorf("Quantile(%v) = %v, want %v µs", tt.q, got, int64(tt.want))
		}
	}
	if h.Count() != 100 || h.Max() != 100*time.Microsecond || h.Min() != time.Microsecond {
		t.Errorf("count %d, min %v, max %v", h.Count(), h.Min(), h.Max())
	}
	if h.Mean() != 50500*time.Nanosecond {
		t.Errorf("mean %v, want 50.5µs", h.Mean())
	}
}

// TestHistogramPercentilesWithinPrecision records random latencies over
// six orders of magnitude and compares each percentile with the exact
// one from the sorted values: never below, at most 1/128 above.
func TestHistogramPercentilesWithinPrecision(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	vals := make([]uint64, 100_000)
	for i := range vals {
		// Log-uniform from 1 µs to about 1,100 s.
		vals[i] = uint64(math.Exp(rng.Float64() * 21))
		h.RecordMicros(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999} {
		exact := vals[int(math.Ceil(q*float64(len(vals))))-1]
		got := uint64(h.Quantile(q) / time.Microsecond)
		if got < exact || float64(got-exact) > float64(exact)/subCount {
			t.Errorf("Quantile(%v) = %d µs, exact %d µs: off by more than 1/%d", q, got, exact, subCount)
		}
	}
	if uint64(h.Max()/time.Microsecond) != vals[len(vals)-1] {
		t.Errorf("max %v, want exactly %d µs", h.Max(), vals[len(vals)-1])
	}
}

func TestHistogramMergeEqualsRecordingTogether(t *testing.T) {
	var a, b, all Histogram
	for v := range uint64(5000) {
		x := v * v % 777_777
		if v%3 == 0 {
			a.RecordMicros(x)
		} else {
			b.RecordMicros(x)
		}
		all.RecordMicros(x)
	}
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	m.Merge(&Histogram{}) // empty: no effect on min
	if m != all {
		t.Errorf("merged %v, recorded together %v", m.Summary(), all.Summary())
	}
}

func TestHistogramEdges(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Mean() != 0 || h.Min() != 0 {
		t.Error("empty histogram does not report zeros")
	}
	h.Record(-time.Second) // counts as 0
	h.Record(100 * 24 * time.Hour)
	if h.Count() != 2 || h.Quantile(0) != 0 {
		t.Errorf("count %d, p0 %v", h.Count(), h.Quantile(0))
	}
	if h.Max() != maxMicros*time.Microsecond || h.Quantile(1) != h.Max() {
		t.Errorf("a value beyond the range: max %v, p100 %v, want the %d µs ceiling", h.Max(), h.Quantile(1), int64(maxMicros))
	}
	h.Reset()
	if h.Count() != 0 {
		t.Error("Reset left counts")
	}
}

// TestHistogramBuckets checks the layout: each bucket's highest value
// maps back to it, and the next value to the next bucket.
func TestHistogramBuckets(t *testing.T) {
	for i := range numBuckets {
		hi := bucketHigh(i)
		if bucketOf(hi) != i {
			t.Fatalf("bucketOf(bucketHigh(%d) = %d) = %d", i, hi, bucketOf(hi))
		}
		if i+1 < numBuckets && bucketOf(hi+1) != i+1 {
			t.Fatalf("bucketOf(%d) = %d, want %d", hi+1, bucketOf(hi+1), i+1)
		}
	}
	if bucketHigh(numBuckets-1) != maxMicros {
		t.Errorf("last bucket ends at %d, want %d", bucketHigh(numBuckets-1), uint64(maxMicros))
	}
}
