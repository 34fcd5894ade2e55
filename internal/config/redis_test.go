package config

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/internal/redistest"
	"github.com/gallant-sms/gallant/throttle"
)

func TestRedisConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    RedisConfig
		want string // "" valid
	}{
		{"none", RedisConfig{}, ""},
		{"single", RedisConfig{Addr: "127.0.0.1:6379", DB: 3}, ""},
		{"cluster", RedisConfig{Cluster: []string{"10.0.0.1:7000", "10.0.0.2:7000"}}, ""},
		{"sentinel", RedisConfig{Sentinel: SentinelConfig{Master: "gallant", Addrs: []string{"10.0.0.1:26379"}}}, ""},
		{"addr and cluster", RedisConfig{Addr: "a:1", Cluster: []string{"b:2"}}, "set one of addr, cluster and sentinel"},
		{"addr and sentinel", RedisConfig{Addr: "a:1", Sentinel: SentinelConfig{Master: "m", Addrs: []string{"b:2"}}}, "set one of"},
		{"sentinel without addrs", RedisConfig{Sentinel: SentinelConfig{Master: "m"}}, "needs both master and addrs"},
		{"sentinel without master", RedisConfig{Sentinel: SentinelConfig{Addrs: []string{"b:2"}}}, "needs both master and addrs"},
		{"cluster with a db", RedisConfig{Cluster: []string{"b:2"}, DB: 1}, "only database 0"},
		{"db out of range", RedisConfig{Addr: "a:1", DB: 16}, "want 0 to 15"},
		{"cluster address without port", RedisConfig{Cluster: []string{"10.0.0.1"}}, "not host:port"},
		{"too many nodes", RedisConfig{Cluster: strings.Split(strings.Repeat("a:1,", 65)+"a:1", ",")}, "at most 64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.validate()
			if tc.want == "" && err != nil {
				t.Fatalf("validate: %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("validate: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestRedisConfigFromYAMLAndEnv: the cluster and sentinel keys load from
// the file and from GALLANT_ variables.
func TestRedisConfigFromYAMLAndEnv(t *testing.T) {
	path := t.TempDir() + "/c.yaml"
	yaml := "redis:\n  sentinel:\n    master: gallant\n    addrs: [\"10.0.0.1:26379\", \"10.0.0.2:26379\"]\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.Mode() != "sentinel" || cfg.Redis.Sentinel.Master != "gallant" || len(cfg.Redis.Sentinel.Addrs) != 2 {
		t.Fatalf("redis = %+v", cfg.Redis)
	}
	cfg, err = Load("", []string{`GALLANT_REDIS_CLUSTER=["10.0.0.1:7000","10.0.0.2:7000","10.0.0.3:7000"]`})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.Mode() != "cluster" || len(cfg.Redis.Cluster) != 3 || !cfg.Redis.Enabled() {
		t.Fatalf("redis = %+v", cfg.Redis)
	}
	if _, err := Load(path, []string{"GALLANT_REDIS_ADDR=10.0.0.9:6379"}); err == nil || !strings.Contains(err.Error(), "set one of") {
		t.Fatalf("sentinel and addr: %v", err)
	}
	if cfg, err := Load("", nil); err != nil || cfg.Redis.Enabled() || cfg.Redis.Client() != nil {
		t.Fatalf("no redis: %+v, %v", cfg.Redis, err)
	}
}

// TestRedisClientTopologies: the client Client builds for a real Redis
// Cluster of three primaries and for a primary behind a Sentinel does what
// the gateway asks of Redis: GCRA buckets on keys spread over every slot
// (throttle.Redis), and the hand-off notices' pub/sub.
func TestRedisClientTopologies(t *testing.T) {
	sentinel := redistest.StartSentinel(t, "gallant")
	for _, tc := range []struct {
		name string
		r    RedisConfig
	}{
		{"cluster", RedisConfig{Cluster: redistest.StartCluster(t, 3)[:1]}}, // one seed: the client finds the others
		{"sentinel", RedisConfig{Sentinel: SentinelConfig{Master: sentinel.Master, Addrs: sentinel.Addrs}, DB: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.r.validate(); err != nil {
				t.Fatal(err)
			}
			c := tc.r.Client()
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			switch cc := c.(type) {
			case *redis.ClusterClient:
				if tc.name != "cluster" || !cc.Options().ContextTimeoutEnabled {
					t.Fatalf("%s: a cluster client without ContextTimeoutEnabled", tc.name)
				}
				// Every primary holds a share of the keys the limiter writes.
				// ForEachMaster calls back on a goroutine per primary.
				var shards atomic.Int32
				if err := cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
					shards.Add(1)
					return m.Ping(ctx).Err()
				}); err != nil || shards.Load() != 3 {
					t.Fatalf("primaries: %d, %v", shards.Load(), err)
				}
			case *redis.Client:
				if tc.name != "sentinel" || !cc.Options().ContextTimeoutEnabled {
					t.Fatalf("%s: a client without ContextTimeoutEnabled", tc.name)
				}
			default:
				t.Fatalf("%s: client %T", tc.name, c)
			}

			// GCRA: 5 tokens a bucket, over 60 keys on many slots.
			lim := throttle.NewRedis(c, fmt.Sprintf("gallant:test:%d:", time.Now().UnixNano()))
			for k := range 60 {
				key := fmt.Sprintf("carrier:c%d", k)
				for i := range 6 {
					r, err := lim.Allow(ctx, key, 1, 5, 1)
					if err != nil {
						t.Fatalf("allow %s: %v", key, err)
					}
					if r.Allowed != (i < 5) {
						t.Fatalf("%s take %d: allowed %v", key, i, r.Allowed)
					}
				}
			}

			// Pub/sub, as the hand-off uses it.
			sub := c.Subscribe(ctx, "gallant:test:held")
			defer sub.Close()
			if _, err := sub.Receive(ctx); err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			if err := c.Publish(ctx, "gallant:test:held", "7").Err(); err != nil {
				t.Fatalf("publish: %v", err)
			}
			msg, err := sub.ReceiveMessage(ctx)
			if err != nil || msg.Payload != "7" {
				t.Fatalf("received %v, %v", msg, err)
			}
		})
	}
}
