package smpp

import "github.com/gallant-sms/gallant/smpp/pdu"

// reqKind says who waits for a request's response.
type reqKind uint8

const (
	kindUser    reqKind = iota // Send/Call: counts against the window
	kindEnquire                // our keepalive
	kindUnbind                 // our unbind
	kindBind                   // our bind (client side)
)

// request is an outstanding request of ours, keyed by sequence number.
type request struct {
	seq     uint32 // 0 marks an empty slot
	id      pdu.CommandID
	kind    reqKind
	expires int64     // session clock, nanoseconds; 0 = never
	resp    Responder // nil: nobody waits for the outcome
}

// inflight is an open-addressed hash table of outstanding requests keyed
// by sequence number: linear probing, backward-shift deletion, a
// power-of-two size at least twice the most entries it holds, so probe
// runs stay short. Nothing allocates after init. The session's omu guards
// it.
//
// Slots are chosen by a multiplicative (Fibonacci) hash rather than
// seq&mask: consecutive sequence numbers would otherwise form one long run,
// and deleting its oldest entry would scan the whole window (profiled:
// a fifth of the CPU at a window of 100).
type inflight struct {
	slots []request
	mask  uint32
	shift uint32
	n     int
}

// home returns the preferred slot of seq.
func (t *inflight) home(seq uint32) uint32 { return (seq * 0x9E3779B1) >> t.shift }

// init sizes the table for up to max entries.
func (t *inflight) init(max int) {
	size, bits := 8, uint32(3)
	for size < 2*max {
		size <<= 1
		bits++
	}
	t.slots = make([]request, size)
	t.mask = uint32(size - 1)
	t.shift = 32 - bits
}

// has reports whether seq is outstanding.
func (t *inflight) has(seq uint32) bool {
	for i := t.home(seq); ; i = (i + 1) & t.mask {
		switch t.slots[i].seq {
		case 0:
			return false
		case seq:
			return true
		}
	}
}

// get returns the entry for seq.
func (t *inflight) get(seq uint32) (*request, bool) {
	for i := t.home(seq); ; i = (i + 1) & t.mask {
		switch t.slots[i].seq {
		case 0:
			return nil, false
		case seq:
			return &t.slots[i], true
		}
	}
}

// insert adds r, whose seq must not be present. A table that would be
// more than half full doubles first: a session sized for a window of a
// few hundred never grows, and a very large window (a peer that sends
// without waiting) costs memory only for what is outstanding.
func (t *inflight) insert(r request) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	i := t.home(r.seq)
	for t.slots[i].seq != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = r
	t.n++
}

// grow doubles the table, keeping its entries.
func (t *inflight) grow() {
	old := t.slots
	t.slots = make([]request, 2*len(old))
	t.mask = uint32(len(t.slots) - 1)
	t.shift--
	t.n = 0
	for i := range old {
		if old[i].seq != 0 {
			t.insert(old[i])
		}
	}
}

// remove deletes and returns the entry for seq.
func (t *inflight) remove(seq uint32) (request, bool) {
	i := t.home(seq)
	for t.slots[i].seq != seq {
		if t.slots[i].seq == 0 {
			return request{}, false
		}
		i = (i + 1) & t.mask
	}
	r := t.slots[i]
	t.n--
	// Backward shift: move later entries of the probe run into the hole
	// unless their home slot lies cyclically in (hole, j].
	j := i
	for {
		t.slots[i] = request{}
		for {
			j = (j + 1) & t.mask
			if t.slots[j].seq == 0 {
				return r, true
			}
			home := t.home(t.slots[j].seq)
			if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
				break
			}
		}
		t.slots[i] = t.slots[j]
		i = j
	}
}

// appendExpired appends the sequence numbers of entries that expired at
// or before now.
func (t *inflight) appendExpired(dst []uint32, now int64) []uint32 {
	if t.n == 0 {
		return dst
	}
	for i := range t.slots {
		if e := &t.slots[i]; e.seq != 0 && e.expires != 0 && e.expires <= now {
			dst = append(dst, e.seq)
		}
	}
	return dst
}

// drain removes every entry, appending it to dst.
func (t *inflight) drain(dst []request) []request {
	for i := range t.slots {
		if t.slots[i].seq != 0 {
			dst = append(dst, t.slots[i])
			t.slots[i] = request{}
		}
	}
	t.n = 0
	return dst
}
