package config

import (
	"fmt"
	"time"

	"github.com/gallant-sms/gallant/app"
)

// CampaignsConfig configures the campaign engine (issue 13).
type CampaignsConfig struct {
	// MaxRate caps the messages per second that all campaigns driven by
	// one instance feed the gateway together, shared evenly between the
	// running campaigns (each also keeps to its own max_rate): the
	// campaigns' fair share next to API and SMPP traffic. Default 500.
	MaxRate float64 `yaml:"max_rate"`
	// LeaseTTL is how long an instance's lease on a running campaign
	// lasts unrenewed: a killed instance's campaigns are taken over by
	// another after it. Default 15s.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// PageSize is the most recipients claimed at once per campaign.
	// Default 500.
	PageSize int `yaml:"page_size"`
	// QuietHours replace the shipped quiet-hour rules of marketing
	// campaigns (empty: the shipped ones; see campaign.DefaultQuietHours),
	// each {prefix, zone, start, end}: numbers starting with prefix get
	// marketing texts only from start to end, recipient local time.
	QuietHours []app.QuietRule `yaml:"quiet_hours"`
	// NoQuietHours turns quiet hours off.
	NoQuietHours bool `yaml:"no_quiet_hours"`
	// OptOutText renders a template's {{optout}}. Default "Reply STOP
	// to unsubscribe".
	OptOutText string `yaml:"opt_out_text"`
}

func (c *CampaignsConfig) validate() error {
	if c.MaxRate < 0 || c.MaxRate > 100000 {
		return fmt.Errorf("config: campaigns.max_rate %v: want 0 (default 500) to 100000", c.MaxRate)
	}
	if c.LeaseTTL != 0 && c.LeaseTTL < time.Second {
		return fmt.Errorf("config: campaigns.lease_ttl %v: want at least 1s (default 15s)", c.LeaseTTL)
	}
	if c.PageSize < 0 || c.PageSize > 10000 {
		return fmt.Errorf("config: campaigns.page_size %d: want 0 (default 500) to 10000", c.PageSize)
	}
	if len(c.QuietHours) > 0 {
		if err := app.CheckQuietHours(c.QuietHours); err != nil {
			return fmt.Errorf("config: campaigns.quiet_hours: %w", err)
		}
	}
	return nil
}

// CampaignEngine is the campaign engine's configuration.
func (c *Config) CampaignEngine() app.CampaignEngineConfig {
	e := app.CampaignEngineConfig{MaxRate: c.Campaigns.MaxRate, LeaseTTL: c.Campaigns.LeaseTTL, PageSize: c.Campaigns.PageSize,
		QuietHours: c.Campaigns.QuietHours, OptOutText: c.Campaigns.OptOutText, FastAcks: c.Durability == "fast"}
	if c.Campaigns.NoQuietHours {
		e.QuietHours = []app.QuietRule{}
	}
	return e
}
