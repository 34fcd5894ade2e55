package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxDrain is how much of an answer's body is read (and dropped) so the
// connection can be reused; a longer body costs a new connection instead.
const maxDrain = 4 << 10

// worker posts deliveries, taken fairly from the lanes, until Stop.
func (d *Dispatcher) worker() {
	for {
		d.mu.Lock()
		var j *job
		for {
			if d.stopping {
				// Stopping: what is queued stays for Stop, unposted.
				d.mu.Unlock()
				return
			}
			if j = d.pickLocked(); j != nil {
				break
			}
			d.work.Wait()
		}
		d.mu.Unlock()
		d.attempt(j)
	}
}

// outcome is what one post came to.
type outcome struct {
	status     int
	err        error
	retryAfter time.Duration // from the answer; -1 when absent
}

// attempt posts j once, records the attempt and then finishes j or
// schedules its next attempt.
func (d *Dispatcher) attempt(j *job) {
	j.d.Attempts++
	start := time.Now()
	o := d.post(j)
	took := time.Since(start)
	d.m.attempts.Inc()
	d.m.latency.Observe(took.Seconds())

	a := Attempt{
		AccountID:  j.d.AccountID,
		MessageID:  j.d.MessageID,
		URL:        j.d.URL,
		EventID:    j.d.Event.EventID,
		N:          j.d.Attempts,
		StatusCode: o.status,
		At:         start,
		Duration:   took,
	}
	aborted := o.err != nil && d.hard.Err() != nil
	retry := false
	class := classAnswered
	switch {
	case aborted:
		a.Err = o.err.Error()
		class = classAborted
	case o.err == nil && o.status >= 200 && o.status < 300:
		a.Delivered = true
	case errors.Is(o.err, ErrHostNotAllowed):
		// The guard refused the address the name resolved to: final,
		// and no fault of a receiver (no post was made).
		a.Err = o.err.Error()
	case o.err != nil:
		a.Err = o.err.Error()
		retry = true
		class = classFailed
	default:
		a.Err = "http status " + strconv.Itoa(o.status)
		retry = retryable(o.status)
		if retry {
			class = classFailed
		}
	}
	switch {
	case a.Delivered, aborted:
	case retry && j.d.Attempts < d.cfg.MaxAttempts:
	default:
		a.GaveUp = true
	}
	// Book the post with its receiver, and count and release a finished
	// delivery, before reporting it, so that whoever reacts to the report
	// sees the metrics and the free slot; schedule a retry only after, so
	// reports keep the attempts' order.
	d.mu.Lock()
	if h := d.hosts[j.key]; h != nil {
		d.postedLocked(j, h, class, time.Now())
	}
	if acct := d.accounts[j.d.AccountID]; acct != nil {
		d.accountPostedLocked(acct)
	}
	if a.Delivered || a.GaveUp {
		d.releaseLocked(j)
		if j.oid != 0 {
			d.finished = append(d.finished, j.oid)
			d.kickOutbox()
		}
	}
	d.mu.Unlock()
	switch {
	case a.Delivered:
		d.m.delivered.Inc()
	case a.GaveUp:
		d.m.gaveUp.Inc()
		d.log.LogAttrs(context.Background(), slog.LevelWarn, "webhook given up",
			slog.Int64("account", a.AccountID), slog.String("message", a.MessageID.String()),
			slog.String("url", a.URL), slog.Int("attempts", a.N), slog.String("error", a.Err))
	case !aborted:
		d.m.retries.Inc()
	}
	d.rec.Attempt(a)

	switch {
	case a.Delivered, a.GaveUp:
	case aborted:
		// Stop's deadline passed mid-post: hand it back as pending. The
		// attempt was recorded but does not count against MaxAttempts.
		j.d.Attempts--
		d.mu.Lock()
		j.due = time.Now()
		d.pushRetryLocked(j)
		d.mu.Unlock()
	default:
		delay := o.retryAfter
		if delay < 0 {
			delay = backoff(d.cfg.FirstRetry, d.cfg.MaxBackoff, j.d.Attempts)
		}
		delay = min(delay, d.cfg.MaxBackoff)
		d.log.LogAttrs(context.Background(), slog.LevelDebug, "webhook attempt failed",
			slog.String("url", a.URL), slog.Int("attempt", a.N), slog.String("error", a.Err),
			slog.Duration("retry_in", delay))
		d.mu.Lock()
		j.due = time.Now().Add(delay)
		d.pushRetryLocked(j)
		d.mu.Unlock()
	}
}

// retryable reports whether an answer with status is worth another
// attempt: a server error or 429 Too Many Requests.
func retryable(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests
}

// post sends j's body once, signed now, and reads the answer.
func (d *Dispatcher) post(j *job) outcome {
	ctx, cancel := context.WithTimeout(d.hard, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.d.URL, bytes.NewReader(j.body))
	if err != nil {
		return outcome{err: err, retryAfter: -1}
	}
	req.Header = http.Header{
		"Content-Type":      {ContentType},
		"User-Agent":        {UserAgent},
		SignatureHeader:     {Sign(j.d.Secret, time.Now(), j.body)},
		BodySignatureHeader: {SignBody(j.d.Secret, j.body)},
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return outcome{err: cleanErr(err), retryAfter: -1}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
	o := outcome{status: resp.StatusCode, retryAfter: -1}
	if retryable(resp.StatusCode) {
		o.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return o
}

// cleanErr drops the "Post <url>:" prefix net/http puts on its errors;
// the URL is recorded beside the error already.
func cleanErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// backoff returns the delay after attempt n (1-based): first doubled n-1
// times, capped at maxDelay, less a random 0-20%.
func backoff(first, maxDelay time.Duration, n int) time.Duration {
	delay := first
	for i := 1; i < n && delay < maxDelay; i++ {
		delay *= 2
	}
	delay = min(delay, maxDelay)
	return delay - rand.N(delay/5+1)
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP
// date. It returns -1 when v is absent or malformed, 0 for a date passed.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return -1
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return -1
}
