package campaign

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// TestLinksService: Shorten stores a code at once; a batch's codes are
// stored by Flush and not before; a preview's sample is never stored;
// links on our own domain are left alone, non-http targets refused; a
// rendered text carries the batch's links, one per URL and recipient.
func TestLinksService(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := storetest.Open(t, driver)
			ctx := testCtx(t)
			if _, err := NewLinks(st, "gal.example"); err == nil {
				t.Fatal("a domain without a scheme taken")
			}
			ls, err := NewLinks(st, "https://gal.example/")
			if err != nil || ls.Domain() != "https://gal.example" {
				t.Fatalf("%v %v", ls, err)
			}
			short, err := ls.Shorten(ctx, 1, 9, 70, "https://shop.example/a?b=c")
			code, ok := strings.CutPrefix(short, "https://gal.example/")
			if err != nil || !ok || !ValidCode(code) {
				t.Fatalf("short %q %v", short, err)
			}
			l, err := st.LinkByCode(ctx, code)
			if err != nil || l.URL != "https://shop.example/a?b=c" || l.AccountID != 1 || l.CampaignID != 9 || l.RecipientID != 70 {
				t.Fatalf("stored %+v %v", l, err)
			}
			if again, _ := ls.Shorten(ctx, 1, 9, 71, "https://shop.example/a?b=c"); again == short {
				t.Fatal("two recipients share a code")
			}
			if own, err := ls.Shorten(ctx, 1, 9, 70, "HTTPS://gal.example/abc"); err != nil || own != "HTTPS://gal.example/abc" {
				t.Fatalf("our own link: %q %v", own, err)
			}
			for _, bad := range []string{"ftp://x.example", "https://", "javascript:alert(1)", "https://x.example/" + strings.Repeat("a", store.MaxLinkURL),
				"https://x.example/a b", "https://x.example/a\r\nSet-Cookie: x=1"} {
				if _, err := ls.Shorten(ctx, 1, 9, 70, bad); !errors.Is(err, ErrNotLinkURL) {
					t.Errorf("%.40q: %v", bad, err)
				}
			}
			sample, err := ls.Sample("https://shop.example/x")
			if err != nil || !strings.HasPrefix(sample, "https://gal.example/") {
				t.Fatalf("sample %q %v", sample, err)
			}
			if _, err := st.LinkByCode(ctx, strings.TrimPrefix(sample, "https://gal.example/")); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a sample was stored: %v", err)
			}

			tpl, err := ParseTemplate("Hi {{first_name}} https://shop.example/p?u={{phone}} and https://help.example", nil)
			if err != nil {
				t.Fatal(err)
			}
			b := ls.Batch(1, 10)
			var texts []string
			for i := range 3 {
				c := ada
				c.ID, c.Phone = int64(200+i), "4477009000"+strconv.Itoa(i)
				text, err := tpl.Render(Recipient{Contact: c, Link: b.Link(c.ID)})
				if err != nil {
					t.Fatal(err)
				}
				texts = append(texts, text)
			}
			if b.Len() != 6 {
				t.Fatalf("%d links in the batch, want 6", b.Len())
			}
			urls := FindURLs(texts[1])
			if len(urls) != 2 || !strings.HasPrefix(urls[0], "https://gal.example/") {
				t.Fatalf("text %q", texts[1])
			}
			first := strings.TrimPrefix(urls[0], "https://gal.example/")
			if _, err := st.LinkByCode(ctx, first); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a batch's link served before Flush: %v", err)
			}
			if err := b.Flush(ctx); err != nil || b.Len() != 0 {
				t.Fatalf("flush: %v, %d left", err, b.Len())
			}
			l, err = st.LinkByCode(ctx, first)
			if err != nil || l.URL != "https://shop.example/p?u=+44770090001" || l.RecipientID != 201 || l.CampaignID != 10 {
				t.Fatalf("flushed %+v %v", l, err)
			}
			if err := b.Flush(ctx); err != nil {
				t.Fatalf("an empty flush: %v", err)
			}
			vb := ls.VariantBatch(1, 10, 3)
			short, err = vb.Shorten(300, "https://shop.example/b")
			if err != nil || vb.Flush(ctx) != nil {
				t.Fatalf("variant batch: %q %v", short, err)
			}
			if l, err := st.LinkByCode(ctx, strings.TrimPrefix(short, "https://gal.example/")); err != nil || l.Variant != 3 || l.CampaignID != 10 {
				t.Fatalf("variant link %+v %v", l, err)
			}
			if u, err := vb.Link(300)("https://x.example/" + strings.Repeat("a", store.MaxLinkURL)); err != nil || vb.Len() != 0 || !strings.HasPrefix(u, "https://x.example/") {
				t.Fatalf("an untrackable URL: %.30q %v", u, err)
			}
		})
	}
}

// TestNewCode: codes are CodeLen base62 characters and differ.
func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		c := NewCode()
		if !ValidCode(c) || seen[c] {
			t.Fatalf("code %q (seen %v)", c, seen[c])
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "abc", "abcdefghi!", "abcdefghijk"} {
		if ValidCode(bad) {
			t.Errorf("%q valid", bad)
		}
	}
}

// BenchmarkLinkBatch is the cost per link of a campaign page: a batch
// of 500 shortened and flushed (one INSERT), on each store.
func BenchmarkLinkBatch(b *testing.B) {
	for _, driver := range storetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			st := storetest.Open(b, driver)
			ls, err := NewLinks(st, "https://gal.example")
			if err != nil {
				b.Fatal(err)
			}
			ctx := testCtx(b)
			batch := ls.Batch(1, 1)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := batch.Shorten(int64(i), "https://shop.example/sale"); err != nil {
					b.Fatal(err)
				}
				if batch.Len() == 500 {
					if err := batch.Flush(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := batch.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkLinksShorten is the cost of one link stored on its own.
func BenchmarkLinksShorten(b *testing.B) {
	for _, driver := range storetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			st := storetest.Open(b, driver)
			ls, err := NewLinks(st, "https://gal.example")
			if err != nil {
				b.Fatal(err)
			}
			ctx := testCtx(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ls.Shorten(ctx, 1, 1, 1, "https://shop.example/sale"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
