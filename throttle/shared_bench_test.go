package throttle

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkSharedWait takes tokens from budgets shared through the test
// Redis, from GOMAXPROCS goroutines spread over 1 or 3 instances (each
// its own budget and client, one key). At a rate the callers outrun,
// ns/op is 1e9/rate: the budget holds. At 1e8/s the pool rarely runs
// dry and ns/op is the cost of a Wait. redis-trips/msg is the leases
// booked per token taken (1/k with k = 20 ms of the rate).
func BenchmarkSharedWait(b *testing.B) {
	for _, rate := range []float64{1e4, 1e5, 1e6, 1e8} {
		for _, instances := range []int{1, 3} {
			b.Run(fmt.Sprintf("rate=%g/instances=%d", rate, instances), func(b *testing.B) {
				_, prefix := newTestRedis(b)
				budgets := make([]*Shared, instances)
				for i := range budgets {
					s, err := NewShared(NewRedis(newRedisClient(b, testRedisAddr()), prefix), SharedConfig{Key: "carrier:bench", Rate: rate})
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					budgets[i] = s
				}
				var next atomic.Int64
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					s := budgets[int(next.Add(1))%instances]
					for pb.Next() {
						if err := s.Wait(ctx); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				var leases, fallbacks int64
				for _, s := range budgets {
					st := s.Stats()
					leases += st.Leases
					fallbacks += st.Fallbacks
				}
				if fallbacks != 0 {
					b.Errorf("%d fallbacks to the local share during the benchmark", fallbacks)
				}
				b.ReportMetric(float64(leases)/float64(b.N), "redis-trips/msg")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			})
		}
	}
}
