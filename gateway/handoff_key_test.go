package gateway

import (
	"strings"
	"testing"
)

// TestHeldKeyPayload: a notice's payload round-trips, and a malformed
// one (anything may be published on the channel) is ignored.
func TestHeldKeyPayload(t *testing.T) {
	for _, k := range []heldKey{{account: 1, systemID: "esme1"}, {account: 42, systemID: moHoldSystemID},
		{account: 7, systemID: "with:colon"}} {
		got, ok := parseHeldKey(k.payload())
		if !ok || got != k {
			t.Errorf("%+v -> %q -> %+v, %v", k, k.payload(), got, ok)
		}
	}
	for _, bad := range []string{"", "esme1", ":esme1", "1:", "x:esme1", "-3:esme1", "0:esme1",
		"99999999999999999999:esme1", "1:" + strings.Repeat("a", 65)} {
		if k, ok := parseHeldKey(bad); ok {
			t.Errorf("%q parsed as %+v", bad, k)
		}
	}
}
