package main

import (
	"math"
	"math/bits"
	"time"
)

// Histogram layout, after HdrHistogram: values are whole microseconds.
// Those below 2·subCount (256 µs) have a bucket each; above, every
// power-of-two range [2^k, 2^(k+1)) is cut into subCount equal buckets,
// so a value is known to within 1/subCount (0.8 %) of itself. Values up
// to 2^maxBits µs (12.7 days) are kept; larger ones count as that. The
// counts take numBuckets·8 = 34 KiB, whatever is recorded.
const (
	subBits    = 7
	subCount   = 1 << subBits
	maxBits    = 40
	numBuckets = (maxBits-subBits-1)*subCount + 2*subCount
	maxMicros  = 1<<maxBits - 1
)

// Histogram counts durations at microsecond resolution in fixed memory,
// for latency percentiles. The zero value is an empty histogram ready for
// use. A Histogram is not safe for concurrent use: give each recording
// goroutine its own and [Histogram.Merge] them once recording is over.
type Histogram struct {
	counts   [numBuckets]uint64
	n        uint64
	sum      uint64 // microseconds
	min, max uint64 // microseconds; valid when n > 0
}

// bucketOf returns the bucket index of v microseconds (v ≤ maxMicros).
func bucketOf(v uint64) int {
	if v < 2*subCount {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1 // v>>e is in [subCount, 2·subCount)
	return e*subCount + int(v>>e)
}

// bucketHigh returns the largest value counted in bucket i.
func bucketHigh(i int) uint64 {
	if i < 2*subCount {
		return uint64(i)
	}
	e := i/subCount - 1
	m := uint64(i - e*subCount)
	return (m+1)<<e - 1
}

// Record counts one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.RecordMicros(uint64(d / time.Microsecond))
}

// RecordMicros counts one value given in microseconds.
func (h *Histogram) RecordMicros(us uint64) {
	if us > maxMicros {
		us = maxMicros
	}
	h.counts[bucketOf(us)]++
	if h.n == 0 || us < h.min {
		h.min = us
	}
	if us > h.max {
		h.max = us
	}
	h.n++
	h.sum += us
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest value recorded, exactly; 0 when empty.
func (h *Histogram) Max() time.Duration { return micros(h.max) }

// Min returns the smallest value recorded, exactly; 0 when empty.
func (h *Histogram) Min() time.Duration {
	if h.n == 0 {
		return 0
	}
	return micros(h.min)
}

// Mean returns the average of the recorded values; 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(float64(h.sum) / float64(h.n) * float64(time.Microsecond))
}

// Quantile returns the value below or at which a fraction q (0..1) of the
// recorded values lie: the highest value of the bucket holding the
// ceil(q·n)-th smallest value, clamped to the recorded minimum and
// maximum, so it overstates by less than 0.8 % and is exact below 256 µs.
// It returns 0 when the histogram is empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var cum uint64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			v := min(max(bucketHigh(i), h.min), h.max)
			return micros(v)
		}
	}
	return micros(h.max)
}

// micros converts microseconds to a Duration.
func micros(us uint64) time.Duration { return time.Duration(us) * time.Microsecond }

// Latency summarises a Histogram for reports, in whole microseconds.
type Latency struct {
	Count  uint64 `json:"count"`
	MeanUS int64  `json:"mean_us"`
	P50US  int64  `json:"p50_us"`
	P90US  int64  `json:"p90_us"`
	P99US  int64  `json:"p99_us"`
	P999US int64  `json:"p999_us"`
	MaxUS  int64  `json:"max_us"`
}

// Summary returns the count, mean, p50, p90, p99, p99.9 and maximum of h.
func (h *Histogram) Summary() Latency {
	us := func(d time.Duration) int64 { return d.Microseconds() }
	return Latency{
		Count:  h.n,
		MeanUS: us(h.Mean()),
		P50US:  us(h.Quantile(0.50)),
		P90US:  us(h.Quantile(0.90)),
		P99US:  us(h.Quantile(0.99)),
		P999US: us(h.Quantile(0.999)),
		MaxUS:  us(h.Max()),
	}
}
