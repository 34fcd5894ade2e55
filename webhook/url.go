package webhook

import (
	"fmt"
	"net/url"
	"strings"
)

// maxURLLen bounds a callback URL; longer ones are refused rather than
// stored and posted to.
const maxURLLen = 2048

// checkURL parses raw and checks that it is an absolute http or https URL
// with a host that allow (nil: any) accepts.
func checkURL(raw string, allow func(string) bool) error {
	if raw == "" {
		return fmt.Errorf("%w: empty", ErrBadURL)
	}
	if len(raw) > maxURLLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrBadURL, maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q is not http or https", ErrBadURL, u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return fmt.Errorf("%w: no host", ErrBadURL)
	}
	if allow != nil && !allow(host) {
		return fmt.Errorf("%w: %s", ErrHostNotAllowed, host)
	}
	return nil
}
