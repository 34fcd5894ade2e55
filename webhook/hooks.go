package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// HookEvent is a type of event a hook subscribes to (REST hooks, POST
// /v1/hooks). Each is one bit, so a set of them is a HookEvent too.
type HookEvent uint8

// The event types a hook may subscribe to.
const (
	// HookMessageStatus is a message's change of status; its data is the
	// status callback's body ([Event]).
	HookMessageStatus HookEvent = 1 << iota
	// HookMessageInbound is an MO received on one of the account's
	// numbers; its data is the inbound webhook's body.
	HookMessageInbound
	// HookContactCreated is a contact added (API, upsert or import).
	HookContactCreated
	// HookContactOptedOut is a number opted out of the account's messages
	// (STOP keyword, API, carrier).
	HookContactOptedOut
	// HookCampaignCompleted is a campaign that finished sending.
	HookCampaignCompleted
	// HookBalanceLow is the account's balance falling under its alert
	// threshold.
	HookBalanceLow
)

// hookEventNames are the events' API names, by bit.
var hookEventNames = [...]string{"message.status", "message.inbound", "contact.created", "contact.opted_out",
	"campaign.completed", "balance.low"}

// HookEventNames returns the API names of every event type, in order.
func HookEventNames() []string { return append([]string(nil), hookEventNames[:]...) }

// String returns e's API name ("message.status"), or "" for a set of
// several or none.
func (e HookEvent) String() string {
	for i, n := range hookEventNames {
		if e == 1<<i {
			return n
		}
	}
	return ""
}

// ParseHookEvent returns the event type named name, or false.
func ParseHookEvent(name string) (HookEvent, bool) {
	for i, n := range hookEventNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Subscription is one hook as the fan-out needs it: URL gets the events
// in Events of account AccountID.
type Subscription struct {
	ID        int64
	AccountID int64
	URL       string
	Events    HookEvent
}

// HookEnvelope is the JSON body of every hook delivery:
//
//	{"id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f","type":"contact.created",
//	 "created_at":"2026-03-01T10:00:00.123Z","data":{...}}
//
// One event has one id, the same in the deliveries to each hook and in
// their retries, so that a receiver can drop repeats.
type HookEnvelope struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// HooksConfig configures [Hooks].
type HooksConfig struct {
	// Load returns every hook of every account (the store's hooks
	// table). Required.
	Load func(ctx context.Context) ([]Subscription, error)
	// Secret returns the secret signing account's deliveries: the
	// account's webhook secret, as for its status callbacks. Required.
	Secret func(ctx context.Context, account int64) (string, error)
	// TTL is how long the hooks in memory are used before they are read
	// again: a hook made or removed on another instance takes effect
	// here within it (on this one at once, through [Hooks.Reload]). Zero
	// means 5 seconds.
	TTL time.Duration
}

// accountHooks are one account's hooks in memory.
type accountHooks struct {
	events HookEvent // the union of subs' events
	secret string
	subs   []Subscription
}

// Hooks fans events out to the hooks accounts subscribed: given an
// account, an event type and its data, it posts one signed delivery per
// matching hook through the [Dispatcher], as status callbacks are posted
// (fair queues, retries, outbox, address guard). The hooks are kept in
// memory, read again every TTL by a loop ([Hooks.Start], [Hooks.Stop])
// and at once after a change on this instance ([Hooks.Reload]), so that
// [Hooks.Wants], which every event source calls first, costs one atomic
// load and one map lookup and allocates nothing. A nil *Hooks wants
// nothing. Its methods are safe for concurrent use.
type Hooks struct {
	cfg HooksConfig
	d   *Dispatcher
	log *slog.Logger

	snap atomic.Pointer[map[int64]*accountHooks]
	// reload serialises reloads.
	reload sync.Mutex

	quit, done chan struct{}
	startOnce  sync.Once
	stopOnce   sync.Once
	started    atomic.Bool
	dropped    atomic.Int64
}

// NewHooks returns the fan-out of cfg's hooks through d, logging to
// logger (nil: nowhere). It holds no hooks until [Hooks.Reload] or
// [Hooks.Start].
func NewHooks(cfg HooksConfig, d *Dispatcher, logger *slog.Logger) (*Hooks, error) {
	if cfg.Load == nil || cfg.Secret == nil || d == nil {
		return nil, errors.New("webhook: hooks need Load, Secret and a dispatcher")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 5 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Hooks{cfg: cfg, d: d, log: logger, quit: make(chan struct{}), done: make(chan struct{})}
	empty := map[int64]*accountHooks{}
	h.snap.Store(&empty)
	return h, nil
}

// Start reads the hooks and starts the loop reading them again every
// TTL, until [Hooks.Stop]. A failed first read is logged and retried by
// the loop.
func (h *Hooks) Start(ctx context.Context) {
	h.startOnce.Do(func() {
		if err := h.Reload(ctx); err != nil {
			h.log.Warn("hooks not loaded", "err", err)
		}
		h.started.Store(true)
		go h.loop()
	})
}

// Stop ends the loop started by Start and waits for it.
func (h *Hooks) Stop() {
	h.stopOnce.Do(func() {
		close(h.quit)
		if h.started.Load() {
			<-h.done
		}
	})
}

// loop reloads the hooks every TTL.
func (h *Hooks) loop() {
	defer close(h.done)
	t := time.NewTicker(h.cfg.TTL)
	defer t.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), h.cfg.TTL+10*time.Second)
			if err := h.Reload(ctx); err != nil {
				h.log.Warn("hooks not reloaded", "err", err)
			}
			cancel()
		}
	}
}

