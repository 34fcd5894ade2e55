package campaign

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// Config configures the [Engine].
type Config struct {
	// MaxRate caps the messages per second all campaigns of this
	// instance feed the gateway together (campaigns.max_rate), shared
	// evenly between the running campaigns. Default 500.
	MaxRate float64
	// PageSize is the most recipients claimed at once per campaign.
	// Default 500.
	PageSize int
	// Tick is how often the engine runs a pass. Default 50ms.
	Tick time.Duration
	// LeaseTTL is how long a campaign's lease lasts without renewal:
	// how long a campaign whose instance was killed waits before
	// another instance takes it over. Default 15s.
	LeaseTTL time.Duration
	// QuietHours are the rules of marketing campaigns; nil ships
	// [DefaultQuietHours]; an empty, non-nil slice applies none.
	QuietHours []QuietRule
	// FastAcks says the gateway acknowledges messages before storing
	// them (fast durability). A recipient claimed by an instance that
	// died before recording it is then marked unknown, never sent again;
	// in durable mode it is sent again when the store has no message
	// for it.
	FastAcks bool
	// OptOutText renders {{optout}} for an account that set no text of
	// its own (its template settings, store.TemplateSettingsOf, come
	// first). Default "Reply STOP to unsubscribe".
	OptOutText string
	// Links, when set (links.domain), turns the URLs of the texts into
	// tracked short links, one per recipient and URL, stored a page at a
	// time before the page is submitted; nil sends URLs as written.
	Links *Links
	// Now is the clock (tests inject one); default time.Now.
	Now func() time.Time
	// Clicks, when set, gives the account's campaign's unique clicks
	// per variant, for A/B tests judged by click rate (app wires
	// store.CampaignClicksByVariant here). Without it such a test is
	// judged by delivery rate, and says so.
	Clicks func(ctx context.Context, accountID, campaignID int64) (map[int]int64, error)
	// Finished, when set, is told of each campaign this engine completed
	// (once per campaign, by the instance that completed it), from the
	// engine's goroutine: it must not block for long.
	Finished func(ctx context.Context, c store.Campaign)
}

func (c Config) withDefaults() Config {
	if c.MaxRate <= 0 {
		c.MaxRate = 500
	}
	if c.PageSize <= 0 || c.PageSize > 10000 {
		c.PageSize = 500
	}
	if c.Tick <= 0 {
		c.Tick = 50 * time.Millisecond
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 15 * time.Second
	}
	if c.QuietHours == nil {
		c.QuietHours = DefaultQuietHours
	}
	if c.OptOutText == "" {
		c.OptOutText = "Reply STOP to unsubscribe"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Engine drives running campaigns: one goroutine owns it (Start, Stop).
// Each pass it starts scheduled campaigns that are due, takes or renews
// a lease on each running campaign (one instance drives a campaign at a
// time; a dead instance's campaign is taken over when its lease
// expires), claims a page of due recipients per campaign within its
// pacing and the platform cap, renders and checks them (consent, quiet
// hours), submits them, records the outcomes, completes campaigns that
// are done, and applies new delivery events, replies and opt-outs to
// the counters.
//
// At most once: a recipient is claimed (state sending) in the store
// before it is submitted, and its message id recorded after. A
// recipient left sending by an instance that stopped in between is
// settled by the instance that takes the campaign over: sent when the
// store holds a message with its client reference ([ClientRef]), else
// sent again in durable mode (the gateway acknowledges only stored
// messages, so none went out) or marked unknown in fast mode. The one
// window left: an instance that lost its lease without stopping (paused
// longer than LeaseTTL) while a submission is in flight; the new holder
// may find no message yet and send again.
type Engine struct {
	st    *store.Store
	sub   Submitter
	cons  Consent
	cfg   Config
	quiet *QuietHours
	log   *slog.Logger

	holder string
	runs   map[int64]*run // owned by the loop goroutine
	global bucket
	tails  time.Time // our tails lease until
	// tailsRan is when the tails last ran.
	tailsRan time.Time

	mu      sync.Mutex
	started bool
	stop    chan struct{}
	done    chan struct{}
}

// run is the engine's state of one campaign it holds.
type run struct {
	c            store.Campaign
	leaseUntil   time.Time
	tpls         []*Template // by variant (0: the campaign's own message)
	steps        []*Template // drip steps, by step - 1
	opts         Options
	enrolled     time.Time // last drip enrollment (this instance)
	b            bucket
	backoff      time.Duration
	backoffUntil time.Time
	spend, sent  int64
	// idleUntil: nothing was due at the last claim; claim again after.
	idleUntil time.Time
	// deferring: the last page was all deferred (see drive).
	deferring bool
	// A segment or date-field drip's enrollment cycle over its audience
	// (drip.go): the contact id the next pass goes on after, when the
	// cycle began, since when changed contacts are looked at again, and
	// the wall time the cycle took; the cycle ends at contact id dripTop.
	dripCursor, dripTop  int64
	dripCycle, dripSince time.Time
	dripCost             time.Duration
	// optout is what {{optout}} renders: the account's text, else
	// Config.OptOutText (read when the lease is taken).
	optout string
}

// bucket is a token bucket of rate per second and burst tokens.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, now time.Time) bucket {
	if rate <= 0 || math.IsInf(rate, 1) {
		return bucket{rate: math.Inf(1), burst: math.Inf(1), tokens: math.Inf(1), last: now}
	}
	burst := max(1, rate/2)
	return bucket{rate: rate, burst: burst, tokens: 1, last: now}
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 && !math.IsInf(b.rate, 1) {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
	}
	b.last = now
}

// NewEngine returns an engine over st that submits through sub and
// checks consent with cons (nil: the gateway's check only).
func NewEngine(st *store.Store, sub Submitter, cons Consent, cfg Config, logger *slog.Logger) (*Engine, error) {
	cfg = cfg.withDefaults()
	q, err := NewQuietHours(cfg.QuietHours)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var tok [12]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("campaign: engine holder: %w", err)
	}
	e := &Engine{st: st, sub: sub, cons: cons, cfg: cfg, quiet: q, log: logger, holder: hex.EncodeToString(tok[:]),
		runs: map[int64]*run{}}
	e.global = newBucket(cfg.MaxRate, cfg.Now())
	return e, nil
}

