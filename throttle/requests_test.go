package throttle

import (
	"testing"
)

// TestRequests: in process and through Redis, a key gets its burst, is
// then refused with a wait, and other keys keep their own limits.
func TestRequests(t *testing.T) {
	local, err := NewRequests(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, prefix := newTestRedis(t)
	shared, err := NewRequests(NewRedis(newRedisClient(t, testRedisAddr()), prefix), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*Requests{"local": local, "redis": shared} {
		for i := range 3 {
			if ok, _, err := l.Allow(t.Context(), "k", 0.1, 3); !ok || err != nil {
				t.Fatalf("%s: request %d refused (%v), want the burst of 3 allowed", name, i, err)
			}
		}
		ok, wait, err := l.Allow(t.Context(), "k", 0.1, 3)
		if ok || wait <= 0 || err != nil {
			t.Fatalf("%s: past the burst: allowed %v, wait %v, err %v; want refused with a wait", name, ok, wait, err)
		}
		if ok, _, err := l.Allow(t.Context(), "other", 0.1, 3); !ok || err != nil {
			t.Fatalf("%s: another key refused (%v)", name, err)
		}
	}
}
