package axme_test

import (
	"errors"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// RetryIntent starts a new attempt; WaitFor and Observe on the failed id lead to
// its outcome; a second retry is a conflict (REQ-REATTEMPT-002/005/008/009).
func TestIntegrationRetryIntent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("retried")
	ctx := ctxTimeout(t, 30*time.Second)
	h, err := e.admin.SubmitIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Fail(ctx, axme.IntentError{Message: "flaky"}); err != nil {
		t.Fatal(err)
	}
	reason := "again"
	retried, err := e.admin.RetryIntent(ctx, h.ID, axme.RetryIntentRequest{Reason: &reason})
	if err != nil || retried.RetryOf != h.ID || retried.Attempt != 2 || retried.FromStep != "agent" {
		t.Fatalf("RetryIntent: %+v %v", retried, err)
	}
	if _, err := e.admin.RetryIntent(ctx, h.ID, axme.RetryIntentRequest{}); !errors.Is(err, axme.ErrConflict) {
		t.Fatalf("second retry: %v", err)
	}
	if _, err := e.admin.Intent(retried.IntentID).Complete(ctx, map[string]any{"ok": true}); err != nil {
		t.Fatal(err)
	}
	in, err := e.admin.WaitFor(ctx, h.ID, &axme.WaitOptions{Timeout: 10 * time.Second})
	if err != nil || in.IntentID != retried.IntentID || in.Status != axme.IntentStatusCOMPLETED {
		t.Fatalf("WaitFor: %+v %v", in, err)
	}
	var seen []string
	for ev, err := range e.admin.Observe(ctx, h.ID, nil).All() {
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ev.IntentID+" "+string(ev.EventType))
	}
	want := []string{h.ID + " intent.submitted", h.ID + " intent.failed",
		retried.IntentID + " intent.submitted", retried.IntentID + " intent.completed"}
	if len(seen) != len(want) {
		t.Fatalf("observed %v", seen)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("observed %v, want %v", seen, want)
		}
	}
}
