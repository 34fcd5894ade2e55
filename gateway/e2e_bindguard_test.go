package gateway_test

// Bind abuse: connection caps at accept, the bind timeout, and the
// failed-bind limiter (in process, shared through Redis, and falling back
// to process memory when Redis is down).

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// dialFrom opens a TCP connection to addr from the loopback address ip
// (127.0.0.0/8 is all loopback on Linux).
func dialFrom(t testing.TB, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, ip, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// bindFrom binds to addr from ip as systemID with password, as a
// transceiver; it returns the bound session (closed at cleanup) or the
// bind's error.
func bindFrom(t testing.TB, ip, addr, systemID, password string) (*smpp.Session, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := smpp.BindConn(ctx, dialFrom(t, ip, addr), smpp.ClientConfig{SystemID: systemID, Password: password}, nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { s.Close() })
	return s, nil
}

// wantBindFail requires err to be a bind refused with ESME_RBINDFAIL.
func wantBindFail(t testing.TB, what string, err error) {
	t.Helper()
	var be *smpp.BindError
	if !errors.As(err, &be) || be.Status != pdu.StatusBindFail {
		t.Fatalf("%s: %v, want the bind refused with ESME_RBINDFAIL", what, err)
	}
}

// expectClosed requires the server to close c without sending anything.
func expectClosed(t testing.TB, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitLong))
	var b [16]byte
	n, err := c.Read(b[:])
	if err == nil {
		t.Fatalf("read %d bytes, want the connection closed", n)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("connection still open")
	}
}

// refused is gallant_gateway_smpp_refused_total{reason}.
func (g *gw) refused(t testing.TB, reason string) float64 {
	t.Helper()
	return g.metric(t, "gallant_gateway_smpp_refused_total", "reason", reason)
}

// waitConnections waits until the gateway holds n customer connections.
func (g *gw) waitConnections(t testing.TB, n int) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d connections", n), func() (bool, string) {
		got := g.svc.SMPPServer().Connections()
		return got == n, fmt.Sprint(got)
	})
}

// TestE2ESMPPConnectionCaps: beyond smpp.max_connections_per_ip from one
// address, and beyond smpp.max_connections from all, a new connection is
// closed at once without an answer, counted by reason; binds already open
// are unaffected, and a freed slot admits the address again.
func TestE2ESMPPConnectionCaps(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{MaxConnections: 4, MaxConnectionsPerIP: 2}, nil)
	c := g.customer(t, "Capped")
	bound, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
	if err != nil {
		t.Fatal(err)
	}
	idle := dialFrom(t, "127.0.0.1", g.addr)
	g.waitConnections(t, 2)
	expectClosed(t, dialFrom(t, "127.0.0.1", g.addr))
	if n := g.refused(t, "max_connections_per_ip"); n != 1 {
		t.Fatalf("smpp_refused_total{max_connections_per_ip} %v, want 1", n)
	}
	dialFrom(t, "127.0.0.2", g.addr)
	dialFrom(t, "127.0.0.2", g.addr)
	g.waitConnections(t, 4)
	expectClosed(t, dialFrom(t, "127.0.0.3", g.addr))
	if n := g.refused(t, "max_connections"); n != 1 {
		t.Fatalf("smpp_refused_total{max_connections} %v, want 1", n)
	}
	if _, _, err := bound.Call(testContext(t), pdu.EnquireLink, nil); err != nil {
		t.Fatalf("the bind open before the caps: %v", err)
	}
	idle.Close()
	g.waitConnections(t, 3)
	if _, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("bind after a slot freed: %v", err)
	}
}

// TestE2ESMPPBindTimeout: a connection that does not bind within the bind
// timeout is closed, counted, and frees its slot.
func TestE2ESMPPBindTimeout(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{MaxConnectionsPerIP: 1,
		CustomerSession: smpp.SessionConfig{BindTimeout: 200 * time.Millisecond}}, nil)
	expectClosed(t, dialFrom(t, "127.0.0.1", g.addr))
	eventually(t, "the bind timeout counted", func() (bool, string) {
		n := g.refused(t, "bind_timeout")
		return n == 1, fmt.Sprint(n)
	})
	g.waitConnections(t, 0)
	c := g.customer(t, "Prompt")
	if _, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("bind after the timeout freed the slot: %v", err)
	}
}

// TestE2EFailedBindsBlocked: after 5 bad binds from one address, that
// address is refused ESME_RBINDFAIL even with the right password (the
// password is not checked), while another address binds the same
// system_id; once the block ends the right password binds again.
func TestE2EFailedBindsBlocked(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{
		BindGuard: gateway.BindGuardConfig{Block: 3 * time.Second}}, nil)
	c := g.customer(t, "Target")
	for i := range 5 {
		_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, "guess"+fmt.Sprint(i))
		wantBindFail(t, "a wrong password", err)
	}
	if n := g.refused(t, "bad_credentials"); n != 5 {
		t.Fatalf("smpp_refused_total{bad_credentials} %v, want 5", n)
	}
	_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "the right password from the blocked address", err)
	if n := g.refused(t, "bind_blocked"); n != 1 {
		t.Fatalf("smpp_refused_total{bind_blocked} %v, want 1", n)
	}
	if n := g.refused(t, "bad_credentials"); n != 5 {
		t.Fatalf("smpp_refused_total{bad_credentials} %v after a blocked bind, want still 5", n)
	}
	if _, err := bindFrom(t, "127.0.0.2", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("the right password from another address: %v", err)
	}
	eventually(t, "the block to end", func() (bool, string) {
		_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
		return err == nil, fmt.Sprint(err)
	})
	if n := g.refused(t, "bad_credentials"); n != 5 {
		t.Errorf("smpp_refused_total{bad_credentials} %v: blocked attempts were checked", n)
	}
}

