package axme

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RequestOption adjusts one call.
type RequestOption func(*requestOptions)

type requestOptions struct {
	idempotencyKey string
	traceID        string
	deliveryID     string
	extra          map[string]any
	rawResponse    *[]byte
}

// WithDeliveryID names the delivery that ResumeIntent, FailIntent or
// ReportProgress writes for (the body's delivery_id); the server answers
// 409 stale_delivery when it is not the current one. Other calls ignore it.
func WithDeliveryID(id string) RequestOption {
	return func(o *requestOptions) { o.deliveryID = id }
}

// deliveryIDOf is the WithDeliveryID among opts, nil when there is none.
func deliveryIDOf(opts []RequestOption) *string {
	var o requestOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return optString(o.deliveryID)
}

// WithIdempotencyKey sets the Idempotency-Key of a POST (default: a fresh
// UUID per call, reused on every retry of that call).
func WithIdempotencyKey(key string) RequestOption {
	return func(o *requestOptions) { o.idempotencyKey = key }
}

// WithTraceID sets X-Trace-Id (default: a fresh UUID per call).
func WithTraceID(id string) RequestOption {
	return func(o *requestOptions) { o.traceID = id }
}

// WithRawResponse stores the body of the call's final 2xx response in *dst:
// the exact wire JSON behind the typed result (for example to read members
// newer than this SDK). For WaitFor it is the final read of the intent.
func WithRawResponse(dst *[]byte) RequestOption {
	return func(o *requestOptions) { o.rawResponse = dst }
}

// WithExtraFields adds members to a request's JSON body (replacing members
// of the same name), for fields newer than this SDK's typed requests.
func WithExtraFields(fields map[string]any) RequestOption {
	return func(o *requestOptions) {
		if o.extra == nil {
			o.extra = map[string]any{}
		}
		for k, v := range fields {
			o.extra[k] = v
		}
	}
}

func applyOptions(opts []RequestOption) requestOptions {
	var o requestOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.traceID == "" {
		o.traceID = newUUID()
	}
	return o
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// escapeSegment percent-encodes s as one path segment, including ':' and
// '/', so an agent address travels as agent%3A%2F%2Forg%2Fws%2Fname.
func escapeSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("-._~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// call describes one logical API call (possibly several attempts).
type call struct {
	method string
	path   string // already escaped
	query  url.Values
	body   any
	out    any // decoded from a 2xx JSON body when non-nil
}

// newRequest builds one attempt's request with every SDK header.
func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body []byte, o requestOptions) (*http.Request, error) {
	u := c.baseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("axme: building %s %s: %w", method, path, err)
	}
	req.Header.Set("x-api-key", c.apiKey)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("X-Axme-Client", userAgent)
	req.Header.Set("X-Trace-Id", o.traceID)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost && o.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", o.idempotencyKey)
	}
	return req, nil
}

