package pdutext

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

func TestReassembleShuffledWithDuplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 50 {
		r := NewReassembler(ReassemblerConfig{})
		total := 2 + rng.IntN(8)
		perm := rng.Perm(total)
		var order []int // every part once, shuffled, with duplicates of parts already sent
		for i, p := range perm {
			order = append(order, p+1)
			if i < total-1 && rng.IntN(2) == 0 {
				order = append(order, perm[rng.IntN(i+1)]+1)
			}
		}
		seen := map[int]bool{}
		for i, seq := range order {
			res, err := r.Add("conn1|447700900123|MyBrand", 0x2A, byte(total), byte(seq), []byte(fmt.Sprintf("part%d;", seq)), t0.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if res.Duplicate != seen[seq] {
				t.Fatalf("round %d: seq %d duplicate=%v, want %v", round, seq, res.Duplicate, seen[seq])
			}
			seen[seq] = true
			if last := i == len(order)-1; res.Complete != last {
				t.Fatalf("round %d: complete=%v after %d of %d arrivals", round, res.Complete, i+1, len(order))
			}
			if res.Complete {
				for k, p := range res.Parts {
					if want := fmt.Sprintf("part%d;", k+1); string(p) != want {
						t.Fatalf("round %d: part %d = %q, want %q", round, k+1, p, want)
					}
				}
			}
			if len(res.Dropped) != 0 {
				t.Fatalf("round %d: unexpected drop %+v", round, res.Dropped)
			}
		}
		if r.Len() != 0 {
			t.Fatalf("round %d: %d messages left open", round, r.Len())
		}
	}
}

func TestReassembleCopiesAndSeparatesKeys(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{})
	buf := []byte("AAA")
	if _, err := r.Add("alice", 1, 2, 1, buf, t0); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXX") // the session reuses its read buffer
	if res, _ := r.Add("bob", 1, 2, 2, []byte("bob2"), t0); res.Complete {
		t.Fatal("bob's part completed alice's message")
	}
	if res, _ := r.Add("alice", 1, 3, 2, []byte("other total"), t0); res.Complete {
		t.Fatal("a part with a different total completed the message")
	}
	res, err := r.Add("alice", 1, 2, 2, []byte("BBB"), t0)
	if err != nil || !res.Complete {
		t.Fatalf("alice not complete: %+v, %v", res, err)
	}
	if string(res.Parts[0]) != "AAA" || string(res.Parts[1]) != "BBB" {
		t.Errorf("parts = %q, want AAA BBB", res.Parts)
	}
	if r.Len() != 2 {
		t.Errorf("Len = %d, want 2 (bob and alice/3 open)", r.Len())
	}
}

func TestReassembleSingleAndInvalid(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{})
	res, err := r.Add("k", 9, 1, 1, []byte("whole"), t0)
	if err != nil || !res.Complete || len(res.Parts) != 1 || string(res.Parts[0]) != "whole" {
		t.Errorf("total 1: %+v, %v", res, err)
	}
	for _, c := range [][2]byte{{0, 0}, {0, 1}, {2, 0}, {2, 3}} {
		if _, err := r.Add("k", 9, c[0], c[1], nil, t0); !errors.Is(err, ErrBadConcat) {
			t.Errorf("total %d seq %d: error = %v, want ErrBadConcat", c[0], c[1], err)
		}
	}
	if r.Len() != 0 {
		t.Errorf("Len = %d, want 0", r.Len())
	}
}

func TestReassembleTimeout(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{Timeout: 10 * time.Minute})
	mustAdd := func(key string, seq byte, at time.Time) AddResult {
		t.Helper()
		res, err := r.Add(key, 1, 3, seq, []byte{seq}, at)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	mustAdd("a", 1, t0)
	mustAdd("b", 1, t0.Add(time.Minute))
	mustAdd("a", 3, t0.Add(5*time.Minute)) // refreshes a: now after b
	if got := r.Expire(t0.Add(10*time.Minute + 59*time.Second)); len(got) != 0 {
		t.Fatalf("expired %+v before any timeout", got)
	}
	got := r.Expire(t0.Add(11 * time.Minute))
	if len(got) != 1 || got[0].Key != "b" || got[0].Reason != DropTimeout || len(got[0].Parts) != 1 {
		t.Fatalf("Expire at 11m = %+v, want b", got)
	}
	if got := r.Expire(t0.Add(14*time.Minute + 59*time.Second)); len(got) != 0 {
		t.Fatalf("a expired before its refreshed timeout: %+v", got)
	}
	got = r.Expire(t0.Add(15 * time.Minute))
	if len(got) != 1 || got[0].Key != "a" || got[0].Total != 3 || got[0].Ref != 1 {
		t.Fatalf("Expire at 15m = %+v, want a", got)
	}
	if p := got[0].Parts; len(p) != 2 || p[0].Seq != 1 || p[1].Seq != 3 || p[1].Data[0] != 3 {
		t.Errorf("a's parts = %+v, want seq 1 and 3 in order", p)
	}
	if r.Len() != 0 {
		t.Errorf("Len = %d, want 0", r.Len())
	}

	// A late part for a timed-out message that nobody expired starts over.
	mustAdd("c", 1, t0)
	res := mustAdd("c", 2, t0.Add(10*time.Minute))
	if len(res.Dropped) != 1 || res.Dropped[0].Key != "c" || res.Dropped[0].Reason != DropTimeout {
		t.Errorf("late part: Dropped = %+v, want the old c", res.Dropped)
	}
	if res.Complete || r.Len() != 1 {
		t.Errorf("late part: complete %v, Len %d; want a new open message", res.Complete, r.Len())
	}
}

