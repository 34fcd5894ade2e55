package gateway

import (
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Refusal is why the gateway will not take a message, in both of the
// forms a customer understands: an SMPP command_status and an HTTP
// problem type (a stable slug; see docs/api.md) with an HTTP status.
type Refusal struct {
	Status  pdu.Status // answer on SMPP
	Problem string     // problem type slug on HTTP
	HTTP    int        // HTTP status code
	Field   string     // the request field at fault, if any
	Detail  string     // a sentence for humans
}

// Error returns the detail with the problem slug.
func (r *Refusal) Error() string { return "gateway: " + r.Problem + ": " + r.Detail }

// Problem type slugs the gateway refuses with.
const (
	ProblemInvalidRequest = "invalid-request"
	ProblemInvalidNumber  = "invalid-number"
	ProblemInvalidSender  = "invalid-sender"
	ProblemTooLong        = "message-too-long"
	ProblemSuppressed     = "suppressed"
	ProblemNoRoute        = "no-route"
	ProblemRateLimited    = "rate-limited"
	ProblemBackpressure   = "backpressure"
	ProblemNotFound       = "not-found"
	ProblemSuspended      = "forbidden"
	ProblemInternal       = "internal"
)

func refuse(st pdu.Status, problem string, http int, field, detail string) *Refusal {
	return &Refusal{Status: st, Problem: problem, HTTP: http, Field: field, Detail: detail}
}
