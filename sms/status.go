package sms

import "errors"

// Status is where a message stands. Every change is stored with its time
// and, where a carrier gave one, its error code.
type Status uint8

// The statuses of a message, in the order a successful one passes them.
const (
	StatusUnknown     Status = iota
	StatusAccepted           // accepted and persisted, not yet routed
	StatusScheduled          // held until its send time
	StatusQueued             // in a carrier queue
	StatusSubmitted          // acknowledged by the carrier
	StatusDelivered          // final: the handset has it
	StatusUndelivered        // final: the carrier could not deliver it
	StatusExpired            // final: its validity ran out first
	StatusRejected           // final: refused by us or the carrier before sending
	StatusFailed             // final: could not be sent (no route, carrier errors)
)

var statusNames = [...]string{
	StatusUnknown:     "unknown",
	StatusAccepted:    "accepted",
	StatusScheduled:   "scheduled",
	StatusQueued:      "queued",
	StatusSubmitted:   "submitted",
	StatusDelivered:   "delivered",
	StatusUndelivered: "undelivered",
	StatusExpired:     "expired",
	StatusRejected:    "rejected",
	StatusFailed:      "failed",
}

// ErrBadStatus is returned by ParseStatus for an unknown name.
var ErrBadStatus = errors.New("sms: unknown status")

// String returns the status's API name (lower case).
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// ParseStatus returns the Status with the API name s.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if i > 0 && n == s {
			return Status(i), nil
		}
	}
	return StatusUnknown, ErrBadStatus
}

// Final reports whether no further change is expected.
func (s Status) Final() bool { return s >= StatusDelivered }

// Success reports whether s is the successful final status.
func (s Status) Success() bool { return s == StatusDelivered }

// MarshalText implements encoding.TextMarshaler (JSON uses the name).
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
