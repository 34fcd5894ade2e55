package pdutext

import (
	"fmt"
	"sync"
	"time"
)

// Defaults for [ReassemblerConfig].
const (
	// DefaultReassemblyTimeout is how long a partial message waits for its
	// next part. Kannel waits 30 minutes; 10 minutes sits inside the
	// 2–30 minutes advised per route and lets an 8-bit reference, which
	// repeats every 256 long messages, be reused sooner.
	DefaultReassemblyTimeout = 10 * time.Minute
	// DefaultMaxOpen bounds the partial messages held at once. At 255 parts
	// of 140 octets the worst case is about 357 MB, far above what real
	// traffic holds: most long messages have 2–4 parts.
	DefaultMaxOpen = 10000
)

// ReassemblerConfig configures a [Reassembler].
type ReassemblerConfig struct {
	// Timeout is how long after its latest new part an incomplete message
	// is given up; zero or negative means DefaultReassemblyTimeout.
	Timeout time.Duration
	// MaxOpen is the most messages held, counting the recently completed
	// ones remembered to recognise late duplicates; when a part would open
	// one more, the least recently updated is evicted. Zero or negative
	// means DefaultMaxOpen.
	MaxOpen int
}

// Part is one received segment of an incomplete message.
type Part struct {
	Seq  byte
	Data []byte
}

// DropReason tells why an incomplete message was given up.
type DropReason byte

// The reasons for giving up an incomplete message.
const (
	DropTimeout DropReason = iota + 1 // no new part within the timeout
	DropEvicted                       // removed to stay within MaxOpen
)

// String returns "timeout" or "evicted".
func (d DropReason) String() string {
	switch d {
	case DropTimeout:
		return "timeout"
	case DropEvicted:
		return "evicted"
	}
	return "unknown"
}

// Incomplete is a message given up before all its parts arrived. The
// caller typically forwards the parts as separate messages.
type Incomplete struct {
	Key    string
	Ref    uint16
	Total  byte
	Parts  []Part // the parts received, in sequence order
	Reason DropReason
}

// AddResult is the outcome of [Reassembler.Add].
type AddResult struct {
	// Complete is set when this part completed its message; Parts then
	// holds every part's octets in sequence order.
	Complete bool
	Parts    [][]byte
	// Duplicate is set when a part with this sequence number was already
	// held, or when a message completed within the timeout had this very
	// part (a carrier resending a deliver_sm whose response it missed).
	// The part is dropped, but it is not an error: acknowledge it.
	Duplicate bool
	// Dropped lists messages given up while adding: an expired message
	// with the same key, or the oldest one evicted to make room.
	Dropped []Incomplete
}

type setKey struct {
	key   string
	ref   uint16
	total byte
}

type partSet struct {
	k          setKey
	parts      [][]byte // by seq-1; nil while missing
	sums       []uint64 // by seq-1: FNV-1a of each part, kept after completion
	have       int
	done       bool // completed: remembered only to recognise late duplicates
	deadline   time.Time
	prev, next *partSet // in order of last update, oldest first
}

// Reassembler joins the segments of concatenated messages (docs/smpp.md,
// "Concatenation and reassembly").
// Messages are keyed by a caller-chosen key (for example the connection,
// source and destination addresses) plus the reference and the total, so
// the same 8-bit reference from different senders does not mix. Parts may
// arrive in any order. A completed message is remembered (as one hash per
// part) until its timeout, so that a part resent after completion is
// reported as a duplicate instead of opening a message that would never
// complete; a part with the same numbers but other content starts a new
// message, as when an 8-bit reference comes round again. It starts no
// goroutine: the caller calls [Reassembler.Expire] periodically. It is
// safe for concurrent use.
type Reassembler struct {
	timeout time.Duration
	maxOpen int

	mu         sync.Mutex
	sets       map[setKey]*partSet
	open       int      // sets not done
	head, tail *partSet // least and most recently updated
}

// NewReassembler returns an empty Reassembler.
func NewReassembler(cfg ReassemblerConfig) *Reassembler {
	r := &Reassembler{timeout: cfg.Timeout, maxOpen: cfg.MaxOpen, sets: make(map[setKey]*partSet)}
	if r.timeout <= 0 {
		r.timeout = DefaultReassemblyTimeout
	}
	if r.maxOpen <= 0 {
		r.maxOpen = DefaultMaxOpen
	}
	return r
}

