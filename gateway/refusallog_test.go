package gateway

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRefusalLogBounded: 1,000 refusals of one client make one line at
// once and one with the count at the end of the interval; refusals of
// 1,000 clients make at most refusalLogAddrs lines at once, and at the
// end one line per logged client plus one summing the rest.
func TestRefusalLogBounded(t *testing.T) {
	var buf bytes.Buffer
	l := newRefusalLog(slog.New(slog.NewTextHandler(&buf, nil)))
	for i := range 1000 {
		r := refusedBadCredentials
		if i >= 5 {
			r = refusedBindBlocked
		}
		l.note("192.0.2.1", "alice", r)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines for one client before the interval ends, want 1:\n%s", n, buf.String())
	}
	l.flush()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "bad_credentials=4") || !strings.Contains(lines[1], "bind_blocked=995") {
		t.Fatalf("after the interval: %q, want a second line with bad_credentials=4 bind_blocked=995", lines)
	}
	l.flush()
	if n := len(strings.Split(strings.TrimSpace(buf.String()), "\n")); n != 2 {
		t.Fatalf("an empty interval logged: %d lines", n)
	}

	buf.Reset()
	for i := range 1000 {
		for range 3 {
			l.note(fmt.Sprintf("203.0.113.%d", i), "", refusedPerIP)
		}
	}
	if n := strings.Count(buf.String(), "\n"); n != refusalLogAddrs {
		t.Fatalf("%d lines at once for 1,000 clients, want %d", n, refusalLogAddrs)
	}
	l.flush()
	if n := strings.Count(buf.String(), "\n"); n != 2*refusalLogAddrs+1 {
		t.Fatalf("%d lines after the interval, want %d", n, 2*refusalLogAddrs+1)
	}
	if !strings.Contains(buf.String(), "refusals=2700") || !strings.Contains(buf.String(), "clients=900") {
		t.Fatalf("no summary of the other 900 clients' 2,700 refusals:\n%s", buf.String()[len(buf.String())-400:])
	}
}
