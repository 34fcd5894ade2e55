package sms

import (
	"errors"
	"strconv"
	"sync/atomic"
	"time"
)

// ID identifies a message. It is a 64-bit integer laid out, from the most
// significant bit, as 41 bits of milliseconds since [Epoch], a 13-bit
// sequence and a 10-bit node: so ids sort roughly by time, are unique
// across the instances sharing one store (each leases its own node number)
// and across restarts (a generator starts above the largest id the store
// holds). On the wire an ID is its decimal form, at most 19 characters,
// which every SMPP client accepts as an opaque message_id.
type ID uint64

// Layout of an ID.
const (
	NodeBits  = 10
	SeqBits   = 13
	timeShift = NodeBits + SeqBits
	// MaxNode is the largest node number.
	MaxNode = 1<<NodeBits - 1
)

// Epoch is the zero of the time part of an ID; 41 bits of milliseconds
// reach into 2095.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrBadID is returned by ParseID for text that is not a message id.
var ErrBadID = errors.New("sms: malformed message id")

// String returns the decimal form of id.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// AppendTo appends the decimal form of id to dst.
func (id ID) AppendTo(dst []byte) []byte { return strconv.AppendUint(dst, uint64(id), 10) }

// Time returns the millisecond at which id was generated (or later, when
// its generator ran ahead under a burst).
func (id ID) Time() time.Time {
	return Epoch.Add(time.Duration(uint64(id)>>timeShift) * time.Millisecond)
}

// Node returns the node number of the generator that made id.
func (id ID) Node() int { return int(uint64(id) & MaxNode) }

// ParseID parses the decimal form of an ID.
func ParseID(s string) (ID, error) {
	if s == "" || len(s) > 20 {
		return 0, ErrBadID
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, ErrBadID
	}
	return ID(n), nil
}

// ParseIDBytes is ParseID for a byte slice, without allocating.
func ParseIDBytes(b []byte) (ID, error) {
	if len(b) == 0 || len(b) > 20 {
		return 0, ErrBadID
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrBadID
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, ErrBadID
		}
		n = n*10 + d
	}
	if n == 0 {
		return 0, ErrBadID
	}
	return ID(n), nil
}

// IDGenerator makes unique, increasing IDs for one node. It is safe for
// concurrent use and lock-free. When more than 8,192 ids are asked for
// within one millisecond it borrows from the next millisecond, so ids stay
// unique and increasing even under bursts and if the clock steps back.
type IDGenerator struct {
	node uint64
	last atomic.Uint64
	now  func() time.Time
}

// NewIDGenerator returns a generator for node (0..MaxNode) whose ids are
// all greater than floor (the largest id already stored, or 0).
func NewIDGenerator(node int, floor ID) (*IDGenerator, error) {
	if node < 0 || node > MaxNode {
		return nil, errors.New("sms: node number out of range")
	}
	g := &IDGenerator{node: uint64(node), now: time.Now}
	g.last.Store(uint64(floor))
	return g, nil
}

// Next returns a new ID.
func (g *IDGenerator) Next() ID {
	ms := uint64(g.now().Sub(Epoch) / time.Millisecond)
	cand := ms<<timeShift | g.node
	for {
		last := g.last.Load()
		next := cand
		if next <= last {
			// Same millisecond (or the clock went back): bump the sequence,
			// carrying into the time part when it overflows. Keep our node.
			next = (last&^MaxNode + 1<<NodeBits) | g.node
		}
		if g.last.CompareAndSwap(last, next) {
			return ID(next)
		}
	}
}
