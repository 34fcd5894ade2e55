package gateway

import (
	"container/heap"
	"sync"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// scheduler holds messages until their send time. The messages are in
// the store too (status scheduled), so a restart rebuilds it.
type scheduler struct {
	s    *Service
	mu   sync.Mutex
	h    schedHeap
	byID map[sms.ID]*schedItem
	wake chan struct{}
	quit chan struct{}
	once sync.Once
}

type schedItem struct {
	m     *sms.Message
	index int
}

type schedHeap []*schedItem

func (h schedHeap) Len() int           { return len(h) }
func (h schedHeap) Less(i, j int) bool { return h[i].m.SendAt.Before(h[j].m.SendAt) }
func (h schedHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *schedHeap) Push(x any) { it := x.(*schedItem); it.index = len(*h); *h = append(*h, it) }
func (h *schedHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	it.index = -1
	return it
}

func newScheduler(s *Service) *scheduler {
	return &scheduler{s: s, byID: map[sms.ID]*schedItem{}, wake: make(chan struct{}, 1), quit: make(chan struct{})}
}

// add holds m until m.SendAt.
func (sc *scheduler) add(m *sms.Message) {
	sc.mu.Lock()
	it := &schedItem{m: m}
	heap.Push(&sc.h, it)
	sc.byID[m.ID] = it
	first := it.index == 0
	sc.mu.Unlock()
	sc.s.m.scheduled.Inc()
	if first {
		select {
		case sc.wake <- struct{}{}:
		default:
		}
	}
}

// cancel removes a held message of account and returns it, or nil when
// it is not held (sent already, or another account's).
func (sc *scheduler) cancel(account int64, id sms.ID) *sms.Message {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	it := sc.byID[id]
	if it == nil || it.m.AccountID != account {
		return nil
	}
	heap.Remove(&sc.h, it.index)
	delete(sc.byID, id)
	sc.s.m.scheduled.Dec()
	return it.m
}

// run releases due messages until stop.
func (sc *scheduler) run() {
	defer sc.s.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		sc.mu.Lock()
		wait := time.Hour
		var due []*sms.Message
		now := time.Now()
		for sc.h.Len() > 0 {
			next := sc.h[0].m
			if d := next.SendAt.Sub(now); d > 0 {
				wait = min(d, time.Hour)
				break
			}
			heap.Pop(&sc.h)
			delete(sc.byID, next.ID)
			due = append(due, next)
		}
		sc.mu.Unlock()
		for _, m := range due {
			sc.s.m.scheduled.Dec()
			sc.s.dispatch(m, nil)
		}
		t.Reset(wait)
		select {
		case <-sc.quit:
			return
		case <-sc.wake:
		case <-t.C:
		}
	}
}

func (sc *scheduler) stop() { sc.once.Do(func() { close(sc.quit) }) }
