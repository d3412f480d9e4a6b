package publish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry bounds. GitHub asks clients to back off on 5xx and to wait
// Retry-After on secondary rate limits; a bounded number of attempts keeps a
// broken API from holding the job.
const (
	maxAttempts = 5
	baseBackoff = time.Second
	maxBackoff  = 20 * time.Second
	// maxRetryAfter caps how long meshgate honours Retry-After (and a
	// primary rate limit's reset); a longer wait is not worth holding the
	// job for, so the request fails instead.
	maxRetryAfter = 60 * time.Second
	// attemptTimeout bounds one HTTP exchange.
	attemptTimeout = 30 * time.Second
	// callTimeout bounds one API call, retries and waits included.
	callTimeout = 3 * time.Minute
	// maxErrorBody is how much of a 403/429 body is read to tell a rate
	// limit from a refused permission.
	maxErrorBody = 64 << 10
)

// noAmbiguousRetry marks a request whose repetition after an answer that
// leaves its effect unknown (5xx, a broken connection) could duplicate a
// write: a POST creating something, a PATCH appending annotations. The
// caller checks what happened and retries itself.
type noAmbiguousRetry struct{}

func withoutAmbiguousRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noAmbiguousRetry{}, true)
}

// retryTransport retries GitHub's transient failures: 5xx and broken
// connections for requests safe to repeat, and rate limits (429, and 403
// secondary rate limits recognised by Retry-After or their message, since
// go-github v56 only knows an older documentation_url) for every request,
// because GitHub rejects a rate-limited request without applying it.
type retryTransport struct {
	base   http.RoundTripper
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration
	now    func() time.Time
	// onRetry, when set, hears about each retry (for the log).
	onRetry func(req *http.Request, status int, wait time.Duration)
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	repeatable := req.Method != http.MethodPost && ctx.Value(noAmbiguousRetry{}) == nil
	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		if attempt > 1 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, errNoRewind
			}
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = b
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		resp, err := t.base.RoundTrip(r.WithContext(actx))
		last := attempt == maxAttempts
		if err != nil {
			cancel()
			if ctx.Err() != nil || !repeatable || last {
				return nil, err
			}
			if werr := t.wait(ctx, req, 0, t.backoff(attempt)); werr != nil {
				return nil, err
			}
			continue
		}
		wait, retry := t.classify(resp, repeatable, attempt)
		if !retry || last {
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		cancel()
		if werr := t.wait(ctx, req, resp.StatusCode, wait); werr != nil {
			return nil, werr
		}
	}
}

var errNoRewind = errors.New("retry: the request body cannot be replayed")

func (t *retryTransport) wait(ctx context.Context, req *http.Request, status int, d time.Duration) error {
	if t.onRetry != nil {
		t.onRetry(req, status, d)
	}
	return t.sleep(ctx, d)
}

// backoff is exponential from baseBackoff, capped, with jitter.
func (t *retryTransport) backoff(attempt int) time.Duration {
	d := baseBackoff << (attempt - 1)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d + t.jitter(d/2)
}

// classify decides whether resp calls for another attempt and after how
// long. A 403/429 body is read (and put back) to recognise the rate limit.
func (t *retryTransport) classify(resp *http.Response, repeatable bool, attempt int) (time.Duration, bool) {
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusForbidden:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), t.now()); ok {
			if ra > maxRetryAfter {
				return 0, false
			}
			return ra + t.jitter(time.Second), true
		}
		if strings.Contains(strings.ToLower(string(body)), "secondary rate limit") || code == http.StatusTooManyRequests {
			return t.backoff(attempt), true
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" {
			// The primary rate limit: worth waiting only when it resets soon.
			reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil {
				return 0, false
			}
			d := time.Unix(reset, 0).Sub(t.now())
			if d < 0 {
				d = 0
			}
			if d > maxRetryAfter {
				return 0, false
			}
			return d + t.jitter(time.Second), true
		}
		return 0, false // a refused permission
	case code >= 500 && code != http.StatusNotImplemented:
		return t.backoff(attempt), repeatable
	}
	return 0, false
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// cancelOnClose ends an attempt's timeout once its body is consumed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// randomJitter is a random duration in [0, max).
func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}
