package smpp

import (
	"context"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// handleBind handles a bind request: on a server session in Open it
// decodes, authenticates and answers it; otherwise it is refused.
func (s *Session) handleBind(h pdu.Header, body []byte) {
	st := s.State()
	switch {
	case s.role != roleMC:
		s.ctr.rejected.Add(1)
		s.reply(h, pdu.StatusInvBndSts, nil)
		return
	case st != Open:
		s.ctr.rejected.Add(1)
		s.reply(h, pdu.StatusAlyBnd, nil)
		return
	}
	b := pdu.Bind{ID: h.ID}
	if err := b.Decode(body); err != nil {
		s.refuseBind(h, pdu.StatusOf(err), err)
		return
	}
	req := BindRequest{
		SystemID:         string(b.SystemID),
		Password:         string(b.Password),
		SystemType:       string(b.SystemType),
		InterfaceVersion: b.InterfaceVersion,
		BindType:         bindTypeOf(h.ID),
		AddrTON:          b.AddrTON,
		AddrNPI:          b.AddrNPI,
		AddressRange:     string(b.AddressRange),
		RemoteAddr:       s.conn.RemoteAddr(),
	}
	status := pdu.StatusBindFail // no owner: a client session refuses binds above
	var v any
	if s.owner != nil {
		v, status = s.authorize(req)
	}
	if status != pdu.StatusOK {
		s.refuseBind(h, status, &BindError{Status: status})
		return
	}
	resp := pdu.BindResp{ID: h.ID.Response(), SystemID: []byte(s.localID)}
	rb := resp.AppendBody(make([]byte, 0, 32))
	if req.InterfaceVersion >= 0x34 {
		rb = pdu.AppendTLVByte(rb, pdu.TagScInterfaceVersion, s.version)
	}
	// Bound and bind_resp queued in one step: whoever sees the session
	// bound (Server.Shutdown, a Send) acts after the bind_resp.
	if err := s.out.putAnd(pdu.Header{ID: h.ID.Response(), Seq: h.Seq}, rb, func() {
		s.setBound(req.SystemID, req.BindType, req.InterfaceVersion, v)
	}); err != nil {
		return
	}
	s.logger().Info("smpp: bound", "interface_version", req.InterfaceVersion)
	if s.owner != nil {
		s.owner.bound(s)
	}
}

// authorize runs the owner's bind decision with a context that ends at
// the bind deadline or when the session closes.
func (s *Session) authorize(req BindRequest) (any, pdu.Status) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if bt := s.cfg.BindTimeout; bt > 0 {
		ctx, cancel = context.WithDeadline(ctx, s.start.Add(bt))
		defer cancel()
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // ends when authorize returns
		select {
		case <-s.closing:
			cancel()
		case <-stop:
		}
	}()
	return s.owner.authorize(ctx, s, req)
}

// refuseBind answers a bind with a header-only error response and closes.
// It logs at debug level only: refusals come as fast as anyone can
// connect, and the Authenticator, which knows why it refused, reports
// them (at a bounded rate, in the gateway).
func (s *Session) refuseBind(h pdu.Header, status pdu.Status, err error) {
	s.logger().Debug("smpp: bind refused", "status", status.Name(), "err", err)
	s.reply(h, status, nil)
	s.shutdown(CloseBindFailed, err, true)
}
