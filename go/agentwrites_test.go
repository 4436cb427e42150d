package axme

import (
	"context"
	"net/http"
	"testing"
)

// The agent and human write helpers send the bodies naming.yaml describes.
func TestAgentWriteHelperBodies(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"applied":true,"intent":{"intent_id":"i1","status":"COMPLETED"}}`))
	}
	r := newRecorder(t, ok)
	c := r.client()
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := c.ResumeIntent(ctx, "i1", map[string]any{"n": 1}); return err },
		func() error { _, err := c.ResumeIntent(ctx, "i1", nil, WithDeliveryID("d1")); return err },
		func() error {
			_, err := c.ResumeIntentWith(ctx, "i1", RawResumeBody{"action": "complete", "answer": 42})
			return err
		},
		func() error {
			_, err := c.ResumeIntentWith(ctx, "i1", TaskResultResume{Kind: TaskResultResumeKindTaskResult, Outcome: "approved"})
			return err
		},
		func() error {
			_, err := c.FailIntent(ctx, "i1", IntentError{Code: "bad", Message: "no"}, WithDeliveryID("d1"))
			return err
		},
		func() error { _, err := c.FailIntent(ctx, "i1", IntentError{Message: "no code"}); return err },
		func() error {
			_, err := c.ReportProgress(ctx, "i1", map[string]any{"pct": 50}, WithDeliveryID("d1"))
			return err
		},
		func() error { _, err := c.ReportProgress(ctx, "i1", nil); return err },
		func() error {
			_, err := c.CompleteTask(ctx, "i1", "submitted", map[string]any{"t": "x"}, "done")
			return err
		},
		func() error { _, err := c.CompleteTask(ctx, "i1", "", nil, ""); return err },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	want := []string{
		`/v1/intents/i1/resume {"kind":"agent_result","outcome":"complete","result":{"n":1}}`,
		`/v1/intents/i1/resume {"delivery_id":"d1","kind":"agent_result","outcome":"complete","result":{}}`,
		`/v1/intents/i1/resume {"action":"complete","answer":42}`,
		`/v1/intents/i1/resume {"kind":"task_result","outcome":"approved"}`,
		`/v1/intents/i1/resume {"delivery_id":"d1","error":{"code":"bad","message":"no"},"kind":"agent_result","outcome":"fail"}`,
		`/v1/intents/i1/resume {"error":{"code":"agent_error","message":"no code"},"kind":"agent_result","outcome":"fail"}`,
		`/v1/intents/i1/resume {"delivery_id":"d1","details":{"pct":50},"kind":"progress"}`,
		`/v1/intents/i1/resume {"kind":"progress"}`,
		`/v1/tasks/i1/decision {"comment":"done","data":{"t":"x"},"outcome":"submitted"}`,
		`/v1/tasks/i1/decision {"outcome":"completed"}`,
	}
	got := r.all()
	if len(got) != len(want) {
		t.Fatalf("%d requests, want %d", len(got), len(want))
	}
	for i, w := range want {
		if g := got[i].RequestURI + " " + got[i].Body; g != w {
			t.Errorf("request %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// A result that already is a resume form is sent as given, never wrapped
// (REQ-RESUME-010), with the delivery id added only when it has none.
func TestResumeIntentSendsAResumeFormAsGiven(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"applied":true,"intent":{"intent_id":"i1","status":"FAILED"}}`))
	}
	r := newRecorder(t, ok)
	c := r.client()
	ctx := context.Background()
	cases := []struct {
		result map[string]any
		opts   []RequestOption
		want   string
	}{
		{map[string]any{"action": "fail", "reason": "disk full"}, nil, `{"action":"fail","reason":"disk full"}`},
		{map[string]any{"kind": "progress"}, nil, `{"kind":"progress"}`},
		{map[string]any{"task_result": map[string]any{"outcome": "approved"}}, nil, `{"task_result":{"outcome":"approved"}}`},
		{map[string]any{"approve_current_step": true}, nil, `{"approve_current_step":true}`},
		{map[string]any{"action": "fail"}, []RequestOption{WithDeliveryID("d1")}, `{"action":"fail","delivery_id":"d1"}`},
		{map[string]any{"action": "fail", "delivery_id": "d0"}, []RequestOption{WithDeliveryID("d1")}, `{"action":"fail","delivery_id":"d0"}`},
		{map[string]any{"status": "fail"}, nil, `{"kind":"agent_result","outcome":"complete","result":{"status":"fail"}}`},
	}
	for i, tc := range cases {
		if _, err := c.ResumeIntent(ctx, "i1", tc.result, tc.opts...); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got := r.all()
		if g := got[len(got)-1].Body; g != tc.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, g, tc.want)
		}
	}
}
