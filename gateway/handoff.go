package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/store"
)

// Held receipts and MOs when several instances share a store.
//
// A receipt (or an MO) reaches the instance whose carrier bind it came
// on, and its customer may be bound on another instance only. The
// instance that has no bind for it holds it in the store (hold, and
// inbound.hold), as for a customer bound nowhere; the instance that has
// the bind must then learn of it within a second. Two ways, both always
// on when Redis is configured:
//
//   - Notification. Once a held row is committed, its (account,
//     system_id) is published on a Redis pub/sub channel (HeldChannel);
//     every instance subscribes, and one with a receiver bind of that
//     customer flushes the customer's held rows at once. Publishing is
//     batched (at most one message per customer every publishEvery) and
//     never waits on the hot path; a lost message costs only latency.
//   - Store check. Every heldRetry, an instance with receiver binds asks
//     the store, in one indexed query per 500 bound system_ids
//     (store.HeldOwners), which of its bound customers have held rows no
//     flush is sending, and flushes those that changed since it last
//     looked (or that it last tried more than heldRecheck ago: a
//     customer that refuses a receipt is not sent it every second). This
//     is the only way without Redis, and what covers a Redis outage and
//     notifications missed while resubscribing.
//
// A flush claims its rows before sending them (store.ClaimHeldReceipts
// under a token of its own, for heldClaimTTL), deletes those the customer
// took and releases the rest at once, so two instances with binds of the
// same customer never send the same row. A row of an instance that died
// mid-flush is claimed again when its claim expires, and sent again: the
// store cannot tell whether the customer had taken it (as for a single
// instance that dies between the customer's answer and the delete).

// Timing of the hand-off.
const (
	// heldClaimTTL is how long a flush's claim on held rows lasts: more
	// than a flush may take (one minute), so a live flush never loses
	// its rows to another.
	heldClaimTTL = 2 * time.Minute
	// heldRecheck is how long the store check leaves a customer whose
	// held rows did not change since it last tried them (the customer
	// refused them, or the store failed mid-flush).
	heldRecheck = 10 * time.Second
	// publishEvery paces the publisher: one Redis round trip per batch;
	// publishTimeout bounds one (go-redis retries a refused dial until
	// then), and so the stop's last publish while Redis is down.
	publishEvery   = 20 * time.Millisecond
	publishTimeout = 250 * time.Millisecond
	// maxPendingNotices bounds the customers waiting to be published;
	// beyond it they are left to the store check.
	maxPendingNotices = 10_000
	// subscribeTimeout bounds the wait for Redis to confirm a
	// subscription; subscribeIdle is how long the subscriber waits for a
	// message before it pings Redis (and a second idle wait after a ping
	// with no pong ends the subscription).
	subscribeTimeout = 5 * time.Second
	subscribeIdle    = 5 * time.Second
	// resubscribeMin and resubscribeMax bound the back-off between
	// subscription attempts.
	resubscribeMin = 100 * time.Millisecond
	resubscribeMax = 5 * time.Second
	// heldOwnersChunk is how many bound system_ids one store check
	// query covers.
	heldOwnersChunk = 500
)

// heldKey is a customer with rows held: a system_id of an account, or
// moHoldSystemID for the account's MOs.
type heldKey struct {
	account  int64
	systemID string
}

// payload is the notification's text: "account:system_id".
func (k heldKey) payload() string {
	return strconv.FormatInt(k.account, 10) + ":" + k.systemID
}

// parseHeldKey parses a notification's payload.
func parseHeldKey(s string) (heldKey, bool) {
	a, id, ok := strings.Cut(s, ":")
	if !ok || id == "" || len(id) > 64 {
		return heldKey{}, false
	}
	n, err := strconv.ParseInt(a, 10, 64)
	if err != nil || n <= 0 {
		return heldKey{}, false
	}
	return heldKey{account: n, systemID: id}, true
}

// heldSeen is what the store check last found held for a customer, and
// when it flushed it.
type heldSeen struct {
	rows, maxID int64
	at          time.Time
}

// handoffMetrics count the hand-off's work.
type handoffMetrics struct {
	published, publishErrors, received prometheus.Counter
	flushNotified, flushPolled         prometheus.Counter
	subscribed                         prometheus.Gauge
}

func newHandoffMetrics(reg prometheus.Registerer) handoffMetrics {
	const ns = "gallant_gateway"
	flushes := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "held_flushes_triggered_total",
		Help: "Flushes of a bound customer's held receipts and MOs started because another instance held rows for it, by how it was learnt (notification: Redis; poll: the store check)."},
		[]string{"trigger"})
	m := handoffMetrics{
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "held_notifications_published_total",
			Help: "Notices published on Redis that rows were held for a customer."}),
		publishErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "held_notifications_publish_errors_total",
			Help: "Notices not published (Redis failed or too many pending); the store check finds their rows."}),
		received: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "held_notifications_received_total",
			Help: "Notices received from Redis that rows were held for a customer."}),
		flushNotified: flushes.WithLabelValues("notification"),
		flushPolled:   flushes.WithLabelValues("poll"),
		subscribed: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "held_notifications_subscribed",
			Help: "1 while subscribed to the held-row notices on Redis."}),
	}
	if reg != nil {
		reg.MustRegister(m.published, m.publishErrors, m.received, flushes, m.subscribed)
	}
	return m
}

