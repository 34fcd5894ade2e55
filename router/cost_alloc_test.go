//go:build !race

package router

import (
	"testing"

	"github.com/gallant-sms/gallant/sms"
)

func TestLeastCostPickDoesNotAllocate(t *testing.T) {
	r := costRouter(t)
	m := &sms.Message{ID: 7, Dest: sms.Address{Addr: "+447700900123"}}
	rt := r.table.Load().lookup(0, m.Dest.Addr)
	j := &Job{Msg: m, hash: 99}
	allocs := testing.AllocsPerRun(1000, func() {
		if r.pick(rt, j) < 0 {
			t.Fatal("no carrier")
		}
	})
	if allocs != 0 {
		t.Fatalf("least-cost pick allocates %v times, want 0", allocs)
	}
}
