package gallant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// Defaults of a [Client]'s options.
const (
	// DefaultRetries is how many times a request answered 429 or 503 is
	// sent again before its error is returned.
	DefaultRetries = 3
	// DefaultMaxRetryWait caps the wait before one retry, whatever a
	// Retry-After header asks for: a longer wait returns the error instead.
	DefaultMaxRetryWait = 30 * time.Second
	// DefaultTimeout is the whole-request timeout of the default HTTP client.
	DefaultTimeout = 30 * time.Second
)

// maxAnswer bounds how much of an answer is read: the API's largest JSON
// answers (a batch of 10,000 results) are well under it.
const maxAnswer = 32 << 20

// Client calls the Gallant HTTP API with one API key. Create it with
// [NewClient]; it is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseErr   error
	key       string
	hc        *http.Client
	userAgent string
	retries   int
	maxWait   time.Duration
	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a [Client] in [NewClient].
type Option func(*Client)

// WithHTTPClient makes the client send its requests with hc (for a proxy,
// custom TLS or timeouts). The default is an [http.Client] with a
// [DefaultTimeout] timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithRetries sets how many times a request answered 429 (rate-limited)
// or 503 (backpressure, not-ready) is retried, at most maxWait apart
// (0: [DefaultMaxRetryWait]). n = 0 turns retries off. The wait is the
// answer's Retry-After, else an exponential back-off from 250 ms with
// jitter. A POST is retried too: the gateway refuses such requests before
// acting on them, and with an [IdempotencyKey] a retry can never act twice.
func WithRetries(n int, maxWait time.Duration) Option {
	return func(c *Client) {
		c.retries = max(n, 0)
		if maxWait > 0 {
			c.maxWait = maxWait
		}
	}
}

// WithUserAgent puts ua before the SDK's own User-Agent ("gallant-go/VERSION").
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua + " " + c.userAgent
		}
	}
}

// NewClient returns a client for the gateway at baseURL (for example
// "https://sms.example.com" or "http://127.0.0.1:8080"; a path prefix is
// kept) authenticating with apiKey. A malformed baseURL is reported by the
// first call.
func NewClient(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{
		key:       apiKey,
		hc:        &http.Client{Timeout: DefaultTimeout},
		userAgent: "gallant-go/" + Version,
		retries:   DefaultRetries,
		maxWait:   DefaultMaxRetryWait,
		sleep:     sleepCtx,
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	switch {
	case err != nil:
		c.baseErr = fmt.Errorf("gallant: base URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		c.baseErr = fmt.Errorf("gallant: base URL %q is not an absolute http(s) URL", baseURL)
	default:
		c.base = u
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// CallOption changes one request; see [IdempotencyKey].
type CallOption func(*http.Request)

// IdempotencyKey sends the Idempotency-Key header (1 to 255 printable
// ASCII characters; a UUID is ideal) with a POST, so that the gateway acts
// on it once however many times it is sent: a retry with the same key and
// body gets the first answer again.
func IdempotencyKey(key string) CallOption {
	return func(r *http.Request) { r.Header.Set("Idempotency-Key", key) }
}

// do sends method path with body (JSON-encoded unless nil) and decodes a
// 2xx answer into out (unless nil). Non-2xx answers become *Error.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any, opts []CallOption) error {
	if c.baseErr != nil {
		return c.baseErr
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("gallant: encode %s %s: %w", method, path, err)
		}
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, method, u.String(), payload, out, opts)
		var ae *Error
		if err == nil || !errors.As(err, &ae) || !ae.Temporary() || attempt >= c.retries {
			return err
		}
		wait := ae.RetryAfter
		if wait <= 0 {
			base := 250 * time.Millisecond << min(attempt, 6)
			wait = base/2 + rand.N(base/2+1)
		}
		if wait > c.maxWait {
			return err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return errors.Join(err, serr)
		}
	}
}

// once sends one attempt.
func (c *Client) once(ctx context.Context, method, u string, payload []byte, out any, opts []CallOption) error {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("gallant: %s %s: %w", method, u, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("gallant: %s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("gallant: %s %s: read answer: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseError(resp, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("gallant: %s %s: decode answer: %w", method, req.URL.Path, err)
	}
	return nil
}

// sleepCtx waits d, or less if ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// pathID formats a numeric id for a path.
func pathID(id int64) string { return strconv.FormatInt(id, 10) }
