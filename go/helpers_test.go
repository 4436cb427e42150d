package axme

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// recorded is one request seen by a test server.
type recorded struct {
	Method, RequestURI string
	Header             http.Header
	Body               string
	At                 time.Time
}

// recorder is an httptest server whose handler is a list of responders,
// one per request in order (the last one repeats).
type recorder struct {
	t        *testing.T
	mu       sync.Mutex
	requests []recorded
	srv      *httptest.Server
}

func newRecorder(t *testing.T, responders ...http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := make([]byte, 0)
		if req.Body != nil {
			buf := make([]byte, 1<<16)
			for {
				n, err := req.Body.Read(buf)
				body = append(body, buf[:n]...)
				if err != nil {
					break
				}
			}
		}
		r.mu.Lock()
		i := len(r.requests)
		r.requests = append(r.requests, recorded{req.Method, req.RequestURI, req.Header.Clone(), string(body), time.Now()})
		r.mu.Unlock()
		responders[min(i, len(responders)-1)](w, req)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.requests...)
}

// client returns a Client for this server with fast retries.
func (r *recorder) client(mod ...func(*ClientConfig)) *Client {
	r.t.Helper()
	cfg := ClientConfig{APIKey: "axme_admin_test_secret", BaseURL: r.srv.URL, RetryBaseDelay: 5 * time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		r.t.Fatalf("NewClient: %v", err)
	}
	return c
}

// reply writes a JSON body with a status and optional header pairs.
func reply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func errBody(code string) string {
	return `{"ok":false,"error":{"code":"` + code + `","message":"m-` + code + `","category":"x","retryable":false,"details":{"field":"f"}},"detail":"m-` + code + `"}`
}
