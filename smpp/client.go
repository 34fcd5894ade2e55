package smpp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Reconnect backoff defaults.
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
)

// RateLimiter paces a Client's requests; *rate.Limiter from
// golang.org/x/time/rate satisfies it. Wait blocks until one PDU may be
// sent or ctx ends.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// Client keeps a persistent bind to an MC: it connects and binds, keeps
// the bind alive with enquire_link, and after a loss reconnects with
// exponential backoff and full jitter (MinBackoff doubling to
// MaxBackoff, reset by a successful bind). A bind refused with a
// non-temporary status is retried at MaxBackoff and reported through
// OnState and the log.
//
// Every request in flight on a lost connection gets ErrConnectionLost
// (retryable) in its Responder; none is dropped silently. A Client's
// methods are safe for concurrent use.
type Client struct {
	cfg ClientConfig
	log *slog.Logger

	sess     atomic.Pointer[Session]
	state    atomic.Uint32 // BindState
	closed   atomic.Bool
	graceful atomic.Bool

	startOnce sync.Once
	cancel    context.CancelFunc // set by Start
	loopDone  chan struct{}

	mu      sync.Mutex
	boundCh chan struct{} // closed while bound; replaced when the bind is lost
}

// NewClient returns a Client for cfg; Start connects it. logger may be
// nil.
func NewClient(cfg ClientConfig, logger *slog.Logger) (*Client, error) {
	if _, err := cfg.bindPDU(); err != nil {
		return nil, err
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		cfg:      cfg,
		log:      logger.With("smsc", cfg.Addr, "system_id", cfg.SystemID),
		loopDone: make(chan struct{}),
		boundCh:  make(chan struct{}),
	}
	c.state.Store(uint32(Closed))
	return c, nil
}

// Start launches the goroutine that connects, binds and reconnects. It
// returns at once; later calls do nothing, and so does a call after
// Close.
func (c *Client) Start() {
	c.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		c.cancel = cancel
		go c.run(ctx)
	})
}

// run is the Client's goroutine.
func (c *Client) run(ctx context.Context) {
	defer close(c.loopDone)
	attempt := 0
	for {
		c.setState(Open, nil)
		s, err := Dial(ctx, c.cfg, c.log)
		if err != nil {
			if ctx.Err() != nil {
				c.setState(Closed, nil)
				return
			}
			delay := backoff(c.cfg.MinBackoff, c.cfg.MaxBackoff, attempt)
			attempt++
			var be *BindError
			if errors.As(err, &be) && !be.Status.Temporary() {
				delay = c.cfg.MaxBackoff
				c.log.Error("smpp: bind refused", "status", be.Status.Name(), "retry_in", delay)
			} else {
				c.log.Warn("smpp: connect failed", "err", err, "retry_in", delay)
			}
			c.setState(Closed, err)
			if !sleep(ctx, delay) {
				return
			}
			continue
		}
		attempt = 0
		c.sess.Store(s)
		c.setState(s.State(), nil)
		select {
		case <-s.Done():
		case <-ctx.Done():
			if !c.graceful.Load() || !s.beginUnbind() {
				s.Abort()
			}
			<-s.Done()
		}
		c.sess.Store(nil)
		if ctx.Err() != nil {
			c.setState(Closed, nil)
			return
		}
		c.log.Warn("smpp: bind lost", "reason", s.CloseReason().String(), "err", s.Err())
		c.setState(Closed, lostError(s))
		delay := backoff(c.cfg.MinBackoff, c.cfg.MaxBackoff, attempt)
		attempt++
		if !sleep(ctx, delay) {
			return
		}
	}
}

// lostError describes why a bound session ended.
func lostError(s *Session) error {
	if err := s.Err(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrConnectionLost, s.CloseReason(), err)
	}
	return fmt.Errorf("%w: %s", ErrConnectionLost, s.CloseReason())
}

// setState records st and calls OnState.
func (c *Client) setState(st BindState, err error) {
	old := BindState(c.state.Swap(uint32(st)))
	c.mu.Lock()
	switch {
	case st.Bound() && !old.Bound():
		close(c.boundCh)
	case !st.Bound() && old.Bound():
		c.boundCh = make(chan struct{})
	}
	c.mu.Unlock()
	if c.cfg.OnState != nil && (old != st || err != nil) {
		c.cfg.OnState(st, err)
	}
}

