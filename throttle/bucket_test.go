package throttle

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// The bucket satisfies the rate-limiter interface of smpp.Client.
var _ interface {
	Wait(ctx context.Context) error
} = (*TokenBucket)(nil)

func newTestBucket(t *testing.T, rate float64, burst int) (*TokenBucket, *fakeClock) {
	t.Helper()
	clk := &fakeClock{}
	b, err := NewTokenBucket(rate, burst, clk.Now)
	if err != nil {
		t.Fatalf("NewTokenBucket(%v, %d): %v", rate, burst, err)
	}
	return b, clk
}

// allowRun calls Allow until it fails (at most limit times) and returns how
// many calls succeeded.
func allowRun(b *TokenBucket, limit int) int {
	n := 0
	for n < limit && b.Allow() {
		n++
	}
	return n
}

func TestNewTokenBucketRejectsBadLimits(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		burst int
		want  error
	}{
		{"zero rate", 0, 1, ErrInvalidRate},
		{"negative rate", -1, 1, ErrInvalidRate},
		{"NaN rate", math.NaN(), 1, ErrInvalidRate},
		{"infinite rate", math.Inf(1), 1, ErrInvalidRate},
		{"rate above 1/ns", 2e9, 1, ErrInvalidRate},
		{"zero burst", 10, 0, ErrInvalidBurst},
		{"negative burst", 10, -5, ErrInvalidBurst},
		{"tolerance overflow", 1e-9, 1 << 40, ErrInvalidBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewTokenBucket(tt.rate, tt.burst, nil)
			if !errors.Is(err, tt.want) || b != nil {
				t.Fatalf("NewTokenBucket(%v, %d) = %v, %v; want nil, %v", tt.rate, tt.burst, b, err, tt.want)
			}
		})
	}
}

func TestBucketBurstThenRefill(t *testing.T) {
	b, clk := newTestBucket(t, 10, 5) // one token per 100 ms
	if got := allowRun(b, 100); got != 5 {
		t.Fatalf("full bucket gave %d tokens, want the burst 5", got)
	}
	if got := b.Tokens(); got != 0 {
		t.Fatalf("Tokens after burst = %v, want 0", got)
	}
	clk.Advance(99 * time.Millisecond)
	if b.Allow() {
		t.Fatal("token available after 99 ms at 10/s")
	}
	clk.Advance(time.Millisecond)
	if !b.Allow() {
		t.Fatal("no token after 100 ms at 10/s")
	}
	if b.Allow() {
		t.Fatal("second token after 100 ms at 10/s")
	}
	clk.Advance(50 * time.Millisecond)
	if got := b.Tokens(); got != 0.5 {
		t.Fatalf("Tokens after 50 ms = %v, want 0.5", got)
	}
	clk.Advance(time.Hour) // refill never exceeds the burst
	if got := b.Tokens(); got != 5 {
		t.Fatalf("Tokens after an hour = %v, want 5", got)
	}
	if got := allowRun(b, 100); got != 5 {
		t.Fatalf("refilled bucket gave %d tokens, want 5", got)
	}
}

func TestBucketAllowN(t *testing.T) {
	b, clk := newTestBucket(t, 10, 5)
	steps := []struct {
		n    int
		want bool
		left float64
	}{
		{0, true, 5},
		{-1, false, 5},
		{6, false, 5}, // above the burst: never
		{3, true, 2},
		{3, false, 2}, // all or nothing
		{2, true, 0},
		{1, false, 0},
	}
	for i, s := range steps {
		if got := b.AllowN(s.n); got != s.want {
			t.Fatalf("step %d: AllowN(%d) = %v, want %v", i, s.n, got, s.want)
		}
		if got := b.Tokens(); got != s.left {
			t.Fatalf("step %d: Tokens = %v, want %v", i, got, s.left)
		}
	}
	clk.Advance(300 * time.Millisecond)
	if !b.AllowN(3) || b.AllowN(1) {
		t.Fatal("after 300 ms at 10/s want exactly 3 tokens")
	}
}

func TestBucketDelay(t *testing.T) {
	b, _ := newTestBucket(t, 10, 5)
	if d, err := b.Delay(5); d != 0 || err != nil {
		t.Fatalf("Delay(5) on a full bucket = %v, %v; want 0", d, err)
	}
	b.AllowN(5)
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{1, 100 * time.Millisecond}, {3, 300 * time.Millisecond}, {5, 500 * time.Millisecond}} {
		if d, err := b.Delay(tt.n); d != tt.want || err != nil {
			t.Fatalf("Delay(%d) = %v, %v; want %v", tt.n, d, err, tt.want)
		}
	}
	if _, err := b.Delay(6); !errors.Is(err, ErrExceedsBurst) {
		t.Fatalf("Delay(6) error = %v, want ErrExceedsBurst", err)
	}
	if _, err := b.Delay(-1); !errors.Is(err, ErrInvalidCount) {
		t.Fatalf("Delay(-1) error = %v, want ErrInvalidCount", err)
	}
	if got := b.Tokens(); got != 0 {
		t.Fatalf("Delay took tokens: %v left", got)
	}
}

