package gateway

import (
	"github.com/gallant-sms/gallant/consent"
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
	ProblemOptedOut       = "recipient-opted-out"
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

// optedOut refuses a message to number, which opted out at scope: it
// names both, as issue 12 asks (an HTTP 422 recipient-opted-out, SMPP
// ESME_RINVDSTADR).
func optedOut(number string, scope consent.Scope) *Refusal {
	var of string
	switch scope {
	case consent.ScopeGlobal:
		of = "all messages on this platform"
	case consent.ScopeSender:
		of = "messages from this sender"
	default:
		of = "messages from this account"
	}
	return refuse(pdu.StatusInvDstAdr, ProblemOptedOut, 422, "to",
		"+"+number+" has opted out of "+of+" (scope "+scope.String()+")")
}
