package consent

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func optOut(scope Scope, account int64, sender, number string) Change {
	return Change{Entry: Entry{Scope: scope, Account: account, Sender: sender, Number: number}, OptOut: true}
}

func optIn(scope Scope, account int64, sender, number string) Change {
	return Change{Entry: Entry{Scope: scope, Account: account, Sender: sender, Number: number}}
}

func TestBlockedByScope(t *testing.T) {
	var x Index
	if _, ok := x.Blocked(1, "Acme", "447700900001"); ok || x.Len() != 0 {
		t.Fatal("the zero Index blocks")
	}
	x.Apply(
		optOut(ScopeGlobal, 99, "ignored", "447700900001"), // account and sender cleared
		optOut(ScopeAccount, 1, "ignored", "447700900002"),
		optOut(ScopeSender, 1, "12345", "447700900003"),
	)
	cases := []struct {
		account int64
		sender  string
		number  string
		scope   Scope
		blocked bool
	}{
		{1, "Acme", "447700900001", ScopeGlobal, true},
		{2, "Other", "447700900001", ScopeGlobal, true},
		{1, "Acme", "447700900002", ScopeAccount, true},
		{2, "Acme", "447700900002", 0, false},
		{1, "12345", "447700900003", ScopeSender, true},
		{1, "67890", "447700900003", 0, false},
		{2, "12345", "447700900003", 0, false},
		{1, "Acme", "447700900004", 0, false},
		{1, "Acme", "0447700900002", 0, false}, // a leading zero is another number
	}
	for _, c := range cases {
		scope, blocked := x.Blocked(c.account, c.sender, c.number)
		if scope != c.scope || blocked != c.blocked {
			t.Errorf("Blocked(%d, %q, %q) = %v, %v; want %v, %v", c.account, c.sender, c.number, scope, blocked, c.scope, c.blocked)
		}
	}
	if x.Len() != 3 || !x.Has(Entry{Scope: ScopeGlobal, Number: "447700900001"}) ||
		x.Has(Entry{Scope: ScopeAccount, Account: 1, Number: "447700900001"}) {
		t.Fatalf("Len %d, Has wrong", x.Len())
	}
	// An opt-in reverses exactly its own scope.
	x.Apply(optIn(ScopeAccount, 1, "", "447700900002"), optIn(ScopeAccount, 1, "", "447700900001"))
	if _, ok := x.Blocked(1, "Acme", "447700900002"); ok {
		t.Error("opted in again, still blocked")
	}
	if s, ok := x.Blocked(1, "Acme", "447700900001"); !ok || s != ScopeGlobal {
		t.Error("an account opt-in lifted a global opt-out")
	}
	if x.Len() != 2 {
		t.Errorf("Len = %d, want 2", x.Len())
	}
}

func TestOddNumbers(t *testing.T) {
	var x Index
	long := "123456789012345678901" // longer than any E.164 number
	x.Apply(optOut(ScopeAccount, 7, "", "+447700"), optOut(ScopeGlobal, 0, "", long))
	if s, ok := x.Blocked(7, "x", "+447700"); !ok || s != ScopeAccount {
		t.Error("a number that does not pack was dropped")
	}
	if s, ok := x.Blocked(8, "x", long); !ok || s != ScopeGlobal {
		t.Error("a long number was dropped")
	}
	x.Apply(optIn(ScopeAccount, 7, "", "+447700"))
	if _, ok := x.Blocked(7, "x", "+447700"); ok || x.Len() != 1 {
		t.Errorf("opt-in of an odd number: Len %d", x.Len())
	}
}

