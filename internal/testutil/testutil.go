// Package testutil holds helpers shared by end-to-end tests: bounded
// waits, a context tied to the test, a logger writing to the test's log,
// and a runner over both store dialects.
package testutil

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store/storetest"
)

// WaitLong bounds every wait of an end-to-end test: generous for the race
// detector on two shared cores, yet a hang fails within a minute.
const WaitLong = 45 * time.Second

// EachDriver runs f on SQLite and on MySQL, in parallel.
func EachDriver(t *testing.T, f func(t *testing.T, driver string)) {
	t.Helper()
	for _, d := range storetest.Drivers {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f(t, d)
		})
	}
}

// Context returns a context that ends at WaitLong or with the test.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), WaitLong)
	t.Cleanup(cancel)
	return ctx
}

// Eventually polls cond every 20 ms until it reports true, failing the
// test with cond's last description when WaitLong passes first.
func Eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(WaitLong)
	for {
		ok, desc := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, desc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logger logs errors to the test's log until the test ends (a goroutine
// logging after that must not panic the run).
func Logger(t testing.TB) *slog.Logger {
	w := &logWriter{t: t}
	t.Cleanup(w.stop)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}

type logWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *logWriter) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
