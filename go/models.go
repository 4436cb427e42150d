package axme

import (
	"encoding/json"
	"fmt"
)

// SendIntentRequest is the body of SendIntent (the same fields as createIntent).
type SendIntentRequest = CreateIntentRequest

// IsTerminal reports whether s is one of the spec's terminal statuses
// (COMPLETED, FAILED, CANCELED, TIMED_OUT); a terminal intent never changes.
func (s IntentStatus) IsTerminal() bool {
	switch s {
	case IntentStatusCOMPLETED, IntentStatusFAILED, IntentStatusCANCELED, IntentStatusTIMEDOUT:
		return true
	}
	return false
}

// mergeExtra returns body as a JSON object with extra members added (or
// replaced). It lets callers send members the typed request does not have.
func mergeExtra(body any, extra map[string]any) (any, error) {
	if len(extra) == 0 {
		return body, nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	obj := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("axme: extra fields need a JSON object body: %w", err)
	}
	for k, v := range extra {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("axme: encoding extra field %q: %w", k, err)
		}
		obj[k] = b
	}
	return obj, nil
}

// ResumeBody is the body of ResumeIntentWith, a union tagged on "kind":
// AgentResultResume, TaskResultResume, ProgressResume or ControlResume.
// RawResumeBody sends any other JSON object (for example a legacy form).
type ResumeBody interface{ isResumeBody() }

func (AgentResultResume) isResumeBody() {}
func (TaskResultResume) isResumeBody()  {}
func (ProgressResume) isResumeBody()    {}
func (ControlResume) isResumeBody()     {}

// RawResumeBody is a resume body sent exactly as given.
type RawResumeBody map[string]any

func (RawResumeBody) isResumeBody() {}
