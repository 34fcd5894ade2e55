package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/store"
)

// Links serves the tracked short links campaigns send (links.domain):
// GET /l/{code} asks it where a code leads and records the click. It
// needs no caller: the code, unguessable, is the credential.
type Links struct {
	st   *store.Store
	on   bool
	host string // see ShortHost
	log  *slog.Logger
	now  func() time.Time
}

// NewLinks returns the click use case over st, logging to log (nil
// discards); off (links.domain empty), every code is not found.
func NewLinks(st *store.Store, on bool, log *slog.Logger) *Links {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Links{st: st, on: on, log: log, now: time.Now}
}

// ShortHost returns the host whose root paths are short links ("/CODE"
// on it is GET /l/CODE): the host of a links.domain without a path, such
// as gal.example for https://gal.example; "" when links are off or the
// domain has a path (https://gateway.example/l: the codes are under it).
func (l *Links) ShortHost() string { return l.host }

// shortHost is the host of domain when it has no path.
func shortHost(domain string) string {
	u, err := url.Parse(domain)
	if err != nil || strings.Trim(u.Path, "/") != "" {
		return ""
	}
	return strings.ToLower(u.Host)
}

// CheckLinkDomain checks the links.domain setting (empty is off): an
// absolute http or https URL such as https://gal.example.
func CheckLinkDomain(domain string) error {
	if domain == "" {
		return nil
	}
	_, err := campaign.CheckLinkDomain(domain)
	return err
}

// Click returns the URL stored for code and records the click with the
// client's user agent (clipped to store.MaxClickUserAgent bytes). A code
// never made is not found: there is no redirect to anything not stored.
// A click that cannot be recorded is logged and still redirected: the
// recipient's link works even when the statistics miss it.
func (l *Links) Click(ctx context.Context, code, userAgent string) (string, error) {
	if !l.on {
		return "", NotFound("short links are not enabled on this gateway")
	}
	if !campaign.ValidCode(code) {
		return "", NotFound("no such link")
	}
	link, err := l.st.LinkByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return "", NotFound("no such link")
	}
	if err != nil {
		return "", fmt.Errorf("link %s: %w", code, err)
	}
	if _, err := l.st.RecordClick(ctx, link, l.now(), userAgent); err != nil {
		l.log.Error("link click not recorded", "code", code, "campaign", link.CampaignID, "err", err)
	}
	return link.URL, nil
}
