package axme

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is an io.Writer safe for the handler's concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestDebugLogNamesEachAttemptNeverTheKey(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, reply(503, errBody("unavailable"), "X-Request-Id", "req-1"), reply(200, `{"ok":true}`, "X-Request-Id", "req-2"))
	var out lockedBuffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := rec.client(func(cfg *ClientConfig) { cfg.Logger = logger })
	if err := c.post(t.Context(), "/v1/x", map[string]any{"note": "body-text"}, nil, nil); err != nil {
		t.Fatalf("post: %v", err)
	}
	log := out.String()
	for _, want := range []string{
		`msg="axme request" method=POST path=/v1/x attempt=1 status=503 request_id=req-1`,
		`msg="axme request" method=POST path=/v1/x attempt=2 status=200 request_id=req-2`,
		`msg="axme retry" method=POST path=/v1/x attempt=1`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{"axme_admin_test_secret", "test_secret", "body-text"} {
		if strings.Contains(log, secret) {
			t.Errorf("debug log contains %q:\n%s", secret, log)
		}
	}
}
