package config

import (
	"fmt"

	"github.com/gallant-sms/gallant/app"
)

// LinksConfig turns on tracked short links in campaigns.
type LinksConfig struct {
	// Domain is the base of the short links, an http or https URL such
	// as https://gal.example, whose requests reach this gateway's HTTP
	// listener (GET /l/{code} answers 302 to the target and counts the
	// click). Each URL of a campaign's text becomes Domain + "/" + a
	// 10-character code of its own per recipient. Empty, the default,
	// leaves URLs as they are written.
	Domain string `yaml:"domain"`
}

func (l LinksConfig) validate() error {
	if err := app.CheckLinkDomain(l.Domain); err != nil {
		return fmt.Errorf("config: links.domain: %w", err)
	}
	return nil
}
