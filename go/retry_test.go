package axme

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryOn503ThenSuccessReusesIdempotencyKey(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable")), reply(503, errBody("unavailable")), reply(200, `{"ok":true}`))
	var out map[string]any
	if err := rec.client().post(t.Context(), "/v1/x", map[string]any{"a": 1}, &out, nil); err != nil {
		t.Fatalf("post: %v", err)
	}
	reqs := rec.all()
	if len(reqs) != 3 {
		t.Fatalf("attempts = %d, want 3", len(reqs))
	}
	key := reqs[0].Header.Get("Idempotency-Key")
	trace := reqs[0].Header.Get("X-Trace-Id")
	if key == "" || trace == "" {
		t.Fatalf("missing Idempotency-Key %q or X-Trace-Id %q", key, trace)
	}
	for i, r := range reqs {
		if r.Header.Get("Idempotency-Key") != key || r.Header.Get("X-Trace-Id") != trace || r.Body != `{"a":1}` {
			t.Errorf("attempt %d: key %q trace %q body %q; want the same key, trace and body on every attempt", i, r.Header.Get("Idempotency-Key"), r.Header.Get("X-Trace-Id"), r.Body)
		}
	}
}

func TestRetryExhaustedReturnsLastError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(500, errBody("internal_error")))
	err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || !errors.Is(err, ErrServer) {
		t.Fatalf("err = %v, want *APIError 500 matching ErrServer", err)
	}
	if n := len(rec.all()); n != 3 {
		t.Fatalf("attempts = %d, want 1 + 2 retries", n)
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 413, 422} {
		rec := newRecorder(t, reply(status, errBody("x")))
		err := rec.client().post(t.Context(), "/v1/x", nil, nil, nil)
		if err == nil || len(rec.all()) != 1 {
			t.Errorf("status %d: err %v after %d attempts; want an error after exactly 1", status, err, len(rec.all()))
		}
	}
}

func TestRetryableStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{408, 429, 500, 502, 503, 504} {
		rec := newRecorder(t, reply(status, errBody("x")), reply(200, `{}`))
		if err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil); err != nil || len(rec.all()) != 2 {
			t.Errorf("status %d: err %v after %d attempts; want success on attempt 2", status, err, len(rec.all()))
		}
	}
}

func TestMaxRetriesZeroDisablesRetries(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable")))
	err := rec.client(func(c *ClientConfig) { c.MaxRetries = Ptr(0) }).get(t.Context(), "/v1/x", nil, nil, nil)
	if !errors.Is(err, ErrServer) || len(rec.all()) != 1 {
		t.Fatalf("err %v after %d attempts; want ErrServer after 1", err, len(rec.all()))
	}
}

func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(429, errBody("rate_limited"), "Retry-After", "1"), reply(200, `{}`))
	if err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil); err != nil {
		t.Fatalf("get: %v", err)
	}
	reqs := rec.all()
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 950*time.Millisecond {
		t.Fatalf("retry after %s; Retry-After asked for 1 s", gap)
	}
}

func TestRetryAfterHTTPDateIsHonoured(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
	rec := newRecorder(t, reply(503, errBody("unavailable"), "Retry-After", date), reply(200, `{}`))
	if err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil); err != nil {
		t.Fatalf("get: %v", err)
	}
	reqs := rec.all()
	// HTTP dates have 1 s resolution: the wait is at least 1 s.
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 900*time.Millisecond {
		t.Fatalf("retry after %s; Retry-After date was ~2 s ahead", gap)
	}
}

func TestRetryAfterAboveCapIsSurfaced(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(429, errBody("rate_limited"), "Retry-After", "61"))
	err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimit) || apiErr.RetryAfter != 61*time.Second {
		t.Fatalf("err = %#v; want a RateLimit APIError with RetryAfter 61s", err)
	}
	if n := len(rec.all()); n != 1 {
		t.Fatalf("attempts = %d; a Retry-After above 60 s must not be waited for", n)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	base := 500 * time.Millisecond
	for attempt, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second} {
		for range 50 {
			d := backoff(base, attempt)
			if d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, d, want/2, want)
			}
		}
	}
}

func TestConnectionErrorIsRetriedThenSurfaced(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(200, `{}`))
	url := rec.srv.URL
	rec.srv.Close() // nothing listens any more
	c, err := NewClient(ClientConfig{APIKey: "k", BaseURL: url, RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = c.get(t.Context(), "/v1/x", nil, nil, nil)
	var ce *ConnectionError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConnection) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v; want a non-timeout *ConnectionError", err)
	}
}

func TestPerAttemptTimeoutIsTimeoutError(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := rec.client(func(c *ClientConfig) { c.Timeout = 50 * time.Millisecond; c.MaxRetries = Ptr(1) })
	err := c.get(t.Context(), "/v1/x", nil, nil, nil)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrConnection) {
		t.Fatalf("err = %v; want ErrTimeout (a connection error)", err)
	}
	if n := len(rec.all()); n != 2 {
		t.Fatalf("attempts = %d; a timed-out attempt is retried", n)
	}
}

func TestNoRetryAfterCallerCancels(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		reply(503, errBody("unavailable"), "Retry-After", "0")(w, r)
	})
	err := rec.client().get(ctx, "/v1/x", nil, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled", err)
	}
	if n := len(rec.all()); n != 1 {
		t.Fatalf("attempts = %d; nothing may be retried after cancellation", n)
	}
}

func TestCancelDuringBackoffStopsPromptly(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable"), "Retry-After", "30"))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := rec.client().get(ctx, "/v1/x", nil, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v; want the caller's deadline as a timeout", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("returned after %s; the 30 s Retry-After wait must end with ctx", el)
	}
}

func TestHeadersOnEveryRequest(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(200, `{}`))
	c := rec.client()
	if err := c.get(t.Context(), "/v1/a", nil, nil, []RequestOption{WithTraceID("trace-1")}); err != nil {
		t.Fatal(err)
	}
	if err := c.post(t.Context(), "/v1/b", nil, nil, []RequestOption{WithIdempotencyKey("idem-1")}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	get, post := reqs[0].Header, reqs[1].Header
	for _, h := range []http.Header{get, post} {
		if h.Get("User-Agent") != "axme-go/"+Version || h.Get("X-Axme-Client") != "axme-go/"+Version || h.Get("x-api-key") != "axme_admin_test_secret" {
			t.Errorf("headers = %v", h)
		}
	}
	if get.Get("X-Trace-Id") != "trace-1" || get.Get("Idempotency-Key") != "" || get.Get("Content-Type") != "" {
		t.Errorf("GET headers = %v; want the given trace id, no Idempotency-Key, no Content-Type", get)
	}
	if post.Get("Idempotency-Key") != "idem-1" || post.Get("Content-Type") != "application/json" || reqs[1].Body != "{}" {
		t.Errorf("POST headers = %v body %q", post, reqs[1].Body)
	}
	if len(strings.Split(post.Get("X-Trace-Id"), "-")) != 5 {
		t.Errorf("generated trace id %q is not a UUID", post.Get("X-Trace-Id"))
	}
}
