package axme_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

func newIntent(to string) axme.SendIntentRequest {
	return axme.SendIntentRequest{IntentType: "intent.test.echo.v1", ToAgent: to, Payload: map[string]any{"n": 1}}
}

// serveInBackground runs Listen until n deliveries are handled.
func serveInBackground(t *testing.T, c *axme.Client, address string, n int, h axme.DeliveryHandler) <-chan error {
	done := make(chan error, 1)
	ctx := ctxTimeout(t, 30*time.Second)
	go func() { done <- c.Listen(ctx, address, h, axme.WithMaxDeliveries(n)) }()
	return done
}

func TestIntegrationAgentCompletesIntent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("echo")
	ctx := ctxTimeout(t, 30*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	listenDone := serveInBackground(t, agent, addr, 1, func(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
		return map[string]any{"echo": d.Intent.Payload["n"]}, nil
	})
	in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("WaitFor: %v", err)
	}
	if in.Status != axme.IntentStatusCOMPLETED || in.Result == nil || (*in.Result)["echo"] != float64(1) {
		t.Fatalf("intent = %s result %v", in.Status, in.Result)
	}
	if err := <-listenDone; err != nil {
		t.Fatalf("Listen: %v", err)
	}
	// The event log shows the whole lifecycle, in order.
	var types []string
	for ev, err := range e.admin.Observe(ctx, id, nil).All() {
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, string(ev.EventType))
	}
	want := "[intent.submitted intent.delivered intent.acknowledged intent.completed]"
	if fmt.Sprint(types) != want {
		t.Fatalf("events %v, want %s", types, want)
	}
}

func TestIntegrationHandlerErrorFailsIntent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("failer")
	ctx := ctxTimeout(t, 30*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	serveInBackground(t, agent, addr, 1, func(context.Context, *axme.Delivery) (map[string]any, error) {
		return nil, errors.New("no capacity, try later")
	})
	in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != axme.IntentStatusFAILED || in.Error == nil || in.Error.Code != "agent_error" || in.Error.Message != "no capacity, try later" {
		t.Fatalf("intent = %s error %+v", in.Status, in.Error)
	}
}

func TestIntegrationHumanApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("validator")
	ctx := ctxTimeout(t, 30*time.Second)
	for _, approve := range []bool{true, false} {
		req := newIntent(addr)
		req.HumanTask = &axme.HumanTask{Title: "Approve the change", TaskType: axme.Ptr(axme.TaskTypeApproval)}
		id, err := e.admin.SendIntent(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		<-serveInBackground(t, agent, addr, 1, func(context.Context, *axme.Delivery) (map[string]any, error) {
			return map[string]any{"checked": true}, nil
		})
		waitStatus(t, e.admin, id, axme.IntentStatusWAITING)
		tasks, err := e.admin.ListTasks(ctx, nil)
		if err != nil || !hasTask(tasks.Tasks, id) {
			t.Fatalf("ListTasks = %+v, %v; want a pending task for %s", tasks, err, id)
		}
		if approve {
			_, err = e.admin.ApproveTask(ctx, id, "looks good")
		} else {
			_, err = e.admin.RejectTask(ctx, id, "too risky")
		}
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if approve && in.Status != axme.IntentStatusCOMPLETED || !approve && (in.Status != axme.IntentStatusFAILED || in.Error.Code != "rejected") {
			t.Fatalf("approve=%v: intent %s error %+v", approve, in.Status, in.Error)
		}
		audit, err := e.admin.GetIntentAudit(ctx, id, nil)
		if err != nil || len(audit.Audit) == 0 {
			t.Fatalf("audit = %+v, %v", audit, err)
		}
		since, limit := 1, 1 // REQ-LIMIT-013: one page of one entry after seq 1
		page, err := e.admin.GetIntentAudit(ctx, id, &axme.GetIntentAuditParams{Since: &since, Limit: &limit})
		if err != nil || len(page.Audit) != 1 || page.Audit[0].Seq != 2 || page.NextSeq == nil || *page.NextSeq != 3 {
			t.Fatalf("audit page = %+v, %v", page, err)
		}
	}
}

func hasTask(tasks []axme.Task, id string) bool {
	for _, task := range tasks {
		if task.IntentID == id {
			return true
		}
	}
	return false
}

