package gateway

import (
	"errors"
	"net/http"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/webhook"
)

// ProblemInvalidURL is the problem type of a callback URL the webhook
// address policy refuses: malformed, or leading to a private or
// special-purpose address (see webhook.Guard).
const ProblemInvalidURL = "invalid-url"

// publicOnly judges callback URLs when the service has no dispatcher:
// the default policy, public addresses only, counted nowhere.
var publicOnly = webhook.PublicOnly()

// urlGuard is the guard of the dispatcher the service posts through.
func (s *Service) urlGuard() *webhook.Guard {
	if s.hook != nil {
		return s.hook.Guard()
	}
	return publicOnly
}

// checkCallbackURL judges a message's callback_url under the webhook
// address policy, without a DNS lookup (one per message would cost too
// much; the dispatcher's dialer checks every address it connects to).
func (s *Service) checkCallbackURL(raw string) *Refusal {
	if err := s.urlGuard().CheckURL(raw); err != nil {
		return urlRefusal("callback_url", err)
	}
	return nil
}

// urlRefusal is the refusal of a URL in field for err, a webhook.Guard
// error.
func urlRefusal(field string, err error) *Refusal {
	detail := "the URL is not allowed"
	if ue, ok := errors.AsType[*webhook.URLError](err); ok {
		detail = ue.Detail
	}
	// HTTP-only, like build's other checks: the SMPP status is never sent.
	return refuse(pdu.StatusInvMsgLen, ProblemInvalidURL, http.StatusBadRequest, field, detail)
}
