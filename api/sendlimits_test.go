package api

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/gateway"
)

// TestOpenAPIStatesTheGatewaysLimits: the maxLength and maxItems of the
// served OpenAPI document are the gateway's limits.
func TestOpenAPIStatesTheGatewaysLimits(t *testing.T) {
	raw, err := openAPIDoc()
	if err != nil {
		t.Fatal(err)
	}
	type prop struct {
		MaxLength   int    `json:"maxLength"`
		MaxItems    int    `json:"maxItems"`
		Description string `json:"description"`
		Items       struct {
			MaxLength int `json:"maxLength"`
		} `json:"items"`
	}
	var doc struct {
		Components struct {
			Schemas struct {
				SendRequest struct {
					Properties map[string]prop `json:"properties"`
				} `json:"SendRequest"`
				BatchRequest struct {
					OneOf []struct {
						Properties map[string]prop `json:"properties"`
					} `json:"oneOf"`
				} `json:"BatchRequest"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	single := doc.Components.Schemas.SendRequest.Properties
	batch := doc.Components.Schemas.BatchRequest.OneOf
	if len(batch) != 2 {
		t.Fatalf("BatchRequest has %d forms, want 2", len(batch))
	}
	checks := []struct {
		where     string
		got, want int
	}{
		{"SendRequest.client_ref.maxLength", single["client_ref"].MaxLength, gateway.MaxClientRef},
		{"SendRequest.callback_url.maxLength", single["callback_url"].MaxLength, gateway.MaxCallbackURL},
		{"SendRequest.to.maxLength", single["to"].MaxLength, 1 + gateway.MaxNumberDigits}, // '+' and the digits
		{"BatchRequest[0].client_ref.maxLength", batch[0].Properties["client_ref"].MaxLength, gateway.MaxClientRef},
		{"BatchRequest[0].callback_url.maxLength", batch[0].Properties["callback_url"].MaxLength, gateway.MaxCallbackURL},
		{"BatchRequest[0].to.maxItems", batch[0].Properties["to"].MaxItems, MaxBatch},
		{"BatchRequest[0].to.items.maxLength", batch[0].Properties["to"].Items.MaxLength, 1 + gateway.MaxNumberDigits},
		{"BatchRequest[1].messages.maxItems", batch[1].Properties["messages"].MaxItems, MaxBatch},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.where, c.got, c.want)
		}
	}
	for _, c := range []struct{ member, want string }{
		{"send_at", fmt.Sprintf("at most %g days ahead", gateway.DefaultMaxScheduleAhead.Hours()/24)},
		{"valid_until", fmt.Sprintf("default %g hours after the send time", gateway.DefaultValidity.Hours())},
		{"valid_until", fmt.Sprintf("(%g hours by default)", gateway.DefaultMaxValidity.Hours())},
	} {
		if d := single[c.member].Description; !strings.Contains(d, c.want) {
			t.Errorf("SendRequest.%s.description %q does not say %q", c.member, d, c.want)
		}
	}
}

// TestDocsStateTheGatewaysLimits: docs/api.md gives the same numbers.
func TestDocsStateTheGatewaysLimits(t *testing.T) {
	raw, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	row := func(member string) string {
		for line := range strings.Lines(doc) {
			if strings.HasPrefix(line, "| `"+member+"` |") {
				return line
			}
		}
		t.Fatalf("docs/api.md has no row for %s", member)
		return ""
	}
	hours := func(d interface{ Hours() float64 }) string { return fmt.Sprintf("%g hours", d.Hours()) }
	days := func(d interface{ Hours() float64 }) string { return fmt.Sprintf("%g days", d.Hours()/24) }
	for _, c := range []struct{ member, want string }{
		{"client_ref", fmt.Sprintf("≤ %d bytes", gateway.MaxClientRef)},
		{"callback_url", fmt.Sprintf("≤ %d bytes", gateway.MaxCallbackURL)},
		{"to", fmt.Sprintf("%d digits", gateway.MaxNumberDigits)},
		{"from", fmt.Sprintf("%d digits", gateway.MaxNumberDigits)},
		{"from", fmt.Sprintf("up to %d GSM characters", gateway.MaxAlphaSender)},
		{"text", fmt.Sprintf("at most %d segments", gateway.DefaultMaxSegments)},
		{"valid_until", hours(gateway.DefaultValidity)},
		{"valid_until", hours(gateway.DefaultMaxValidity)},
		{"valid_until", "after the send time"},
		{"send_at", days(gateway.DefaultMaxScheduleAhead)},
	} {
		if !strings.Contains(row(c.member), c.want) {
			t.Errorf("docs/api.md row %s does not say %q", c.member, c.want)
		}
	}
	if want := fmt.Sprintf("At most %s messages", groupThousands(MaxBatch)); !strings.Contains(doc, want) {
		t.Errorf("docs/api.md does not say %q", want)
	}
}

// groupThousands writes n with commas, as the docs do.
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestSendLimitsOverHTTP: each length the API checks is accepted at the
// gateway's limit and refused one past it with a problem naming the
// member, alone and in a batch.
func TestSendLimitsOverHTTP(t *testing.T) {
	ts := newTestServer(t, Config{})
	url := func(n int) string {
		const head = "https://hooks.example.com/"
		return head + strings.Repeat("a", n-len(head))
	}
	cases := []struct {
		member, value string
		typ           string // "" when accepted
	}{
		{"client_ref", strings.Repeat("r", gateway.MaxClientRef), ""},
		{"client_ref", strings.Repeat("r", gateway.MaxClientRef+1), TypeInvalidRequest},
		{"callback_url", url(gateway.MaxCallbackURL), ""},
		{"callback_url", url(gateway.MaxCallbackURL + 1), TypeInvalidURL},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s of %d", c.member, len(c.value)), func(t *testing.T) {
			member := fmt.Sprintf("%q:%q", c.member, c.value)
			single := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"1","text":"hi",`+member+`}`))
			shared := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(`{"to":["1","2"],"text":"hi",`+member+`}`))
			items := ts.do(t, "POST", "/v1/messages/batch", keySend, []byte(`{"messages":[{"to":"1","text":"hi",`+member+`}]}`))
			if c.typ == "" {
				for _, a := range []answer{single, shared, items} {
					if a.Code != 202 || strings.Contains(string(a.Body), `"error"`) {
						t.Fatalf("refused: %d %s", a.Code, a.Body)
					}
				}
				return
			}
			for _, a := range []answer{single, shared} {
				if p := a.wantProblem(t, 400, c.typ); p["field"] != c.member || p["detail"] == "" {
					t.Fatalf("problem %v, want one naming %s", p, c.member)
				}
			}
			var b struct {
				Items []struct {
					Error map[string]any `json:"error"`
				} `json:"items"`
			}
			if err := json.Unmarshal(items.Body, &b); err != nil || len(b.Items) != 1 || b.Items[0].Error == nil {
				t.Fatalf("batch item answer %d %s", items.Code, items.Body)
			}
			if e := b.Items[0].Error; e["field"] != c.member || e["type"] != ProblemBase+c.typ {
				t.Fatalf("batch item problem %v, want %s naming %s", e, c.typ, c.member)
			}
		})
	}
}