// testRedisAddr is the Redis the tests use: GALLANT_TEST_REDIS_ADDR, or the
// local server.
func testRedisAddr() string {
	if addr := os.Getenv("GALLANT_TEST_REDIS_ADDR"); addr != "" {
		return addr
	}
	return "127.0.0.1:6379"
}

// testRedisClient connects to addr with context deadlines enforced and
// no retries; it is closed when the test ends.
func testRedisClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestE2EFailedBindsSharedThroughRedis: two gateways sharing one Redis:
// bad binds on the first block the address on the second, which never
// saw them; another address still binds there.
func TestE2EFailedBindsSharedThroughRedis(t *testing.T) {
	client := testRedisClient(t, testRedisAddr())
	if err := client.Ping(testContext(t)).Err(); err != nil {
		t.Fatalf("redis at %s (GALLANT_TEST_REDIS_ADDR): %v", testRedisAddr(), err)
	}
	prefix := fmt.Sprintf("gallant:test:e2e-bindguard:%d:%d:", time.Now().UnixNano(), rand.Uint64())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		keys, _ := client.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			client.Del(ctx, keys...)
		}
	})
	shared := func(d *gateway.Deps) { d.BindGuardRedis, d.BindGuardPrefix = client, prefix }
	// A generous Redis timeout: on a loaded machine a round trip can pass
	// the 50 ms default, and the fallback to process memory (right in
	// production) would then hide the block from the second gateway.
	cfg := gateway.Config{BindGuard: gateway.BindGuardConfig{Block: 10 * time.Second, RedisTimeout: 5 * time.Second}}
	g1 := startGatewayDeps(t, storetest.Config(t, storetest.SQLite), store.WriterConfig{}, cfg, nil, shared)
	g2 := startGatewayDeps(t, storetest.Config(t, storetest.SQLite), store.WriterConfig{}, cfg, nil, shared)
	// The guesses are for a system_id of the first gateway's (an unknown
	// one would cost a default-cost bcrypt each, seconds under -race);
	// the address block covers every system_id.
	guessed, c := g1.customer(t, "Guessed"), g2.customer(t, "Shared")
	for i := range 5 {
		_, err := bindFrom(t, "127.0.0.1", g1.addr, guessed.SystemID, "guess"+fmt.Sprint(i))
		wantBindFail(t, "a bad bind on the first gateway", err)
	}
	_, err := bindFrom(t, "127.0.0.1", g2.addr, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "the right password on the second gateway from the blocked address", err)
	if n := g2.refused(t, "bind_blocked"); n != 1 {
		t.Fatalf("second gateway smpp_refused_total{bind_blocked} %v, want 1", n)
	}
	if _, err := bindFrom(t, "127.0.0.2", g2.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("another address on the second gateway: %v", err)
	}
	for _, g := range []*gw{g1, g2} {
		if n := g.metric(t, "gallant_gateway_bind_guard_redis_errors_total"); n != 0 {
			t.Errorf("redis errors %v", n)
		}
	}
}

// TestE2EFailedBindsRedisDown: with Redis unreachable the limiter keeps
// blocking from process memory, and counts the Redis failure.
func TestE2EFailedBindsRedisDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := l.Addr().String()
	l.Close()
	client := testRedisClient(t, deadAddr)
	g := startGatewayDeps(t, storetest.Config(t, storetest.SQLite), store.WriterConfig{},
		gateway.Config{BindGuard: gateway.BindGuardConfig{Block: 10 * time.Second}}, nil,
		func(d *gateway.Deps) { d.BindGuardRedis, d.BindGuardPrefix = client, "x:" })
	c := g.customer(t, "Fallback")
	for i := range 5 {
		_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, "guess"+fmt.Sprint(i))
		wantBindFail(t, "a bad bind", err)
	}
	_, err = bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
	wantBindFail(t, "the right password from the blocked address", err)
	if n := g.refused(t, "bind_blocked"); n != 1 {
		t.Fatalf("smpp_refused_total{bind_blocked} %v, want 1", n)
	}
	if _, err := bindFrom(t, "127.0.0.2", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if n := g.metric(t, "gallant_gateway_bind_guard_redis_errors_total"); n < 1 {
		t.Errorf("redis errors %v, want at least 1", n)
	}
}

// TestE2EBindLimitCounted: a bind beyond smpp.max_binds_per_system_id is
// refused and counted as bind_limit, not as a failure: the client is not
// blocked for it.
func TestE2EBindLimitCounted(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{MaxBindsPerSystemID: 1}, nil)
	c := g.customer(t, "Single")
	if _, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, c.SMPPPassword)
		wantBindFail(t, "a bind beyond the limit", err)
	}
	if n := g.refused(t, "bind_limit"); n != 6 {
		t.Fatalf("smpp_refused_total{bind_limit} %v, want 6", n)
	}
	if n := g.refused(t, "bind_blocked") + g.refused(t, "bad_credentials"); n != 0 {
		t.Fatalf("%v binds blocked or counted as bad credentials", n)
	}
}
