package store

import (
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// TestWriterAmend: a queued row can be changed, and what is stored is the
// changed row; a row a batch has taken, another row under the number, or a
// number never given cannot.
func TestWriterAmend(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.Insert(ctx, testMessage(1, 7)); err != nil {
			t.Fatal(err)
		}
		// The only worker is held busy and neither size nor deadline
		// flushes: rows stay queued until release and Flush.
		w, _ := newTestWriter(t, s, WriterConfig{MaxRows: 1000, MaxPending: 1000, MaxDelay: time.Hour, Workers: 1})
		release := holdWriter(t, w, 1000)
		log := newDoneLog(t, 2)
		sub := ev(1, 7, sms.StatusSubmitted, base, 1, "c", "cid-7", "")
		n, err := w.AddNumbered(sub, log.tag("sub"))
		if err != nil {
			t.Fatal(err)
		}
		other := ev(1, 7, sms.StatusSubmitted, base, 2, "c", "cid-8", "")
		n2, err := w.AddNumbered(other, log.tag("other"))
		if err != nil {
			t.Fatal(err)
		}
		if n2 != n+1 {
			t.Fatalf("numbers %d then %d, want consecutive", n, n2)
		}
		if w.Amend(n, other, func() { t.Error("changed a row under another row's number") }) {
			t.Fatal("Amend with the wrong row reported success")
		}
		if w.Amend(n2+1, other, func() { t.Error("changed a row never added") }) {
			t.Fatal("Amend of a number never given reported success")
		}
		done := base.Add(time.Minute)
		if !w.Amend(n, sub, func() {
			sub.SubmittedAt = sub.At
			sub.Status, sub.At, sub.ErrorCode = sms.StatusDelivered, done, "000"
		}) {
			t.Fatal("Amend of a queued row failed")
		}
		release()
		if err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		log.wait(2)
		if w.Amend(n, sub, func() { t.Error("changed a written row") }) {
			t.Fatal("Amend of a written row reported success")
		}
		if got := countRows(t, s, "message_events", "message_id = 7"); got != 2 {
			t.Fatalf("%d event rows, want 2 (one folded, one plain)", got)
		}
		_, events, err := s.GetMessage(ctx, 1, 7)
		if err != nil {
			t.Fatal(err)
		}
		// submitted seg 1 (from the folded row), submitted seg 2, both at
		// base, then delivered seg 1.
		if len(events) != 3 || events[2].Status != sms.StatusDelivered || !events[2].At.Equal(done) ||
			events[2].ErrorCode != "000" || events[2].Segment != 1 {
			t.Fatalf("history = %+v", events)
		}
		segs := map[int]bool{}
		for _, e := range events[:2] {
			if e.Status != sms.StatusSubmitted || !e.At.Equal(base) || e.Carrier != "c" {
				t.Fatalf("history = %+v", events)
			}
			segs[e.Segment] = true
		}
		if !segs[1] || !segs[2] {
			t.Fatalf("submitted segments %v, want 1 and 2", segs)
		}
	})
}

// TestFoldedEventReads: a final event that records its submission counts
// as the segment's submission everywhere: the history, recovery and the
// margin report.
func TestFoldedEventReads(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		id := IDAt(base.Add(time.Second))
		m := testMessage(1, id)
		m.CreatedAt = base
		folded := ev(1, id, sms.StatusUndelivered, base.Add(3*time.Second), 0, "carrierA", "c-9", "005")
		folded.SubmittedAt = base.Add(2 * time.Second)
		if err := s.Insert(ctx, m, folded); err != nil {
			t.Fatal(err)
		}
		_, events, err := s.GetMessage(ctx, 1, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 ||
			events[0].Status != sms.StatusSubmitted || !events[0].At.Equal(folded.SubmittedAt) ||
			events[0].Carrier != "carrierA" || events[0].CarrierMsgID != "c-9" || events[0].ErrorCode != "" ||
			events[1].Status != sms.StatusUndelivered || !events[1].At.Equal(folded.At) || events[1].ErrorCode != "005" ||
			events[1].CarrierMsgID != "" {
			t.Fatalf("history = %+v", events)
		}
		pending, err := s.Unfinished(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pending {
			if p.Message.ID == id {
				t.Fatalf("a message with a folded final event is unfinished: %+v", p)
			}
		}
		var seen []SubmittedSegment
		if err := s.EachSubmittedSegment(ctx, base, base.Add(time.Hour), 100, func(ss *SubmittedSegment) error {
			seen = append(seen, *ss)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[0].MessageID != id || seen[0].Carrier != "carrierA" || !seen[0].At.Equal(folded.SubmittedAt) {
			t.Fatalf("submitted segments = %+v, want the folded one at its submission time", seen)
		}
	})
}
