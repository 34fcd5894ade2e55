package gallant

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// fixture is one vector of ../testdata/webhook-fixtures.json, made by the
// gateway's own signer and verifier (go run ./sdk/testdata/signfixture).
type fixture struct {
	Name       string `json:"name"`
	Secret     string `json:"secret"`
	Header     string `json:"header"`
	BodyHeader string `json:"body_header"`
	Body       string `json:"body"`
	Now        int64  `json:"now"`
	Tolerance  int64  `json:"tolerance"`
	Want       string `json:"want"`
	WantBody   string `json:"want_body"`
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNoSecret):
		return "no-secret"
	case errors.Is(err, ErrSignatureMismatch):
		return "mismatch"
	case errors.Is(err, ErrSignatureExpired):
		return "expired"
	case errors.Is(err, ErrBadSignatureHeader):
		return "bad-header"
	}
	return "error: " + err.Error()
}

func TestVerifyWebhookGatewayVectors(t *testing.T) {
	path := "../testdata/webhook-fixtures.json"
	if p := os.Getenv("GALLANT_SDK_TEST_FIXTURES"); p != "" {
		path = p // regenerated from the gateway by sdk/test.sh
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []fixture
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 20 {
		t.Fatalf("only %d vectors in %s", len(vs), path)
	}
	seen := map[string]bool{}
	for _, v := range vs {
		body, err := base64.StdEncoding.DecodeString(v.Body)
		if err != nil {
			t.Fatal(err)
		}
		got := outcome(VerifyWebhook(v.Secret, v.Header, body, time.Unix(v.Now, 0), time.Duration(v.Tolerance)*time.Second))
		if got != v.Want {
			t.Errorf("%s: VerifyWebhook = %s, the gateway's verifier says %s", v.Name, got, v.Want)
		}
		if got := outcome(VerifyWebhookBody(v.Secret, v.BodyHeader, body)); got != v.WantBody {
			t.Errorf("%s: VerifyWebhookBody = %s, the gateway's verifier says %s", v.Name, got, v.WantBody)
		}
		seen[v.Want] = true
	}
	for _, w := range []string{"ok", "mismatch", "expired", "bad-header", "no-secret"} {
		if !seen[w] {
			t.Errorf("no vector expects %s", w)
		}
	}
}
