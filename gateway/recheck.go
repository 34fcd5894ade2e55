package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
)

// Open binds are checked against the store every Config.BindRecheck: a
// credential deleted or narrowed, or an account suspended, on any
// instance ends the binds it no longer allows here within that time (the
// instance that made the change ends its own at once).
const (
	defaultBindRecheck = 15 * time.Second
	// recheckUnbindTimeout bounds the graceful unbind of a bind no
	// longer allowed; then the connection is closed.
	recheckUnbindTimeout = 5 * time.Second
)

// recheckLoop runs recheckBinds every Config.BindRecheck until stop.
func (c *customers) recheckLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.s.cfg.BindRecheck)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			c.recheckBinds()
		}
	}
}

// recheckBinds checks every open customer bind once and unbinds those no
// longer allowed, each on a goroutine of its own owned by c.
func (c *customers) recheckBinds() {
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.BindRecheck)
	defer cancel()
	verdict := map[account.Binding]error{} // one store lookup per system_id and account
	sessions := c.srv.Sessions()
	if c.ending == nil {
		c.ending = map[*smpp.Session]struct{}{}
	}
	open := make(map[*smpp.Session]struct{}, len(sessions))
	for _, sess := range sessions {
		open[sess] = struct{}{}
	}
	for sess := range c.ending {
		if _, ok := open[sess]; !ok {
			delete(c.ending, sess) // gone: ended
		}
	}
	for _, sess := range sessions {
		b, ok := sess.Value().(account.Binding)
		if !ok {
			continue
		}
		if _, ok := c.ending[sess]; ok {
			continue // still unbinding from an earlier recheck
		}
		err, seen := verdict[b]
		if !seen || errors.Is(err, account.ErrAddress) { // the address is per session
			err = c.s.acc.Recheck(ctx, b, sess.RemoteAddr())
			verdict[b] = err
		}
		switch {
		case err == nil:
		case errors.Is(err, account.ErrUnauthorized), errors.Is(err, account.ErrSuspended), errors.Is(err, account.ErrAddress):
			c.s.log.Info("ending a bind no longer allowed", "system_id", b.SystemID, "account", b.AccountID,
				"remote", sess.RemoteAddr().String(), "reason", err)
			c.s.m.bindsEnded.Inc()
			c.ending[sess] = struct{}{}
			c.wg.Add(1)
			go c.endBind(sess)
		default:
			// The store is away: keep the binds, try again next time.
			c.s.log.Warn("recheck binds", "system_id", b.SystemID, "err", err)
			return
		}
	}
}

// endBind unbinds sess gracefully, or closes it when that takes too long.
func (c *customers) endBind(sess *smpp.Session) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), recheckUnbindTimeout)
	defer cancel()
	if err := sess.Unbind(ctx); err != nil {
		_ = sess.Close()
	}
}
