package api

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/internal/testutil"
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

// TestImportUploadSlots: while MaxImportUploads import bodies are being
// received, another large import body is refused 413 before it is read
// (each upload is held in memory until spooled); once the upload ends,
// its slot is free again. A client cannot forge the slot's mark.
func TestImportUploadSlots(t *testing.T) {
	ts := newTestServer(t, Config{MaxBodyBytes: 1 << 10, MaxImportBodyBytes: 64 << 10, MaxImportUploads: 1})
	body := []byte("phone\n" + strings.Repeat("+447700900001\n", (32<<10)/14))
	held := func() int {
		ts.srv.uploads.mu.Lock()
		defer ts.srv.uploads.mu.Unlock()
		return len(ts.srv.uploads.until)
	}
	// A slow upload: its headers and half its body.
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n",
		contactImportsPath, keySend, len(body))
	if _, err := conn.Write(append([]byte(head), body[:len(body)/2]...)); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the slow upload holds the slot", func() (bool, string) { return held() == 1, fmt.Sprint(held(), " held") })
	ts.do(t, "POST", contactImportsPath, keySend, body).wantProblem(t, 413, TypePayloadTooLarge)
	// The same with the mark forged: the hook drops it.
	req, _ := http.NewRequest("POST", ts.base+contactImportsPath, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+keySend)
	req.Header.Set(uploadSlotHeader, "1")
	if resp, err := ts.client.Do(req); err != nil || resp.StatusCode != 413 {
		t.Fatalf("forged slot mark: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if n := held(); n != 1 {
		t.Fatalf("%d slots held after refusals, want 1", n)
	}
	// The slow upload ends: answered (404: no import service here), its
	// slot given back, and the next upload is taken.
	if _, err := conn.Write(body[len(body)/2:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("slow upload: %v %v", resp, err)
	}
	resp.Body.Close()
	testutil.Eventually(t, "the slot is given back", func() (bool, string) { return held() == 0, fmt.Sprint(held(), " held") })
	if a := ts.do(t, "POST", contactImportsPath, keySend, body); a.Code != 404 {
		t.Fatalf("import after the slot freed: %d %s, want 404 (not enabled)", a.Code, a.Body)
	}
	if n := held(); n != 0 {
		t.Fatalf("%d slots held after every upload ended", n)
	}
}
