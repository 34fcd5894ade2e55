package api

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestIdempotentReplay(t *testing.T) {
	ts := newTestServer(t, Config{})
	body := []byte(`{"to":"+447700900123","text":"once"}`)
	first := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "order-17")
	if first.Code != http.StatusAccepted || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v %s", first.Code, first.Header, first.Body)
	}
	again := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "order-17")
	if again.Code != first.Code || string(again.Body) != string(first.Body) ||
		again.Header.Get("Location") != first.Header.Get("Location") ||
		again.Header.Get("Content-Type") != contentJSON {
		t.Fatalf("replay differs:\n%d %v %s\n%d %v %s", first.Code, first.Header, first.Body, again.Code, again.Header, again.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay without Idempotent-Replayed: %v", again.Header)
	}
	if n := len(ts.msgs.sendCalls()); n != 1 {
		t.Fatalf("sent %d times, want once", n)
	}

	// Same key, different body: refused.
	other := ts.do(t, "POST", "/v1/messages", keySend, []byte(`{"to":"+447700900123","text":"twice"}`), "Idempotency-Key", "order-17")
	p := other.wantProblem(t, 422, TypeIdempotencyKeyReuse)
	if p["field"] != "Idempotency-Key" {
		t.Fatalf("field %v", p["field"])
	}
	// Same key and body on another endpoint: refused too.
	ts.do(t, "POST", "/v1/messages/batch", keySend, body, "Idempotency-Key", "order-17").wantProblem(t, 422, TypeIdempotencyKeyReuse)

	// Keys are per account: account 2 may use the same key.
	o := ts.do(t, "POST", "/v1/messages", keyOther, body, "Idempotency-Key", "order-17")
	if o.Code != http.StatusAccepted || o.Header.Get("Idempotent-Replayed") != "" || string(o.Body) == string(first.Body) {
		t.Fatalf("other account got %d %v %s", o.Code, o.Header, o.Body)
	}
	if n := len(ts.msgs.sendCalls()); n != 2 {
		t.Fatalf("sent %d times, want 2", n)
	}
	// Account 1 with a key of its own sends anew.
	if a := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "order-18"); a.Code != 202 || a.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("new key: %d %v", a.Code, a.Header)
	}
}

func TestIdempotencyStoresClientErrorsNotRetryables(t *testing.T) {
	ts := newTestServer(t, Config{})
	bad := []byte(`{"to":"bad-number","text":"x"}`)
	a := ts.do(t, "POST", "/v1/messages", keySend, bad, "Idempotency-Key", "k1")
	a.wantProblem(t, 400, TypeInvalidNumber)
	b := ts.do(t, "POST", "/v1/messages", keySend, bad, "Idempotency-Key", "k1")
	b.wantProblem(t, 400, TypeInvalidNumber)
	if b.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("a 400 answer was not stored")
	}

	busy := []byte(`{"to":"busy","text":"x"}`)
	ts.do(t, "POST", "/v1/messages", keySend, busy, "Idempotency-Key", "k2").wantProblem(t, 503, TypeBackpressure)
	c := ts.do(t, "POST", "/v1/messages", keySend, busy, "Idempotency-Key", "k2")
	c.wantProblem(t, 503, TypeBackpressure)
	if c.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("a 503 answer was stored: a retry could never succeed")
	}
	ts.idem.mu.Lock()
	puts := ts.idem.puts
	ts.idem.mu.Unlock()
	if puts != 1 {
		t.Fatalf("%d records stored, want 1", puts)
	}
}

func TestIdempotencyKeyValidation(t *testing.T) {
	ts := newTestServer(t, Config{})
	body := []byte(`{"to":"1","text":"x"}`)
	for _, k := range []string{strings.Repeat("k", 256), "caf\xc3\xa9"} {
		a := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", k)
		p := a.wantProblem(t, 400, TypeInvalidRequest)
		if p["field"] != "Idempotency-Key" {
			t.Fatalf("field %v", p["field"])
		}
	}
	if a := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", strings.Repeat("k", 255)); a.Code != 202 {
		t.Fatalf("255-character key: %d %s", a.Code, a.Body)
	}
}

