package main

import (
	"slices"
	"sync"
)

// idShards is the number of independently locked parts of an idTable: a
// power of two well above the number of reader goroutines (two per bind
// at most), so that they rarely meet on a lock.
const idShards = 64

// receiptOutcome is what a receipt turned out to be when it arrived.
type receiptOutcome uint8

const (
	receiptMatched   receiptOutcome = iota // paired with its submit_sm_resp
	receiptEarly                           // no submit_sm_resp with its id yet: kept until one comes
	receiptDuplicate                       // a second receipt for an id not yet answered
)

// idTable pairs delivery receipts with the submit_sm_resp message ids
// they report, across sessions: the response and its receipt may come in
// either order, on different binds. Ids that are decimal numbers up to 19
// digits without leading zeros (what the gateway and smscsim issue) are
// kept as uint64 keys, without allocating; others as strings.
//
// The live maps hold only what awaits its other half: a response waiting
// for its receipt (the value is the run-clock send time plus one) or a
// receipt waiting for its response (minus its arrival time, minus one).
// A pair leaves the map, so in a run whose receipts keep up the maps stay
// small enough for the cache. Profiled at the raw ceiling (4 binds,
// window 100, against smscsim), keeping every id in the maps made their
// lookups (cache misses on tables of millions) 45 % of the CPU and the
// RSS 108 MB; dropping pairs gave 37 % and 77 MB there, where receipts
// lag two seconds behind and half a million entries stay live. Paired
// ids go to an append-only list per shard (8 octets each for numeric
// ids), read once at the end to tell a receipt still waiting (a
// duplicate of a paired id) from one for an id never issued.
type idTable struct {
	shards [idShards]idShard
}

// idShard is one locked part of an idTable.
type idShard struct {
	mu      sync.Mutex
	nums    map[uint64]int64
	strs    map[string]int64
	early   int // receipts waiting for their submit_sm_resp
	pairedN []uint64
	pairedS []string
	_       [48]byte // 128 octets a shard: shards share no cache line
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

// getLocked returns the live entry of id (0 when absent). s.mu must be held.
func (s *idShard) getLocked(n uint64, id []byte, numeric bool) int64 {
	if numeric {
		return s.nums[n]
	}
	return s.strs[string(id)]
}

// setLocked stores v as the live entry of id. s.mu must be held.
func (s *idShard) setLocked(n uint64, id []byte, numeric bool, v int64) {
	if numeric {
		s.nums[n] = v
	} else {
		s.strs[string(id)] = v
	}
}

// pairLocked moves id from the live map to the paired list. s.mu must
// be held.
func (s *idShard) pairLocked(n uint64, id []byte, numeric bool) {
	if numeric {
		delete(s.nums, n)
		s.pairedN = append(s.pairedN, n)
	} else {
		delete(s.strs, string(id))
		s.pairedS = append(s.pairedS, string(id))
	}
}

// submitted records that the submit_sm sent at run-clock time sent was
// accepted with message id id. If that id's receipt came first it
// returns the receipt latency and true.
func (t *idTable) submitted(id []byte, sent int64) (latency int64, matched bool) {
	s, n, numeric := t.shardOf(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.getLocked(n, id, numeric); old < 0 {
		s.early--
		s.pairLocked(n, id, numeric)
		return -old - 1 - sent, true
	}
	// A second response with the same id (old > 0) is the MC's bug; the
	// newer submit wins and its receipt is awaited.
	s.setLocked(n, id, numeric, sent+1)
	return 0, false
}

// received records a receipt for id arriving at run-clock time now, and
// returns what it was and, when matched, its latency.
func (t *idTable) received(id []byte, now int64) (latency int64, out receiptOutcome) {
	s, n, numeric := t.shardOf(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch old := s.getLocked(n, id, numeric); {
	case old > 0:
		s.pairLocked(n, id, numeric)
		return now - (old - 1), receiptMatched
	case old < 0:
		return 0, receiptDuplicate
	}
	s.setLocked(n, id, numeric, -(now + 1))
	s.early++
	return 0, receiptEarly
}

// waiting returns how many receipts wait for a submit_sm_resp with their
// id. It is cheap; see classify for what they are.
func (t *idTable) waiting() int {
	n := 0
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		n += s.early
		s.mu.Unlock()
	}
	return n
}

// classify sorts out, once every response is in, the receipts still
// waiting: those for an id already paired are duplicates, the others are
// for ids never issued to us. It sorts the paired lists, so call it once,
// at the end.
func (t *idTable) classify() (duplicates, unknown int) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		if s.early > 0 {
			slices.Sort(s.pairedN)
			slices.Sort(s.pairedS)
			for n, v := range s.nums {
				if v < 0 {
					if _, found := slices.BinarySearch(s.pairedN, n); found {
						duplicates++
					} else {
						unknown++
					}
				}
			}
			for id, v := range s.strs {
				if v < 0 {
					if _, found := slices.BinarySearch(s.pairedS, id); found {
						duplicates++
					} else {
						unknown++
					}
				}
			}
		}
		s.mu.Unlock()
	}
	return duplicates, unknown
}
