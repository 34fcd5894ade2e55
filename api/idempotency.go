package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

// Header names of idempotent requests.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerReplayed       = "Idempotent-Replayed"
)

// maxIdempotencyKey bounds an Idempotency-Key.
const maxIdempotencyKey = 255

// inflightKey names an idempotency key of one account.
type inflightKey struct {
	account int64
	key     string
}

// inflight holds the idempotency keys whose first request this process is
// still answering, so that a concurrent retry gets 409 instead of sending
// twice.
type inflight struct {
	mu   sync.Mutex
	keys map[inflightKey]struct{} // guarded by mu
}

// acquire marks k in flight; false if it already was.
func (f *inflight) acquire(k inflightKey) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, busy := f.keys[k]; busy {
		return false
	}
	f.keys[k] = struct{}{}
	return true
}

func (f *inflight) release(k inflightKey) {
	f.mu.Lock()
	delete(f.keys, k)
	f.mu.Unlock()
}

// validIdempotencyKey reports whether k is 1..255 visible ASCII characters
// or spaces.
func validIdempotencyKey(k []byte) bool {
	if len(k) == 0 || len(k) > maxIdempotencyKey {
		return false
	}
	for _, c := range k {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// requestHash is the SHA-256 of route, a newline and body.
func requestHash(route string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(route))
	h.Write([]byte{'\n'})
	h.Write(body)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// storable reports whether an answer with status code is kept for
// retries: every answer except those saying "try again" (409, 429, 5xx),
// after which a retry must run the request anew.
func storable(code int) bool {
	return code < 500 && code != fasthttp.StatusConflict && code != fasthttp.StatusTooManyRequests
}

// idempotent wraps the handler of route so that a request with an
// Idempotency-Key is answered once per account and key: a retry with the
// same body gets the stored answer with Idempotent-Replayed: true, one
// with another body gets idempotency-key-reuse, and one arriving while
// the first is in progress in this process gets idempotency-in-progress.
// Requests without the header pass straight through.
func (s *Server) idempotent(route string, h handler) handler {
	return func(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
		raw := ctx.Request.Header.Peek(headerIdempotencyKey)
		if raw == nil {
			h(ctx, sctx, p)
			return
		}
		if !validIdempotencyKey(raw) {
			writeProblem(ctx, InvalidRequest(headerIdempotencyKey, "must be 1 to 255 printable ASCII characters"))
			return
		}
		k := inflightKey{account: p.AccountID, key: string(raw)}
		if !s.inflight.acquire(k) {
			writeProblem(ctx, IdempotencyInProgress())
			return
		}
		defer s.inflight.release(k)

		hash := requestHash(route, ctx.PostBody())
		rec, found, err := s.deps.Idempotency.Get(sctx, k.account, k.key)
		if err != nil {
			s.fail(ctx, err)
			return
		}
		if found {
			s.replay(ctx, &rec, hash)
			return
		}

		h(ctx, sctx, p)

		code := ctx.Response.StatusCode()
		if !storable(code) {
			return
		}
		rec = IdempotencyRecord{
			RequestHash: hash,
			StatusCode:  code,
			ContentType: string(ctx.Response.Header.ContentType()),
			Location:    string(ctx.Response.Header.Peek(fasthttp.HeaderLocation)),
			Body:        bytes.Clone(ctx.Response.Body()),
			CreatedAt:   time.Now(),
		}
		err = s.deps.Idempotency.Put(sctx, k.account, k.key, rec)
		if err == nil {
			return
		}
		if errors.Is(err, ErrIdempotencyConflict) {
			// Another instance answered the same key meanwhile (this one
			// could not see it in flight): answer as it did.
			if first, found, gerr := s.deps.Idempotency.Get(sctx, k.account, k.key); gerr == nil && found {
				s.log.Warn("api: idempotency key answered twice concurrently", "account", k.account, "route", route)
				ctx.Response.Reset()
				s.replay(ctx, &first, hash)
				return
			}
		}
		// The request took effect and its answer stands, but a retry will
		// not find it.
		s.log.Error("api: store idempotency record", "account", k.account, "route", route, "err", err)
	}
}

// replay answers with a stored record, or with idempotency-key-reuse when
// it was stored for another request. Headers the record lacks are rebuilt
// as [IdempotencyRecord] says.
func (s *Server) replay(ctx *fasthttp.RequestCtx, rec *IdempotencyRecord, hash [sha256.Size]byte) {
	if rec.RequestHash != hash {
		writeProblem(ctx, IdempotencyKeyReuse())
		return
	}
	s.metrics.replays.Inc()
	ctx.Response.Header.Set(headerReplayed, "true")
	switch {
	case rec.ContentType != "":
		ctx.Response.Header.SetContentType(rec.ContentType)
	case rec.StatusCode >= 400:
		ctx.Response.Header.SetContentType(contentProblem)
	default:
		ctx.Response.Header.SetContentType(contentJSON)
	}
	if rec.Location != "" {
		ctx.Response.Header.Set(fasthttp.HeaderLocation, rec.Location)
	} else if id, ok := answerID(rec.Body); ok && rec.StatusCode == fasthttp.StatusAccepted {
		var loc [40]byte
		ctx.Response.Header.SetBytesV(fasthttp.HeaderLocation, id.AppendTo(append(loc[:0], "/v1/messages/"...)))
	}
	ctx.Response.SetStatusCode(rec.StatusCode)
	ctx.Response.SetBody(rec.Body)
}

// answerID returns the id of a single-message answer as
// [appendSendResult] writes it ({"id":"<digits>",...}); a batch answer has
// none.
func answerID(body []byte) (sms.ID, bool) {
	const prefix = `{"id":"`
	if !bytes.HasPrefix(body, []byte(prefix)) {
		return 0, false
	}
	digits := body[len(prefix):]
	end := bytes.IndexByte(digits, '"')
	if end < 0 {
		return 0, false
	}
	id, err := sms.ParseIDBytes(digits[:end])
	return id, err == nil
}
