package axme

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAgentServer serves one agent stream (frames per connection, in
// order) and answers writes with the given statuses, recording every POST.
type fakeAgentServer struct {
	mu      sync.Mutex
	streams []string // frames for each successive stream connection
	conns   int
	ack     int // status for the first /ack of a delivery
	renew   int // status for later acks (lease renewals)
	posts   []string
	srv     *httptest.Server
}

func deliveryFrame(cursor int, intentID string) string {
	return fmt.Sprintf("id: %d\nevent: intent.delivery\ndata: {\"delivery_id\":\"d-%s\",\"intent_id\":%q,\"attempt\":1,\"lease_expires_at\":\"2099-01-01T00:00:00.000Z\",\"status\":\"DELIVERED\",\"step_id\":null,\"intent\":{\"intent_id\":%q,\"payload\":{}}}\n\n", cursor, intentID, intentID, intentID)
}

func newFakeAgentServer(t *testing.T, streams ...string) *fakeAgentServer {
	f := &fakeAgentServer{streams: streams, ack: 200, renew: 200}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Method == http.MethodGet {
			if f.conns >= len(f.streams) {
				reply(503, errBody("unavailable"))(w, r)
				return
			}
			frames := f.streams[f.conns]
			f.conns++
			if status, ok := strings.CutPrefix(frames, "STATUS "); ok {
				code := 0
				fmt.Sscan(status, &code)
				reply(code, errBody("x"))(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write([]byte(frames))
			return
		}
		buf := make([]byte, 4096)
		n, _ := r.Body.Read(buf)
		body := string(buf[:n])
		renewal := slices.Contains(f.posts, r.URL.Path+" "+body)
		f.posts = append(f.posts, r.URL.Path+" "+body)
		switch {
		case strings.HasSuffix(r.URL.Path, "/ack"):
			status := f.ack
			if renewal {
				status = f.renew
			}
			reply(status, `{"ok":true,"intent":{},"lease_expires_at":"2099-01-01T00:00:00.000Z"}`)(w, r)
		default:
			reply(200, `{"ok":true,"applied":true,"intent":{}}`)(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAgentServer) client(t *testing.T) *Client {
	c, err := NewClient(ClientConfig{APIKey: "k", BaseURL: f.srv.URL, RetryBaseDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeAgentServer) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts...)
}

func TestListenAcksHandlesAndResumes(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, "STATUS 503", deliveryFrame(7, "i1")+deliveryFrame(8, "i2"))
	var got []string
	err := f.client(t).Listen(t.Context(), "agent://o/w/a", func(_ context.Context, d *Delivery) (map[string]any, error) {
		got = append(got, d.IntentID)
		if d.IntentID == "i2" {
			return nil, errors.New("cannot parse the plan")
		}
		return map[string]any{"ok": true}, nil
	}, WithMaxDeliveries(2))
	if err != nil || fmt.Sprint(got) != "[i1 i2]" {
		t.Fatalf("Listen = %v, handled %v", err, got)
	}
	w := f.writes()
	want := []string{
		`/v1/intents/i1/ack {"delivery_id":"d-i1"}`,
		`/v1/intents/i1/resume {"delivery_id":"d-i1","kind":"agent_result","outcome":"complete","result":{"ok":true}}`,
		`/v1/intents/i2/ack {"delivery_id":"d-i2"}`,
		`/v1/intents/i2/resume {"delivery_id":"d-i2","error":{"code":"agent_error","message":"cannot parse the plan"},"kind":"agent_result","outcome":"fail"}`,
	}
	if fmt.Sprint(w) != fmt.Sprint(want) {
		t.Fatalf("writes:\n%s\nwant:\n%s", strings.Join(w, "\n"), strings.Join(want, "\n"))
	}
}

func TestListenResumesFromCursorAfterDisconnect(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, deliveryFrame(7, "i1"), deliveryFrame(8, "i2"))
	srvReqs := make(chan string, 4)
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			srvReqs <- r.URL.RawQuery + " last=" + r.Header.Get("Last-Event-ID")
		}
		inner.ServeHTTP(w, r)
	})
	err := f.client(t).Listen(t.Context(), "a", func(context.Context, *Delivery) (map[string]any, error) { return nil, nil }, WithMaxDeliveries(2))
	if err != nil {
		t.Fatal(err)
	}
	if first, second := <-srvReqs, <-srvReqs; first != " last=" || second != "since=7 last=7" {
		t.Fatalf("connects %q, %q; the reconnect must resume after cursor 7", first, second)
	}
}

