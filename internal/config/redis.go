package config

import (
	"errors"
	"fmt"
	"net"

	"github.com/redis/go-redis/v9"
)

// maxRedisNodes bounds redis.cluster and redis.sentinel.addrs.
const maxRedisNodes = 64

// RedisConfig points at Redis: one server (Addr), a Redis Cluster (Cluster,
// some of its nodes: the client finds the rest) or a primary watched by
// Sentinels (Sentinel). At most one of the three; none keeps limits in
// process.
type RedisConfig struct {
	Addr     string `yaml:"addr"`
	Password string `yaml:"password"`
	// Username is the ACL user (Redis 6 and later); empty: the default user.
	Username string `yaml:"username"`
	// DB is the database of a single server or a Sentinel primary; a
	// cluster has only database 0.
	DB int `yaml:"db"`
	// Cluster lists seed nodes of a Redis Cluster (host:port each).
	Cluster []string `yaml:"cluster"`
	// Sentinel names the primary and the Sentinels that watch it; the
	// client follows a failover to the new primary.
	Sentinel SentinelConfig `yaml:"sentinel"`
	// Prefix starts every key the gateway keeps in Redis, so several
	// deployments can share one server; default "gallant:".
	Prefix string `yaml:"prefix"`
}

// SentinelConfig is a Redis primary behind Sentinels.
type SentinelConfig struct {
	// Master is the primary's name in the Sentinels' configuration.
	Master string `yaml:"master"`
	// Addrs are the Sentinels (host:port each).
	Addrs []string `yaml:"addrs"`
	// Password authenticates to the Sentinels when they require it
	// (redis.password is the primary's).
	Password string `yaml:"password"`
}

// Enabled reports whether any Redis is configured.
func (r RedisConfig) Enabled() bool {
	return r.Addr != "" || len(r.Cluster) > 0 || r.Sentinel.Master != ""
}

// Mode names what is configured: "", "single", "cluster" or "sentinel".
func (r RedisConfig) Mode() string {
	switch {
	case len(r.Cluster) > 0:
		return "cluster"
	case r.Sentinel.Master != "":
		return "sentinel"
	case r.Addr != "":
		return "single"
	}
	return ""
}

func (r RedisConfig) validate() error {
	set := 0
	for _, on := range []bool{r.Addr != "", len(r.Cluster) > 0, r.Sentinel.Master != "" || len(r.Sentinel.Addrs) > 0} {
		if on {
			set++
		}
	}
	if set > 1 {
		return errors.New("config: redis: set one of addr, cluster and sentinel")
	}
	if r.DB < 0 || r.DB > 15 {
		return fmt.Errorf("config: redis.db %d: want 0 to 15", r.DB)
	}
	if len(r.Cluster) > 0 && r.DB != 0 {
		return errors.New("config: redis.db: a Redis Cluster has only database 0")
	}
	if (r.Sentinel.Master == "") != (len(r.Sentinel.Addrs) == 0) {
		return errors.New("config: redis.sentinel needs both master and addrs")
	}
	for key, addrs := range map[string][]string{"redis.cluster": r.Cluster, "redis.sentinel.addrs": r.Sentinel.Addrs} {
		if len(addrs) > maxRedisNodes {
			return fmt.Errorf("config: %s: %d addresses, at most %d", key, len(addrs), maxRedisNodes)
		}
		for _, a := range addrs {
			if _, _, err := net.SplitHostPort(a); err != nil {
				return fmt.Errorf("config: %s: %q is not host:port: %w", key, a, err)
			}
		}
	}
	return nil
}

// Client opens the configured Redis: a *redis.Client for one server or a
// Sentinel primary, a *redis.ClusterClient for a cluster; nil when none
// is configured. Every kind honours its callers' context deadlines
// (ContextTimeoutEnabled), so a hung Redis falls back to local limits at
// once.
func (r RedisConfig) Client() redis.UniversalClient {
	switch r.Mode() {
	case "cluster":
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: r.Cluster, Username: r.Username, Password: r.Password,
			ContextTimeoutEnabled: true})
	case "sentinel":
		return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: r.Sentinel.Master, SentinelAddrs: r.Sentinel.Addrs,
			SentinelPassword: r.Sentinel.Password, Username: r.Username, Password: r.Password, DB: r.DB,
			ContextTimeoutEnabled: true})
	case "single":
		return redis.NewClient(&redis.Options{Addr: r.Addr, Username: r.Username, Password: r.Password, DB: r.DB,
			ContextTimeoutEnabled: true})
	}
	return nil
}
