package account

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons of gallant_auth_refusals_total: the refusals of the identity
// flows an operator should see (an attack, or a policy biting).
const (
	// RefusedEmailUnverified: a self-registered user whose email is not
	// verified tried to send or to manage its account.
	RefusedEmailUnverified = "email_unverified"
	// RefusedUserDisabled: a disabled user tried to log in or used a
	// session.
	RefusedUserDisabled = "user_disabled"
	// RefusedSessionRevoked: an access token issued before its user's
	// sessions were ended (log out everywhere, a password change, the
	// user disabled or deleted).
	RefusedSessionRevoked = "session_revoked"
	// RefusedSessionMaxAge: a refresh of a login older than
	// auth.session_max_age.
	RefusedSessionMaxAge = "session_max_age"
	// RefusedRefreshReused: a rotated-out refresh token presented again
	// (its family is then revoked).
	RefusedRefreshReused = "refresh_reused"
	// RefusedRegistrationClosed: a sign-up while auth.open_registration is
	// off.
	RefusedRegistrationClosed = "registration_closed"
	// RefusedMailUnavailable: a sign-up, password reset or verification
	// mail asked of a gateway without a mail relay.
	RefusedMailUnavailable = "mail_unavailable"
	// RefusedLoginRateLimited, RefusedResetRateLimited and
	// RefusedRegisterRateLimited: attempts over their rate limits.
	RefusedLoginRateLimited    = "login_rate_limited"
	RefusedResetRateLimited    = "reset_rate_limited"
	RefusedRegisterRateLimited = "register_rate_limited"
	RefusedVerifyRateLimited   = "verify_rate_limited"
)

var refusalReasons = []string{RefusedEmailUnverified, RefusedUserDisabled, RefusedSessionRevoked, RefusedSessionMaxAge,
	RefusedRefreshReused, RefusedRegistrationClosed, RefusedMailUnavailable, RefusedLoginRateLimited,
	RefusedResetRateLimited, RefusedRegisterRateLimited, RefusedVerifyRateLimited}

// metrics are the account package's Prometheus metrics. They count from
// [New] on and are exported once [Service.RegisterMetrics] is called.
type metrics struct {
	refusals *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "gallant", Subsystem: "auth", Name: "refusals_total",
		Help: "Identity requests refused, by reason: email_unverified, user_disabled, session_revoked, " +
			"session_max_age, refresh_reused, registration_closed, mail_unavailable, *_rate_limited.",
	}, []string{"reason"})}
	for _, r := range refusalReasons {
		m.refusals.WithLabelValues(r)
	}
	return m
}

// RegisterMetrics registers the service's metrics (gallant_auth_*) on
// reg. Registering the same service twice on one registry is not an
// error.
func (s *Service) RegisterMetrics(reg prometheus.Registerer) error {
	if err := reg.Register(s.m.refusals); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) && are.ExistingCollector == s.m.refusals {
			return nil
		}
		return fmt.Errorf("account: register metrics: %w", err)
	}
	return nil
}

// refused counts one refusal for reason.
func (s *Service) refused(reason string) { s.m.refusals.WithLabelValues(reason).Inc() }