// do runs a call with the retry policy of REQ-RETRY-001..007: connection
// errors, 408, 429, 500, 502, 503 and 504 are retried up to maxRetries times with
// exponential backoff or the server's Retry-After (≤ 60 s); a POST keeps one
// Idempotency-Key across attempts; nothing is retried once ctx is done.
func (c *Client) do(ctx context.Context, cl call, opts []RequestOption) error {
	o := applyOptions(opts)
	if cl.method == http.MethodPost && o.idempotencyKey == "" {
		o.idempotencyKey = newUUID()
	}
	var body []byte
	if cl.body != nil {
		merged, err := mergeExtra(cl.body, o.extra)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(merged); err != nil {
			return fmt.Errorf("axme: encoding %s %s body: %w", cl.method, cl.path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return c.ctxError(cl, err)
		}
		respBody, err := c.attempt(ctx, cl, body, o, attempt)
		if err == nil {
			if o.rawResponse != nil {
				*o.rawResponse = respBody
			}
			return decodeBody(cl, respBody)
		}
		if ctx.Err() != nil {
			return c.ctxError(cl, ctx.Err())
		}
		delay, retry := c.retryDelay(err, attempt)
		if !retry {
			return err
		}
		c.logger.DebugContext(ctx, "axme retry", "method", cl.method, "path", cl.path, "attempt", attempt+1, "delay", delay, "error", err)
		if err := sleepCtx(ctx, delay); err != nil {
			return c.ctxError(cl, err)
		}
	}
}

// attempt sends one request and returns the body of a 2xx response.
func (c *Client) attempt(ctx context.Context, cl call, body []byte, o requestOptions, n int) ([]byte, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(actx, cl.method, cl.path, cl.query, body, o)
	if err != nil {
		return nil, err
	}
	start := c.now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, c.connError(cl, actx, err)
	}
	defer resp.Body.Close()
	limit := int64(maxResponseBodyBytes)
	if resp.StatusCode >= 300 {
		limit = maxErrorBodyBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	c.logger.DebugContext(ctx, "axme request", "method", cl.method, "path", cl.path, "attempt", n+1,
		"status", resp.StatusCode, "request_id", resp.Header.Get("X-Request-Id"), "trace_id", o.traceID, "elapsed", c.now().Sub(start))
	if err != nil {
		return nil, c.connError(cl, actx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, newAPIError(resp, data, c.now())
	}
	return data, nil
}

// retryDelay decides whether err is retried after attempt and how long to wait.
func (c *Client) retryDelay(err error, attempt int) (time.Duration, bool) {
	if attempt >= c.maxRetries {
		return 0, false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if !isRetryableStatus(apiErr.StatusCode) {
			return 0, false
		}
		if apiErr.RetryAfter > maxRetryAfter {
			return 0, false // the server asks for more than we wait: surface it
		}
		if apiErr.RetryAfter > 0 {
			return apiErr.RetryAfter, true
		}
		return backoff(c.retryBase, attempt), true
	}
	if errors.Is(err, ErrConnection) {
		return backoff(c.retryBase, attempt), true
	}
	return 0, false
}

// connError wraps a transport failure of one attempt.
func (c *Client) connError(cl call, actx context.Context, err error) error {
	var ne net.Error
	timeout := errors.Is(actx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	return &ConnectionError{Method: cl.method, URL: c.baseURL + cl.path, Timeout: timeout, Err: err}
}

// ctxError reports the caller's own cancellation or deadline. A deadline is
// a timeout (matches ErrTimeout and context.DeadlineExceeded); a
// cancellation matches context.Canceled only.
func (c *Client) ctxError(cl call, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &ConnectionError{Method: cl.method, URL: c.baseURL + cl.path, Timeout: true, Err: err}
	}
	return fmt.Errorf("axme: %s %s: %w", cl.method, c.baseURL+cl.path, err)
}

func decodeBody(cl call, data []byte) error {
	if cl.out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, cl.out); err != nil {
		return fmt.Errorf("axme: decoding %s %s response: %w", cl.method, cl.path, err)
	}
	return nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// get, post and del are the shapes every operation uses.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any, opts []RequestOption) error {
	return c.do(ctx, call{method: http.MethodGet, path: path, query: q, out: out}, opts)
}

func (c *Client) post(ctx context.Context, path string, body, out any, opts []RequestOption) error {
	if body == nil {
		body = struct{}{}
	}
	return c.do(ctx, call{method: http.MethodPost, path: path, body: body, out: out}, opts)
}

// getAs, postAs and deleteAs decode the response into a new T.
func getAs[T any](ctx context.Context, c *Client, path string, q url.Values, opts []RequestOption) (*T, error) {
	out := new(T)
	if err := c.get(ctx, path, q, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

func postAs[T any](ctx context.Context, c *Client, path string, body any, opts []RequestOption) (*T, error) {
	out := new(T)
	if err := c.post(ctx, path, body, out, opts); err != nil {
		return nil, err
	}
	return out, nil
}

func deleteAs[T any](ctx context.Context, c *Client, path string, opts []RequestOption) (*T, error) {
	out := new(T)
	if err := c.do(ctx, call{method: http.MethodDelete, path: path, out: out}, opts); err != nil {
		return nil, err
	}
	return out, nil
}
