package gateway

import (
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
)

// TestSendLimitBoundaries sends each limited member of an HTTP message at
// its limit (accepted) and one past it (refused with a problem naming the
// member), through the validation Send runs.
func TestSendLimitBoundaries(t *testing.T) {
	s := &Service{cfg: Config{MaxSegments: DefaultMaxSegments}}
	url := func(n int) string {
		const head = "https://hooks.example.com/"
		return head + strings.Repeat("a", n-len(head))
	}
	ok := SendRequest{To: "+447700900123", Text: "hi"}
	cases := []struct {
		name    string
		edit    func(r *SendRequest)
		problem string // "" when accepted
		field   string
	}{
		{"client_ref at the limit", func(r *SendRequest) { r.ClientRef = strings.Repeat("r", MaxClientRef) }, "", ""},
		{"client_ref past it", func(r *SendRequest) { r.ClientRef = strings.Repeat("r", MaxClientRef+1) }, ProblemInvalidRequest, "client_ref"},
		{"callback_url at the limit", func(r *SendRequest) { r.CallbackURL = url(MaxCallbackURL) }, "", ""},
		{"callback_url past it", func(r *SendRequest) { r.CallbackURL = url(MaxCallbackURL + 1) }, ProblemInvalidURL, "callback_url"},
		{"to at the limit", func(r *SendRequest) { r.To = "+4" + strings.Repeat("4", MaxNumberDigits-1) }, "", ""},
		{"to past it", func(r *SendRequest) { r.To = "+4" + strings.Repeat("4", MaxNumberDigits) }, ProblemInvalidNumber, "to"},
		{"numeric from at the limit", func(r *SendRequest) { r.From = "+4" + strings.Repeat("4", MaxNumberDigits-1) }, "", ""},
		{"numeric from past it", func(r *SendRequest) { r.From = "+4" + strings.Repeat("4", MaxNumberDigits) }, ProblemInvalidSender, "from"},
		{"alphanumeric from at the limit", func(r *SendRequest) { r.From = strings.Repeat("B", MaxAlphaSender) }, "", ""},
		{"alphanumeric from past it", func(r *SendRequest) { r.From = strings.Repeat("B", MaxAlphaSender+1) }, ProblemInvalidSender, "from"},
		// A long GSM text travels in segments of 153 characters.
		{"text at the limit", func(r *SendRequest) { r.Text = strings.Repeat("x", 153*DefaultMaxSegments) }, "", ""},
		{"text past it", func(r *SendRequest) { r.Text = strings.Repeat("x", 153*DefaultMaxSegments+1) }, ProblemTooLong, "text"},
		{"binary at the limit", func(r *SendRequest) { r.Text, r.Binary = "", make([]byte, 134*DefaultMaxSegments) }, "", ""},
		{"binary past it", func(r *SendRequest) { r.Text, r.Binary = "", make([]byte, 134*DefaultMaxSegments+1) }, ProblemTooLong, "binary"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := ok
			c.edit(&req)
			m, _, r := s.build(1, &req)
			if c.problem == "" {
				if r != nil || m == nil {
					t.Fatalf("refused: %v", r)
				}
				return
			}
			if r == nil {
				t.Fatal("accepted")
			}
			if r.Problem != c.problem || r.Field != c.field || r.HTTP != 400 || r.Detail == "" {
				t.Fatalf("refusal %+v, want %s naming %s", r, c.problem, c.field)
			}
		})
	}
}

// TestSMPPAddressLimits checks the same number limits on the SMPP
// destination_addr and source_addr.
func TestSMPPAddressLimits(t *testing.T) {
	longest := "4" + strings.Repeat("4", MaxNumberDigits-1)
	if _, r := Destination(1, 1, longest); r != nil {
		t.Errorf("destination of %d digits refused: %v", MaxNumberDigits, r)
	}
	if _, r := Destination(1, 1, longest+"4"); r == nil || r.Status != pdu.StatusInvDstAdr {
		t.Errorf("destination of %d digits: %v, want ESME_RINVDSTADR", MaxNumberDigits+1, r)
	}
	if _, r := Source(1, 1, longest); r != nil {
		t.Errorf("source of %d digits refused: %v", MaxNumberDigits, r)
	}
	if _, r := Source(1, 1, longest+"4"); r == nil || r.Status != pdu.StatusInvSrcAdr {
		t.Errorf("source of %d digits: %v, want ESME_RINVSRCADR", MaxNumberDigits+1, r)
	}
	alpha := strings.Repeat("B", MaxAlphaSender)
	if _, r := Source(5, 0, alpha); r != nil {
		t.Errorf("alphanumeric source of %d refused: %v", MaxAlphaSender, r)
	}
	if _, r := Source(5, 0, alpha+"B"); r == nil || r.Status != pdu.StatusInvSrcAdr {
		t.Errorf("alphanumeric source of %d: %v, want ESME_RINVSRCADR", MaxAlphaSender+1, r)
	}
}

