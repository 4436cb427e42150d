package axme

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		code   string
		kind   error
	}{
		{400, "bad_request", ErrBadRequest},
		{401, "unauthorized", ErrAuthentication},
		{403, "forbidden", ErrPermissionDenied},
		{404, "intent_not_found", ErrNotFound},
		{405, "method_not_allowed", ErrBadRequest},
		{408, "request_timeout", ErrTimeout},
		{409, "intent_terminal", ErrConflict},
		{413, "payload_too_large", ErrBadRequest},
		{422, "validation_error", ErrValidation},
		{429, "rate_limited", ErrRateLimit},
		{500, "internal_error", ErrServer},
		{503, "unavailable", ErrServer},
	}
	all := []error{ErrBadRequest, ErrAuthentication, ErrPermissionDenied, ErrNotFound, ErrConflict, ErrValidation, ErrRateLimit, ErrServer, ErrConnection, ErrTimeout, ErrWaitTimeout, ErrStream}
	for _, tc := range cases {
		rec := newRecorder(t, reply(tc.status, errBody(tc.code), "X-Request-Id", "req-1", "X-Trace-Id", "tr-1"))
		err := rec.client(func(c *ClientConfig) { c.MaxRetries = Ptr(0) }).get(t.Context(), "/v1/x", nil, nil, nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("%d: err %T %v, want *APIError", tc.status, err, err)
		}
		for _, k := range all {
			// a 408 is a timeout, and every timeout is also a connection error
			want := k == tc.kind || (tc.kind == ErrTimeout && k == ErrConnection)
			if errors.Is(err, k) != want {
				t.Errorf("%d: errors.Is(err, %v) = %v", tc.status, k, !want)
			}
		}
		if apiErr.StatusCode != tc.status || apiErr.Code != tc.code || apiErr.Message != "m-"+tc.code ||
			apiErr.Category != "x" || apiErr.RequestID != "req-1" || apiErr.TraceID != "tr-1" || apiErr.Details["field"] != "f" {
			t.Errorf("%d: fields = %+v", tc.status, apiErr)
		}
	}
}

func TestErrorWithoutEnvelope(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(502, "<html>bad gateway</html>"))
	err := rec.client(func(c *ClientConfig) { c.MaxRetries = Ptr(0) }).get(t.Context(), "/v1/x", nil, nil, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "<html>bad gateway</html>" || apiErr.Code != "http_502" || string(apiErr.Body) != "<html>bad gateway</html>" || !apiErr.Retryable {
		t.Fatalf("err = %#v", err)
	}
}

func TestErrorWithoutEnvelopeKeepsTheFirst200Characters(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("é", 150) + strings.Repeat("x", 100)
	rec := newRecorder(t, reply(501, page))
	err := rec.client().get(t.Context(), "/v1/x", nil, nil, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Message != strings.Repeat("é", 150)+strings.Repeat("x", 50) || !apiErr.Retryable {
		t.Fatalf("err = %#v", err)
	}
	if n := len(rec.all()); n != 1 {
		t.Fatalf("%d attempts; 501 is not retried (REQ-RETRY-002)", n)
	}
}

func TestMalformedSuccessBodyIsAnError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(200, "{not json"))
	var out map[string]any
	if err := rec.client().get(t.Context(), "/v1/x", nil, &out, nil); err == nil {
		t.Fatal("want a decoding error")
	}
}

func TestNewClientValidation(t *testing.T) {
	t.Setenv("AXME_API_KEY", "")
	t.Setenv("AXME_BASE_URL", "")
	bad := []ClientConfig{
		{},
		{APIKey: "k", BaseURL: "ftp://x"},
		{APIKey: "k", BaseURL: "not a url"},
		{APIKey: "k", MaxRetries: Ptr(-1)},
		{APIKey: "k", Timeout: -1},
	}
	for _, cfg := range bad {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("NewClient(%+v) succeeded; want a clear error", cfg)
		}
	}
	t.Setenv("AXME_API_KEY", " env-key ")
	t.Setenv("AXME_BASE_URL", "http://127.0.0.1:1/prefix/")
	c, err := NewClient(ClientConfig{})
	if err != nil || c.apiKey != "env-key" || c.BaseURL() != "http://127.0.0.1:1/prefix" || c.maxRetries != 2 || c.timeout != defaultTimeout {
		t.Fatalf("env defaults: %+v, %v", c, err)
	}
}

func TestEscapeSegment(t *testing.T) {
	t.Parallel()
	if got := escapeSegment("agent://org/ws/name"); got != "agent%3A%2F%2Forg%2Fws%2Fname" {
		t.Fatalf("escapeSegment = %q", got)
	}
	rec := newRecorder(t, reply(200, `{}`))
	if err := rec.client().get(t.Context(), "/v1/agents/"+escapeSegment("agent://o/w/n"), nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.all()[0].RequestURI; got != "/v1/agents/agent%3A%2F%2Fo%2Fw%2Fn" {
		t.Fatalf("request URI = %q; the address must travel as one encoded segment", got)
	}
}
