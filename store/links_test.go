package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLinks: links are stored in batches (past one INSERT's rows), read
// by code (case-sensitive), refused when a code is taken (none of the
// batch stored); clicks count per code and per campaign, unique once per
// code even when clicked concurrently; the click log keeps the user agent
// clipped and stops at MaxLoggedClicks; erasing a recipient removes its
// links and clicks but not the campaign's counters.
func TestLinks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		var batch []Link
		for i := range linkInsertRows + 3 {
			batch = append(batch, Link{Code: fmt.Sprintf("code%06d", i), AccountID: 1, CampaignID: 5, RecipientID: int64(100 + i%7),
				URL: fmt.Sprintf("https://shop.example/p/%d", i)})
		}
		if err := s.InsertLinks(ctx, batch); err != nil {
			t.Fatal(err)
		}
		l, err := s.LinkByCode(ctx, "code000502")
		if err != nil || l.URL != "https://shop.example/p/502" || l.AccountID != 1 || l.CampaignID != 5 || l.RecipientID != 100+502%7 || l.CreatedAt.IsZero() {
			t.Fatalf("link: %+v %v", l, err)
		}
		if _, err := s.LinkByCode(ctx, "CODE000502"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("codes are case-sensitive: %v", err)
		}
		if _, err := s.LinkByCode(ctx, "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("short code: %v", err)
		}
		clash := []Link{{Code: "freshcode1", AccountID: 1, CampaignID: 5, URL: "https://a.example"},
			{Code: "code000001", AccountID: 1, CampaignID: 5, URL: "https://b.example"}}
		if err := s.InsertLinks(ctx, clash); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("a taken code: %v, want ErrDuplicate", err)
		}
		if _, err := s.LinkByCode(ctx, "freshcode1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("the clashing batch was partly stored: %v", err)
		}
		for _, bad := range []Link{{Code: "short", AccountID: 1, URL: "https://a.example"}, {Code: "okcode123", URL: "https://a.example"},
			{Code: "okcode123", AccountID: 1, URL: strings.Repeat("x", MaxLinkURL+1)}} {
			if err := s.InsertLinks(ctx, []Link{bad}); !errors.Is(err, ErrInvalid) {
				t.Errorf("insert %+.60v: %v, want ErrInvalid", bad, err)
			}
		}

		// Clicks: code000000 four times at once, code000001 once; a
		// link of another campaign and account.
		if err := s.InsertLinks(ctx, []Link{{Code: "othercamp1", AccountID: 2, CampaignID: 5, RecipientID: 1, URL: "https://c.example"}}); err != nil {
			t.Fatal(err)
		}
		l0, _ := s.LinkByCode(ctx, "code000000")
		var wg sync.WaitGroup
		firsts := make(chan bool, 4)
		for range 4 {
			wg.Go(func() {
				first, err := s.RecordClick(ctx, l0, time.Now(), "Mozilla/5.0 "+strings.Repeat("é", 200))
				if err != nil {
					t.Error(err)
				}
				firsts <- first
			})
		}
		wg.Wait()
		close(firsts)
		n := 0
		for f := range firsts {
			if f {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d first clicks of one code, want 1", n)
		}
		l1, _ := s.LinkByCode(ctx, "code000001")
		if first, err := s.RecordClick(ctx, l1, time.Now(), "curl/8"); err != nil || !first {
			t.Fatalf("click: %v %v", first, err)
		}
		lo, _ := s.LinkByCode(ctx, "othercamp1")
		if _, err := s.RecordClick(ctx, lo, time.Now(), ""); err != nil {
			t.Fatal(err)
		}
		if total, uniq, err := s.CampaignClicks(ctx, 1, 5); err != nil || total != 5 || uniq != 2 {
			t.Fatalf("campaign clicks: %d %d %v, want 5 2", total, uniq, err)
		}
		if total, uniq, err := s.CampaignClicks(ctx, 2, 5); err != nil || total != 1 || uniq != 1 {
			t.Fatalf("account 2's campaign clicks: %d %d %v", total, uniq, err)
		}
		if total, uniq, err := s.CampaignClicks(ctx, 1, 6); err != nil || total != 0 || uniq != 0 {
			t.Fatalf("a campaign never clicked: %d %d %v", total, uniq, err)
		}
		// Variants count apart and add up in CampaignClicks.
		if err := s.InsertLinks(ctx, []Link{{Code: "variantB01", AccountID: 1, CampaignID: 5, Variant: 2, URL: "https://b.example"},
			{Code: "variantB02", AccountID: 1, CampaignID: 5, Variant: 2, URL: "https://b.example"}}); err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"variantB01", "variantB01", "variantB02"} {
			l, err := s.LinkByCode(ctx, code)
			if err != nil || l.Variant != 2 {
				t.Fatalf("variant link %+v %v", l, err)
			}
			if _, err := s.RecordClick(ctx, l, time.Now(), "ua"); err != nil {
				t.Fatal(err)
			}
		}
		byVariant, err := s.CampaignClicksByVariant(ctx, 1, 5)
		if err != nil || len(byVariant) != 2 || byVariant[0] != (VariantClicks{0, 5, 2}) || byVariant[1] != (VariantClicks{2, 3, 2}) {
			t.Fatalf("clicks by variant %+v %v", byVariant, err)
		}
		if total, uniq, err := s.CampaignClicks(ctx, 1, 5); err != nil || total != 8 || uniq != 4 {
			t.Fatalf("campaign clicks with variants: %d %d %v, want 8 4", total, uniq, err)
		}
		if none, err := s.CampaignClicksByVariant(ctx, 1, 6); err != nil || len(none) != 0 {
			t.Fatalf("a campaign never clicked, by variant: %+v %v", none, err)
		}
		if l0, err := s.LinkByCode(ctx, "code000000"); err != nil || l0.Clicks != 4 {
			t.Fatalf("code clicks: %+v %v", l0, err)
		}
		clicks, err := s.LinkClicks(ctx, "code000000", MaxLoggedClicks)
		if err != nil || len(clicks) != 4 || len(clicks[0].UserAgent) > MaxClickUserAgent || !strings.HasPrefix(clicks[0].UserAgent, "Mozilla/5.0 é") ||
			clicks[0].At.IsZero() || strings.ContainsRune(clicks[0].UserAgent, '\uFFFD') {
			t.Fatalf("click log: %+v %v", clicks, err)
		}
		// Past MaxLoggedClicks clicks are counted, not logged.
		for range MaxLoggedClicks {
			if _, err := s.RecordClick(ctx, l1, time.Now(), "bot"); err != nil {
				t.Fatal(err)
			}
		}
		if clicks, err := s.LinkClicks(ctx, "code000001", MaxLoggedClicks); err != nil || len(clicks) != MaxLoggedClicks {
			t.Fatalf("logged clicks of a busy code: %d %v", len(clicks), err)
		}
		if total, uniq, err := s.CampaignClicks(ctx, 1, 5); err != nil || total != 8+MaxLoggedClicks || uniq != 4 {
			t.Fatalf("campaign clicks after the bot: %d %d %v", total, uniq, err)
		}
	})
}