// TestAgainstAMap drives the index and a plain map with the same random
// changes, across the delta/merge boundary and in batches of every size,
// and compares every answer.
func TestAgainstAMap(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	var x Index
	want := map[Entry]bool{}
	entry := func() Entry {
		e := Entry{Scope: Scope(1 + rnd.IntN(3)), Number: strconv.Itoa(447700000000 + rnd.IntN(20000))}
		if e.Scope != ScopeGlobal {
			e.Account = int64(1 + rnd.IntN(3))
		}
		if e.Scope == ScopeSender {
			e.Sender = []string{"A", "B"}[rnd.IntN(2)]
		}
		return e
	}
	for round := range 60 {
		n := 1 + rnd.IntN(3*maxDelta) // some batches merge, most do not
		if round%3 == 0 {
			n = 1 + rnd.IntN(20)
		}
		batch := make([]Change, n)
		for i := range batch {
			batch[i] = Change{Entry: entry(), OptOut: rnd.IntN(3) != 0}
			want[batch[i].Entry] = batch[i].OptOut
		}
		x.Apply(batch...)
		held := 0
		for e, in := range want {
			if in {
				held++
			}
			if x.Has(e) != in {
				t.Fatalf("round %d: Has(%+v) = %v, want %v", round, e, !in, in)
			}
		}
		if x.Len() != held {
			t.Fatalf("round %d: Len %d, want %d", round, x.Len(), held)
		}
	}
	for range 2000 {
		e := entry()
		sender := []string{"A", "B"}[rnd.IntN(2)]
		account := int64(1 + rnd.IntN(3))
		blocked := want[Entry{Scope: ScopeGlobal, Number: e.Number}] ||
			want[Entry{Scope: ScopeAccount, Account: account, Number: e.Number}] ||
			want[Entry{Scope: ScopeSender, Account: account, Sender: sender, Number: e.Number}]
		if _, got := x.Blocked(account, sender, e.Number); got != blocked {
			t.Fatalf("Blocked(%d, %s, %s) = %v, want %v", account, sender, e.Number, got, blocked)
		}
	}
}

// TestReadersSeeWholeSnapshots: readers run while a writer applies
// batches; each batch opts a pair in together, and no reader ever sees
// one of a pair without the other.
func TestReadersSeeWholeSnapshots(t *testing.T) {
	var x Index
	var stop atomic.Bool
	var wg sync.WaitGroup
	var torn atomic.Int64
	for range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i = (i + 1) % 500 {
				a := strconv.Itoa(447700000000 + 2*i)
				b := strconv.Itoa(447700000000 + 2*i + 1)
				x.Blocked(1, "", a) // concurrent with Apply, for the race detector
				if s := x.load(); s.accounts[1].has(mustPack(a)) != s.accounts[1].has(mustPack(b)) {
					torn.Add(1)
				}
			}
		})
	}
	for round := range 400 {
		i := round % 500
		a := strconv.Itoa(447700000000 + 2*i)
		b := strconv.Itoa(447700000000 + 2*i + 1)
		x.Apply(optOut(ScopeAccount, 1, "", a), optOut(ScopeAccount, 1, "", b))
		if round%2 == 1 {
			x.Apply(optIn(ScopeAccount, 1, "", a), optIn(ScopeAccount, 1, "", b))
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := torn.Load(); n > 0 {
		t.Fatalf("%d reads saw half a batch", n)
	}
}

func mustPack(number string) uint64 {
	k, ok := pack(number)
	if !ok {
		panic(number)
	}
	return k
}

func TestScopeNames(t *testing.T) {
	for _, s := range []Scope{ScopeGlobal, ScopeAccount, ScopeSender} {
		if got, ok := ParseScope(s.String()); !ok || got != s {
			t.Errorf("%v does not round-trip", s)
		}
	}
	if _, ok := ParseScope("everyone"); ok {
		t.Error("ParseScope accepted a made-up scope")
	}
}

func TestAllowOnce(t *testing.T) {
	var x Index
	now := time.Now()
	if x.TakeAllowance(1, "447700900001", now) {
		t.Fatal("an allowance nobody gave")
	}
	x.AllowOnce(1, "447700900001", now.Add(time.Minute))
	if x.TakeAllowance(2, "447700900001", now) {
		t.Fatal("another account used the allowance")
	}
	if !x.TakeAllowance(1, "447700900001", now) {
		t.Fatal("the allowance was not there")
	}
	if x.TakeAllowance(1, "447700900001", now) {
		t.Fatal("the allowance served twice")
	}
	x.AllowOnce(1, "447700900002", now.Add(time.Second))
	if x.TakeAllowance(1, "447700900002", now.Add(2*time.Second)) {
		t.Fatal("an expired allowance served")
	}
}
