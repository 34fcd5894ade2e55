package store

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecordClick is the cost of one click of GET /l/{code}: the
// lookup by code and the recorded click (first clicks of 10,000 codes,
// then repeated ones).
func BenchmarkRecordClick(b *testing.B) {
	for _, driver := range dialects {
		b.Run(driver, func(b *testing.B) {
			s := newTestStore(b, driver)
			ctx := testCtx(b)
			links := make([]Link, 10_000)
			for i := range links {
				links[i] = Link{Code: fmt.Sprintf("bench%05d", i), AccountID: 1, CampaignID: 1, RecipientID: int64(i), URL: "https://shop.example/sale"}
			}
			if err := s.InsertLinks(ctx, links); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l, err := s.LinkByCode(ctx, links[i%len(links)].Code)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.RecordClick(ctx, l, time.Now(), "Mozilla/5.0"); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
