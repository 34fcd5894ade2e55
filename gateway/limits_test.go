package gateway

import (
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/smpp/pdu"
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
