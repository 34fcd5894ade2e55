package api

import (
	"context"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"
)

// postBatch serves POST /v1/messages/batch. A request that cannot be read
// (bad JSON, a bad shared option, too many messages) is refused whole; a
// message that fails on its own (a missing member, a bad number) rejects
// only its item, and the answer lists every item in order.
func (s *Server) postBatch(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if sat, ok := s.deps.Messages.(Saturation); ok && sat.Saturated() {
		writeProblem(ctx, Backpressure("the gateway is busy; retry shortly", busyRetryAfter))
		return
	}
	b, perr := decodeBatch(ctx.PostBody(), MaxBatch)
	if perr == nil && b.To != nil {
		perr = validateOptions(&b.Shared)
	}
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	n := len(b.To) + len(b.Messages)
	items := make([]BatchItem, n)
	problems := make([]*Error, n)
	valid := make([]SendRequest, 0, n)
	index := make([]int, 0, n) // index[j] is the item of valid[j]
	if b.To != nil {
		for i, to := range b.To {
			if e := validateTo(to); e != nil {
				problems[i] = e
				continue
			}
			r := b.Shared
			r.To = to
			valid = append(valid, r)
			index = append(index, i)
		}
	} else {
		for i := range b.Messages {
			if e := validateSend(&b.Messages[i]); e != nil {
				problems[i] = e
				continue
			}
			valid = append(valid, b.Messages[i])
			index = append(index, i)
		}
	}
	if len(valid) > 0 {
		res, err := s.deps.Messages.SendBatch(sctx, p, valid)
		if err == nil && len(res) != len(valid) {
			err = fmt.Errorf("api: SendBatch returned %d items for %d messages", len(res), len(valid))
		}
		if err != nil {
			s.fail(ctx, err)
			return
		}
		var hidden error
		for j, it := range res {
			i := index[j]
			if it.Err != nil {
				e, known := problemOf(it.Err)
				if !known && hidden == nil {
					hidden = it.Err
				}
				problems[i] = e
				continue
			}
			items[i] = it
		}
		if hidden != nil {
			s.log.Error("api: batch item error", "path", string(ctx.Path()), "err", hidden)
		}
	}
	if busy := allBackpressure(problems); busy != nil {
		// Nothing was accepted because the gateway is busy: one 503 with
		// Retry-After says it better (and cheaper) than n refused items.
		writeProblem(ctx, busy)
		return
	}
	finish(ctx, fasthttp.StatusAccepted, contentJSON, appendBatchAnswer(bodyBuffer(ctx), items, problems))
}

// busyRetryAfter is what a batch refused before it is read tells the
// client to wait.
const busyRetryAfter = time.Second

// allBackpressure returns the first problem when every item of a batch
// was refused with backpressure, else nil.
func allBackpressure(problems []*Error) *Error {
	if len(problems) == 0 {
		return nil
	}
	for _, p := range problems {
		if p == nil || p.Type != TypeBackpressure {
			return nil
		}
	}
	return problems[0]
}
