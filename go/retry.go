package axme

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	defaultMaxRetries    = 2
	defaultRetryBase     = 500 * time.Millisecond
	maxRetryDelay        = 8 * time.Second
	maxRetryAfter        = 60 * time.Second
	defaultTimeout       = 30 * time.Second
	defaultStreamIdle    = 45 * time.Second
	defaultBaseURL       = "https://api.cloud.axme.ai"
	maxErrorBodyBytes    = 1 << 20
	maxResponseBodyBytes = 64 << 20
)

// isRetryableStatus is the set of statuses worth another attempt
// (REQ-RETRY-002): 408, 429, 500, 502, 503 and 504. 501 and other 5xx are final.
func isRetryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableByDefault is APIError.Retryable when the body does not say
// (REQ-ERR-004): true exactly for 408, 429 and 5xx.
func retryableByDefault(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// backoff returns the delay before retry number attempt (0-based):
// base × 2^attempt capped at 8 s, with jitter in [50 %, 100 %] so that
// clients retrying together spread out.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 0; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	d = min(d, maxRetryDelay)
	return jitter(d)
}

// jitter returns a random duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
