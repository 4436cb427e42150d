package axme

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Sentinel errors. Every error returned by the SDK matches exactly one kind
// (plus ErrConnection for timeouts) through errors.Is, for example
// errors.Is(err, axme.ErrNotFound). Use errors.As with *APIError to read the
// status, code and request id.
var (
	ErrBadRequest       = errors.New("axme: bad request")
	ErrAuthentication   = errors.New("axme: authentication failed")
	ErrPermissionDenied = errors.New("axme: permission denied")
	ErrNotFound         = errors.New("axme: not found")
	ErrConflict         = errors.New("axme: conflict")
	ErrValidation       = errors.New("axme: validation failed")
	ErrRateLimit        = errors.New("axme: rate limited")
	ErrServer           = errors.New("axme: server error")
	ErrConnection       = errors.New("axme: connection error")
	ErrTimeout          = errors.New("axme: request timed out")
	ErrWaitTimeout      = errors.New("axme: wait timed out")
	ErrStream           = errors.New("axme: stream error")
)

// APIError is returned for every non-2xx response. It carries the fields of
// the AXP error envelope plus the response metadata.
type APIError struct {
	StatusCode int
	Code       string
	Category   string
	Retryable  bool
	Message    string
	Details    map[string]any
	RequestID  string
	TraceID    string
	// RetryAfter is the parsed Retry-After header (zero when absent).
	RetryAfter time.Duration
	// Body is the raw response body.
	Body []byte
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.Code != "" {
		return fmt.Sprintf("axme: %d %s: %s", e.StatusCode, e.Code, msg)
	}
	return fmt.Sprintf("axme: %d: %s", e.StatusCode, msg)
}

// Is reports whether target is the sentinel for this error's status. A 408
// is a timeout (REQ-ERR-012), so like every timeout it also matches
// ErrConnection.
func (e *APIError) Is(target error) bool {
	kind := kindForStatus(e.StatusCode)
	return target == kind || (kind == ErrTimeout && target == ErrConnection)
}

// kindForStatus maps an HTTP status to its sentinel (the spec's error types).
func kindForStatus(status int) error {
	switch {
	case status == http.StatusRequestTimeout:
		return ErrTimeout
	case status == http.StatusUnauthorized:
		return ErrAuthentication
	case status == http.StatusForbidden:
		return ErrPermissionDenied
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusUnprocessableEntity:
		return ErrValidation
	case status == http.StatusTooManyRequests:
		return ErrRateLimit
	case status >= 500:
		return ErrServer
	default:
		return ErrBadRequest
	}
}

// errorEnvelope is the AXP error body: {"ok":false,"error":{…},"detail":"…"}.
type errorEnvelope struct {
	Error *struct {
		Code      string         `json:"code"`
		Message   string         `json:"message"`
		Category  string         `json:"category"`
		Retryable bool           `json:"retryable"`
		Details   map[string]any `json:"details"`
	} `json:"error"`
	Detail string `json:"detail"`
}

// newAPIError builds an APIError from a response and its (already read) body.
// A body that is not the AXP envelope still yields a useful error.
func newAPIError(resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  resp.Header.Get("X-Request-Id"),
		TraceID:    resp.Header.Get("X-Trace-Id"),
		Body:       body,
		Retryable:  retryableByDefault(resp.StatusCode),
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
		e.RetryAfter = d
	}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error != nil {
		e.Code = env.Error.Code
		e.Message = env.Error.Message
		e.Category = env.Error.Category
		e.Retryable = env.Error.Retryable
		e.Details = env.Error.Details
	} else { // not an AXP envelope, e.g. a proxy's HTML page (REQ-ERR-013)
		e.Message = firstRunes(string(body), 200)
	}
	if e.Code == "" {
		e.Code = "http_" + strconv.Itoa(resp.StatusCode)
	}
	if e.Message == "" {
		e.Message = env.Detail
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// firstRunes returns the first n characters of s.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// ConnectionError is returned when no HTTP response was received: DNS,
// refused connection, reset, or a per-attempt timeout (Timeout is true, and
// the error then also matches ErrTimeout).
type ConnectionError struct {
	Method  string
	URL     string
	Timeout bool
	Err     error
}

func (e *ConnectionError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("axme: %s %s: timed out: %v", e.Method, e.URL, e.Err)
	}
	return fmt.Sprintf("axme: %s %s: %v", e.Method, e.URL, e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// Is matches ErrConnection always and ErrTimeout for timeouts.
func (e *ConnectionError) Is(target error) bool {
	return target == ErrConnection || (e.Timeout && target == ErrTimeout)
}

// StreamError reports a broken or malformed event stream that could not be
// recovered by reconnecting.
type StreamError struct {
	Message string
	Err     error
}

func (e *StreamError) Error() string {
	if e.Err != nil {
		return "axme: stream: " + e.Message + ": " + e.Err.Error()
	}
	return "axme: stream: " + e.Message
}

func (e *StreamError) Unwrap() error        { return e.Err }
func (e *StreamError) Is(target error) bool { return target == ErrStream }

// WaitTimeoutError is returned by WaitFor when its own timeout elapses before
// the intent reaches a terminal status. The intent itself is not affected.
type WaitTimeoutError struct {
	IntentID string
	Timeout  time.Duration
	// LastStatus is the last status observed ("" if none was seen).
	LastStatus string
}

func (e *WaitTimeoutError) Error() string {
	return fmt.Sprintf("axme: intent %s not terminal after %s (last status %q)", e.IntentID, e.Timeout, e.LastStatus)
}

func (e *WaitTimeoutError) Is(target error) bool { return target == ErrWaitTimeout }

// handlerFailure is the error an intent fails with when a Listen handler
// returns err (REQ-LISTEN-003: code agent_error, the error's text).
func handlerFailure(err error) IntentError {
	return IntentError{Code: DefaultErrorCode, Message: err.Error()}
}
