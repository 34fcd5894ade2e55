package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/internal/testutil"
	"github.com/gallant-sms/gallant/smpp/smpptest"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// BenchmarkCampaignFeed feeds a campaign to a list of contacts (200,000,
// or GALLANT_CAMPAIGN_FEED_N) through the gateway (durable, the accept
// path of the API) to the carrier simulator with receipts, and reports
// the feed rate (launch to the last message at the carrier), the rate
// of the first and of the last tenth of the audience (a feed that slows
// as the campaign grows shows it), how long the launch took
// (materializing and pricing the audience), and the process's RSS and
// Go heap meanwhile (gateway, store client and simulator together; the
// audience is never in memory). GALLANT_CAMPAIGN_FEED_HEAP names a file
// for a heap profile taken when half the audience is at the carrier.
// The process runs under serve's default runtime settings (the 200 MiB
// soft memory limit of runtime.memory_limit), as the gateway would.
//
//	go test ./cmd/gallant -run '^$' -bench CampaignFeed -benchtime 1x
func BenchmarkCampaignFeed(b *testing.B) {
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("GALLANT_CAMPAIGN_FEED_N")); err == nil && v > 0 {
		n = v
	}
	if err := (config.RuntimeConfig{}).Apply(slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	defer debug.SetMemoryLimit(math.MaxInt64)
	for _, driver := range storetest.Drivers {
		b.Run(driver, func(b *testing.B) {
			for b.Loop() {
				sim, addr := testutil.StartSimulator(b, smpptest.SimConfig{})
				cfg := testConfig(b, driver, addr)
				cfg.HTTP.RateLimitPerKey, cfg.HTTP.RateLimitPerIP = 0, 0
				cfg.Campaigns.MaxRate, cfg.Campaigns.PageSize = 100000, 2000
				cfg.Carriers[0].Binds, cfg.Carriers[0].Window = 4, 200
				a := startApp(b, cfg)
				cust := a.customer(b, "Acme", "")
				db := rawDB(b, store.Config{Driver: cfg.Store.Driver, DSN: cfg.Store.DSN})
				list := seedList(b, a.st, db, driver, cust.AccountID, "4477", n)
				id := a.createCampaign(b, cust.APIKey, map[string]any{"kind": "transactional", "text": "Feed",
					"audience": map[string]any{"list_ids": []int64{list}}})
				runtime.GC()
				base := procRSS()
				peak, heapPeak, backlog := base, 0.0, 0
				var ms runtime.MemStats
				start := time.Now()
				mustStatus(b, a.do(b, "POST", fmt.Sprintf("/v1/campaigns/%d/launch", id), cust.APIKey, ""), 200, "launch")
				launched := time.Since(start)
				var tenth, nineTenths time.Time // when a tenth and nine tenths were at the carrier
				heapFile := os.Getenv("GALLANT_CAMPAIGN_FEED_HEAP")
				deadline := time.Now().Add(30 * time.Minute)
				for time.Now().Before(deadline) {
					sum := sim.Summary()
					got := int(sum.SubmitSM)
					if tenth.IsZero() && got >= n/10 {
						tenth = time.Now()
					}
					if nineTenths.IsZero() && got >= n-n/10 {
						nineTenths = time.Now()
					}
					if got >= n {
						break
					}
					peak = max(peak, procRSS())
					backlog = max(backlog, sum.ReceiptsPending)
					runtime.ReadMemStats(&ms)
					heapPeak = max(heapPeak, float64(ms.HeapInuse)/(1<<20))
					if heapFile != "" && got >= n/2 {
						writeHeapProfile(b, heapFile)
						heapFile = ""
					}
					time.Sleep(100 * time.Millisecond) // sampling RSS
				}
				took := time.Since(start)
				if got := sim.Summary().SubmitSM; got != uint64(n) {
					b.Fatalf("%d of %d at the carrier", got, n)
				}
				b.ReportMetric(float64(n)/took.Seconds(), "msg/s")
				b.ReportMetric(float64(n/10)/tenth.Sub(start).Seconds(), "first-tenth-msg/s")
				b.ReportMetric(float64(n/10)/time.Since(nineTenths).Seconds(), "last-tenth-msg/s")
				b.ReportMetric(launched.Seconds(), "launch-s")
				b.ReportMetric(base, "RSS-before-MiB")
				b.ReportMetric(peak-base, "RSS-growth-MiB")
				b.ReportMetric(heapPeak, "heap-peak-MiB")
				b.ReportMetric(float64(backlog), "carrier-receipts-backlog")
			}
		})
	}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}
