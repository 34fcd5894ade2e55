package config

import (
	"strings"
	"testing"
	"time"
)

func TestCampaignsConfig(t *testing.T) {
	p := writeConfig(t, goodConfig+"\ncampaigns:\n  lease_ttl: 5s\n  quiet_hours:\n    - {prefix: \"44\", zone: Europe/London, start: \"09:00\", end: \"20:00\"}\n")
	cfg, err := Load(p, []string{"GALLANT_CAMPAIGNS_MAX_RATE=250"})
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.CampaignEngine()
	if e.MaxRate != 250 || e.LeaseTTL != 5*time.Second || len(e.QuietHours) != 1 || e.QuietHours[0].Zone != "Europe/London" || e.FastAcks {
		t.Fatalf("engine config %+v", e)
	}
	cfg.Campaigns.NoQuietHours = true
	if e := cfg.CampaignEngine(); e.QuietHours == nil || len(e.QuietHours) != 0 {
		t.Fatalf("no_quiet_hours: %+v", e.QuietHours)
	}
	for env, want := range map[string]string{
		"GALLANT_CAMPAIGNS_MAX_RATE=-1":     "campaigns.max_rate",
		"GALLANT_CAMPAIGNS_LEASE_TTL=10ms":  "campaigns.lease_ttl",
		"GALLANT_CAMPAIGNS_PAGE_SIZE=20000": "campaigns.page_size",
		`GALLANT_CAMPAIGNS_QUIET_HOURS=[{prefix: "1", zone: Mars/Base, start: "08:00", end: "21:00"}]`: "campaigns.quiet_hours",
		`GALLANT_CAMPAIGNS_QUIET_HOURS=[{prefix: "1", zone: UTC, start: "21:00", end: "08:00"}]`:       "campaigns.quiet_hours",
	} {
		if _, err := Load(p, []string{env}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", env, err, want)
		}
	}
}
