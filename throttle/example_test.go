package throttle_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/throttle"
	"github.com/redis/go-redis/v9"
)

// A carrier bind contracted at 2 segments per second with no burst beyond
// that. The clock is injected so the example is deterministic; production
// code passes nil for the monotonic clock.
func ExampleTokenBucket() {
	var now int64
	b, err := throttle.NewTokenBucket(2, 2, func() int64 { return now })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Allow(), b.Allow(), b.Allow())
	now += int64(500 * time.Millisecond)
	fmt.Println(b.Allow(), b.Allow())
	// Output:
	// true true false
	// true false
}

// A bind reacts to ESME_RTHROTTLED: it pauses, halves its rate, and climbs
// back after clean answers.
func ExampleAIMD() {
	var now int64
	b, err := throttle.NewTokenBucket(100, 10, func() int64 { return now })
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := throttle.NewAIMD(b, throttle.AIMDConfig{Ceiling: 100, Step: 10, CleanRun: 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	pause := a.Throttled() // a submit_sm_resp with command_status 0x58
	fmt.Println(pause, a.Rate())
	now += int64(pause)
	for range 50 {
		a.Success() // clean submit_sm_resp
	}
	fmt.Println(a.Rate())
	// Output:
	// 1s 50
	// 60
}

// Per-account limits in process, swept by the owner's ticker.
func ExampleKeyed() {
	var now int64
	k, err := throttle.NewKeyed(throttle.KeyedConfig{Rate: 1, Burst: 2, Now: func() int64 { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Allow("acct-1"), k.Allow("acct-1"), k.Allow("acct-1"), k.Allow("acct-2"))
	res, _ := k.Take("acct-1", 1, 2, 1)
	fmt.Println(res.Allowed, res.RetryAfter)
	now += int64(2 * time.Second)
	fmt.Println(k.Sweep(k.Now()), "keys swept")
	// Output:
	// true true false true
	// false 1s
	// 2 keys swept
}

// An API limit of 10 requests per second per key, shared by every gateway
// instance through Redis and enforced locally while Redis is down.
func ExampleFallback() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	local, err := throttle.NewKeyed(throttle.KeyedConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := throttle.NewFallback(throttle.NewRedis(client, "gallant:ratelimit:"), local, throttle.FallbackConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := f.Allow(context.Background(), "apikey:7f3a", 10, 20, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	if !res.Allowed {
		fmt.Println("429, Retry-After:", res.RetryAfter)
	}
}