// Reload reads the hooks and their accounts' secrets now; the ones in
// memory stay in use when it fails. Call it after a change.
func (h *Hooks) Reload(ctx context.Context) error {
	h.reload.Lock()
	defer h.reload.Unlock()
	subs, err := h.cfg.Load(ctx)
	if err != nil {
		return fmt.Errorf("webhook: load hooks: %w", err)
	}
	m := make(map[int64]*accountHooks)
	for _, s := range subs {
		if s.Events == 0 {
			continue
		}
		a := m[s.AccountID]
		if a == nil {
			secret, err := h.cfg.Secret(ctx, s.AccountID)
			if err != nil {
				return fmt.Errorf("webhook: load hooks: secret of account %d: %w", s.AccountID, err)
			}
			a = &accountHooks{secret: secret}
			m[s.AccountID] = a
		}
		a.events |= s.Events
		a.subs = append(a.subs, s)
	}
	h.snap.Store(&m)
	return nil
}

// Wants reports whether some hook of account subscribes to ev. It
// allocates nothing: event sources call it before building anything.
func (h *Hooks) Wants(account int64, ev HookEvent) bool {
	if h == nil {
		return false
	}
	a := (*h.snap.Load())[account]
	return a != nil && a.events&ev != 0
}

// Publish posts event ev of account, with data as the envelope's data,
// to each of the account's hooks subscribed to it; messageID (zero when
// the event is not about a message) labels the attempts, and id is the
// envelope's id (empty: a new one from [NewEventID]). It returns how
// many deliveries it queued; one the dispatcher refuses (a URL no longer
// allowed, a full backlog) is logged and counted in Dropped.
func (h *Hooks) Publish(account int64, ev HookEvent, messageID sms.ID, id string, data any) int {
	if !h.Wants(account, ev) {
		return 0
	}
	a := (*h.snap.Load())[account]
	if a.secret == "" {
		h.dropped.Add(1)
		h.log.Warn("hook event not sent: the account has no webhook secret", "account", account, "type", ev.String())
		return 0
	}
	if id == "" {
		id = newEventID()
	}
	body, err := json.Marshal(HookEnvelope{ID: id, Type: ev.String(), CreatedAt: time.Now().UTC(), Data: data})
	if err != nil {
		h.dropped.Add(1)
		h.log.Warn("hook event not encoded", "account", account, "type", ev.String(), "err", err)
		return 0
	}
	n := 0
	for _, s := range a.subs {
		if s.Events&ev == 0 {
			continue
		}
		err := h.d.Enqueue(Delivery{URL: s.URL, Secret: a.secret, AccountID: account, MessageID: messageID, Body: body})
		if err != nil {
			h.dropped.Add(1)
			h.log.Warn("hook delivery not queued", "account", account, "hook", s.ID, "type", ev.String(), "err", err)
			continue
		}
		n++
	}
	return n
}

// Dropped returns how many deliveries Publish could not queue.
func (h *Hooks) Dropped() int64 { return h.dropped.Load() }

// NewEventID returns a new event id: 32 random hex digits.
func NewEventID() string { return newEventID() }