func TestIdempotencyConcurrentSameKey(t *testing.T) {
	ts := newTestServer(t, Config{})
	ts.msgs.gate = make(chan struct{})
	ts.msgs.entered = make(chan struct{}, 2)
	body := []byte(`{"to":"1","text":"x"}`)

	var wg sync.WaitGroup
	answers := make([]answer, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		answers[0] = ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "same")
	}()
	<-ts.msgs.entered // the first request is inside Send
	answers[1] = ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "same")
	close(ts.msgs.gate)
	wg.Wait()

	if answers[0].Code != http.StatusAccepted {
		t.Fatalf("first: %d %s", answers[0].Code, answers[0].Body)
	}
	answers[1].wantProblem(t, 409, TypeIdempotencyInProgress)
	if n := len(ts.msgs.sendCalls()); n != 1 {
		t.Fatalf("sent %d times, want once", n)
	}
	// After the first finished, the retry replays it.
	r := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "same")
	if r.Code != 202 || string(r.Body) != string(answers[0].Body) || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %v %s", r.Code, r.Header, r.Body)
	}
}

// TestIdempotencyConflictAcrossInstances: when Put finds a record stored
// by another instance meanwhile, the answer is that record.
func TestIdempotencyConflictAcrossInstances(t *testing.T) {
	body := []byte(`{"to":"1","text":"x"}`)
	stored := IdempotencyRecord{
		RequestHash: requestHash("POST /v1/messages", body), StatusCode: 202,
		Body: []byte(`{"id":"77","status":"accepted","segments":1}`),
	}
	ts := newTestServerWith(t, Config{}, func(d *Deps) {
		d.Idempotency = &racingIdempotency{memIdempotency: newMemIdempotency(), first: stored}
	})
	a := ts.do(t, "POST", "/v1/messages", keySend, body, "Idempotency-Key", "raced")
	if a.Code != 202 || string(a.Body) != string(stored.Body) || a.Header.Get("Location") != "/v1/messages/77" ||
		a.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("got %d %v %s, want the other instance's answer", a.Code, a.Header, a.Body)
	}
}

// racingIdempotency finds nothing on the first Get, then behaves as if
// another instance stored first before Put.
type racingIdempotency struct {
	*memIdempotency
	first IdempotencyRecord
	gets  int
}

func (r *racingIdempotency) Get(ctx contextT, account int64, key string) (IdempotencyRecord, bool, error) {
	r.gets++
	if r.gets == 1 {
		return IdempotencyRecord{}, false, nil
	}
	return r.first, true, nil
}

func (r *racingIdempotency) Put(contextT, int64, string, IdempotencyRecord) error {
	return ErrIdempotencyConflict
}

func TestIdempotentBatchReplay(t *testing.T) {
	ts := newTestServer(t, Config{})
	body := []byte(`{"to":["+1555000001","bad-2"],"text":"x"}`)
	first := ts.do(t, "POST", "/v1/messages/batch", keySend, body, "Idempotency-Key", "b1")
	again := ts.do(t, "POST", "/v1/messages/batch", keySend, body, "Idempotency-Key", "b1")
	if first.Code != 202 || again.Code != 202 || string(first.Body) != string(again.Body) ||
		again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Content-Type") != contentJSON ||
		again.Header.Get("Location") != "" {
		t.Fatalf("batch replay:\n%d %v %s\n%d %v %s", first.Code, first.Header, first.Body, again.Code, again.Header, again.Body)
	}
	if n := len(ts.msgs.sendCalls()); n != 1 {
		t.Fatalf("%d messages sent, want 1", n)
	}
}

func TestAnswerID(t *testing.T) {
	for _, c := range []struct {
		body string
		id   uint64
		ok   bool
	}{
		{`{"id":"1234","status":"accepted","segments":1}`, 1234, true},
		{`{"items":[{"id":"1"}]}`, 0, false},
		{`{"id":"12`, 0, false},
		{`{"id":"x"}`, 0, false},
		{``, 0, false},
	} {
		id, ok := answerID([]byte(c.body))
		if ok != c.ok || uint64(id) != c.id {
			t.Errorf("answerID(%q) = %d, %v", c.body, id, ok)
		}
	}
}
