package smpp

import "sync/atomic"

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
	Rejected         uint64 // peer requests answered with an error by the session (bind state, unknown command_id)
	UnknownResponses uint64 // responses matching no outstanding request, dropped
	ResponseTimeouts uint64 // our requests that got ErrResponseTimeout
}

// counters are the session's atomically updated statistics.
type counters struct {
	pdusIn, bytesIn, reads atomic.Uint64 // reader, once per read
	bytesOut, writes       atomic.Uint64 // writer, once per write
	throttled, rejected    atomic.Uint64
	unknown, timeouts      atomic.Uint64
}