// handoff publishes and receives the held-row notices and keeps the
// store check's state. The customers it serves set c before starting it.
type handoff struct {
	c       *customers
	rdb     redis.UniversalClient // nil: the store check only
	channel string
	log     *slog.Logger
	m       handoffMetrics

	// tokens names each claim: node, start time, sequence.
	tokenPrefix string
	tokenSeq    atomic.Uint64

	mu      sync.Mutex
	pending map[heldKey]struct{} // to publish
	wake    chan struct{}

	// seen is the store check's last look, and warned when each warning
	// was last logged; only the flush loop touches them.
	seen   map[heldKey]heldSeen
	warned map[string]time.Time

	ctx    context.Context
	cancel context.CancelFunc
	subMu  sync.Mutex
	sub    *redis.PubSub // the live subscription, closed by stop
	wg     sync.WaitGroup
}

func newHandoff(node int, rdb redis.UniversalClient, channel string, logger *slog.Logger, reg prometheus.Registerer) *handoff {
	if channel == "" {
		channel = "gallant:held"
	}
	h := &handoff{rdb: rdb, channel: channel, log: logger.With("component", "held-handoff"), m: newHandoffMetrics(reg),
		tokenPrefix: strconv.Itoa(node) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-",
		pending:     map[heldKey]struct{}{}, wake: make(chan struct{}, 1),
		seen: map[heldKey]heldSeen{}, warned: map[string]time.Time{}}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h
}

// start starts the publisher and the subscriber (with Redis only).
func (h *handoff) start() {
	if h.rdb == nil {
		return
	}
	h.wg.Go(h.publishLoop)
	h.wg.Go(h.subscribeLoop)
}

// stop publishes what is pending (briefly), ends the subscription and
// waits for both goroutines.
func (h *handoff) stop() {
	h.cancel()
	h.subMu.Lock()
	if h.sub != nil {
		_ = h.sub.Close() // ends a receive in progress
	}
	h.subMu.Unlock()
	h.wg.Wait()
}

// warnEvery bounds how often the flush loop logs one warning: a store
// outage would otherwise log one every second.
const warnEvery = 30 * time.Second

// warn logs msg unless it was logged within warnEvery. Only the flush
// loop calls it.
func (h *handoff) warn(msg string, args ...any) {
	now := time.Now()
	if now.Sub(h.warned[msg]) < warnEvery {
		return
	}
	h.warned[msg] = now
	h.log.Warn(msg, args...)
}

// token returns a claim token no other claim has.
func (h *handoff) token() string {
	return h.tokenPrefix + strconv.FormatUint(h.tokenSeq.Add(1), 36)
}

// held notes that a row held for k is committed, to be published. It
// never blocks.
func (h *handoff) held(k heldKey) {
	if h.rdb == nil || h.ctx.Err() != nil {
		return
	}
	h.mu.Lock()
	_, dup := h.pending[k]
	full := !dup && len(h.pending) >= maxPendingNotices
	if !dup && !full {
		h.pending[k] = struct{}{}
	}
	h.mu.Unlock()
	if full {
		h.m.publishErrors.Inc()
		return
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// publishLoop publishes the pending notices, one batch per publishEvery
// at most, until stop; then what is pending, once.
func (h *handoff) publishLoop() {
	t := time.NewTimer(publishEvery)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			h.publish()
			return
		case <-h.wake:
		}
		h.publish()
		t.Reset(publishEvery)
		select {
		case <-h.ctx.Done():
			h.publish()
			return
		case <-t.C:
		}
	}
}

// publish sends the pending notices in one pipeline.
func (h *handoff) publish() {
	h.mu.Lock()
	batch := h.pending
	if len(batch) > 0 {
		h.pending = make(map[heldKey]struct{}, len(batch))
	}
	h.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	pipe := h.rdb.Pipeline()
	for k := range batch {
		pipe.Publish(ctx, h.channel, k.payload())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		h.m.publishErrors.Add(float64(len(batch)))
		h.log.Debug("held-row notices not published; the store check finds them", "count", len(batch), "err", err)
		return
	}
	h.m.published.Add(float64(len(batch)))
}

// subscribeLoop keeps a subscription to the notices, with back-off
// between attempts, until stop.
func (h *handoff) subscribeLoop() {
	wait := resubscribeMin
	down := false // logged as lost
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for h.ctx.Err() == nil {
		up, err := h.subscribe()
		if h.ctx.Err() != nil {
			return
		}
		if up {
			wait = resubscribeMin
		}
		if !down {
			h.log.Warn("held-row notices: subscription lost; the store check delivers meanwhile", "err", err)
			down = true
		}
		t.Reset(wait)
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		wait = min(wait*2, resubscribeMax)
		if up {
			down = false // log the next loss too
		}
	}
}

