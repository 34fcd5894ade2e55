package bench

import (
	"math"
	"sync"
)

// idShards is the number of independently locked parts of an idTable: a
// power of two well above the number of reader goroutines (two per bind
// at most), so that they rarely meet on a lock.
const idShards = 64

// Entry values of an idTable. A positive value is the run-clock time
// (plus one) at which a submit_sm whose receipt is awaited was sent; a
// negative one is minus (one plus) the time a receipt arrived before its
// submit_sm_resp; idMatched marks a receipt already paired with its
// submit.
const idMatched = math.MinInt64

// receiptOutcome is what a receipt turned out to be.
type receiptOutcome uint8

const (
	receiptMatched   receiptOutcome = iota // paired with its submit_sm_resp
	receiptEarly                           // no submit_sm_resp with its id yet: kept until one comes
	receiptDuplicate                       // a second receipt for the same id
)

// idTable pairs delivery receipts with the submit_sm_resp message ids
// they report, across sessions: the response and its receipt may come in
// either order, on different binds. Ids that are decimal numbers up to 19
// digits without leading zeros (what the gateway and smscsim issue) are
// kept as uint64 keys, without allocating; others as strings.
//
// Paired entries stay (8 octets of value, plus the key and the map's
// overhead: about 40 octets each) so that a late duplicate is told apart
// from an unknown id; a 10-second run at 150,000 submit_sm/s holds about
// 60 MB.
type idTable struct {
	shards [idShards]idShard
}

// idShard is one locked part of an idTable.
type idShard struct {
	mu    sync.Mutex
	nums  map[uint64]int64
	strs  map[string]int64
	early int   // receipts waiting for their submit_sm_resp
	_     [32]byte // 64 octets a shard: one cache line each
}

// newIDTable returns an empty table.
func newIDTable() *idTable {
	t := &idTable{}
	for i := range t.shards {
		t.shards[i].nums = make(map[uint64]int64)
		t.shards[i].strs = make(map[string]int64)
	}
	return t
}

// numericID returns id as a number when it is one without leading zeros
// (so that "7" and "007" stay different keys) and fits 19 digits.
func numericID(id []byte) (uint64, bool) {
	if len(id) == 0 || len(id) > 19 || (id[0] == '0' && len(id) > 1) {
		return 0, false
	}
	var n uint64
	for _, c := range id {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// shardOf returns the shard of a numeric id (Fibonacci hashing spreads
// sequential ids) or of a string id (FNV-1a).
func (t *idTable) shardOf(id []byte) (*idShard, uint64, bool) {
	if n, ok := numericID(id); ok {
		return &t.shards[(n*0x9E3779B97F4A7C15)>>(64-6)], n, true
	}
	h := uint64(14695981039346656037)
	for _, c := range id {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return &t.shards[h&(idShards-1)], 0, false
}

// submitted records that the submit_sm sent at run-clock time sent was
// accepted with message id id. If that id's receipt came first it
// returns the receipt latency and true.
func (t *idTable) submitted(id []byte, sent int64) (latency int64, matched bool) {
	s, n, numeric := t.shardOf(id)
	s.mu.Lock()
	var old int64
	if numeric {
		old = s.nums[n]
	} else {
		old = s.strs[string(id)]
	}
	v := sent + 1
	if old < 0 && old != idMatched {
		latency, matched = -old-1-sent, true
		v = idMatched
		s.early--
	}
	// A second response with the same id (old > 0 or matched) is the
	// MC's bug; the newer submit wins and its receipt is awaited.
	if numeric {
		s.nums[n] = v
	} else {
		s.strs[string(id)] = v
	}
	s.mu.Unlock()
	return latency, matched
}

// received records a receipt for id arriving at run-clock time now, and
// returns what it was and, when matched, its latency.
func (t *idTable) received(id []byte, now int64) (latency int64, out receiptOutcome) {
	s, n, numeric := t.shardOf(id)
	s.mu.Lock()
	var old int64
	if numeric {
		old = s.nums[n]
	} else {
		old = s.strs[string(id)]
	}
	var v int64
	switch {
	case old > 0:
		latency, out, v = now-(old-1), receiptMatched, idMatched
	case old == 0:
		out, v = receiptEarly, -(now + 1)
		s.early++
	default: // matched already, or a second receipt before the response
		out = receiptDuplicate
	}
	if v != 0 {
		if numeric {
			s.nums[n] = v
		} else {
			s.strs[string(id)] = v
		}
	}
	s.mu.Unlock()
	return latency, out
}

// unmatched returns how many receipts are still waiting for a
// submit_sm_resp with their id: once every response is in, the receipts
// for ids never issued.
func (t *idTable) unmatched() int {
	n := 0
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		n += s.early
		s.mu.Unlock()
	}
	return n
}
