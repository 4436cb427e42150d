package main

import (
	"encoding/json"
	"testing"

	axme "github.com/axme-ai/axme/go"
)

func TestTypedKeepsExactBodies(t *testing.T) {
	b := map[string]any{"intent_type": "intent.a.v1", "to_agent": "w", "payload": map[string]any{"x": 1.0}}
	req, opts := typed[axme.CreateIntentRequest](b)
	if len(opts) != 0 || req.IntentType != "intent.a.v1" || req.Payload["x"] != 1.0 {
		t.Fatalf("typed = %+v, %d extra options; want an exact typed request", req, len(opts))
	}
}

func TestTypedSendsWhatTheTypeCannotCarry(t *testing.T) {
	var b map[string]any
	_ = json.Unmarshal([]byte(`{"intent_type":"intent.a.v1","to_agent":"w","payload":{},"bogus":1,"reply_to":null}`), &b)
	_, opts := typed[axme.CreateIntentRequest](b)
	if len(opts) != 1 {
		t.Fatalf("%d options; want one WithExtraFields for bogus and reply_to", len(opts))
	}
	// A body of the wrong type falls back to sending everything as given.
	_, opts = typed[axme.CreateIntentRequest](map[string]any{"payload": "not an object"})
	if len(opts) != 1 {
		t.Fatal("a body the type cannot decode must be sent as given")
	}
}

func TestQueryReadsTheParameterFieldsByJSONName(t *testing.T) {
	var a map[string]any
	_ = json.Unmarshal([]byte(`{"address":"agent://w","status":"pending","wait_seconds":2,"limit":"ten"}`), &a)
	p := query[axme.PollAgentDeliveriesParams](a)
	if p.Status == nil || string(*p.Status) != "pending" || p.WaitSeconds == nil || *p.WaitSeconds != 2 {
		t.Fatalf("query = %+v; want status pending and wait_seconds 2", p)
	}
	if p.Limit != nil {
		t.Fatalf("limit %q is not a number: want it left out, got %v", a["limit"], *p.Limit)
	}
	if empty := query[axme.ListAgentsParams](map[string]any{}); empty.Limit != nil || empty.Cursor != nil {
		t.Fatalf("query of no args = %+v; want every field nil", empty)
	}
}

// callgen leaves the hand-written operations out of its table: one in both means the
// generated file is stale (make -C go gen).
func TestNoOperationIsBothGeneratedAndHandWritten(t *testing.T) {
	for method := range handWritten {
		if _, generated := generatedCalls[method]; generated {
			t.Errorf("%s is in handWritten and in zz_generated_calls.go", method)
		}
	}
	if len(generatedCalls) == 0 {
		t.Fatal("zz_generated_calls.go maps no operation")
	}
}

func TestErrorObjectShapes(t *testing.T) {
	api := &axme.APIError{StatusCode: 404, Code: "intent_not_found", Message: "m", RequestID: "r"}
	obj := errorObject(api)
	if obj["type"] != "NotFound" || obj["status"] != 404 || obj["retry_after"] != nil || obj["request_id"] != "r" {
		t.Fatalf("API error object = %v", obj)
	}
	// A StreamError wrapping the last API error is reported as Stream alone.
	wrapped := errorObject(&axme.StreamError{Message: "gave up", Err: &axme.APIError{StatusCode: 503, Code: "unavailable", Message: "busy"}})
	if wrapped["type"] != "Stream" || wrapped["status"] != nil || wrapped["code"] != nil || wrapped["retryable"] != nil {
		t.Fatalf("wrapped stream error object = %v; want type Stream, status/code/retryable null", wrapped)
	}
	if obj := errorObject(&argError{"bad"}); obj["type"] != "Validation" || obj["status"] != nil {
		t.Fatalf("argument error object = %v", obj)
	}
	if obj := errorObject(&unsupported{"x"}); obj["type"] != "Unsupported" {
		t.Fatalf("unsupported = %v", obj)
	}
}

func TestOnlyAPlainAgentResultGoesThroughResumeIntent(t *testing.T) {
	result := map[string]any{"a": 1.0}
	helper := []map[string]any{
		{"kind": "agent_result", "outcome": "complete", "result": result},
		{"kind": "agent_result", "outcome": "complete", "result": result, "delivery_id": "d"},
	}
	for _, b := range helper {
		if got, ok := helperResumeResult(b); !ok || got["a"] != 1.0 {
			t.Fatalf("%v: want ResumeIntent with its result", b)
		}
	}
	withBody := []map[string]any{
		{"kind": "progress"},
		{"kind": "agent_result", "outcome": "complete"}, // ResumeIntent would add result {}
		{"kind": "agent_result", "outcome": "complete", "result": result, "extra": 1},
		{"kind": "agent_result", "outcome": "complete", "result": result, "delivery_id": 7},
		{"kind": "agent_result", "outcome": "fail", "error": map[string]any{"message": "x"}},
		{"action": "complete", "answer": 42},
		{"result": result},
	}
	for _, b := range withBody {
		if _, ok := helperResumeResult(b); ok {
			t.Fatalf("%v: want ResumeIntentWith (sent as given)", b)
		}
	}
}
