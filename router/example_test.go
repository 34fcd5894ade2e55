package router_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/router"
	"github.com/gallant-sms/gallant/sms"
)

// echoBind is a Sender that accepts everything at once; a real adapter
// encodes a submit_sm from o.Message() and o.Segment(), sends it on an
// SMPP bind and calls o.Complete from its response callback.
type echoBind struct{ n int }

func (b *echoBind) Bound() bool { return true }

func (b *echoBind) Submit(o *router.Outgoing) error {
	b.n++
	o.Complete(fmt.Sprintf("c-%d", b.n), nil)
	return nil
}

// printer is a Recorder that prints what happens.
type printer struct{ done chan struct{} }

func (p printer) Failed(j *router.Job, seg int, carrier string, code uint32, status sms.Status) {
	fmt.Printf("message %v part %d: %v at %s (0x%02x)\n", j.Msg.ID, seg+1, status, carrier, code)
}

func (p printer) Done(j *router.Job) {
	for seg := range j.Segments {
		if carrier, id, ok := j.Submitted(seg); ok {
			fmt.Printf("message %v part %d/%d: submitted to %s as %s\n", j.Msg.ID, seg+1, len(j.Segments), carrier, id)
		}
	}
	fmt.Printf("message %v: done\n", j.Msg.ID)
	p.done <- struct{}{}
}

func ExampleRouter() {
	rec := printer{done: make(chan struct{}, 1)}
	r, err := router.New(router.Config{
		Carriers: []router.Carrier{{Name: "uk-mobile", TPS: 50, Binds: []router.Sender{&echoBind{}}}},
		Routes:   []router.Route{{Prefix: "44", Carriers: []router.Choice{{Carrier: "uk-mobile"}}}},
	}, rec, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.Start()

	job := r.AcquireJob()
	job.Msg = &sms.Message{ID: 1001, Dest: sms.Address{TON: 1, NPI: 1, Addr: "447700900123"}}
	job.Segments = append(job.Segments,
		router.Segment{Seq: 1, Total: 2, Body: []byte("first half")},
		router.Segment{Seq: 2, Total: 2, Body: []byte("second half")})
	if err := r.Dispatch(job); err != nil {
		fmt.Println(err)
	}
	<-rec.done

	other := r.AcquireJob()
	other.Msg = &sms.Message{ID: 1002, Dest: sms.Address{Addr: "15551234567"}}
	other.Segments = append(other.Segments, router.Segment{Seq: 1, Total: 1, Body: []byte("hi")})
	fmt.Println(r.Dispatch(other))
	r.ReleaseJob(other)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	unsent, err := r.Stop(ctx)
	fmt.Println(len(unsent), err)
	// Output:
	// message 1001 part 1/2: submitted to uk-mobile as c-1
	// message 1001 part 2/2: submitted to uk-mobile as c-2
	// message 1001: done
	// router: no route for destination
	// 0 <nil>
}
