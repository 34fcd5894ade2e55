package pdutext

import "strconv"

// MessageState is the SMPP message_state (SMPP 3.4 §5.2.28, v5.0 adds
// Scheduled and Skipped), sent in query_sm_resp and in the message_state
// TLV of a delivery receipt.
type MessageState byte

// The message states.
const (
	StateScheduled     MessageState = 0 // v5.0: scheduled, not yet attempted
	StateEnroute       MessageState = 1
	StateDelivered     MessageState = 2
	StateExpired       MessageState = 3
	StateDeleted       MessageState = 4
	StateUndeliverable MessageState = 5
	StateAccepted      MessageState = 6
	StateUnknown       MessageState = 7
	StateRejected      MessageState = 8
	StateSkipped       MessageState = 9 // v5.0: deliberately not sent
)

var stateNames = [...]string{
	"SCHEDULED", "ENROUTE", "DELIVERED", "EXPIRED", "DELETED",
	"UNDELIVERABLE", "ACCEPTED", "UNKNOWN", "REJECTED", "SKIPPED",
}

// String returns the state's spec name, such as "DELIVERED", or the number
// for a value outside the table.
func (m MessageState) String() string {
	if int(m) < len(stateNames) {
		return stateNames[m]
	}
	return "MessageState(" + strconv.Itoa(int(m)) + ")"
}

// Stat returns the receipt stat text for m; StatUnknown for a value
// outside the table.
func (m MessageState) Stat() Stat {
	if int(m) < len(stateStats) {
		return stateStats[m]
	}
	return StatUnknown
}

// Final reports whether m ends the message's life: everything but
// Scheduled, Enroute and Accepted (see [Stat.Final]).
func (m MessageState) Final() bool {
	return m.Stat().Final()
}

// Stat is the "stat:" word of a delivery receipt (SMPP 3.4 Appendix B).
// Receipts from carriers may carry words outside the constants; they are
// kept as received (upper-cased) and count as [StateUnknown].
type Stat string

// The receipt stat words. SMPP 3.4 defines none for Scheduled and Skipped;
// these are the names in use.
const (
	StatScheduled     Stat = "SCHEDULED"
	StatEnroute       Stat = "ENROUTE"
	StatDelivered     Stat = "DELIVRD"
	StatExpired       Stat = "EXPIRED"
	StatDeleted       Stat = "DELETED"
	StatUndeliverable Stat = "UNDELIV"
	StatAccepted      Stat = "ACCEPTD"
	StatUnknown       Stat = "UNKNOWN"
	StatRejected      Stat = "REJECTD"
	StatSkipped       Stat = "SKIPPED"
)

var stateStats = [...]Stat{
	StatScheduled, StatEnroute, StatDelivered, StatExpired, StatDeleted,
	StatUndeliverable, StatAccepted, StatUnknown, StatRejected, StatSkipped,
}

// State returns the message_state of s. The in-progress words some MCs
// send (ACKED, BUFFRED, BUFFERD) are Enroute; any word not known is
// Unknown.
func (s Stat) State() MessageState {
	switch s {
	case StatScheduled, "SCHEDUL", "SCHEDLD":
		return StateScheduled
	case StatEnroute, "ACKED", "BUFFRED", "BUFFERD":
		return StateEnroute
	case StatDelivered:
		return StateDelivered
	case StatExpired:
		return StateExpired
	case StatDeleted:
		return StateDeleted
	case StatUndeliverable:
		return StateUndeliverable
	case StatAccepted:
		return StateAccepted
	case StatRejected:
		return StateRejected
	case StatSkipped:
		return StateSkipped
	}
	return StateUnknown
}

// Final reports whether a receipt with s ends the message's life
// (docs/smpp.md, "Receipt text and stat values"): Scheduled, Enroute and Accepted (an operator's or an
// aggregator's acknowledgement) are not final; anything else is,
// including words not known, which count as failures.
func (s Stat) Final() bool {
	switch s.State() {
	case StateScheduled, StateEnroute, StateAccepted:
		return false
	}
	return true
}

// Delivered reports whether s means the message reached the handset.
func (s Stat) Delivered() bool {
	return s.State() == StateDelivered
}

// parseStat returns the Stat for the word b, case-insensitively, without
// allocating for the known words.
func parseStat(b string) Stat {
	var up [9]byte
	if len(b) <= len(up) {
		for i := 0; i < len(b); i++ {
			up[i] = upper(b[i])
		}
		switch w := up[:len(b)]; string(w) {
		case string(StatScheduled):
			return StatScheduled
		case string(StatEnroute):
			return StatEnroute
		case string(StatDelivered):
			return StatDelivered
		case string(StatExpired):
			return StatExpired
		case string(StatDeleted):
			return StatDeleted
		case string(StatUndeliverable):
			return StatUndeliverable
		case string(StatAccepted):
			return StatAccepted
		case string(StatUnknown):
			return StatUnknown
		case string(StatRejected):
			return StatRejected
		case string(StatSkipped):
			return StatSkipped
		}
	}
	for i := 0; i < len(b); i++ {
		if c := b[i]; c >= 'a' && c <= 'z' {
			return Stat(string(upperBytes(b)))
		}
	}
	return Stat(b)
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func upperBytes(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		b[i] = upper(c)
	}
	return b
}
