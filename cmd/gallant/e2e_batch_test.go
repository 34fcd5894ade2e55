package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
)

func testRedisAddr() string {
	if a := os.Getenv("GALLANT_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// testRedisPrefix keeps each test's Redis keys apart: account and key ids
// restart at 1 in every fresh test database.
func testRedisPrefix() string {
	return fmt.Sprintf("gallant-test-%d-%d:", time.Now().UnixNano(), rand.Uint64())
}

// TestE2EHTTPBatch: POST /v1/messages/batch with 200 recipients and one
// text; every recipient gets its own message at the carrier and ends
// delivered; a bad recipient fails alone.
func TestE2EHTTPBatch(t *testing.T) {
	eachDriver(t, func(t *testing.T, driver string) {
		carrier := newCarrier(t, nil)
		a := startApp(t, testConfig(t, driver, carrier.Addr()))
		c := a.customer(t, "Batcher", "")
		const n = 200
		to := make([]string, n+1)
		for i := range n {
			to[i] = fmt.Sprintf("+4477009%05d", i)
		}
		to[n] = "not-a-number"
		body, _ := json.Marshal(map[string]any{"to": to, "text": "batch hello"})
		r := a.do(t, http.MethodPost, "/v1/messages/batch", c.APIKey, string(body))
		if r.status != http.StatusAccepted {
			t.Fatalf("batch: %d %s", r.status, r.body)
		}
		var ans struct {
			Items []struct {
				ID    string          `json:"id"`
				Error json.RawMessage `json:"error"`
			} `json:"items"`
			Accepted int `json:"accepted"`
			Rejected int `json:"rejected"`
		}
		r.json(t, &ans)
		if ans.Accepted != n || ans.Rejected != 1 || len(ans.Items) != n+1 || ans.Items[n].Error == nil || ans.Items[0].ID == "" {
			t.Fatalf("batch answer: accepted %d rejected %d items %d", ans.Accepted, ans.Rejected, len(ans.Items))
		}
		eventually(t, "every batch message at the carrier", func() (bool, string) {
			got := len(carrier.Submits())
			return got == n, strconv.Itoa(got)
		})
		dests := map[string]bool{}
		for _, s := range carrier.Submits() {
			dests[string(s.SM.Dest.Addr)] = true
		}
		if len(dests) != n {
			t.Fatalf("carrier saw %d distinct destinations, want %d", len(dests), n)
		}
		eventually(t, "every batch message delivered", func() (bool, string) {
			r := a.do(t, http.MethodGet, "/v1/messages?status=delivered&limit=500", c.APIKey, "")
			var p listPage
			r.json(t, &p)
			return len(p.Items) == n, strconv.Itoa(len(p.Items))
		})
	})
}

// TestE2ERateLimitThroughRedis: with redis.addr set, an account's
// message rate limit is kept in Redis (shared by every instance): a burst
// past it gets 429 rate-limited with Retry-After, and the bucket is in
// Redis.
func TestE2ERateLimitThroughRedis(t *testing.T) {
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	cfg.Redis.Addr, cfg.Redis.Prefix = testRedisAddr(), testRedisPrefix()
	a := startApp(t, cfg)
	ctx := testContext(t)
	acct := &store.Account{Name: "limited", Status: store.AccountActive, TPSLimit: 5}
	if err := a.st.CreateAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	key, err := a.acc.CreateAPIKey(ctx, acct.ID, "k", []string{account.ScopeSend, account.ScopeRead})
	if err != nil {
		t.Fatal(err)
	}
	accepted, limited := 0, 0
	for i := range 20 {
		body := fmt.Sprintf(`{"to":"+4477009%05d","text":"burst %d"}`, i, i)
		r := a.do(t, http.MethodPost, "/v1/messages", key, body)
		switch r.status {
		case http.StatusAccepted:
			accepted++
		case http.StatusTooManyRequests:
			limited++
			if r.problemType(t) != "rate-limited" || r.header.Get("Retry-After") == "" {
				t.Fatalf("429 without rate-limited problem or Retry-After: %v %s", r.header, r.body)
			}
		default:
			t.Fatalf("POST: %d %s", r.status, r.body)
		}
	}
	// A burst of 5 plus what refills while 20 requests run; far below 20.
	if accepted < 5 || accepted > 12 || limited == 0 {
		t.Fatalf("accepted %d, limited %d of 20 at 5/s", accepted, limited)
	}
	rc := redis.NewClient(&redis.Options{Addr: testRedisAddr()})
	defer rc.Close()
	n, err := rc.Exists(ctx, cfg.Redis.Prefix+"limit:acct:"+strconv.FormatInt(acct.ID, 10)).Result()
	if err != nil || n != 1 {
		t.Fatalf("the account's bucket is not in Redis: %d, %v", n, err)
	}
}

// TestE2EAPIKeyRateLimit: the HTTP API's per-key limit lives in Redis
// when redis.addr is set; past it, 429 rate-limited with Retry-After.
func TestE2EAPIKeyRateLimit(t *testing.T) {
	carrier := newCarrier(t, nil)
	cfg := testConfig(t, "sqlite", carrier.Addr())
	cfg.Redis.Addr, cfg.Redis.Prefix = testRedisAddr(), testRedisPrefix()
	cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitBurstKey = 1, 3
	a := startApp(t, cfg)
	c := a.customer(t, "Chatty", "")
	ok, limited := 0, 0
	for range 8 {
		r := a.do(t, http.MethodGet, "/v1/messages", c.APIKey, "")
		switch r.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			if r.problemType(t) != "rate-limited" || r.header.Get("Retry-After") == "" {
				t.Fatalf("429 without rate-limited problem or Retry-After: %v %s", r.header, r.body)
			}
		default:
			t.Fatalf("GET: %d %s", r.status, r.body)
		}
	}
	if ok < 3 || ok > 5 || limited == 0 {
		t.Fatalf("%d allowed, %d limited of 8 at 1/s with a burst of 3", ok, limited)
	}
	rc := redis.NewClient(&redis.Options{Addr: testRedisAddr()})
	defer rc.Close()
	keys, err := rc.Keys(testContext(t), cfg.Redis.Prefix+"api:key:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no API key bucket in Redis: %v, %v", keys, err)
	}
}
