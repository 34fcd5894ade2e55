package webhook

import (
	"net"
	"net/http"
	"time"
)

// NewTransport returns the Transport a [Dispatcher] uses when
// Config.Transport is nil, tuned for posting to many hosts: workers idle
// connections kept per host (one per worker keeps a busy receiver on warm
// connections), at most 1,024 idle in all, dial and TLS handshake bounded
// by timeout, no proxy (callbacks go straight to the customer) and a
// 16 KiB bound on response headers. Callers may adjust it, for example
// giving its dialer a Control func that refuses private addresses.
func NewTransport(workers int, timeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    workers,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 16 << 10,
	}
}

// noRedirect makes the client hand back a 3xx answer instead of following
// it: a callback is posted to the URL the customer registered, nowhere
// else.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
