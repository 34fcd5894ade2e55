package webhook_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/webhook"
)

// TestBodySignatureIsReplayable pins what the documentation says of the
// two signature headers: a request captured and sent again an hour later
// still passes the body-only X-Gallant-Signature-256 check, while the
// timestamped X-Gallant-Signature, the one receivers are told to check,
// refuses it.
func TestBodySignatureIsReplayable(t *testing.T) {
	const secret = "whsec_test"
	body := []byte(`{"id":"42","status":"delivered","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`)
	sent := time.Unix(1767225600, 0)
	ts, bs := webhook.Sign(secret, sent, body), webhook.SignBody(secret, body)

	if err := webhook.Verify(secret, ts, body, sent.Add(time.Second), 0); err != nil {
		t.Fatalf("Verify on arrival: %v", err)
	}
	replayed := sent.Add(time.Hour)
	if err := webhook.Verify(secret, ts, body, replayed, 0); !errors.Is(err, webhook.ErrSignatureExpired) {
		t.Fatalf("Verify of a replay an hour later = %v, want %v", err, webhook.ErrSignatureExpired)
	}
	if err := webhook.VerifyBody(secret, bs, body); err != nil {
		t.Fatalf("VerifyBody of the replay = %v: the body-only signature binds no time and is documented as replayable", err)
	}
}

// TestBodySignatureDocumented: every guide that names the body-only
// header says it can be replayed and recommends the timestamped one, so
// a receiver does not rely on it unawares.
func TestBodySignatureDocumented(t *testing.T) {
	for _, path := range []string{"../docs/api.md", "../docs/operations.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		for _, para := range strings.Split(doc, "\n\n") {
			if !strings.Contains(para, webhook.BodySignatureHeader) || strings.HasPrefix(strings.TrimSpace(para), "|") {
				continue
			}
			if !strings.Contains(para, "replay") || !strings.Contains(para, "`"+webhook.SignatureHeader+"`") {
				t.Errorf("%s: a paragraph names %s without saying it can be replayed and that %s is the one to check:\n%s",
					path, webhook.BodySignatureHeader, webhook.SignatureHeader, para)
			}
		}
		if !strings.Contains(doc, webhook.BodySignatureHeader) {
			t.Errorf("%s does not document %s", path, webhook.BodySignatureHeader)
		}
	}
}