func TestReassembleEvictsOldest(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{MaxOpen: 2})
	add := func(key string, at time.Duration) AddResult {
		t.Helper()
		res, err := r.Add(key, 1, 2, 1, []byte(key), t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	add("a", 0)
	add("b", time.Second)
	if res, _ := r.Add("a", 1, 3, 1, nil, t0); len(res.Dropped) != 1 || res.Dropped[0].Key != "a" || res.Dropped[0].Total != 2 {
		t.Fatalf("third open set: Dropped = %+v, want a/2", res.Dropped)
	}
	res := add("c", 2*time.Second)
	if len(res.Dropped) != 1 || res.Dropped[0].Key != "b" || res.Dropped[0].Reason != DropEvicted {
		t.Fatalf("Dropped = %+v, want b evicted", res.Dropped)
	}
	if string(res.Dropped[0].Parts[0].Data) != "b" {
		t.Errorf("evicted parts = %+v", res.Dropped[0].Parts)
	}
	if r.Len() != 2 {
		t.Errorf("Len = %d, want 2", r.Len())
	}
	if DropEvicted.String() != "evicted" || DropTimeout.String() != "timeout" || DropReason(0).String() != "unknown" {
		t.Error("DropReason names")
	}
}

func TestReassembleConcurrent(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{})
	const messages, total = 200, 4
	var mu sync.Mutex
	complete := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range messages {
				key := fmt.Sprint("m", m)
				seq := byte((m+w)%total + 1) // each worker sends a different part
				res, err := r.Add(key, uint16(m), total, seq, []byte{seq}, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Complete {
					mu.Lock()
					complete[key]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(complete) != messages {
		t.Errorf("%d messages completed, want %d", len(complete), messages)
	}
	for k, n := range complete {
		if n != 1 {
			t.Errorf("%s completed %d times", k, n)
		}
	}
	if r.Len() != 0 {
		t.Errorf("Len = %d, want 0", r.Len())
	}
}

func TestReassembleLateDuplicateAfterCompletion(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{Timeout: time.Minute, MaxOpen: 3})
	add := func(seq byte, data string, at time.Duration) AddResult {
		t.Helper()
		res, err := r.Add("k", 5, 2, seq, []byte(data), t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	add(1, "one", 0)
	if res := add(2, "two", time.Second); !res.Complete {
		t.Fatal("not complete")
	}
	// The carrier resends part 2 (it missed our deliver_sm_resp).
	if res := add(2, "two", 2*time.Second); !res.Duplicate || res.Complete || r.Len() != 0 {
		t.Fatalf("resent part: %+v, Len %d; want a duplicate and nothing open", res, r.Len())
	}
	// The completed message is forgotten silently at its timeout.
	if got := r.Expire(t0.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("Expire returned completed message %+v", got)
	}
	if res := add(2, "two", time.Hour+time.Second); res.Duplicate || r.Len() != 1 {
		t.Fatalf("after timeout: %+v, Len %d; want a new open message", res, r.Len())
	}

	// Same numbers, other content within the timeout: a new message.
	r = NewReassembler(ReassemblerConfig{Timeout: time.Minute})
	add(1, "one", 0)
	add(2, "two", 0)
	if res := add(1, "uno", time.Second); res.Duplicate || len(res.Dropped) != 0 || r.Len() != 1 {
		t.Fatalf("reused reference: %+v, Len %d; want a new open message", res, r.Len())
	}
	if res := add(2, "dos", 2*time.Second); !res.Complete || string(res.Parts[0]) != "uno" {
		t.Fatalf("reused reference did not complete: %+v", res)
	}
}

func TestReassembleCompletedEvictedSilently(t *testing.T) {
	r := NewReassembler(ReassemblerConfig{MaxOpen: 1})
	if _, err := r.Add("a", 1, 2, 1, []byte("x"), t0); err != nil {
		t.Fatal(err)
	}
	if res, _ := r.Add("a", 1, 2, 2, []byte("y"), t0); !res.Complete {
		t.Fatal("not complete")
	}
	// The remembered completed message makes room without being reported.
	res, err := r.Add("b", 1, 2, 1, []byte("z"), t0)
	if err != nil || len(res.Dropped) != 0 || r.Len() != 1 {
		t.Fatalf("Add b: %+v, %v, Len %d", res, err, r.Len())
	}
}