// subscribe subscribes once and hands each notice on until the
// subscription fails or stop; up reports whether it was confirmed.
func (h *handoff) subscribe() (up bool, err error) {
	ps := h.rdb.Subscribe(h.ctx)
	h.subMu.Lock()
	if h.ctx.Err() != nil {
		h.subMu.Unlock()
		_ = ps.Close()
		return false, h.ctx.Err()
	}
	h.sub = ps
	h.subMu.Unlock()
	defer func() {
		h.subMu.Lock()
		h.sub = nil
		h.subMu.Unlock()
		_ = ps.Close()
	}()
	sctx, cancel := context.WithTimeout(h.ctx, subscribeTimeout)
	err = ps.Subscribe(sctx, h.channel)
	if err == nil {
		_, err = ps.ReceiveTimeout(sctx, subscribeTimeout) // the confirmation
	}
	cancel()
	if err != nil {
		return false, err
	}
	h.m.subscribed.Set(1)
	defer h.m.subscribed.Set(0)
	h.log.Info("held-row notices: subscribed", "channel", h.channel)
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(h.ctx, subscribeIdle)
		if err != nil {
			if h.ctx.Err() != nil {
				return true, nil
			}
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && !pinged {
				pctx, cancel := context.WithTimeout(h.ctx, subscribeTimeout)
				err = ps.Ping(pctx)
				cancel()
				if err == nil {
					pinged = true
					continue
				}
			}
			return true, err
		}
		pinged = false
		if m, ok := msg.(*redis.Message); ok {
			h.m.received.Inc()
			if k, ok := parseHeldKey(m.Payload); ok {
				h.c.wakeFor(k)
			}
		}
	}
}

// wakeFor starts a flush of k's held rows if k has a receiver bind here.
// A flush that finds no room in the queue is left to the store check.
func (c *customers) wakeFor(k heldKey) {
	b, ok := c.bindingFor(k)
	if !ok {
		return
	}
	select {
	case c.flushes <- b:
		c.ho.m.flushNotified.Inc()
	default:
	}
}

// bindingFor returns the binding of a receiver bind here that takes k's
// held rows.
func (c *customers) bindingFor(k heldKey) (account.Binding, bool) {
	if k.systemID == moHoldSystemID {
		if sess := c.pickAccount(k.account); sess != nil {
			b, ok := sess.Value().(account.Binding)
			return b, ok
		}
		return account.Binding{}, false
	}
	for _, sess := range c.sessions(k.systemID) {
		if b, ok := sess.Value().(account.Binding); ok && b.AccountID == k.account {
			return b, true
		}
	}
	return account.Binding{}, false
}

// checkHeld is the store check: it flushes the customers bound here that
// have rows held (by any instance) which changed since it last looked,
// or which it last tried more than heldRecheck ago. The flush loop runs
// it every heldRetry.
func (c *customers) checkHeld() {
	h := c.ho
	recv := c.receivers()
	if len(recv) == 0 {
		clear(h.seen)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	var owners []store.HeldOwner
	bySystem := make(map[string]account.Binding, len(recv))
	byAccount := make(map[int64]account.Binding, len(recv))
	for chunk := range slices.Chunk(recv, heldOwnersChunk) {
		ids := make([]string, 0, len(chunk)+1)
		var accounts []int64
		for _, b := range chunk {
			ids = append(ids, b.SystemID)
			bySystem[b.SystemID] = b
			if _, ok := byAccount[b.AccountID]; !ok {
				byAccount[b.AccountID] = b
				accounts = append(accounts, b.AccountID)
			}
		}
		ids = append(ids, moHoldSystemID)
		got, err := c.s.st.HeldOwners(ctx, ids, accounts)
		if err != nil {
			cancel()
			h.warn("check held receipts of bound customers", "err", err)
			return
		}
		owners = append(owners, got...)
	}
	cancel()
	now := time.Now()
	seen := make(map[heldKey]heldSeen, len(owners))
	for _, o := range owners {
		k := heldKey{account: o.AccountID, systemID: o.SystemID}
		if prev, ok := h.seen[k]; ok && prev.rows == o.Rows && prev.maxID == o.MaxID && now.Sub(prev.at) < heldRecheck {
			seen[k] = prev
			continue
		}
		b, ok := bySystem[o.SystemID]
		if o.SystemID == moHoldSystemID {
			b, ok = byAccount[o.AccountID]
		}
		if !ok || b.AccountID != o.AccountID {
			continue
		}
		seen[k] = heldSeen{rows: o.Rows, maxID: o.MaxID, at: now}
		h.m.flushPolled.Inc()
		c.flush(b)
	}
	h.seen = seen
}
