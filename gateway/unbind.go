package gateway

import (
	"context"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp"
)

// UnbindGrace bounds how long [Service.UnbindAccount] and
// [Service.UnbindSystemID] let the binds they end drain; what remains is
// then closed.
const UnbindGrace = 5 * time.Second

// UnbindAccount ends this instance's customer binds of account id (a
// suspended account) and returns how many it ended; see
// [Service.unbindWhere]. Other instances refuse the account's binds and
// keys within their cache life, and end sessions already open there at
// their next recheck of open binds (Config.BindRecheck).
func (s *Service) UnbindAccount(ctx context.Context, id int64) int {
	return s.unbindWhere(ctx, func(sess *smpp.Session) bool {
		b, ok := sess.Value().(account.Binding)
		return ok && b.AccountID == id
	})
}

// UnbindSystemID ends this instance's customer binds of systemID (a
// changed or deleted SMPP credential), so that the change takes effect
// here at once: the client binds again and is checked against the new
// settings. It returns how many it ended. Other instances end theirs at
// their next recheck against the store (Config.BindRecheck).
func (s *Service) UnbindSystemID(ctx context.Context, systemID string) int {
	return s.unbindWhere(ctx, func(sess *smpp.Session) bool { return sess.SystemID() == systemID })
}

// unbindWhere ends the customer sessions that match gracefully
// (outstanding submits answered, then unbind), or closes them when
// UnbindGrace passes first; ctx's cancellation does not cut the grace
// short (the caller's request may end before its sessions have drained).
func (s *Service) unbindWhere(ctx context.Context, match func(*smpp.Session) bool) int {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), UnbindGrace)
	defer cancel()
	n := 0
	for _, sess := range s.SMPPServer().Sessions() {
		if !match(sess) {
			continue
		}
		if err := sess.Unbind(ctx); err != nil {
			s.log.Warn("unbind a customer session", "system_id", sess.SystemID(), "err", err)
		}
		n++
	}
	return n
}