func TestListenSkipsDeliveryWhenAckConflicts(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, deliveryFrame(1, "i1"))
	f.ack = 409
	called := false
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	err := f.client(t).Listen(ctx, "a", func(context.Context, *Delivery) (map[string]any, error) {
		called = true
		return nil, nil
	}, WithMaxDeliveries(1))
	if called || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("handler called %v, Listen = %v; a delivery whose ack conflicts is skipped", called, err)
	}
	for _, w := range f.writes() {
		if strings.Contains(w, "/resume") {
			t.Fatalf("resumed a delivery it did not own: %s", w)
		}
	}
}

func TestListenLostLeaseCancelsHandlerWithoutResuming(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, deliveryFrame(1, "i1"))
	f.renew = 409 // stale_delivery: the lease went to another attempt
	err := f.client(t).Listen(t.Context(), "a", func(ctx context.Context, _ *Delivery) (map[string]any, error) {
		<-ctx.Done() // a long handler; only the lost lease stops it
		return map[string]any{"late": true}, nil
	}, WithMaxDeliveries(1), WithLeaseRenewal(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	acks := 0
	for _, w := range f.writes() {
		if strings.Contains(w, "agent_result") || strings.Contains(w, `"kind":"progress"`) {
			t.Fatalf("resumed after losing the lease, or renewed with progress: %s", w)
		}
		if strings.HasPrefix(w, "/v1/intents/i1/ack ") {
			acks++
		}
	}
	if acks != 2 {
		t.Fatalf("%d acks; want the first and one renewal (REQ-LISTEN-002: renewal is a re-ack)", acks)
	}
}

func TestListenStopsOnNonRetryableError(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, "STATUS 401")
	err := f.client(t).Listen(t.Context(), "a", func(context.Context, *Delivery) (map[string]any, error) { return nil, nil })
	if !errors.Is(err, ErrAuthentication) {
		t.Fatalf("Listen = %v; want ErrAuthentication", err)
	}
}

func TestListenMalformedDeliveryIsStreamError(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, "id: 1\nevent: intent.delivery\ndata: {oops\n\n")
	err := f.client(t).Listen(t.Context(), "a", func(context.Context, *Delivery) (map[string]any, error) { return nil, nil })
	if !errors.Is(err, ErrStream) {
		t.Fatalf("Listen = %v; want ErrStream", err)
	}
}

func TestListenCancelledDuringHandlerLeavesIntent(t *testing.T) {
	t.Parallel()
	f := newFakeAgentServer(t, deliveryFrame(1, "i1"))
	ctx, cancel := context.WithCancel(t.Context())
	err := f.client(t).Listen(ctx, "a", func(hctx context.Context, _ *Delivery) (map[string]any, error) {
		cancel() // the process "dies" mid-handler
		<-hctx.Done()
		return map[string]any{}, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Listen = %v; want context.Canceled", err)
	}
	for _, w := range f.writes() {
		if strings.Contains(w, "/resume") {
			t.Fatalf("wrote %s after cancellation; the lease must be left to expire", w)
		}
	}
}

func TestRenewalInterval(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"2026-01-01T00:01:00.000Z": 20 * time.Second,
		"2026-01-01T00:00:00.900Z": 500 * time.Millisecond,
		"not a time":               20 * time.Second,
	}
	for in, want := range cases {
		if got := renewalInterval(in, now); got != want {
			t.Errorf("renewalInterval(%q) = %s, want %s", in, got, want)
		}
	}
}
