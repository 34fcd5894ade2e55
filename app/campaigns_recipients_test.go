package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
)

// TestRecipientViewHeldBack: a recipient held back for an A/B test's
// winner is shown without a not_before (its marker is past what JSON can
// show, which made the recipients listing fail), and a deferred one keeps
// its time.
func TestRecipientViewHeldBack(t *testing.T) {
	held := recipientView(&store.CampaignRecipient{ID: 1, Phone: "+33612000001", State: store.RecipientPending,
		NotBefore: time.UnixMicro(store.HeldBack).UTC()})
	b, err := json.Marshal(held)
	if err != nil {
		t.Fatalf("a held-back recipient does not marshal: %v", err)
	}
	if strings.Contains(string(b), "not_before") {
		t.Errorf("held back: %s, want no not_before", b)
	}
	at := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	quiet := recipientView(&store.CampaignRecipient{ID: 2, Phone: "+33612000002", State: store.RecipientPending,
		Reason: "quiet_hours", NotBefore: at})
	if quiet.NotBefore == nil || !quiet.NotBefore.Equal(at) {
		t.Errorf("deferred: not_before %v, want %v", quiet.NotBefore, at)
	}
}
