// Package redistest starts real Redis topologies on loopback for tests:
// a Redis Cluster of several primaries, and a primary watched by a
// Sentinel. Each runs as redis-server processes (Debian's redis-server
// package) in the test's temporary directory and is stopped when the
// test ends.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// startTimeout bounds how long a topology may take to come up.
const startTimeout = 30 * time.Second

// serverBinary is redis-server's path; the test fails when it is missing,
// since these tests exist to run against the real thing.
func serverBinary(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: redis-server not found (install Debian's redis-server package): %v", err)
	}
	return p
}

// freePort finds a loopback port that is free, and whose cluster bus port
// (port + 10000) is free too.
func freePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	t.Fatal("redistest: no free port pair")
	return 0
}

// start runs redis-server with args in dir until the test ends.
func start(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(serverBinary(t), args...)
	cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "redis-"+strconv.Itoa(len(args))+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("redistest: start redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
}

// waitFor polls cond every 50 ms until it holds or startTimeout passes.
func waitFor(t testing.TB, what string, cond func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		last = cond(ctx)
		cancel()
		if last == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: %s not within %v: %v", what, startTimeout, last)
}

// ping waits until the server at addr answers.
func ping(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	waitFor(t, "redis-server on "+addr, func(ctx context.Context) error { return c.Ping(ctx).Err() })
}

// StartCluster starts a Redis Cluster of n primaries (no replicas), the
// hash slots split evenly between them, and returns their addresses once
// every node reports the cluster state ok.
func StartCluster(t testing.TB, n int) []string {
	t.Helper()
	if n < 1 || n > 16 {
		t.Fatalf("redistest: a cluster of %d nodes", n)
	}
	addrs := make([]string, n)
	for i := range addrs {
		dir := t.TempDir()
		port := freePort(t)
		addrs[i] = "127.0.0.1:" + strconv.Itoa(port)
		start(t, dir, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no")
		ping(t, addrs[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for i, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a})
		from, to := i*clusterSlots/n, (i+1)*clusterSlots/n-1
		err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", from, to).Err()
		if err == nil && i > 0 {
			host, port, _ := net.SplitHostPort(addrs[0])
			err = c.ClusterMeet(ctx, host, port).Err()
		}
		c.Close()
		if err != nil {
			t.Fatalf("redistest: set up cluster node %s: %v", a, err)
		}
	}
	for _, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a})
		waitFor(t, "cluster state ok on "+a, func(ctx context.Context) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(n)) {
				return errors.New(strings.ReplaceAll(strings.TrimSpace(info), "\r\n", " "))
			}
			return nil
		})
		c.Close()
	}
	return addrs
}

// Sentinel is a primary watched by one Sentinel.
type Sentinel struct {
	// Master is the primary's name in the Sentinel's configuration.
	Master string
	// Primary is the primary's address.
	Primary string
	// Addrs are the Sentinels' addresses.
	Addrs []string
}

// StartSentinel starts a Redis primary and a Sentinel monitoring it under
// the name master, and returns them once the Sentinel knows the primary.
func StartSentinel(t testing.TB, master string) Sentinel {
	t.Helper()
	dir := t.TempDir()
	pport, sport := freePort(t), freePort(t)
	primary := "127.0.0.1:" + strconv.Itoa(pport)
	start(t, dir, "--port", strconv.Itoa(pport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	ping(t, primary)
	// A Sentinel rewrites its configuration file, so it gets one of its own.
	conf := filepath.Join(dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %d 1\nsentinel down-after-milliseconds %s 5000\n",
		sport, dir, master, pport, master)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel := "127.0.0.1:" + strconv.Itoa(sport)
	start(t, dir, conf, "--sentinel")
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinel})
	defer sc.Close()
	waitFor(t, "the Sentinel knowing "+master, func(ctx context.Context) error {
		got, err := sc.GetMasterAddrByName(ctx, master).Result()
		if err != nil {
			return err
		}
		if len(got) != 2 || net.JoinHostPort(got[0], got[1]) != primary {
			return fmt.Errorf("primary %v, want %s", got, primary)
		}
		return nil
	})
	return Sentinel{Master: master, Primary: primary, Addrs: []string{sentinel}}
}
