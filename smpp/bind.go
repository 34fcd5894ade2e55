package smpp

import (
	"strconv"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// BindType says which of the three binds a session made.
type BindType uint8

// The bind types. The zero value is not a bind.
const (
	Transmitter BindType = iota + 1 // bind_transmitter: ESME submits
	Receiver                        // bind_receiver: MC delivers
	Transceiver                     // bind_transceiver: both
)

// String returns the SMPP name of t.
func (t BindType) String() string {
	switch t {
	case Transmitter:
		return "transmitter"
	case Receiver:
		return "receiver"
	case Transceiver:
		return "transceiver"
	}
	return "bind_type(" + strconv.Itoa(int(t)) + ")"
}

// CommandID returns the bind request id for t, or 0 for an invalid t.
func (t BindType) CommandID() pdu.CommandID {
	switch t {
	case Transmitter:
		return pdu.BindTransmitter
	case Receiver:
		return pdu.BindReceiver
	case Transceiver:
		return pdu.BindTransceiver
	}
	return 0
}

// CanSend reports whether an ESME bound with t may submit messages.
func (t BindType) CanSend() bool { return t == Transmitter || t == Transceiver }

// CanReceive reports whether an ESME bound with t may be sent messages
// (deliver_sm, receipts) by the MC.
func (t BindType) CanReceive() bool { return t == Receiver || t == Transceiver }

// Valid reports whether t is one of the three bind types.
func (t BindType) Valid() bool { return t >= Transmitter && t <= Transceiver }

// bindTypeOf returns the bind type of a bind request or response id.
func bindTypeOf(id pdu.CommandID) BindType {
	switch id.Request() {
	case pdu.BindTransmitter:
		return Transmitter
	case pdu.BindReceiver:
		return Receiver
	case pdu.BindTransceiver:
		return Transceiver
	}
	return 0
}

// BindState is a session's place in the SMPP 3.4 state machine
// (docs/smpp.md, "Session states and who may send what").
type BindState uint32

// The session states.
const (
	Open      BindState = iota // connected, not bound
	BoundTX                    // bound as transmitter
	BoundRX                    // bound as receiver
	BoundTRX                   // bound as transceiver
	Unbinding                  // unbind sent or being drained; no new requests
	Closed                     // connection gone
)

// String returns the SMPP name of st.
func (st BindState) String() string {
	switch st {
	case Open:
		return "open"
	case BoundTX:
		return "bound_tx"
	case BoundRX:
		return "bound_rx"
	case BoundTRX:
		return "bound_trx"
	case Unbinding:
		return "unbinding"
	case Closed:
		return "closed"
	}
	return "bind_state(" + strconv.Itoa(int(st)) + ")"
}

// Bound reports whether st is one of the three bound states.
func (st BindState) Bound() bool { return st >= BoundTX && st <= BoundTRX }

// boundState returns the state a successful bind of type t leads to.
func boundState(t BindType) BindState {
	switch t {
	case Transmitter:
		return BoundTX
	case Receiver:
		return BoundRX
	case Transceiver:
		return BoundTRX
	}
	return Open
}

// role is which end of the protocol a session plays.
type role uint8

const (
	roleESME role = iota // we bound to an MC (Client)
	roleMC               // an ESME bound to us (Server)
)

// legal reports whether a request id may be sent by the given sender role
// on a session bound with t (docs/smpp.md, "Session states and who may send what"). enquire_link,
// unbind and the binds are handled separately by the session.
func legal(sender role, t BindType, id pdu.CommandID) bool {
	switch id {
	case pdu.SubmitSMID, pdu.SubmitMultiID, pdu.QuerySMID, pdu.CancelSMID, pdu.ReplaceSMID:
		return sender == roleESME && t.CanSend()
	case pdu.DeliverSMID, pdu.AlertNotificationID:
		return sender == roleMC && t.CanReceive()
	case pdu.DataSMID:
		if sender == roleESME {
			return t.CanSend()
		}
		return t.CanReceive()
	case pdu.EnquireLink:
		return true
	case pdu.Unbind:
		return t.Valid()
	}
	return false
}