// Add stores part seq of total for the message (key, ref, total) at time
// now and reports whether the message is complete. The part's octets are
// copied. Numbers that cannot be valid (total 0, seq 0, seq above total)
// are [ErrBadConcat]: deliver such a part on its own. A message whose
// timeout has passed is given up (in [AddResult.Dropped]) rather than
// completed by a late part, which starts a new message. The times given to
// Add and Expire should not go backwards.
func (r *Reassembler) Add(key string, ref uint16, total, seq byte, part []byte, now time.Time) (AddResult, error) {
	if total == 0 || seq == 0 || seq > total {
		return AddResult{}, fmt.Errorf("reassemble part %d of %d: %w", seq, total, ErrBadConcat)
	}
	if total == 1 {
		return AddResult{Complete: true, Parts: [][]byte{clone(part)}}, nil
	}
	var res AddResult
	k := setKey{key: key, ref: ref, total: total}

	sum := fnv64a(part)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sets[k]
	if s != nil && !now.Before(s.deadline) {
		if in, ok := r.dropLocked(s, DropTimeout); ok {
			res.Dropped = append(res.Dropped, in)
		}
		s = nil
	}
	if s != nil && s.done {
		if s.sums[seq-1] == sum {
			res.Duplicate = true
			return res, nil
		}
		r.dropLocked(s, DropEvicted) // a new message reusing the numbers
		s = nil
	}
	if s != nil && s.parts[seq-1] != nil {
		res.Duplicate = true
		return res, nil
	}
	if s == nil {
		if len(r.sets) >= r.maxOpen {
			if in, ok := r.dropLocked(r.head, DropEvicted); ok {
				res.Dropped = append(res.Dropped, in)
			}
		}
		s = &partSet{k: k, parts: make([][]byte, total), sums: make([]uint64, total)}
		r.sets[k] = s
		r.open++
	} else {
		r.unlinkLocked(s)
	}
	s.parts[seq-1] = clone(part)
	s.sums[seq-1] = sum
	s.have++
	s.deadline = now.Add(r.timeout)
	r.pushLocked(s)
	if s.have == int(total) {
		res.Complete, res.Parts = true, s.parts
		s.parts, s.done = nil, true
		r.open--
	}
	return res, nil
}

// Expire gives up every incomplete message whose timeout has passed at now
// and returns them, oldest first. It also forgets completed messages whose
// timeout has passed.
func (r *Reassembler) Expire(now time.Time) []Incomplete {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Incomplete
	for r.head != nil && !now.Before(r.head.deadline) {
		if in, ok := r.dropLocked(r.head, DropTimeout); ok {
			out = append(out, in)
		}
	}
	return out
}

// Len returns the number of incomplete messages held.
func (r *Reassembler) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open
}

// dropLocked removes s and returns what it held, or false when s was a
// completed message. r.mu must be held.
func (r *Reassembler) dropLocked(s *partSet, why DropReason) (Incomplete, bool) {
	r.unlinkLocked(s)
	delete(r.sets, s.k)
	if s.done {
		return Incomplete{}, false
	}
	r.open--
	in := Incomplete{Key: s.k.key, Ref: s.k.ref, Total: s.k.total, Reason: why, Parts: make([]Part, 0, s.have)}
	for i, p := range s.parts {
		if p != nil {
			in.Parts = append(in.Parts, Part{Seq: byte(i + 1), Data: p})
		}
	}
	return in, true
}

// pushLocked appends s as the most recently updated. r.mu must be held.
func (r *Reassembler) pushLocked(s *partSet) {
	s.prev, s.next = r.tail, nil
	if r.tail != nil {
		r.tail.next = s
	} else {
		r.head = s
	}
	r.tail = s
}

// unlinkLocked takes s out of the update order. r.mu must be held.
func (r *Reassembler) unlinkLocked(s *partSet) {
	if s.prev != nil {
		s.prev.next = s.next
	} else if r.head == s {
		r.head = s.next
	}
	if s.next != nil {
		s.next.prev = s.prev
	} else if r.tail == s {
		r.tail = s.prev
	}
	s.prev, s.next = nil, nil
}

// clone copies b into a new non-nil slice.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}

// fnv64a returns the 64-bit FNV-1a hash of b.
func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