func TestBucketSetRateKeepsUsedTokens(t *testing.T) {
	b, clk := newTestBucket(t, 10, 10)
	b.AllowN(4)
	if err := b.SetRate(5); err != nil {
		t.Fatal(err)
	}
	if got, r := b.Tokens(), b.Rate(); got != 6 || r != 5 {
		t.Fatalf("after SetRate(5): Tokens %v rate %v, want 6 at 5/s", got, r)
	}
	clk.Advance(200 * time.Millisecond) // one token at 5/s
	if got := b.Tokens(); got != 7 {
		t.Fatalf("200 ms at 5/s refilled to %v, want 7", got)
	}
	if err := b.SetRate(20); err != nil {
		t.Fatal(err)
	}
	clk.Advance(150 * time.Millisecond) // three tokens at 20/s
	if got := b.Tokens(); got != 10 {
		t.Fatalf("150 ms at 20/s refilled to %v, want 10", got)
	}
	if err := b.SetRate(0); !errors.Is(err, ErrInvalidRate) {
		t.Fatalf("SetRate(0) error = %v, want ErrInvalidRate", err)
	}
	if r := b.Rate(); r != 20 {
		t.Fatalf("failed SetRate changed the rate to %v", r)
	}
}

func TestBucketSetLimitChangesBurst(t *testing.T) {
	b, _ := newTestBucket(t, 10, 10)
	b.AllowN(4)
	if err := b.SetLimit(10, 20); err != nil {
		t.Fatal(err)
	}
	if got, burst := b.Tokens(), b.Burst(); got != 16 || burst != 20 {
		t.Fatalf("after SetLimit(10, 20): Tokens %v burst %d, want 16 and 20", got, burst)
	}
	if err := b.SetLimit(10, 2); err != nil {
		t.Fatal(err)
	}
	if got := b.Tokens(); got != -2 { // 4 used of 2: in debt
		t.Fatalf("after SetLimit(10, 2): Tokens %v, want -2", got)
	}
	if b.Allow() {
		t.Fatal("Allow in debt")
	}
	if err := b.SetLimit(10, 0); !errors.Is(err, ErrInvalidBurst) {
		t.Fatalf("SetLimit(10, 0) error = %v, want ErrInvalidBurst", err)
	}
}

func TestBucketPause(t *testing.T) {
	b, clk := newTestBucket(t, 10, 5)
	b.Pause(time.Second)
	if b.Tokens() >= 1 || b.Allow() {
		t.Fatal("token available right after Pause")
	}
	clk.Advance(999 * time.Millisecond)
	if b.Allow() {
		t.Fatal("token available before the pause ended")
	}
	clk.Advance(time.Millisecond)
	if !b.Allow() {
		t.Fatal("no token when the pause ended")
	}
	if b.Allow() {
		t.Fatal("burst right after the pause")
	}
	clk.Advance(100 * time.Millisecond)
	if !b.Allow() {
		t.Fatal("no refill at the rate after the pause")
	}
	b.Pause(2 * time.Second)
	b.Pause(time.Second) // never shortens
	clk.Advance(1500 * time.Millisecond)
	if b.Allow() {
		t.Fatal("a shorter Pause cut a longer one")
	}
}

func TestRescale(t *testing.T) {
	tests := []struct {
		name               string
		tat, now, from, to int64
		want               int64
	}{
		{"no debt", 5, 10, 100, 200, 5},
		{"double", 1010, 10, 100, 200, 2010},
		{"halve", 1010, 10, 100, 50, 510},
		{"round up", 11, 10, 3, 1, 11},   // 1/3 → 1
		{"partial up", 12, 10, 3, 2, 12}, // 2·2/3 = 1.33 → 2
		{"overflow clamps", 1 << 61, 0, 1, 1 << 10, int64(MaxTolerance)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rescale(tt.tat, tt.now, tt.from, tt.to); got != tt.want {
				t.Fatalf("rescale(%d, %d, %d, %d) = %d, want %d", tt.tat, tt.now, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestBucketRoundsInterval(t *testing.T) {
	b, clk := newTestBucket(t, 3, 1) // interval 333,333,333 ns
	b.Allow()
	clk.Advance(333_333_332)
	if b.Allow() {
		t.Fatal("token before the rounded interval")
	}
	clk.Advance(1)
	if !b.Allow() {
		t.Fatal("no token at the rounded interval")
	}
}
