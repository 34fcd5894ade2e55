package smpp

import (
	"context"
	"net"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// BindRequest is a decoded bind as the server's Authenticator sees it.
type BindRequest struct {
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion byte // 0x34 for SMPP 3.4, 0x50 for 5.0, ≤0x33 older
	BindType         BindType
	AddrTON          byte
	AddrNPI          byte
	AddressRange     string
	RemoteAddr       net.Addr
}

// Authenticator decides a bind on a [Server]. It returns pdu.StatusOK and
// a value that the session keeps (Session.Value, for example the
// account), or the status to refuse with: ESME_RBINDFAIL (0x0D) for wrong
// credentials, ESME_RINVPASWD / ESME_RINVSYSID only for malformed fields
// (docs/smpp.md, "Command status codes"). A refused bind gets a header-only bind_*_resp and the
// connection is closed.
//
// Authenticate runs on the session's reader goroutine, the only work in
// flight before a bind; it must honour ctx, whose deadline is the
// session's bind deadline (SessionConfig.BindTimeout).
type Authenticator interface {
	Authenticate(ctx context.Context, req BindRequest) (value any, status pdu.Status)
}

// AuthenticatorFunc adapts a function to [Authenticator].
type AuthenticatorFunc func(ctx context.Context, req BindRequest) (any, pdu.Status)

// Authenticate calls f(ctx, req).
func (f AuthenticatorFunc) Authenticate(ctx context.Context, req BindRequest) (any, pdu.Status) {
	return f(ctx, req)
}
