package api

import (
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// uploadSlotHeader marks a request that holds an import upload slot. The
// body-limit hook deletes whatever a client sent under this name before
// it decides, so only the hook sets it.
const uploadSlotHeader = "X-Gallant-Upload-Slot"

// uploadSlots bounds the large contact import bodies received at once:
// fasthttp holds a body in memory until its handler runs, so without a
// bound N concurrent uploads would cost N times MaxImportBodyBytes. A slot
// is taken when a request's headers are read and given back when its
// handler ends, or, for a body that never arrives (a client gone
// mid-upload: no handler runs), when the read timeout has passed.
type uploadSlots struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	until []time.Time // each held slot's expiry
	now   func() time.Time
}

// take holds a slot if one is free.
func (u *uploadSlots) take() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.now()
	live := u.until[:0]
	for _, t := range u.until {
		if t.After(now) {
			live = append(live, t)
		}
	}
	u.until = live
	if len(u.until) >= u.max {
		return false
	}
	u.until = append(u.until, now.Add(u.ttl))
	return true
}

// give returns a slot (the one nearest its expiry: which one does not
// matter, only how many are held).
func (u *uploadSlots) give() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.until) == 0 {
		return
	}
	first := 0
	for i, t := range u.until {
		if t.Before(u.until[first]) {
			first = i
		}
	}
	u.until = append(u.until[:first], u.until[first+1:]...)
}

// releaseUpload gives back the slot ctx's request holds, if any.
func (s *Server) releaseUpload(ctx *fasthttp.RequestCtx) {
	if len(ctx.Request.Header.Peek(uploadSlotHeader)) > 0 {
		ctx.Request.Header.Del(uploadSlotHeader)
		s.uploads.give()
	}
}