// backoff returns a delay with full jitter: uniform in [0, min·2^attempt]
// capped at max.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := hi
	if attempt < 32 {
		d = min(hi, lo<<attempt)
	}
	if d <= 0 {
		d = hi
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// sleep waits d or until ctx ends; it reports false in the latter case.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// State returns the bind state: Open while connecting or binding, a bound
// state, or Closed between attempts and after Close.
func (c *Client) State() BindState { return BindState(c.state.Load()) }

// Bound reports whether the client is bound now.
func (c *Client) Bound() bool { return c.State().Bound() }

// Session returns the current bound session, or nil.
func (c *Client) Session() *Session { return c.sess.Load() }

// WaitBound waits until the client is bound, ctx ends, or the client is
// closed.
func (c *Client) WaitBound(ctx context.Context) error {
	for {
		if c.closed.Load() {
			return ErrClientClosed
		}
		c.mu.Lock()
		ch := c.boundCh
		c.mu.Unlock()
		select {
		case <-ch:
			if c.Bound() {
				return nil
			}
		case <-c.loopDone:
			return ErrClientClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// session returns the bound session.
func (c *Client) session() (*Session, error) {
	if c.closed.Load() {
		return nil, ErrClientClosed
	}
	if s := c.sess.Load(); s != nil && s.State().Bound() {
		return s, nil
	}
	return nil, ErrNotBound
}

// wait applies the rate limiter.
func (c *Client) wait(ctx context.Context) error {
	if c.cfg.RateLimiter == nil {
		return nil
	}
	if err := c.cfg.RateLimiter.Wait(ctx); err != nil {
		return fmt.Errorf("smpp: rate limiter: %w", err)
	}
	return nil
}

// Send is [Session.Send] on the current bind, after the rate limiter. It
// fails with ErrNotBound while disconnected.
func (c *Client) Send(ctx context.Context, id pdu.CommandID, body []byte, r Responder) (uint32, error) {
	s, err := c.session()
	if err != nil {
		return 0, err
	}
	if err := c.wait(ctx); err != nil {
		return 0, err
	}
	return s.Send(ctx, id, body, r)
}

// TrySend is [Session.TrySend] on the current bind. It waits for the rate
// limiter (which paces rather than refuses) but not for the window.
func (c *Client) TrySend(id pdu.CommandID, body []byte, r Responder) (uint32, error) {
	s, err := c.session()
	if err != nil {
		return 0, err
	}
	if err := c.wait(context.Background()); err != nil {
		return 0, err
	}
	return s.TrySend(id, body, r)
}

// Call is [Session.Call] on the current bind, after the rate limiter.
func (c *Client) Call(ctx context.Context, id pdu.CommandID, body []byte) (pdu.Header, []byte, error) {
	s, err := c.session()
	if err != nil {
		return pdu.Header{}, nil, err
	}
	if err := c.wait(ctx); err != nil {
		return pdu.Header{}, nil, err
	}
	return s.Call(ctx, id, body)
}

// Close stops reconnecting and closes the current bind at once (its
// outstanding requests get ErrConnectionLost), waiting for the Client's
// goroutine. It is idempotent and returns nil.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.graceful.Store(false)
	c.stop()
	if s := c.sess.Load(); s != nil {
		s.Abort()
	}
	<-c.loopDone
	return nil
}

// Unbind stops reconnecting and unbinds gracefully (see
// [Session.Unbind]); when ctx ends first it closes at once and returns
// ctx.Err().
func (c *Client) Unbind(ctx context.Context) error {
	c.closed.Store(true)
	c.graceful.Store(true)
	c.stop()
	select {
	case <-c.loopDone:
		return nil
	case <-ctx.Done():
		c.Close()
		return ctx.Err()
	}
}

// stop cancels the Client's goroutine, or marks it done if never started.
func (c *Client) stop() {
	c.startOnce.Do(func() { close(c.loopDone) })
	if c.cancel != nil {
		c.cancel()
	}
}
