//go:build !race

package gateway_test

import (
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store/storetest"
)

// cpuTime is the process's CPU time so far, user and system.
func cpuTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestFailedBindBudget: 500 bad binds from one address against a
// customer's system_id (bcrypt at its default cost, as in production)
// cost under 2 CPU-seconds in all, client side included: the failed-bind
// limiter refuses all but the first few without checking the password.
// Meanwhile the customer binds from another address at once.
func TestFailedBindBudget(t *testing.T) {
	g := startGateway(t, storetest.Config(t, storetest.SQLite), gateway.Config{}, nil)
	g.acc.SetPasswordCost(bcrypt.DefaultCost)
	c := g.customer(t, "Victim")

	// What one password check costs here, for the log.
	before := cpuTime(t)
	if _, err := bindFrom(t, "127.0.0.3", g.addr, c.SystemID, "wrong"); err == nil {
		t.Fatal("a wrong password bound")
	}
	perCheck := cpuTime(t) - before

	const n = 500
	start, wall := cpuTime(t), time.Now()
	for range n {
		_, err := bindFrom(t, "127.0.0.1", g.addr, c.SystemID, "guess")
		wantBindFail(t, "a bad bind", err)
	}
	spent := cpuTime(t) - start
	checked := g.refused(t, "bad_credentials") - 1
	t.Logf("%d bad binds from one address: %.2f CPU-seconds in %v (one bad bind checked: %v); %v checked, %v blocked",
		n, spent.Seconds(), time.Since(wall).Round(time.Millisecond), perCheck.Round(time.Millisecond), checked,
		g.refused(t, "bind_blocked"))
	if spent >= 2*time.Second {
		t.Errorf("%d bad binds cost %.2f CPU-seconds, want under 2", n, spent.Seconds())
	}
	if blocked := g.refused(t, "bind_blocked"); blocked+checked != n || blocked < n-50 {
		t.Errorf("%v blocked and %v checked of %d, want nearly all blocked", blocked, checked, n)
	}

	t0 := time.Now()
	if _, err := bindFrom(t, "127.0.0.2", g.addr, c.SystemID, c.SMPPPassword); err != nil {
		t.Fatalf("the customer's bind from another address: %v", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("the customer's bind from another address took %v", d)
	}
}
