package webhook

import (
	"net"
	"net/url"
	"strings"
)

// Fair queues. Deliveries ready to post wait in lanes, one per account
// and receiver (host key). An account with a lane whose turn it is waits
// in d.turn; a worker takes the first account in turn, posts the first
// delivery of that account's next lane, and puts lane and account back at
// the end of their queues: deliveries are taken round-robin across
// accounts, and within an account across its receivers, so a backlog of
// one account or receiver delays only itself.
//
// A receiver (host) that is not available (HostConcurrency posts in
// flight, or its breaker open) does not block the workers: a lane found
// in turn for such a host is parked on the host, and the host puts its
// parked lanes back in turn when it becomes available again. Every field
// below is guarded by Dispatcher.mu.

// fifo is a first-in first-out queue of T.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int    { return len(q.items) - q.head }
func (q *fifo[T]) push(x T)    { q.items = append(q.items, x) }
func (q *fifo[T]) all() []T    { return q.items[q.head:] }
func (q *fifo[T]) reset()      { clear(q.items); q.items, q.head = q.items[:0], 0 }
func (q *fifo[T]) empty() bool { return q.len() == 0 }

// pop removes and returns the first item; q must not be empty.
func (q *fifo[T]) pop() T {
	x := q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	switch {
	case q.head == len(q.items):
		q.items, q.head = q.items[:0], 0
	case q.head >= 64 && 2*q.head >= len(q.items):
		// Compact: the dead front is at least half the backing array.
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return x
}

// account is the dispatcher's state of one account.
type account struct {
	id int64
	// held counts the account's deliveries in memory: queued in its
	// lanes, awaiting a retry, or being posted.
	held  int
	lanes map[string]*lane // by host key; a lane exists while it has deliveries or is listed
	turn  fifo[*lane]      // the account's lanes in turn, in round-robin order
	// inTurn says the account is in Dispatcher.turn.
	inTurn bool
	// active counts the account's posts in flight; capped says it was
	// left out of Dispatcher.turn for having AccountConcurrency of them,
	// until one ends.
	active int
	capped bool
}

// laneState says where a lane is listed.
type laneState uint8

const (
	laneIdle   laneState = iota // nowhere
	laneTurn                    // in its account's turn
	laneParked                  // in its host's parked list
)

// lane holds one account's deliveries ready to post to one host, in
// order.
type lane struct {
	acct  *account
	host  *host
	q     fifo[*job]
	state laneState
}

// hostKey returns the key deliveries to raw are grouped under for
// HostConcurrency and the circuit breaker: scheme://host:port, in lower
// case, the port filled in from the scheme. raw has passed Guard.CheckURL.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // unreachable after Guard.CheckURL; any stable key will do
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// accountLocked returns account id's state, creating it.
func (d *Dispatcher) accountLocked(id int64) *account {
	a := d.accounts[id]
	if a == nil {
		a = &account{id: id, lanes: map[string]*lane{}}
		d.accounts[id] = a
	}
	return a
}

// queueLocked puts j, due now, at the end of its lane, listing the lane
// in turn (or parked, if its host is not available) if it was idle.
func (d *Dispatcher) queueLocked(j *job) {
	a := d.accountLocked(j.d.AccountID)
	l := a.lanes[j.key]
	if l == nil {
		h := d.hostLocked(j.key)
		h.lanes++
		l = &lane{acct: a, host: h}
		a.lanes[j.key] = l
	}
	l.q.push(j)
	d.queued++
	switch l.state {
	case laneParked:
		d.parked++
	case laneTurn:
		d.work.Signal()
	case laneIdle:
		if d.availableLocked(l.host) {
			d.turnLocked(l)
			d.work.Signal()
		} else {
			d.parkLocked(l)
		}
	}
}

// turnLocked lists idle lane l at the end of its account's turn, and the
// account in the dispatcher's turn if it was not (and is not capped).
func (d *Dispatcher) turnLocked(l *lane) {
	l.state = laneTurn
	l.acct.turn.push(l)
	d.enterTurnLocked(l.acct)
}

// enterTurnLocked lists a at the end of the dispatcher's turn if it has a
// lane in turn and is neither listed nor capped.
func (d *Dispatcher) enterTurnLocked(a *account) {
	if !a.inTurn && !a.capped && !a.turn.empty() {
		a.inTurn = true
		d.turn.push(a)
	}
}

// accountPostedLocked books the end of a post of a: if that takes it
// below its cap, it is listed in turn again.
func (d *Dispatcher) accountPostedLocked(a *account) {
	a.active--
	if a.capped && a.active < d.cfg.AccountConcurrency {
		a.capped = false
		d.enterTurnLocked(a)
		d.work.Signal()
	}
}

// parkLocked lists idle lane l on its host until the host is available.
func (d *Dispatcher) parkLocked(l *lane) {
	l.state = laneParked
	l.host.parked = append(l.host.parked, l)
	d.parked += l.q.len()
}

// unparkLocked puts h's parked lanes back in turn and wakes the workers.
func (d *Dispatcher) unparkLocked(h *host) {
	if len(h.parked) == 0 {
		return
	}
	for _, l := range h.parked {
		d.parked -= l.q.len()
		l.state = laneIdle
		if l.q.empty() {
			d.dropLaneLocked(l)
			continue
		}
		d.turnLocked(l)
	}
	clear(h.parked)
	h.parked = h.parked[:0]
	d.work.Broadcast()
}

// pickLocked takes the next delivery to post, round-robin across accounts
// and their lanes, and counts it in flight to its account and host; nil
// when no delivery can be posted now.
func (d *Dispatcher) pickLocked() *job {
	for !d.turn.empty() {
		a := d.turn.pop()
		a.inTurn = false
		if a.active >= d.cfg.AccountConcurrency {
			a.capped = true // listed again when one of its posts ends
			continue
		}
		for !a.turn.empty() {
			l := a.turn.pop()
			l.state = laneIdle
			if l.q.empty() {
				d.dropLaneLocked(l)
				continue
			}
			h := l.host
			if !d.availableLocked(h) {
				d.parkLocked(l)
				continue
			}
			j := l.q.pop()
			d.queued--
			d.inFlight++
			h.active++
			a.active++
			if h.state == breakerHalfOpen {
				h.probing = true
				j.probe = true
			}
			if l.q.empty() {
				d.dropLaneLocked(l)
			} else {
				d.turnLocked(l) // back of the account's turn, account at the back of d.turn
			}
			d.enterTurnLocked(a)
			return j
		}
		d.forgetAccountLocked(a)
	}
	return nil
}

// dropLaneLocked removes idle, empty lane l.
func (d *Dispatcher) dropLaneLocked(l *lane) {
	delete(l.acct.lanes, l.host.key)
	l.host.lanes--
	d.forgetHostLocked(l.host)
	d.forgetAccountLocked(l.acct)
}

// forgetAccountLocked removes a's state once nothing of it is held.
func (d *Dispatcher) forgetAccountLocked(a *account) {
	if a.held == 0 && a.active == 0 && len(a.lanes) == 0 && !a.inTurn {
		delete(d.accounts, a.id)
	}
}