// Start starts the engine's goroutine; Stop ends it.
func (e *Engine) Start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return
	}
	e.started = true
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go e.loop()
}

// Stop stops the engine: the submission in flight finishes and is
// recorded (within ctx), then the campaign leases and the statistics
// tails' lease are released so another instance takes over at once.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = false
	close(e.stop)
	done := e.done
	e.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("campaign: stop engine: %w", ctx.Err())
	}
	var errs []error
	for id := range e.runs {
		if err := e.st.ReleaseCampaign(ctx, id, e.holder); err != nil {
			errs = append(errs, err)
		}
	}
	clear(e.runs)
	if !e.tails.IsZero() {
		if err := e.st.ReleaseCampaignTails(ctx, e.holder); err != nil {
			errs = append(errs, err)
		}
		e.tails = time.Time{}
	}
	return errors.Join(errs...)
}

func (e *Engine) loop() {
	defer close(e.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t := time.NewTicker(e.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		if err := e.Pass(ctx); err != nil {
			e.log.Warn("campaign engine pass", "err", err)
		}
	}
}

// submitTimeout bounds one page's submission.
const submitTimeout = 30 * time.Second

// Pass runs one pass of the engine (the loop runs one per tick; tests
// call it directly with an injected clock). It is not safe for
// concurrent use.
func (e *Engine) Pass(ctx context.Context) error {
	now := e.cfg.Now()
	var errs []error
	if _, err := e.st.StartDueCampaigns(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if now.Sub(e.tailsRan) >= tailsEvery || now.Before(e.tailsRan) {
		e.tailsRan = now
		if err := e.applyTails(ctx, now); err != nil {
			errs = append(errs, err)
		}
	}
	running, err := e.st.RunningCampaigns(ctx, 1000)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	active := make([]*run, 0, len(running))
	seen := make(map[int64]bool, len(running))
	for i := range running {
		c := running[i]
		seen[c.ID] = true
		r, err := e.hold(ctx, c, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r != nil {
			active = append(active, r)
		}
	}
	for id := range e.runs {
		if !seen[id] { // paused, cancelled, completed: the state dropped it
			delete(e.runs, id)
		}
	}
	if len(active) == 0 {
		return errors.Join(errs...)
	}
	e.global.refill(now)
	if e.sub.Saturated() {
		return errors.Join(errs...) // backpressure: nothing this pass
	}
	share := e.global.tokens / float64(len(active))
	for _, r := range active {
		// Full pages while the campaign's share lasts (bounded: the
		// other campaigns' turn comes this pass too).
		left := share
		for range maxPagesPerPass {
			claimed, sent, err := e.drive(ctx, r, left, now)
			e.global.tokens -= float64(sent)
			left -= float64(sent)
			if err != nil {
				errs = append(errs, err)
				break
			}
			if claimed < e.cfg.PageSize || left < 1 || e.runs[r.c.ID] == nil {
				break
			}
			now = e.cfg.Now()
		}
	}
	return errors.Join(errs...)
}

// hold takes or renews the lease on c and returns its run, or nil when
// another instance holds it.
func (e *Engine) hold(ctx context.Context, c store.Campaign, now time.Time) (*run, error) {
	r := e.runs[c.ID]
	if r != nil && r.leaseUntil.Sub(now) > e.cfg.LeaseTTL/2 {
		r.c = c
		return r, nil
	}
	until := now.Add(e.cfg.LeaseTTL)
	ok, err := e.st.LeaseCampaign(ctx, c.ID, e.holder, now, until)
	if err != nil {
		return nil, err
	}
	if !ok {
		delete(e.runs, c.ID)
		return nil, nil
	}
	if r != nil {
		r.c, r.leaseUntil = c, until
		return r, nil
	}
	// Newly held: settle what a previous holder left in flight, then
	// load what pacing and the budget need.
	if _, err := e.st.ResolveSending(ctx, c.AccountID, c.ID, now, !e.cfg.FastAcks, func(rid int64) string {
		return ClientRef(c.ID, rid)
	}); err != nil {
		return nil, err
	}
	r = &run{c: c, leaseUntil: until}
	rate := c.MaxRate
	if c.SpreadHours > 0 && c.Targeted > 0 {
		if sr := float64(c.Targeted) / (c.SpreadHours * 3600); rate <= 0 || sr < rate {
			rate = sr
		}
	}
	r.b = newBucket(rate, now)
	stats, err := e.st.CampaignStats(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		r.spend += s.Spend
		r.sent += s.Sent
	}
	if r.opts, err = ParseOptions(c.Options); err != nil {
		return nil, e.pause(ctx, c.ID, err.Error())
	}
	settings, err := e.st.TemplateSettingsOf(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	r.optout = settings.OptOutText
	if r.optout == "" {
		r.optout = e.cfg.OptOutText
	}
	fields, err := e.st.ContactFields(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	msgs := []Variant{{Text: c.Body, TemplateID: c.TemplateID}}
	if ab := r.opts.AB; ab != nil {
		msgs = append(msgs, ab.Variants...)
	}
	if d := r.opts.Drip; d != nil {
		for _, st := range d.Steps {
			msgs = append(msgs, Variant{Text: st.Text, TemplateID: st.TemplateID})
		}
	}
	for i, m := range msgs {
		body := m.Text
		if m.TemplateID > 0 {
			t, err := e.st.TemplateByID(ctx, c.AccountID, m.TemplateID)
			if err != nil {
				return nil, e.pause(ctx, c.ID, fmt.Sprintf("the template of variant %d cannot be read: %v", i, err))
			}
			body = t.Body
		}
		if i == 0 && body == "" && len(msgs) > 1 {
			// A/B variants or drip steps carry the texts: the campaign's own
			// is not needed.
			r.tpls = append(r.tpls, nil)
			continue
		}
		tpl, err := ParseTemplate(body, fields)
		if err != nil {
			return nil, e.pause(ctx, c.ID, fmt.Sprintf("the template of variant %d does not parse: %v", i, err))
		}
		r.tpls = append(r.tpls, tpl)
	}
	if d := r.opts.Drip; d != nil { // the steps' templates follow the campaign's own
		r.steps, r.tpls = r.tpls[1:], r.tpls[:1]
	}
	e.runs[c.ID] = r
	return r, nil
}

// pause pauses campaign id for reason.
func (e *Engine) pause(ctx context.Context, id int64, reason string) error {
	delete(e.runs, id)
	e.log.Info("campaign paused", "campaign", id, "reason", reason)
	if err := e.st.SetCampaignState(ctx, 0, id, []string{store.CampaignRunning}, store.CampaignPaused, reason); err != nil &&
		!errors.Is(err, store.ErrCampaignState) {
		return err
	}
	return nil
}

// maxPagesPerPass bounds the pages one campaign sends in one pass.
const maxPagesPerPass = 8

// idleRecheck is how long a campaign with nothing due waits before it
// looks again (deferred recipients, drip steps not yet due).
const idleRecheck = time.Second

// tailsEvery is how often the statistics tails run.
const tailsEvery = 250 * time.Millisecond

// maxBackoff bounds the wait after the gateway pushed back.
const maxBackoff = 5 * time.Second

// drive sends one page of r within its pacing and share of the platform
// cap, and returns how many recipients it claimed and how many it
// submitted (only submissions use the rate: a recipient deferred to its
// quiet hours' end or skipped costs none).
func (e *Engine) drive(ctx context.Context, r *run, share float64, now time.Time) (claimedN, submitted int, err error) {
	if now.Before(r.backoffUntil) {
		return 0, 0, nil
	}
	if r.opts.Drip != nil {
		if err := e.enroll(ctx, r, now); err != nil {
			return 0, 0, err
		}
		if e.runs[r.c.ID] == nil {
			return 0, 0, nil // paused by the enrollment (its segment deleted)
		}
	}
	if now.Before(r.idleUntil) {
		return 0, 0, nil
	}
	r.b.refill(now)
	n := int(math.Min(math.Min(r.b.tokens, share), float64(e.cfg.PageSize)))
	if c := r.c; c.BudgetCap > 0 {
		if r.spend >= c.BudgetCap {
			return 0, 0, e.pause(ctx, c.ID, "budget cap reached")
		}
		if r.sent > 0 {
			avg := float64(r.spend) / float64(r.sent)
			if avg > 0 {
				n = min(n, max(1, int(float64(c.BudgetCap-r.spend)/avg)))
			}
		}
	}
	budget := n // submissions allowed this page
	if r.deferring {
		// The last page was all deferred (quiet hours, drip times): such
		// recipients cost no rate, so claim a full page; the sendable
		// ones beyond the budget go back at once.
		n = e.cfg.PageSize
	}
	if n < 1 {
		return 0, 0, nil
	}
	claimed, err := e.st.ClaimRecipients(ctx, r.c.ID, e.holder, now, n)
	if errors.Is(err, store.ErrLeaseLost) {
		delete(e.runs, r.c.ID)
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if len(claimed) == 0 {
		r.idleUntil = now.Add(idleRecheck)
		if r.opts.Drip != nil {
			return 0, 0, nil // a drip sequence runs until cancelled
		}
		if err := e.abStep(ctx, r, now); err != nil {
			return 0, 0, err
		}
		done, err := e.st.FinishCampaign(ctx, r.c.ID)
		if done && e.cfg.Finished != nil {
			e.cfg.Finished(ctx, r.c)
		}
		if err != nil && !errors.Is(err, store.ErrCampaignState) {
			return 0, 0, err
		}
		return 0, 0, nil
	}
	outs := make([]store.RecipientOutcome, len(claimed))
	subs := make([]Submission, 0, len(claimed))
	idx := make([]int, 0, len(claimed))
	var validUntil time.Time
	if r.c.Validity > 0 {
		validUntil = now.Add(r.c.Validity)
	}
	links := pageLinks{l: e.cfg.Links, account: r.c.AccountID, campaign: r.c.ID}
	var verdicts map[int64]dripVerdict
	var exits []store.DripExit
	if r.opts.Drip != nil {
		if verdicts, err = e.dripChecks(ctx, r, claimed); err != nil {
			// Nothing sent yet: the claimed rows are settled on the
			// next lease (sending, no message: pending again).
			delete(e.runs, r.c.ID)
			return len(claimed), len(subs), err
		}
	}
	for i := range claimed {
		rc := &claimed[i]
		o := &outs[i]
		*o = store.RecipientOutcome{ID: rc.ID, Variant: rc.Variant, Step: rc.Step}
		if rc.Erased {
			// Its contact was deleted (erased) after it was targeted: a
			// later step or the rest of the audience never reaches it.
			o.State, o.Reason = store.RecipientSkipped, "contact erased"
			continue
		}
		if e.cons != nil {
			if _, blocked := e.cons.Blocked(r.c.AccountID, r.c.Sender, rc.Phone); blocked {
				o.State, o.Reason, o.OptedOut = store.RecipientSkipped, "opted_out", true
				if rc.Step >= 1 && r.opts.Drip != nil { // an opt-out ends a drip sequence
					exits = append(exits, store.DripExit{Phone: rc.Phone, Step: rc.Step, Reason: "opted out: left the sequence"})
				}
				continue
			}
		}
		var step *DripStep
		if d := r.opts.Drip; d != nil && rc.Step >= 1 && rc.Step <= len(d.Steps) {
			step = &d.Steps[rc.Step-1]
			if v, ok := verdicts[rc.ID]; ok && v.exit { // opted out, replied, left the audience
				o.State, o.Reason = store.RecipientSkipped, v.reason
				exits = append(exits, store.DripExit{Phone: rc.Phone, Step: rc.Step, Reason: v.reason})
				continue
			}
			if step.At != "" && d.DateField == "" && rc.Reason != "drip_at" { // a date field's steps are due at their time
				m, _ := clockMinutes(step.At)
				if at := nextClock(now, m, e.quiet.Location(rc.Phone, rc.Contact.TimeZone)); at.After(now) {
					o.State, o.NotBefore, o.Reason = store.RecipientPending, at, "drip_at"
					continue
				}
			}
		}
		if lt := r.opts.LocalTime; lt != "" && step == nil && rc.Reason != "local_time" {
			m, _ := clockMinutes(lt)
			start := r.c.SendAt // the first such local time from the campaign's start
			if start.IsZero() {
				start = r.c.LaunchedAt
			}
			if at := nextClock(start, m, e.quiet.Location(rc.Phone, rc.Contact.TimeZone)); at.After(now) {
				o.State, o.NotBefore, o.Reason = store.RecipientPending, at, "local_time"
				continue
			}
		}
		if r.c.Kind == KindMarketing {
			if next := e.quiet.Next(rc.Phone, rc.Contact.TimeZone, now); next.After(now) {
				o.State, o.NotBefore, o.Reason = store.RecipientPending, next, "quiet_hours"
				continue
			}
		}
		if v, ok := verdicts[rc.ID]; ok { // a step condition not met, at send time
			o.State, o.Reason = store.RecipientSkipped, v.reason
			continue
		}
		tpl := r.tpls[0]
		if rc.Variant > 0 && rc.Variant < len(r.tpls) {
			tpl = r.tpls[rc.Variant]
		}
		if step != nil {
			tpl = r.steps[rc.Step-1]
		}
		if tpl == nil {
			o.State, o.Reason = store.RecipientSkipped, "no text: the campaign has none of its own"
			continue
		}
		if len(subs) >= max(budget, 0) {
			// Beyond this page's submissions: back at once, not rendered
			// (its short links would be stored for nothing).
			o.State, o.NotBefore = store.RecipientPending, now
			continue
		}
		rcp := Recipient{Contact: rc.Contact, OptOutText: r.optout}
		if lb := links.batch(rc); lb != nil {
			rcp.Link = lb.Link(rc.ID)
		}
		text, err := tpl.Render(rcp)
		if err != nil {
			o.State, o.Reason = store.RecipientSkipped, "render: "+skipReason(err)
			continue
		}
		subs = append(subs, Submission{To: rc.Phone, From: r.c.Sender, Text: text, ClientRef: ClientRef(r.c.ID, rc.ID),
			ValidUntil: validUntil})
		idx = append(idx, i)
	}
	deferred := 0
	for i := range outs {
		if outs[i].State == store.RecipientPending && !outs[i].NotBefore.IsZero() {
			deferred++
		}
	}
	if over := len(subs) - max(budget, 0); over > 0 {
		for _, i := range idx[len(subs)-over:] {
			outs[i].State, outs[i].NotBefore = store.RecipientPending, now // not sent: back at once
		}
		subs, idx = subs[:len(subs)-over], idx[:len(idx)-over]
	}
	var linkErr error
	if err := links.flush(ctx); err != nil {
		// No code of the page is served: its texts must not go. Back at
		// once, rendered again with new codes after a backoff.
		linkErr = err
		for _, i := range idx {
			outs[i].State, outs[i].NotBefore, outs[i].Reason = store.RecipientPending, now, "retry: links not stored"
		}
		subs, idx = nil, nil
		r.backoff = min(max(2*r.backoff, 100*time.Millisecond), maxBackoff)
		r.backoffUntil = now.Add(r.backoff)
	}
	r.deferring = deferred > 0 && len(subs) == 0
	r.b.tokens -= float64(len(subs))
	var pauseReason string
	unresolved := false
	if len(subs) > 0 {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), submitTimeout)
		results := e.sub.Submit(sctx, r.c.AccountID, subs)
		cancel()
		retry := false
		for j, i := range idx {
			o := &outs[i]
			var res SubmitResult
			if j < len(results) {
				res = results[j]
			} else {
				res = SubmitResult{Outcome: Unresolved}
			}
			switch res.Outcome {
			case Sent:
				o.State, o.MessageID, o.Price = store.RecipientSent, res.MessageID, res.Price
				r.spend += res.Price
				r.sent++
			case Skip:
				o.State, o.Reason, o.OptedOut = store.RecipientSkipped, res.Reason, res.OptedOut
				if res.OptedOut && o.Step >= 1 && r.opts.Drip != nil { // an opt-out ends a drip sequence
					exits = append(exits, store.DripExit{Phone: subs[j].To, Step: o.Step, Reason: "opted out: left the sequence"})
				}
			case Pause:
				o.State, o.NotBefore = store.RecipientPending, now
				pauseReason = res.Reason
			case Unresolved:
				o.State = -1 // left sending: settled by its client reference
				unresolved = true
			default: // Retry
				retry = true
				o.State, o.NotBefore, o.Reason = store.RecipientPending, now, "retry: "+res.Reason
			}
		}
		if retry {
			r.backoff = min(max(2*r.backoff, 100*time.Millisecond), maxBackoff)
			r.backoffUntil = now.Add(r.backoff)
		} else {
			r.backoff = 0
		}
	}
	rec := outs[:0:0]
	for _, o := range outs {
		if o.State >= 0 {
			rec = append(rec, o)
		}
	}
	if err := e.st.RecordOutcomes(context.WithoutCancel(ctx), r.c.ID, now, rec); err != nil {
		// The claimed rows stay sending: drop the run, so that the next
		// pass settles them by their client references.
		delete(e.runs, r.c.ID)
		return len(claimed), len(subs), err
	}
	if err := e.endSequences(context.WithoutCancel(ctx), r, exits); err != nil {
		delete(e.runs, r.c.ID)
		return len(claimed), len(subs), err
	}
	if unresolved {
		delete(e.runs, r.c.ID)
	}
	if pauseReason != "" {
		return len(claimed), len(subs), e.pause(ctx, r.c.ID, pauseReason)
	}
	return len(claimed), len(subs), linkErr
}

// pageLinks are the short links of one page of a campaign: a batch per
// variant or drip step (so clicks count per variant), stored together
// before the page is submitted.
type pageLinks struct {
	l                 *Links // nil: links off
	account, campaign int64
	batches           map[int]*LinkBatch
}

// batch returns the batch of rc's variant or step (A/B tests and drip
// sequences are never one campaign), or nil with links off.
func (p *pageLinks) batch(rc *store.ClaimedRecipient) *LinkBatch {
	if p.l == nil {
		return nil
	}
	v := rc.Variant
	if rc.Step > 0 {
		v = rc.Step
	}
	b := p.batches[v]
	if b == nil {
		if p.batches == nil {
			p.batches = map[int]*LinkBatch{}
		}
		if v > 0 {
			b = p.l.VariantBatch(p.account, p.campaign, int64(v))
		} else {
			b = p.l.Batch(p.account, p.campaign)
		}
		p.batches[v] = b
	}
	return b
}

// flush stores the page's links.
func (p *pageLinks) flush(ctx context.Context) error {
	for _, b := range p.batches {
		if err := b.Flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

func skipReason(err error) string {
	if se, ok := errors.AsType[*SkipError](err); ok {
		return se.Reason
	}
	return err.Error()
}

// tailsPage is how many events the events tail applies per transaction.
const tailsPage = 5000

// applyTails applies new delivery events, replies and opt-outs to the
// counters, under the tails' lease.
func (e *Engine) applyTails(ctx context.Context, now time.Time) error {
	if e.tails.Sub(now) <= e.cfg.LeaseTTL/2 {
		until := now.Add(e.cfg.LeaseTTL)
		ok, err := e.st.LeaseCampaignTails(ctx, e.holder, now, until)
		if err != nil {
			return err
		}
		if !ok {
			e.tails = time.Time{}
			return nil
		}
		e.tails = until
	}
	for range 20 { // bounded per pass: 100,000 events
		n, err := e.st.ApplyCampaignEvents(ctx, e.holder, tailsPage)
		if errors.Is(err, store.ErrLeaseLost) {
			e.tails = time.Time{}
			return nil
		}
		if err != nil {
			return err
		}
		if n < tailsPage {
			break
		}
	}
	if _, err := e.st.ApplyCampaignReplies(ctx, e.holder, 1000); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		return err
	}
	if _, err := e.st.ApplyCampaignOptOuts(ctx, e.holder, 1000); err != nil && !errors.Is(err, store.ErrLeaseLost) {
		return err
	}
	return nil
}

// abStep moves r's A/B test on once no due recipient is left: it notes
// when the test group has been sent, and after the window picks the
// variant with the best rate (unless the test is decided by hand) and
// releases the held-back recipients to it.
func (e *Engine) abStep(ctx context.Context, r *run, now time.Time) error {
	if r.opts.AB == nil {
		return nil
	}
	// The stored options, fresh each pass: a person may have decided
	// the test meanwhile. Changes are compare-and-set against them.
	base := r.c.Options
	opts, err := ParseOptions(base)
	if err != nil || opts.AB == nil {
		return err
	}
	ab := opts.AB
	if ab.Winner > 0 {
		return nil
	}
	if ab.TestSentAt.IsZero() {
		left, err := e.st.TestGroupLeft(ctx, r.c.ID)
		if err != nil || left {
			return err
		}
		ab.TestSentAt = now
		_, err = e.st.SetCampaignOptions(ctx, r.c.ID, base, opts.JSON())
		return err
	}
	if ab.Manual || now.Before(ab.TestSentAt.Add(time.Duration(ab.Window)*time.Second)) {
		return nil
	}
	stats, err := e.st.CampaignStats(ctx, r.c.ID)
	if err != nil {
		return err
	}
	metric := ab.Metric
	var clicks map[int]int64
	if metric == MetricClick {
		if e.cfg.Clicks == nil {
			metric, ab.Reason = MetricDelivery, "no link tracking: judged by delivery rate"
		} else if clicks, err = e.cfg.Clicks(ctx, r.c.AccountID, r.c.ID); err != nil {
			return err
		}
	}
	rates := make([]float64, len(ab.Variants))
	for _, s := range stats {
		v := s.Variant - 1
		if v < 0 || v >= len(rates) || s.Sent == 0 {
			continue
		}
		switch metric {
		case MetricReply:
			rates[v] = float64(s.Replies) / float64(s.Sent)
		case MetricClick:
			rates[v] = float64(clicks[s.Variant]) / float64(s.Sent)
		default:
			rates[v] = float64(s.Delivered) / float64(s.Sent)
		}
	}
	best := 0
	for v := range rates {
		if rates[v] > rates[best] {
			best = v
		}
	}
	ab.Winner, ab.Rates = best+1, rates
	n, err := e.st.ChooseVariant(ctx, r.c.ID, ab.Winner, base, opts.JSON())
	if errors.Is(err, store.ErrCampaignState) {
		return nil // decided meanwhile
	}
	if err != nil {
		return err
	}
	e.log.Info("A/B test decided", "campaign", r.c.ID, "winner", ab.Winner, "metric", metric, "rates", rates, "released", n)
	return nil
}
