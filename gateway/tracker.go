package gateway

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// flight is what the gateway remembers of a message between its accept
// and its final status, so receipts find their message without a query.
//
// Every message on its way has one, and the messages in flight at peak
// are most of the gateway's memory, so it is kept small: 64 bytes for up
// to inlineSegs segments, whose statuses live inside it.
type flight struct {
	msg       *sms.Message
	segs      []sms.Status // each segment's final status; StatusUnknown until it has one
	planID    int64        // the plan that priced it, when charged; 0: unknown
	expires   int64        // unix nanoseconds: forget the flight after this (receipts then go through the store)
	left      int32        // segments without a final status
	submitted int32        // segments a carrier acknowledged
	worst     sms.Status   // the final status of the message so far
	notified  bool         // the "submitted" callback went out
	charged   bool         // the reservation became a charge
	inline    [inlineSegs]sms.Status
}

// inlineSegs is how many segment statuses fit in a flight without a
// second allocation.
const inlineSegs = 5

// finalOf folds segment outcomes into the message's: delivered only when
// every segment is; otherwise the first failure seen.
func finalOf(worst, s sms.Status) sms.Status {
	if worst == sms.StatusUnknown || worst == sms.StatusDelivered {
		return s
	}
	return worst
}

const trackerShards = 64 // power of two

// tracker maps message ids to flights and carrier message ids to
// message segments, each in sharded maps so no lock is global.
type tracker struct {
	seed    maphash.Seed
	flights [trackerShards]flightShard
	dlrs    [trackerShards]dlrShard
	max     int          // per shard
	n       atomic.Int64 // flights tracked, over all shards
}

type flightShard struct {
	mu   sync.Mutex
	m    map[sms.ID]*flight
	peak int      // the most entries m has held since it was made
	_    [32]byte // keep shards on their own cache lines
}

type dlrKey struct{ carrier, id string }

type dlrRef struct {
	msg     sms.ID
	account int64
	at      int64 // unix nanoseconds: when the carrier acknowledged the segment
	seg     int   // 1-based
	// queued is the segment's "submitted" event while the writer may
	// still hold it (fold.go); zero when unknown.
	queued queuedEvent
}

type dlrShard struct {
	mu   sync.Mutex
	m    map[dlrKey]dlrRef
	peak int
	_    [32]byte
}

func newTracker(maxFlights int) *tracker {
	t := &tracker{seed: maphash.MakeSeed(), max: maxFlights/trackerShards + 1}
	for i := range t.flights {
		t.flights[i].m = map[sms.ID]*flight{}
		t.dlrs[i].m = map[dlrKey]dlrRef{}
	}
	return t
}

func (t *tracker) flightShard(id sms.ID) *flightShard {
	return &t.flights[uint64(id)*0x9E3779B97F4A7C15>>58&(trackerShards-1)]
}

// len returns the number of flights tracked.
func (t *tracker) len() int { return int(t.n.Load()) }

// add starts tracking m; it reports false when the shard is full (the
// message is then followed through the store only).
func (t *tracker) add(m *sms.Message, segments int, expires time.Time) bool {
	s := t.flightShard(m.ID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= t.max {
		return false
	}
	fl := &flight{msg: m, left: int32(segments), expires: expires.UnixNano()}
	if segments <= inlineSegs {
		fl.segs = fl.inline[:segments]
	} else {
		fl.segs = make([]sms.Status, segments)
	}
	s.m[m.ID] = fl
	s.peak = max(s.peak, len(s.m))
	t.n.Add(1)
	return true
}

// with runs f on the flight of id under its shard's lock; f returns true
// to forget the flight. with reports whether the flight was found.
func (t *tracker) with(id sms.ID, f func(fl *flight) (forget bool)) bool {
	s := t.flightShard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	fl := s.m[id]
	if fl == nil {
		return false
	}
	if f(fl) {
		delete(s.m, id)
		t.n.Add(-1)
	}
	return true
}

func (t *tracker) dlrShard(k dlrKey) *dlrShard {
	return &t.dlrs[maphash.String(t.seed, k.id)&(trackerShards-1)]
}

func (t *tracker) putDLR(carrier, carrierID string, ref dlrRef) {
	k := dlrKey{carrier, carrierID}
	s := t.dlrShard(k)
	s.mu.Lock()
	s.m[k] = ref
	s.peak = max(s.peak, len(s.m))
	s.mu.Unlock()
}

// takeDLR finds and forgets the segment a carrier message id names.
func (t *tracker) takeDLR(carrier, carrierID string) (dlrRef, bool) {
	k := dlrKey{carrier, carrierID}
	s := t.dlrShard(k)
	s.mu.Lock()
	ref, ok := s.m[k]
	if ok {
		delete(s.m, k)
	}
	s.mu.Unlock()
	return ref, ok
}

// sweep forgets flights past their expiry and receipt correlations older
// than maxAge; both remain reachable through the store.
func (t *tracker) sweep(now time.Time, maxAge time.Duration) (flights, dlrs int) {
	for i := range t.flights {
		s := &t.flights[i]
		s.mu.Lock()
		for id, fl := range s.m {
			if now.UnixNano() > fl.expires {
				delete(s.m, id)
				t.n.Add(-1)
				flights++
			}
		}
		if shrink(len(s.m), s.peak) {
			s.m, s.peak = rebuilt(s.m), len(s.m)
		}
		s.mu.Unlock()
	}
	for i := range t.dlrs {
		s := &t.dlrs[i]
		s.mu.Lock()
		for k, ref := range s.m {
			if now.UnixNano()-ref.at > int64(maxAge) {
				delete(s.m, k)
				dlrs++
			}
		}
		if shrink(len(s.m), s.peak) {
			s.m, s.peak = rebuilt(s.m), len(s.m)
		}
		s.mu.Unlock()
	}
	return flights, dlrs
}

// shrinkBelow: a shard's map that held more than this many entries and
// now holds under a quarter of its peak is copied into a new map by the
// sweep, because a Go map keeps the memory of its largest size: after a
// burst of a million messages in flight, the tracker would otherwise hold
// on to some 100 MB for good.
const shrinkBelow = 1024

// shrink reports whether a map of n entries that once held peak should be
// rebuilt smaller.
func shrink(n, peak int) bool { return peak > shrinkBelow && n < peak/4 }

// rebuilt copies m into a map sized for what it holds now (maps.Clone
// would keep the old size).
func rebuilt[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
