package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryStatus reports whether an HTTP status is worth trying again: 5xx,
// 408 (request timeout) and 429 (too many requests). Other 4xx are
// permanent refusals.
func RetryStatus(code int) bool {
	return code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
}

// HTTPError is a receiver's non-2xx answer.
type HTTPError struct {
	Status int
	Body   string // the start of the answer's body, for the report
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

// maxRetryAfter caps what a Retry-After header can ask; the context
// deadline caps it further.
const maxRetryAfter = 5 * time.Minute

// Post sends one request and classifies the answer: nil for 2xx, an
// *HTTPError (wrapped in a *RetryAfterError when the receiver said when
// to come back) otherwise. The error never holds the request's URL (a
// Slack webhook URL is its secret); what names the receiver is the
// caller's what.
func Post(ctx context.Context, client *http.Client, what string, req *http.Request) (retry bool, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return true, fmt.Errorf("%s: %w", what, scrub(err))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return false, nil
	}
	herr := &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(strings.ToValidUTF8(string(head), "?"))}
	err = fmt.Errorf("%s: %w", what, herr)
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && RetryStatus(resp.StatusCode) {
		err = &RetryAfterError{After: d, Err: err}
	}
	return RetryStatus(resp.StatusCode), err
}

// scrub drops the URL from a transport error, keeping what happened.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out: %w", context.DeadlineExceeded)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return fmt.Errorf("%s: %w", oe.Op, oe.Err)
	}
	return err
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// ParseURL checks a receiver's http(s) URL; the error names the receiver
// (what), never the URL.
func ParseURL(what string, s Secret) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s.Reveal()))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: the url is not an http(s) URL", what)
	}
	return u, nil
}

// PostJSON posts body as application/json to endpoint with the extra
// headers, as Post classifies the answer.
func PostJSON(ctx context.Context, client *http.Client, what, endpoint string, body []byte, header http.Header) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("%s: building the request failed", what)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fleetcheck")
	return Post(ctx, client, what, req)
}