// TestScheduleValidityBoundaries: the default validity and its cap run
// from the send time (a scheduled message is valid DefaultValidity after
// its send_at, not after its acceptance), and send_at is bounded by
// MaxScheduleAhead on its own. Each limit is accepted when met and
// refused (or cut, for a valid_until past the cap) one second past it,
// with the refusal naming the field. Before validity ran from the send
// time, a send_at more than DefaultValidity ahead without valid_until
// was refused, and one exactly MaxValidity ahead always was.
func TestScheduleValidityBoundaries(t *testing.T) {
	var zero Config
	s := &Service{cfg: zero.withDefaults()}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	sec := time.Second
	ahead := now.Add(DefaultMaxScheduleAhead)
	cases := []struct {
		name              string
		sendAt, validTill time.Time
		want              time.Time // the valid_until kept; zero when refused
		field             string    // the field a refusal names
		status            pdu.Status
	}{
		{"no send_at: default validity", time.Time{}, time.Time{}, now.Add(DefaultValidity), "", 0},
		{"valid_until at the cap", time.Time{}, now.Add(DefaultMaxValidity), now.Add(DefaultMaxValidity), "", 0},
		{"valid_until past the cap: cut", time.Time{}, now.Add(DefaultMaxValidity + sec), now.Add(DefaultMaxValidity), "", 0},
		{"valid_until just ahead", time.Time{}, now.Add(sec), now.Add(sec), "", 0},
		{"valid_until now", time.Time{}, now, time.Time{}, "valid_until", pdu.StatusInvExpiry},
		{"send_at past the default validity", now.Add(DefaultValidity + sec), time.Time{}, now.Add(2*DefaultValidity + sec), "", 0},
		{"send_at at the longest validity", now.Add(DefaultMaxValidity), time.Time{}, now.Add(DefaultMaxValidity + DefaultValidity), "", 0},
		{"send_at in 10 days", now.Add(240 * time.Hour), time.Time{}, now.Add(240*time.Hour + DefaultValidity), "", 0},
		{"send_at at the limit", ahead, time.Time{}, ahead.Add(DefaultValidity), "", 0},
		{"send_at past the limit", ahead.Add(sec), time.Time{}, time.Time{}, "send_at", pdu.StatusInvSched},
		{"send_at at the limit, valid_until at the cap", ahead, ahead.Add(DefaultMaxValidity), ahead.Add(DefaultMaxValidity), "", 0},
		{"send_at at the limit, valid_until past the cap: cut", ahead, ahead.Add(DefaultMaxValidity + sec), ahead.Add(DefaultMaxValidity), "", 0},
		{"valid_until just after send_at", ahead, ahead.Add(sec), ahead.Add(sec), "", 0},
		{"valid_until at send_at", ahead, ahead, time.Time{}, "valid_until", pdu.StatusInvExpiry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &sms.Message{SendAt: c.sendAt, ValidUntil: c.validTill}
			r := s.validity(m, now)
			if c.field == "" {
				if r != nil {
					t.Fatalf("refused: %+v", r)
				}
				if !m.ValidUntil.Equal(c.want) {
					t.Fatalf("valid until %s, want %s", m.ValidUntil, c.want)
				}
				return
			}
			if r == nil {
				t.Fatalf("accepted, valid until %s", m.ValidUntil)
			}
			if r.Field != c.field || r.Status != c.status || r.Problem != ProblemInvalidRequest || r.HTTP != 400 {
				t.Fatalf("refusal %+v, want %s naming %s", r, c.status.Name(), c.field)
			}
		})
	}
	if r := s.validity(&sms.Message{SendAt: ahead.Add(sec)}, now); r == nil || !strings.Contains(r.Detail, "30 days") {
		t.Errorf("refusal of a late send_at %+v does not state the limit (30 days)", r)
	}
}