// waitStatus observes until the intent reaches status (bounded by ctx).
func waitStatus(t *testing.T, c *axme.Client, id string, status axme.IntentStatus) {
	t.Helper()
	ctx := ctxTimeout(t, 15*time.Second)
	got, err := c.GetIntent(ctx, id)
	if err == nil && got.Intent.Status == status {
		return
	}
	s := c.Observe(ctx, id, nil)
	defer s.Close()
	for s.Next() {
		if s.Current().Status == status {
			return
		}
	}
	t.Fatalf("intent %s never reached %s: %v", id, status, s.Err())
}

func TestIntegrationErrorsMapToSentinels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 20*time.Second)
	addr, _ := e.agent("target")

	_, err := e.admin.GetIntent(ctx, "00000000-0000-4000-8000-000000000000")
	var apiErr *axme.APIError
	if !errors.Is(err, axme.ErrNotFound) || !errors.As(err, &apiErr) || apiErr.Code != "intent_not_found" || apiErr.RequestID == "" {
		t.Errorf("unknown intent: %v", err)
	}
	if _, err := e.client("axme_admin_bogus_key").GetIntent(ctx, "x"); !errors.Is(err, axme.ErrAuthentication) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := e.admin.CreateIntent(ctx, axme.CreateIntentRequest{IntentType: "not a type", ToAgent: addr, Payload: map[string]any{}}); !errors.Is(err, axme.ErrValidation) {
		t.Errorf("invalid intent_type: %v", err)
	}
	if _, err := e.admin.SendIntent(ctx, newIntent("nobody-here")); !errors.Is(err, axme.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
	if _, err := e.admin.RegisterAgent(ctx, axme.RegisterAgentRequest{Address: "target"}); !errors.Is(err, axme.ErrConflict) {
		t.Errorf("duplicate agent: %v", err)
	}
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.admin.CancelIntent(ctx, id, "not needed"); err != nil {
		t.Fatal(err)
	}
	_, err = e.admin.CancelIntent(ctx, id, "again")
	if !errors.Is(err, axme.ErrConflict) || !errors.As(err, &apiErr) || apiErr.Code != "intent_terminal" {
		t.Errorf("second terminal write: %v", err)
	}
	in, err := e.admin.WaitFor(ctx, id, nil)
	if err != nil || in.Status != axme.IntentStatusCANCELED {
		t.Errorf("WaitFor canceled intent = %v, %v", in, err)
	}
}

func TestIntegrationRetriesReuseIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("retry-target")
	e.fault(map[string]any{"op": "createIntent"}, map[string]any{"type": "status", "status": 503, "times": 2})
	ctx := ctxTimeout(t, 20*time.Second)
	if _, err := e.admin.SendIntent(ctx, newIntent(addr)); err != nil {
		t.Fatalf("SendIntent after two 503s: %v", err)
	}
	var keys []string
	for _, r := range e.requests() {
		if r.Op == "createIntent" {
			keys = append(keys, r.Headers["idempotency-key"])
		}
	}
	if len(keys) != 3 || keys[0] == "" || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatalf("createIntent attempts carried keys %q; want 3 attempts with one key", keys)
	}
}

func TestIntegrationIdempotentReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("idem")
	ctx := ctxTimeout(t, 20*time.Second)
	a, err := e.admin.CreateIntent(ctx, newIntent(addr), axme.WithIdempotencyKey("k-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.admin.CreateIntent(ctx, newIntent(addr), axme.WithIdempotencyKey("k-1"))
	if err != nil || b.IntentID != a.IntentID {
		t.Fatalf("replay = %+v, %v; want intent %s", b, err, a.IntentID)
	}
	other := newIntent(addr)
	other.Payload = map[string]any{"n": 2}
	if _, err := e.admin.CreateIntent(ctx, other, axme.WithIdempotencyKey("k-1")); !errors.Is(err, axme.ErrConflict) {
		t.Fatalf("same key, different body: %v; want ErrConflict", err)
	}
}

func TestIntegrationObserveResumesAfterDroppedStream(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("dropper")
	ctx := ctxTimeout(t, 30*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	e.fault(map[string]any{"op": "streamIntentEvents"}, map[string]any{"type": "drop_stream", "after_events": 1, "times": 1})
	s := e.admin.Observe(ctx, id, nil)
	defer s.Close()
	if !s.Next() || s.Current().Seq != 1 {
		t.Fatalf("first event: %v", s.Err())
	}
	serveInBackground(t, agent, addr, 1, func(context.Context, *axme.Delivery) (map[string]any, error) {
		return map[string]any{}, nil
	})
	seqs := []int{1}
	for s.Next() {
		seqs = append(seqs, s.Current().Seq)
	}
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	for i, seq := range seqs {
		if seq != i+1 {
			t.Fatalf("seqs %v: want 1..n with no gap or duplicate", seqs)
		}
	}
	var resumed bool
	for _, r := range e.requests() {
		if r.Op == "streamIntentEvents" && r.Headers["last-event-id"] == "1" {
			resumed = true
		}
	}
	if !resumed {
		t.Fatal("no reconnect carried Last-Event-ID: 1")
	}
}

func TestIntegrationListenSurvivesServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("sturdy")
	e.fault(map[string]any{"op": "streamAgentDeliveries"}, map[string]any{"type": "status", "status": 503, "times": 2})
	ctx := ctxTimeout(t, 30*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := 0
	err = agent.Listen(ctx, addr, func(context.Context, *axme.Delivery) (map[string]any, error) {
		mu.Lock()
		seen++
		mu.Unlock()
		return map[string]any{"ok": true}, nil
	}, axme.WithMaxDeliveries(1))
	if err != nil || seen != 1 {
		t.Fatalf("Listen = %v after %d deliveries", err, seen)
	}
	if in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 10 * time.Second}); err != nil || in.Status != axme.IntentStatusCOMPLETED {
		t.Fatalf("WaitFor = %v, %v", in, err)
	}
}

func TestIntegrationWaitForTimesOutWithoutChangingIntent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, _ := e.agent("idle")
	ctx := ctxTimeout(t, 20*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 300 * time.Millisecond})
	if in != nil || !errors.Is(err, axme.ErrWaitTimeout) {
		t.Fatalf("WaitFor = %v, %v; want ErrWaitTimeout", in, err)
	}
	got, err := e.admin.GetIntent(ctx, id)
	if err != nil || got.Intent.Status.IsTerminal() {
		t.Fatalf("intent after a timed-out wait: %v, %v", got, err)
	}
}

func TestIntegrationResumeWithAnyBodyAndFailWithoutCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	addr, agent := e.agent("writer")
	ctx := ctxTimeout(t, 30*time.Second)
	id, err := e.admin.SendIntent(ctx, newIntent(addr))
	if err != nil {
		t.Fatal(err)
	}
	wait := 5
	polled, err := agent.PollAgentDeliveries(ctx, addr, &axme.PollAgentDeliveriesParams{WaitSeconds: &wait})
	if err != nil || len(polled.Deliveries) != 1 {
		t.Fatalf("poll = %v, %v", polled, err)
	}
	deliveryID := polled.Deliveries[0].DeliveryID
	moved, err := agent.ResumeIntentWith(ctx, id, axme.ProgressResume{Kind: axme.ProgressResumeKindProgress, DeliveryID: &deliveryID})
	if err != nil || moved.Intent.Status != axme.IntentStatusINPROGRESS {
		t.Fatalf("progress = %v, %v", moved, err)
	}
	// Sent as given: a bare object without kind or action is the server's 422.
	if _, err := agent.ResumeIntentWith(ctx, id, axme.RawResumeBody{"answer": 42}); !errors.Is(err, axme.ErrValidation) {
		t.Fatalf("bare body: err = %v, want ErrValidation", err)
	}
	if _, err := agent.ResumeIntent(ctx, id, nil, axme.WithDeliveryID("not-current")); !errors.Is(err, axme.ErrConflict) {
		t.Fatalf("stale delivery: err = %v, want ErrConflict", err)
	}
	failed, err := agent.FailIntent(ctx, id, axme.IntentError{Message: "no code given"}, axme.WithDeliveryID(deliveryID))
	if err != nil {
		t.Fatal(err)
	}
	if failed.Intent.Status != axme.IntentStatusFAILED || failed.Intent.Error == nil || failed.Intent.Error.Code != "agent_error" {
		t.Fatalf("failed intent = %s, error %+v", failed.Intent.Status, failed.Intent.Error)
	}
}
