package smpp

import (
	"sync"
	"sync/atomic"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Stats is a snapshot of a session's counters. The gateway exports them as
// metrics; the session keeps them with atomics, published once per read or
// write rather than once per PDU where it can.
type Stats struct {
	PDUsIn   uint64 // PDUs received
	PDUsOut  uint64 // PDUs queued for sending
	BytesIn  uint64 // octets received
	BytesOut uint64 // octets written
	Reads    uint64 // read system calls that returned data
	Writes   uint64 // write calls (each carries one or more PDUs)

	Outstanding int // our requests awaiting a response (window in use)
	Inbound     int // peer requests awaiting Respond

	InboundThrottled uint64 // peer requests answered ESME_RTHROTTLED by the session (MaxInbound reached)
	InboundPauses    uint64 // times the reader stopped for room (MaxInbound reached, InboundBackpressure)
	Unanswered       uint64 // peer requests left unanswered while unbinding or abandoned (InboundBackpressure; see Session.Abandon)
	Rejected         uint64 // peer requests answered with an error by the session (bind state, unknown command_id)
	UnknownResponses uint64 // responses matching no outstanding request, dropped
	ResponseTimeouts uint64 // our requests that got ErrResponseTimeout

	// InboundErrors counts the peer requests answered with an error
	// status, by the session or through Respond, by command and status;
	// nil when there were none.
	InboundErrors map[InboundError]uint64
}

// InboundError names a kind of peer request answered with an error: the
// request's command_id (0 when it is not a known one) and the status it
// was answered with.
type InboundError struct {
	Command pdu.CommandID
	Status  pdu.Status
}

// counters are the session's atomically updated statistics.
type counters struct {
	pdusIn, bytesIn, reads atomic.Uint64 // reader, once per read
	bytesOut, writes       atomic.Uint64 // writer, once per write
	throttled, rejected    atomic.Uint64
	unknown, timeouts      atomic.Uint64
	pauses, unanswered     atomic.Uint64

	emu  sync.Mutex // guards errs
	errs map[InboundError]uint64
}

// inboundError counts one peer request answered with status.
func (c *counters) inboundError(cmd pdu.CommandID, status pdu.Status) {
	if !cmd.Known() {
		cmd = 0 // the peer chooses unknown ids: one key for all of them
	}
	c.emu.Lock()
	if c.errs == nil {
		c.errs = map[InboundError]uint64{}
	}
	c.errs[InboundError{Command: cmd, Status: status}]++
	c.emu.Unlock()
}

// inboundErrors returns a copy of the error counts, or nil.
func (c *counters) inboundErrors() map[InboundError]uint64 {
	c.emu.Lock()
	defer c.emu.Unlock()
	if len(c.errs) == 0 {
		return nil
	}
	m := make(map[InboundError]uint64, len(c.errs))
	for k, v := range c.errs {
		m[k] = v
	}
	return m
}
