package api

import (
	"strings"
	"testing"
)

// TestImportBodyLimit: POST /v1/contacts/imports takes a body above the
// batch limit up to MaxImportBodyBytes with the send scope (the route is
// off here: 404 after the body was read), and refuses a larger one 413
// before reading it; other routes keep their limits.
func TestImportBodyLimit(t *testing.T) {
	ts := newTestServer(t, Config{MaxBodyBytes: 1 << 10, MaxBatchBodyBytes: 4 << 10, MaxImportBodyBytes: 64 << 10})
	body := []byte("phone\n" + strings.Repeat("+447700900001\n", (32<<10)/14))
	if a := ts.do(t, "POST", contactImportsPath, keySend, body); a.Code != 404 {
		t.Fatalf("32 KiB import: %d %s, want 404 (not enabled)", a.Code, a.Body)
	}
	big := []byte("phone\n" + strings.Repeat("+447700900001\n", (80<<10)/14))
	ts.do(t, "POST", contactImportsPath, keySend, big).wantProblem(t, 413, TypePayloadTooLarge)
	ts.do(t, "POST", "/v1/messages/batch", keySend, body).wantProblem(t, 413, TypePayloadTooLarge)
	ts.do(t, "POST", contactImportsPath, keyRead, body).wantProblem(t, 413, TypePayloadTooLarge)
}
