package main

import (
	"strconv"
	"sync"
	"testing"
)

func TestIDTableBothOrders(t *testing.T) {
	for _, id := range []string{"12345", "1A2B3C", "007", "18446744073709551615123"} {
		t.Run(id, func(t *testing.T) {
			tab := newIDTable()
			// Response first, then receipt.
			if _, ok := tab.submitted([]byte(id), 100); ok {
				t.Fatal("matched with no receipt")
			}
			lat, out := tab.received([]byte(id), 350)
			if out != receiptMatched || lat != 250 {
				t.Fatalf("received: %v latency %d, want matched 250", out, lat)
			}
			// A second receipt for the paired id waits, and is sorted out
			// as a duplicate at the end.
			if _, out := tab.received([]byte(id), 400); out != receiptEarly {
				t.Errorf("second receipt: %v, want early", out)
			}
			// Receipt first (another id), twice, then its response.
			other := []byte(id + "9")
			if _, out := tab.received(other, 500); out != receiptEarly {
				t.Fatalf("early receipt: %v", out)
			}
			if tab.waiting() != 2 {
				t.Errorf("%d receipts waiting, want 2", tab.waiting())
			}
			if _, out := tab.received(other, 510); out != receiptDuplicate {
				t.Errorf("second early receipt: %v, want duplicate", out)
			}
			lat, ok := tab.submitted(other, 420)
			if !ok || lat != 80 {
				t.Errorf("response after its receipt: matched %v latency %d, want 80", ok, lat)
			}
			// A receipt for an id never issued.
			if _, out := tab.received([]byte("nosuchid"), 600); out != receiptEarly {
				t.Errorf("unknown id: %v", out)
			}
			if dups, unknown := tab.classify(); dups != 1 || unknown != 1 {
				t.Errorf("classify: %d duplicates, %d unknown; want 1 and 1", dups, unknown)
			}
		})
	}
}

// TestIDTableLeadingZeros keeps "7" and "007" apart: they are different
// ids to an MC.
func TestIDTableLeadingZeros(t *testing.T) {
	tab := newIDTable()
	tab.submitted([]byte("7"), 10)
	if _, out := tab.received([]byte("007"), 20); out != receiptEarly {
		t.Errorf(`receipt for "007" after a response for "7": %v, want early`, out)
	}
	if _, out := tab.received([]byte("7"), 30); out != receiptMatched {
		t.Errorf(`receipt for "7": %v, want matched`, out)
	}
	if dups, unknown := tab.classify(); dups != 0 || unknown != 1 {
		t.Errorf(`classify: %d duplicates, %d unknown; want "007" unknown`, dups, unknown)
	}
}

func TestNumericID(t *testing.T) {
	for in, want := range map[string]bool{
		"0": true, "1": true, "9999999999999999999": true, "": false, "01": false,
		"12a": false, "99999999999999999999": false, "-1": false,
	} {
		if _, ok := numericID([]byte(in)); ok != want {
			t.Errorf("numericID(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

// TestIDTableConcurrent pairs responses and receipts from several
// goroutines in random orders (run it with -race).
func TestIDTableConcurrent(t *testing.T) {
	tab := newIDTable()
	const n = 4000
	var wg sync.WaitGroup
	var mu sync.Mutex
	matched := 0
	count := func(ok bool) {
		if ok {
			mu.Lock()
			matched++
			mu.Unlock()
		}
	}
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				_, ok := tab.submitted([]byte(strconv.Itoa(i)), int64(i))
				count(ok)
			}
		})
		wg.Go(func() {
			for i := n - 1 - g; i >= 0; i -= 4 {
				_, out := tab.received([]byte(strconv.Itoa(i)), int64(i+n))
				count(out == receiptMatched)
			}
		})
	}
	wg.Wait()
	if matched != n || tab.waiting() != 0 {
		t.Errorf("matched %d of %d, %d waiting", matched, n, tab.waiting())
	}
	if dups, unknown := tab.classify(); dups+unknown != 0 {
		t.Errorf("classify: %d duplicates, %d unknown", dups, unknown)
	}
}
