package store

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// BenchmarkSegmentPreview100k: the count and ten-contact sample of a
// segment over 100,000 contacts (a custom number field, a tag, no
// opt-out, a delivery in the last 30 days among 20,000 messages), on
// both drivers; one op is one preview (count + sample). Measured on the
// 2-core test machine (go test ./store -run '^$' -bench SegmentPreview100k
// -benchtime 20x): 9.7 ms SQLite, 19 ms MariaDB 10.11, 111 matched.
func BenchmarkSegmentPreview100k(b *testing.B) {
	for _, driver := range dialects {
		b.Run(driver, func(b *testing.B) {
			s := newTestStore(b, driver)
			ctx := testCtx(b)
			now := time.Now().UTC()
			const n = 100_000
			batch := make([]Contact, 0, 1000)
			for i := range n {
				tags := []string{"news"}
				if i%10 == 0 {
					tags = append(tags, "vip")
				}
				batch = append(batch, Contact{Phone: "4477" + strconv.Itoa(10000000+i), FirstName: "Ann", LastName: "Lee",
					Fields: `{"age":"` + strconv.Itoa(18+i%60) + `"}`, Tags: tags})
				if len(batch) == cap(batch) {
					if _, _, err := s.UpsertContacts(ctx, 7, batch); err != nil {
						b.Fatal(err)
					}
					batch = batch[:0]
				}
			}
			if _, err := s.w.ExecContext(ctx, "INSERT INTO contact_fields (account_id, name, type, created_at) VALUES (7, 'age', 'number', ?)", s.timeArg(now)); err != nil {
				b.Fatal(err)
			}
			// 20,000 messages over the last 60 days, every other one delivered.
			for k := 0; k < 20_000; k += 500 {
				var m, e strings.Builder
				m.WriteString("INSERT INTO messages (id, account_id, ingress, system_id, client_ref, src_ton, src_npi, src_addr, dst_ton, dst_npi, " +
					"dst_addr, data_coding, esm_class, protocol_id, priority, registered_delivery, body, segments, send_at, valid_until, " +
					"callback_url, created_at, status) VALUES ")
				e.WriteString("INSERT INTO message_events (message_id, account_id, status, at, segment, carrier, carrier_msg_id, error_code) VALUES ")
				var margs, eargs []any
				for j := k; j < k+500; j++ {
					at := now.Add(-time.Duration(j) * 3 * time.Minute * 86 / 10) // spread over 60 days
					id := sms.ID(uint64(segIDFloor(at)) + uint64(j)<<sms.NodeBits)
					if j > k {
						m.WriteByte(',')
					}
					m.WriteString("(?, 7, 1, '', '', 5, 0, 'G', 1, 1, ?, 0, 0, 0, 0, 1, X'6869', 1, NULL, NULL, '', ?, 1)")
					margs = append(margs, s.idArg(id), "4477"+strconv.Itoa(10000000+(j*7919)%n), s.timeArg(at))
					if j%2 == 0 {
						if len(eargs) > 0 {
							e.WriteByte(',')
						}
						e.WriteString("(?, 7, 5, ?, 0, 'c', 'x', '')")
						eargs = append(eargs, s.idArg(id), s.timeArg(at))
					}
				}
				if _, err := s.w.ExecContext(ctx, m.String(), margs...); err != nil {
					b.Fatal(err)
				}
				if _, err := s.w.ExecContext(ctx, e.String(), eargs...); err != nil {
					b.Fatal(err)
				}
			}
			r, err := ParseSegmentRules([]byte(`{"match":"all","conditions":[{"field":"field.age","op":"gt","value":30},` +
				`{"field":"tags","op":"has","value":"vip"},{"field":"opted_out","op":"is","value":false},` +
				`{"field":"delivered","op":"within_last_days","value":30}]}`))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			count := 0
			for b.Loop() {
				cond, args, err := s.SegmentRulesCondition(ctx, 7, r)
				if err != nil {
					b.Fatal(err)
				}
				if count, err = s.CountContactsMatching(ctx, 7, cond, args); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ContactsMatching(ctx, 7, cond, args, 0, 10); err != nil {
					b.Fatal(err)
				}
			}
			if count == 0 || count > n/10 {
				b.Fatalf("count %d", count)
			}
			b.ReportMetric(float64(count), "matched")
		})
	}
}
