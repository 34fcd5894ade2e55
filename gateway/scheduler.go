package gateway

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Scheduled messages wait in the store (a scheduled_messages row beside
// the message: see store/scheduled.go). Only those due within the horizon
// are held in memory, at most ScheduleMemory of them: a message accepted
// that soon is held from its accept; the others are claimed from the
// store by this node as they come near, or taken straight from it once
// due. When one is due the scheduler takes it in the store, which
// succeeds for exactly one instance, and sends it. Credit is
// reserved for a held message from its accept; a message that waited in
// the store has its reservation given back at accept and reserved again
// when due, and fails with insufficient-balance, unsent and uncharged,
// when the account can no longer pay.

// Refusals and error codes of scheduled messages.
var errScheduledLimit = refuse(pdu.StatusMsgQFul, ProblemScheduledLimit, 422, "send_at",
	"the account has as many messages waiting for their send time as it may")

// ProblemScheduledLimit refuses a scheduled message of an account that
// already has Config.MaxScheduledPerAccount waiting.
const ProblemScheduledLimit = "scheduled-limit"

// codeInsufficientBalance is the error code of a scheduled message that
// failed, unsent, because its account could not pay when it was due.
const codeInsufficientBalance = "insufficient-balance"

// codeOptedOut is the error code of a message failed when it was due
// because its recipient had opted out since it was accepted.
const codeOptedOut = "opted-out"

// Timing of the scheduler's store work.
const (
	// schedStoreTimeout bounds one claim, take or count.
	schedStoreTimeout = 10 * time.Second
	// schedRetry is the wait after a store error; schedPoll the wait
	// while the gateway has no room for due messages.
	schedRetry = time.Second
	schedPoll  = 50 * time.Millisecond
	// schedSweepEvery frees the claims of instances that died;
	// schedCountEvery refreshes the per-account counts from the store.
	schedSweepEvery = 15 * time.Second
	schedCountEvery = 30 * time.Second
)

// scheduler holds the scheduled messages due soon and releases each when
// due.
type scheduler struct {
	s *Service
	// node claims messages in the store; horizon is how far ahead they
	// are claimed; capacity caps those held.
	node     int
	horizon  time.Duration
	capacity int
	// loadEvery is how often the store is asked for messages coming due.
	loadEvery time.Duration

	mu     sync.Mutex
	h      schedHeap
	byID   map[sms.ID]*schedItem
	counts map[int64]int // messages waiting per account (store count, plus and minus ours since)

	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type schedItem struct {
	m     *sms.Message
	index int
}

type schedHeap []*schedItem

func (h schedHeap) Len() int           { return len(h) }
func (h schedHeap) Less(i, j int) bool { return h[i].m.SendAt.Before(h[j].m.SendAt) }
func (h schedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *schedHeap) Push(x any) { it := x.(*schedItem); it.index = len(*h); *h = append(*h, it) }
func (h *schedHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	it.index = -1
	return it
}

func newScheduler(s *Service, node int) *scheduler {
	return &scheduler{s: s, node: node, horizon: s.cfg.ScheduleHorizon, capacity: s.cfg.ScheduleMemory,
		loadEvery: min(max(s.cfg.ScheduleHorizon/4, 50*time.Millisecond), 5*time.Second),
		byID:      map[sms.ID]*schedItem{}, counts: map[int64]int{},
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// admit counts one more message of account waiting, unless the account
// has as many as it may: then it reports false. Accept calls it before
// persisting, so two accepts cannot both take the last place.
func (sc *scheduler) admit(account int64) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.counts[account] >= sc.s.cfg.MaxScheduledPerAccount {
		return false
	}
	sc.counts[account]++
	return true
}

// unadmit gives back a count admit took for a message that was then
// refused.
func (sc *scheduler) unadmit(account int64) {
	sc.mu.Lock()
	sc.counts[account]--
	sc.mu.Unlock()
}

// accepted takes a scheduled message persisted by Accept (admit counted
// it): it is held when due within the horizon and there is room; else its
// reservation is given back and it waits in the store.
func (sc *scheduler) accepted(m *sms.Message) {
	sc.mu.Lock()
	held := time.Until(m.SendAt) <= sc.horizon && len(sc.h) < sc.capacity && sc.holdLocked(m)
	sc.mu.Unlock()
	if !held {
		sc.s.refund(m.ID)
	}
}

// holdLocked adds m to the held messages unless it is there already (a
// message accepted here can also be claimed by this node's loader), and
// wakes the run loop when m is the next due. sc.mu is held.
func (sc *scheduler) holdLocked(m *sms.Message) bool {
	if sc.byID[m.ID] != nil {
		return false
	}
	it := &schedItem{m: m}
	heap.Push(&sc.h, it)
	sc.byID[m.ID] = it
	sc.s.m.scheduled.Inc()
	if it.index == 0 {
		select {
		case sc.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// held reports how many messages are held in memory.
func (sc *scheduler) held() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.h)
}

// cancel cancels message id of account if it still waits for its send
// time, wherever it waits (held here, held by another instance, or in
// the store): the store records it rejected (cancelled) at once, and its
// sender is told. It reports false when the message is not waiting.
func (sc *scheduler) cancel(account int64, id sms.ID) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), schedStoreTimeout)
	defer cancel()
	ok, err := sc.s.st.CancelScheduled(ctx, account, id,
		sms.Event{MessageID: id, Status: sms.StatusRejected, At: time.Now().UTC(), ErrorCode: codeCancelled})
	if err != nil || !ok {
		return false, err
	}
	sc.mu.Lock()
	var m *sms.Message
	if it := sc.byID[id]; it != nil {
		heap.Remove(&sc.h, it.index)
		delete(sc.byID, id)
		sc.s.m.scheduled.Dec()
		m = it.m
	}
	sc.counts[account]--
	sc.mu.Unlock()
	if m == nil {
		if m, _, err = sc.s.st.GetMessage(ctx, account, id); err != nil {
			// Cancelled in the store; only the sender's notice is lost.
			sc.s.log.Error("cancelled message not read back", "id", id, "err", err)
			return true, nil
		}
	}
	sc.s.refund(id)
	sc.s.tr.with(id, func(*flight) bool { return true })
	sc.s.notifyFinal(m, sms.StatusRejected, codeCancelled, "")
	return true, nil
}

// start frees the claims a previous holder of our node number left, and
// counts the messages waiting, before any message is accepted; then it
// starts run.
func (sc *scheduler) start() {
	sc.storeDo("unclaim scheduled messages", func(ctx context.Context) error {
		_, err := sc.s.st.UnclaimScheduled(ctx, sc.node)
		return err
	})
	sc.refreshCounts()
	go sc.run()
}

// run releases due messages, loads those coming due, and keeps the
// claims and counts fresh, until stop. On its way out it hands its
// claims back, so another instance can take them at once.
func (sc *scheduler) run() {
	defer close(sc.done)
	defer sc.storeDo("hand back scheduled messages", func(ctx context.Context) error {
		_, err := sc.s.st.UnclaimScheduled(ctx, sc.node)
		return err
	})
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var nextLoad, nextSweep time.Time
	nextCount := time.Now().Add(schedCountEvery)
	for {
		now := time.Now()
		wait := sc.releaseDue(now)
		if !now.Before(nextLoad) {
			more, blocked := sc.takeDue(now)
			if sc.load(now) {
				more = true
			}
			switch {
			case more:
				nextLoad = now // more wait: at once, room permitting
			case blocked:
				nextLoad = now.Add(schedPoll)
			default:
				nextLoad = now.Add(sc.loadEvery)
			}
		}
		if !now.Before(nextSweep) {
			sc.storeDo("free stale scheduled claims", func(ctx context.Context) error {
				n, err := sc.s.st.FreeStaleScheduledClaims(ctx, sc.node)
				if n > 0 {
					sc.s.log.Info("scheduled messages of a stopped instance freed", "count", n)
				}
				return err
			})
			nextSweep = now.Add(schedSweepEvery)
		}
		if !now.Before(nextCount) {
			sc.refreshCounts()
			nextCount = now.Add(schedCountEvery)
		}
		wait = min(wait, max(time.Until(nextLoad), time.Millisecond))
		t.Reset(wait)
		select {
		case <-sc.quit:
			return
		case <-sc.wake:
		case <-t.C:
		}
	}
}

// room is how many due messages the gateway can take now: none while it
// would refuse new messages for backpressure (Saturated), else up to what
// keeps the messages in flight under half of MaxInFlight and the parked
// ones under half of MaxParked. The other halves stay for live traffic: a
// large campaign coming due never makes the gateway refuse new messages.
func (sc *scheduler) room() int {
	s := sc.s
	if s.Saturated() {
		return 0
	}
	return min(s.cfg.MaxInFlight/2-s.tr.len(), s.cfg.MaxParked/2-s.parkedLen(), store.MaxScheduledBatch)
}

// releaseDue takes and sends the held messages that are due, while the
// gateway has room for them, and returns how long to wait before the
// next is due.
func (sc *scheduler) releaseDue(now time.Time) time.Duration {
	for {
		room := sc.room()
		sc.mu.Lock()
		if len(sc.h) == 0 {
			sc.mu.Unlock()
			return time.Hour
		}
		if d := sc.h[0].m.SendAt.Sub(now); d > 0 {
			sc.mu.Unlock()
			return min(d, time.Hour)
		}
		if room <= 0 {
			sc.mu.Unlock()
			return schedPoll
		}
		due := make([]*sms.Message, 0, min(room, len(sc.h)))
		for len(sc.h) > 0 && len(due) < room && !sc.h[0].m.SendAt.After(now) {
			it := heap.Pop(&sc.h).(*schedItem)
			delete(sc.byID, it.m.ID)
			due = append(due, it.m)
		}
		sc.mu.Unlock()
		sc.s.m.scheduled.Sub(float64(len(due)))
		if !sc.take(due) {
			return schedRetry
		}
		if len(due) < room {
			return 0
		}
	}
}

// take takes due in the store and sends what it took; the rest another
// instance sends or someone cancelled. On a store error the messages are
// held again, for the next try, and take reports false.
func (sc *scheduler) take(due []*sms.Message) bool {
	ids := make([]sms.ID, len(due))
	for i, m := range due {
		ids[i] = m.ID
	}
	var taken []sms.ID
	if !sc.storeDo("take due scheduled messages", func(ctx context.Context) (err error) {
		taken, err = sc.s.st.TakeScheduled(ctx, sc.node, ids)
		return err
	}) {
		sc.mu.Lock()
		for _, m := range due {
			sc.holdLocked(m)
		}
		sc.mu.Unlock()
		return false
	}
	mine := make(map[sms.ID]bool, len(taken))
	for _, id := range taken {
		mine[id] = true
	}
	sc.mu.Lock()
	for _, m := range due {
		if mine[m.ID] {
			sc.counts[m.AccountID]--
		}
	}
	sc.mu.Unlock()
	for _, m := range due {
		if mine[m.ID] {
			sc.send(m)
		} else if !sc.s.tr.with(m.ID, func(*flight) bool { return false }) {
			// Not ours to send: give back what its accept here reserved
			// (unless a copy of it is on its way from this instance).
			sc.s.refund(m.ID)
		}
	}
	return true
}

// send dispatches a taken message, reserving its price first when it
// waited in the store (its reservation was given back then).
func (sc *scheduler) send(m *sms.Message) {
	s := sc.s
	if s.optedOutAtSend(m) {
		return
	}
	if s.bill != nil && m.Price > 0 && !s.res.has(m.ID) {
		ctx, cancel := context.WithTimeout(context.Background(), reserveTimeout)
		r, err := s.bill.Balances.Reserve(ctx, m.AccountID, billing.Micros(m.Price))
		cancel()
		if err != nil {
			if !errors.Is(err, billing.ErrInsufficientBalance) {
				s.log.Error("reserve for a scheduled message", "id", m.ID, "account", m.AccountID, "err", err)
			}
			s.finishUnsent(m, sms.StatusFailed, codeInsufficientBalance)
			return
		}
		s.res.put(m.ID, r)
	}
	s.dispatch(m, nil)
}

// takeDue takes from the store and sends the messages already due that
// no node holds (loaded too late, or freed from a stopped instance), as
// many as the gateway has room for. It reports whether more may wait, and
// whether it was held back for lack of room.
func (sc *scheduler) takeDue(now time.Time) (more, blocked bool) {
	room := sc.room()
	if room <= 0 {
		return false, true
	}
	var got []sms.Message
	if !sc.storeDo("take due scheduled messages", func(ctx context.Context) (err error) {
		got, err = sc.s.st.TakeDue(ctx, now, room)
		return err
	}) {
		return false, false
	}
	sc.mu.Lock()
	for i := range got {
		sc.counts[got[i].AccountID]--
	}
	sc.mu.Unlock()
	for i := range got {
		sc.send(&got[i])
	}
	return len(got) == room, false
}

// load claims from the store the messages due within the horizon that
// no node holds, as many as there is room for, and holds them. It
// reports whether more may wait (a full batch came back).
func (sc *scheduler) load(now time.Time) bool {
	free := min(sc.capacity-sc.held(), store.MaxScheduledBatch)
	if free <= 0 {
		return false
	}
	var got []sms.Message
	if !sc.storeDo("claim scheduled messages", func(ctx context.Context) (err error) {
		got, err = sc.s.st.ClaimScheduled(ctx, sc.node, now.Add(sc.horizon), free)
		return err
	}) {
		return false
	}
	sc.mu.Lock()
	for i := range got {
		sc.holdLocked(&got[i])
	}
	sc.mu.Unlock()
	return len(got) == free
}

// refreshCounts replaces the per-account counts with the store's.
func (sc *scheduler) refreshCounts() {
	var counts map[int64]int
	if sc.storeDo("count scheduled messages", func(ctx context.Context) (err error) {
		counts, err = sc.s.st.ScheduledCounts(ctx)
		return err
	}) {
		sc.mu.Lock()
		sc.counts = counts
		sc.mu.Unlock()
	}
}

// storeDo runs f with a timeout, logs its error as what failed, and
// reports whether it succeeded.
func (sc *scheduler) storeDo(what string, f func(ctx context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), schedStoreTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		sc.s.log.Warn(what, "err", err)
		return false
	}
	return true
}

// stop ends run and waits until it handed its claims back.
func (sc *scheduler) stop() {
	sc.once.Do(func() { close(sc.quit) })
	<-sc.done
}

// CancelScheduled cancels message id of account if it still waits for
// its send time, as an SMPP cancel_sm does: recorded rejected
// (cancelled), refunded, its sender told. It reports false when the
// message is not waiting (on its way, sent, cancelled, or unknown).
func (s *Service) CancelScheduled(account int64, id sms.ID) (bool, error) {
	return s.sched.cancel(account, id)
}
