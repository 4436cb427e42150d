package axme_test

import (
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// SubmitIntent returns a handle; Complete ends the intent; Wait and Observe see
// it (REQ-CLIENT-010), against the reference server.
func TestIntegrationIntentHandleCompletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("handled")
	ctx := ctxTimeout(t, 30*time.Second)
	h, err := e.admin.SubmitIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	if h.ID == "" || h.Created == nil || h.Created.Status != "SUBMITTED" {
		t.Fatalf("handle = %+v", h)
	}
	if in, err := h.Get(ctx); err != nil || in.Status != axme.IntentStatusSUBMITTED {
		t.Fatalf("Get: %v %v", in, err)
	}
	if w, err := h.Complete(ctx, map[string]any{"answer": 42}); err != nil || w.Intent.Status != axme.IntentStatusCOMPLETED {
		t.Fatalf("Complete: %v %v", w, err)
	}
	in, err := h.Wait(ctx, &axme.WaitOptions{Timeout: 10 * time.Second})
	if err != nil || in.Status != axme.IntentStatusCOMPLETED || (*in.Result)["answer"] != float64(42) {
		t.Fatalf("Wait: %v %v", in, err)
	}
	var last axme.IntentStatus
	for ev, err := range h.Observe(ctx, nil).All() {
		if err != nil {
			t.Fatal(err)
		}
		last = ev.Status
	}
	if last != axme.IntentStatusCOMPLETED {
		t.Fatalf("last observed status %s", last)
	}
}

func TestIntegrationIntentHandleFailsAndCancels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("handled")
	ctx := ctxTimeout(t, 30*time.Second)
	failing, err := e.admin.SubmitIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := failing.Fail(ctx, axme.IntentError{Message: "the plan is invalid"}); err != nil {
		t.Fatal(err)
	}
	in, err := failing.Wait(ctx, nil)
	if err != nil || in.Status != axme.IntentStatusFAILED || in.Error == nil || in.Error.Code != "failed" || in.Error.Message != "the plan is invalid" {
		t.Fatalf("failed: %+v %v", in, err)
	}
	canceled, err := e.admin.SubmitIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := canceled.Cancel(ctx, "no longer needed"); err != nil {
		t.Fatal(err)
	}
	// The handle of an existing intent needs no request.
	again := e.admin.Intent(canceled.ID)
	if again.Created != nil {
		t.Fatal("a handle from an id has no create answer")
	}
	if in, err := again.Wait(ctx, nil); err != nil || in.Status != axme.IntentStatusCANCELED {
		t.Fatalf("canceled: %v %v", in, err)
	}
	var zero axme.IntentHandle
	if _, err := zero.Get(ctx); err == nil {
		t.Fatal("a zero handle must refuse")
	}
}
