package api

import (
	"context"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// Alerts is the service behind the low-balance alert settings of an
// account. Its methods act on account accountID on behalf of p and apply
// the account policy (the account's owner, its reseller or an admin): an
// account p may not manage, or one that does not exist, is a not-found or
// forbidden [*Error]; bad settings are an invalid-request [*Error]. A nil
// Alerts in Deps answers the endpoints 404: alerts are not enabled.
type Alerts interface {
	// GetAlerts returns the settings of account accountID (a zero
	// threshold when none were set).
	GetAlerts(ctx context.Context, p Principal, accountID int64) (AlertSettings, error)
	// PutAlerts replaces the settings of account accountID and returns
	// them as stored; the alert is armed again.
	PutAlerts(ctx context.Context, p Principal, accountID int64, in AlertInput) (AlertSettings, error)
}

// alertBody is the body of PUT /v1/accounts/{id}/alerts.
type alertBody struct {
	LowBalanceThreshold *string `json:"low_balance_threshold"`
	Email               string  `json:"email"`
	WebhookURL          string  `json:"webhook_url"`
}

// maxAlertBody bounds a PUT body: three short fields.
const maxAlertBody = 8 << 10

// alertRoutes registers the low-balance alert endpoints.
func (s *Server) alertRoutes(r *router.Router) {
	const path = "/v1/accounts/{id}/alerts"
	s.get(r, path, s.getAlerts)
	r.PUT(path, s.instrument("PUT "+path, s.authed(ScopeAdmin, s.putAlerts)))
}

// alertsOff answers 404 when the gateway has no Alerts service.
func (s *Server) alertsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Alerts == nil, "low-balance alerts are")
}

func (s *Server) getAlerts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.alertsOff(ctx) {
		return
	}
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	v, err := s.deps.Alerts.GetAlerts(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) putAlerts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.alertsOff(ctx) {
		return
	}
	id, ok := accountParam(ctx)
	if !ok {
		return
	}
	body := ctx.PostBody()
	if len(body) > maxAlertBody {
		writeProblem(ctx, PayloadTooLarge("", "the body exceeds "+strconv.Itoa(maxAlertBody)+" bytes"))
		return
	}
	var b alertBody
	if !decodeObject(ctx, &b) {
		return
	}
	if b.LowBalanceThreshold == nil {
		writeProblem(ctx, InvalidRequest("low_balance_threshold", `give the threshold as a decimal string, e.g. "5.00" ("0" turns the alert off)`))
		return
	}
	th, err := app.ParseMicros(*b.LowBalanceThreshold)
	if err != nil || th < 0 {
		writeProblem(ctx, InvalidRequest("low_balance_threshold", `the threshold must be a decimal amount >= 0 such as "5.00"`))
		return
	}
	v, err := s.deps.Alerts.PutAlerts(sctx, p, id, AlertInput{Threshold: th, Email: b.Email, WebhookURL: b.WebhookURL})
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, v)
}
