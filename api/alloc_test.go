//go:build !race

package api

import (
	"testing"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

func TestEncodersDoNotAllocate(t *testing.T) {
	price := int64(35_000)
	res := SendResult{ID: 7_385_911_202_113_537, Status: sms.StatusAccepted, Segments: 2, Encoding: EncodingUCS2, Price: &price}
	items := []BatchItem{{Result: res}, {}}
	problems := []*Error{nil, InvalidNumber("to", "not an E.164 number")}
	e := InvalidRequest("messages[3].text", "give text or binary")
	buf := make([]byte, 0, 4096)
	for name, f := range map[string]func(){
		"appendSendResult":  func() { buf = appendSendResult(buf[:0], &res, true) },
		"appendProblem":     func() { buf = appendProblem(buf[:0], e) },
		"appendBatchAnswer": func() { buf = appendBatchAnswer(buf[:0], items, problems) },
		"appendJSONString":  func() { buf = appendJSONString(buf[:0], "caf\u00e9 \"q\"\n\xff") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}

// TestPostMessageAllocations bounds the allocations of the API's own work
// for one POST /v1/messages: one string per text member of the body (four
// here) and one for the API key handed to the Authenticator.
func TestPostMessageAllocations(t *testing.T) {
	s := newBenchServer(t)
	ctx := handlerCtx(fasthttp.MethodPost, "/v1/messages", benchBody)
	h := s.router.Handler
	h(ctx) // warm up pools and the metrics' label cache
	n := testing.AllocsPerRun(200, func() {
		ctx.Response.Reset()
		h(ctx)
	})
	if ctx.Response.StatusCode() != fasthttp.StatusAccepted {
		t.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	if n > 5 {
		t.Fatalf("%v allocations per POST, want at most 5", n)
	}
}
