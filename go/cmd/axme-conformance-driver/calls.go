package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// callFunc runs one canonical method; raw captures the response body.
type callFunc func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error

// helperCalls are the SDK-only helpers (spec/naming.yaml `helpers`) that the driver
// protocol calls by name and whose arguments callgen's rules read (each parameter the
// args member of its name); callgen writes their entries into generatedCalls.
var helperCalls = []string{"cancelIntent", "rejectTask", "completeTask"}

// handWritten holds the calls whose arguments need more than zz_generated_calls.go's
// rules (go/tools/callgen): resumeIntent's several body shapes, the helpers that take a
// delivery id or more than their named arguments, and the intent handle. Every other
// operation of naming.yaml is in generatedCalls; an operation listed here is left out
// of it. sendIntent, submitIntent and waitFor answer a result of their own (call).
var handWritten = map[string]callFunc{
	// the helper itself, whatever the result is (REQ-RESUME-010: a resume form is sent as is)
	"resumeIntentHelper": func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error {
		_, err := c.ResumeIntent(ctx, str(a, "intent_id"), obj(a, "result"), withDeliveryID(a, raw)...)
		return err
	},
	"resumeIntent": func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error {
		b := body(a, "intent_id")
		if result, ok := helperResumeResult(b); ok { // ResumeIntent(id, result[, WithDeliveryID])
			_, err := c.ResumeIntent(ctx, str(a, "intent_id"), result, withDeliveryID(b, raw)...)
			return err
		}
		var rb axme.ResumeBody = axme.RawResumeBody(b)
		var opts []axme.RequestOption
		switch b["kind"] {
		case "agent_result":
			rb, opts = typed[axme.AgentResultResume](b)
		case "task_result":
			rb, opts = typed[axme.TaskResultResume](b)
		case "progress":
			rb, opts = typed[axme.ProgressResume](b)
		case "control":
			rb, opts = typed[axme.ControlResume](b)
		}
		_, err := c.ResumeIntentWith(ctx, str(a, "intent_id"), rb, append(opts, raw)...)
		return err
	},
	// SDK-only helpers.
	"failIntent": func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error {
		var failure axme.IntentError
		switch e := a["error"].(type) {
		case string:
			failure = axme.IntentError{Message: e} // FailIntent sends code agent_error
		case map[string]any:
			var opts []axme.RequestOption
			failure, opts = typed[axme.IntentError](e)
			if len(opts) > 0 {
				return &argError{"error has members IntentError cannot carry"}
			}
		default:
			return &argError{"failIntent needs error (an object or a string)"}
		}
		_, err := c.FailIntent(ctx, str(a, "intent_id"), failure, withDeliveryID(a, raw)...)
		return err
	},
	"approveTask": func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error {
		opts := []axme.RequestOption{raw}
		if d, ok := a["data"]; ok {
			opts = append(opts, axme.WithExtraFields(map[string]any{"data": d}))
		}
		_, err := c.ApproveTask(ctx, str(a, "intent_id"), str(a, "comment"), opts...)
		return err
	},
	// client.Intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
	"intentHandle": func(ctx context.Context, c *axme.Client, a map[string]any, raw axme.RequestOption) error {
		h := c.Intent(str(a, "intent_id"))
		var err error
		switch str(a, "action") {
		case "complete":
			_, err = h.Complete(ctx, obj(a, "result"), raw)
		case "fail":
			failure, _ := typed[axme.IntentError](obj(a, "error"))
			_, err = h.Fail(ctx, failure, raw)
		case "cancel":
			_, err = h.Cancel(ctx, str(a, "reason"), raw)
		default:
			err = fmt.Errorf("intentHandle: unknown action %q", str(a, "action"))
		}
		return err
	},
}

// withDeliveryID is raw, plus axme.WithDeliveryID when a has a delivery_id string:
// how a Go helper takes the optional delivery id (spec/naming.yaml helpers).
func withDeliveryID(a map[string]any, raw axme.RequestOption) []axme.RequestOption {
	if id := optStr(a, "delivery_id"); id != nil {
		return []axme.RequestOption{raw, axme.WithDeliveryID(*id)}
	}
	return []axme.RequestOption{raw}
}

// call runs method and returns the response body as wire JSON.
func call(ctx context.Context, c *axme.Client, method string, a map[string]any) (any, error) {
	if a == nil {
		a = map[string]any{}
	}
	switch method {
	case "sendIntent":
		req, opts := typed[axme.SendIntentRequest](a)
		id, err := c.SendIntent(ctx, req, opts...)
		if err != nil {
			return nil, err
		}
		return map[string]any{"intent_id": id}, nil
	case "submitIntent":
		req, opts := typed[axme.SendIntentRequest](a)
		h, err := c.SubmitIntent(ctx, req, opts...)
		if err != nil {
			return nil, err
		}
		return map[string]any{"intent_id": h.ID}, nil
	case "waitFor":
		return waitFor(ctx, c, a)
	}
	fn, ok := handWritten[method]
	if !ok {
		fn, ok = generatedCalls[method]
	}
	if !ok {
		return nil, &unsupported{method}
	}
	var raw []byte
	if err := fn(ctx, c, a, axme.WithRawResponse(&raw)); err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	return json.RawMessage(raw), nil
}

type unsupported struct{ method string }

func (e *unsupported) Error() string { return fmt.Sprintf("the Go SDK has no method for %q", e.method) }

// waitFor returns the terminal intent object exactly as the server sent it.
func waitFor(ctx context.Context, c *axme.Client, a map[string]any) (any, error) {
	opts := &axme.WaitOptions{}
	if v, ok := a["timeout_ms"]; ok && v != nil {
		opts.Timeout = millis(v)
	} else if v, ok := a["timeout"]; ok && v != nil {
		opts.Timeout = time.Duration(num(v) * float64(time.Second))
	}
	var raw []byte
	if _, err := c.WaitFor(ctx, str(a, "intent_id"), opts, axme.WithRawResponse(&raw)); err != nil {
		return nil, err
	}
	var env struct {
		Intent json.RawMessage `json:"intent"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.Intent == nil {
		return nil, fmt.Errorf("waitFor: unexpected final body %q", raw)
	}
	return env.Intent, nil
}

// helperResumeResult reports whether b is exactly the body ResumeIntent
// sends (agent_result complete with an object result and at most a
// delivery_id), and returns its result; every other body goes through
// ResumeIntentWith as given.
func helperResumeResult(b map[string]any) (map[string]any, bool) {
	for k := range b {
		if k != "kind" && k != "outcome" && k != "result" && k != "delivery_id" {
			return nil, false
		}
	}
	result, isObject := b["result"].(map[string]any)
	id, hasID := b["delivery_id"]
	_, idIsString := id.(string)
	idOK := !hasID || idIsString
	return result, isObject && idOK && b["kind"] == "agent_result" && b["outcome"] == "complete"
}
