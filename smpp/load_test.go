package smpp_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/smpp"
	"github.com/gallant-sms/gallant/smpp/pdu"
)

// TestThousandBinds binds 1,000 sessions at once; each answers an
// enquire_link. Memory per idle bind is reported and bounded.
func TestThousandBinds(t *testing.T) {
	srv := &smpp.Server{Authenticator: acceptAll, Handler: okHandler}
	addr := startServer(t, srv)
	const n = 1000
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sessions := make([]*smpp.Session, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := smpp.Dial(ctx, smpp.ClientConfig{Addr: addr, SystemID: "esme", Password: "pw", DialTimeout: 60 * time.Second}, nil)
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = s
			if _, _, err := s.Call(ctx, pdu.EnquireLink, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := srv.BindCount("esme"); got != n {
		t.Errorf("BindCount = %d, want %d", got, n)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perBind := (int64(after.HeapInuse+after.StackInuse) - int64(before.HeapInuse+before.StackInuse)) / n
	t.Logf("%d binds (both ends in this process): %d bytes of heap+stack per bind pair", n, perBind)
	// design.md: 1,000 idle binds under 100 MiB, i.e. ~100 KiB each; this
	// counts both the client and the server end.
	if perBind > 100<<10 {
		t.Errorf("%d bytes per bind pair, want under 100 KiB", perBind)
	}
	for _, s := range sessions {
		if s != nil {
			s.Abort()
		}
	}
	for _, s := range sessions {
		if s != nil {
			<-s.Done()
		}
	}
}
