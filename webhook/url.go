package webhook

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength bounds a callback URL in bytes; longer ones are refused
// rather than stored and posted to.
const MaxURLLength = 2048

// URLError is a callback URL, or an address it leads to, that a [Guard]
// refused. It wraps [ErrBadURL] for a malformed URL and
// [ErrHostNotAllowed] for a host or address the policy refuses.
type URLError struct {
	// Reason is one of the Reason constants, the reason label of
	// gallant_webhook_url_refused_total.
	Reason string
	// Detail says why in a sentence for the customer. It names the host
	// or address at fault but never repeats the URL's path or query,
	// which may carry a token.
	Detail string
}

// Error returns the sentinel's text and the detail.
func (e *URLError) Error() string { return e.Unwrap().Error() + ": " + e.Detail }

// Unwrap returns ErrBadURL or ErrHostNotAllowed.
func (e *URLError) Unwrap() error {
	switch e.Reason {
	case ReasonMalformed, ReasonTooLong, ReasonScheme, ReasonNoHost, ReasonUserinfo:
		return ErrBadURL
	}
	return ErrHostNotAllowed
}

// parseURL checks the form of a callback URL: at most MaxURLLength
// bytes, absolute, http or https, a host, no user information and a port,
// if any, from 1 to 65535. It returns its host in lower case
// (an IP literal without brackets, a name without a trailing dot).
func parseURL(raw string) (string, *URLError) {
	if raw == "" {
		return "", &URLError{Reason: ReasonMalformed, Detail: "the URL is empty"}
	}
	if len(raw) > MaxURLLength {
		return "", &URLError{Reason: ReasonTooLong,
			Detail: "the URL is longer than " + strconv.Itoa(MaxURLLength) + " bytes"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", &URLError{Reason: ReasonMalformed, Detail: "the URL cannot be parsed"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", &URLError{Reason: ReasonScheme, Detail: "the URL must be absolute, with scheme http or https"}
	}
	if u.Opaque != "" {
		return "", &URLError{Reason: ReasonMalformed, Detail: "the URL must have the form http://host/path"}
	}
	if u.User != nil {
		return "", &URLError{Reason: ReasonUserinfo, Detail: "the URL must not carry a user name or password"}
	}
	host := hostName(u.Hostname())
	if host == "" {
		return "", &URLError{Reason: ReasonNoHost, Detail: "the URL has no host"}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", &URLError{Reason: ReasonMalformed, Detail: "the URL's port must be 1 to 65535"}
		}
	}
	if _, err := netip.ParseAddr(host); err != nil && !nameLike(host) {
		return "", &URLError{Reason: ReasonMalformed, Detail: "the URL's host is not a name or an IP address"}
	}
	return host, nil
}

// nameLike reports whether host could be a DNS name: dot-separated
// non-empty labels of letters, digits, hyphens, underscores and non-ASCII
// bytes (an internationalised name, sent as punycode).
func nameLike(host string) bool {
	for label := range strings.SplitSeq(host, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 0x80 || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
