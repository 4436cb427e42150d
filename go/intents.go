package axme

import (
	"context"
	"net/url"
	"strconv"
)

func intentPath(intentID string, suffix string) string {
	return "/v1/intents/" + escapeSegment(intentID) + suffix
}

// CreateIntent submits an intent.
//
//meta:operation createIntent POST /v1/intents
func (c *Client) CreateIntent(ctx context.Context, req CreateIntentRequest, opts ...RequestOption) (*CreateIntentResponse, error) {
	return postAs[CreateIntentResponse](ctx, c, "/v1/intents", req, opts)
}

// SendIntent submits an intent and returns its id. Without a
// CorrelationID the server generates one.
func (c *Client) SendIntent(ctx context.Context, req SendIntentRequest, opts ...RequestOption) (string, error) {
	resp, err := c.CreateIntent(ctx, req, opts...)
	if err != nil {
		return "", err
	}
	return resp.IntentID, nil
}

// GetIntent reads an intent.
//
//meta:operation getIntent GET /v1/intents/{intent_id}
func (c *Client) GetIntent(ctx context.Context, intentID string, opts ...RequestOption) (*IntentResponse, error) {
	return getAs[IntentResponse](ctx, c, intentPath(intentID, ""), nil, opts)
}

// ListIntents lists intents, newest first; follow NextCursor for more.
//
//meta:operation listIntents GET /v1/intents
func (c *Client) ListIntents(ctx context.Context, params *ListIntentsParams, opts ...RequestOption) (*IntentListResponse, error) {
	q := url.Values{}
	if params != nil {
		setString(q, "status", (*string)(params.Status))
		setString(q, "to_agent", params.ToAgent)
		setString(q, "from_agent", params.FromAgent)
		setInt(q, "limit", params.Limit)
		setString(q, "cursor", params.Cursor)
	}
	return getAs[IntentListResponse](ctx, c, "/v1/intents", q, opts)
}

// ListIntentEvents returns an intent's events with seq > params.Since.
//
//meta:operation listIntentEvents GET /v1/intents/{intent_id}/events
func (c *Client) ListIntentEvents(ctx context.Context, intentID string, params *ListIntentEventsParams, opts ...RequestOption) (*EventListResponse, error) {
	q := url.Values{}
	if params != nil {
		setInt(q, "since", params.Since)
		setInt(q, "limit", params.Limit)
	}
	return getAs[EventListResponse](ctx, c, intentPath(intentID, "/events"), q, opts)
}

// ResumeIntent completes the current agent step with result (resume kind
// agent_result, outcome complete; nil is an empty result). Pass
// WithDeliveryID(id) to resume a specific delivery: a stale one is a 409.
// A result that already is a resume form (a top-level kind, action,
// task_result or approve_current_step member, e.g. {"action": "fail"}) is
// sent as given. Any other resume body goes through ResumeIntentWith.
//
//meta:operation resumeIntent POST /v1/intents/{intent_id}/resume
func (c *Client) ResumeIntent(ctx context.Context, intentID string, result map[string]any, opts ...RequestOption) (*IntentWriteResponse, error) {
	if result == nil {
		result = map[string]any{}
	}
	if isResumeForm(result) {
		return c.ResumeIntentWith(ctx, intentID, resumeFormBody(result, deliveryIDOf(opts)), opts...)
	}
	body := AgentResultResume{Kind: AgentResultResumeKindAgentResult, Outcome: AgentResultResumeOutcomeComplete, Result: &result, DeliveryID: deliveryIDOf(opts)}
	return c.ResumeIntentWith(ctx, intentID, body, opts...)
}

// resumeFormMembers are the top-level members by which the server reads a
// body as a resume form (REQ-RESUME-002).
var resumeFormMembers = []string{"kind", "action", "task_result", "approve_current_step"}

func isResumeForm(result map[string]any) bool {
	for _, k := range resumeFormMembers {
		if _, ok := result[k]; ok {
			return true
		}
	}
	return false
}

// resumeFormBody is a result that already is a resume body (e.g. the legacy
// {"action": "fail", "reason": …}), sent as given rather than wrapped as a
// result (REQ-RESUME-010); only a missing delivery_id is added.
func resumeFormBody(result map[string]any, deliveryID *string) RawResumeBody {
	body := RawResumeBody{}
	for k, v := range result {
		body[k] = v
	}
	if _, has := body["delivery_id"]; !has && deliveryID != nil {
		body["delivery_id"] = *deliveryID
	}
	return body
}

// ResumeIntentWith sends any resume body as given: AgentResultResume,
// TaskResultResume, ProgressResume, ControlResume, or RawResumeBody for a
// legacy form (see ResumeBody).
func (c *Client) ResumeIntentWith(ctx context.Context, intentID string, body ResumeBody, opts ...RequestOption) (*IntentWriteResponse, error) {
	return postAs[IntentWriteResponse](ctx, c, intentPath(intentID, "/resume"), body, opts)
}

// DefaultErrorCode is the code FailIntent sends when failure has none, as
// Listen does for a handler's error.
const DefaultErrorCode = "agent_error"

// FailIntent fails the current agent step (resume kind agent_result, outcome
// fail); an empty failure.Code is sent as DefaultErrorCode. Pass
// WithDeliveryID(id) to fail a specific delivery.
func (c *Client) FailIntent(ctx context.Context, intentID string, failure IntentError, opts ...RequestOption) (*IntentWriteResponse, error) {
	if failure.Code == "" {
		failure.Code = DefaultErrorCode
	}
	body := AgentResultResume{Kind: AgentResultResumeKindAgentResult, Outcome: AgentResultResumeOutcomeFail, Error: &failure, DeliveryID: deliveryIDOf(opts)}
	return c.ResumeIntentWith(ctx, intentID, body, opts...)
}

// ReportProgress records progress (status IN_PROGRESS; details may be nil)
// and extends the lease. Pass WithDeliveryID(id) to report for a specific
// delivery: a stale one is a 409.
func (c *Client) ReportProgress(ctx context.Context, intentID string, details map[string]any, opts ...RequestOption) (*IntentWriteResponse, error) {
	body := ProgressResume{Kind: ProgressResumeKindProgress, DeliveryID: deliveryIDOf(opts)}
	if details != nil {
		body.Details = &details
	}
	return c.ResumeIntentWith(ctx, intentID, body, opts...)
}

// ResolveIntent moves an intent to a terminal status (initiator or admin).
//
//meta:operation resolveIntent POST /v1/intents/{intent_id}/resolve
func (c *Client) ResolveIntent(ctx context.Context, intentID string, req ResolveIntentRequest, opts ...RequestOption) (*IntentWriteResponse, error) {
	return postAs[IntentWriteResponse](ctx, c, intentPath(intentID, "/resolve"), req, opts)
}

// RetryIntent starts a new attempt of a FAILED or TIMED_OUT intent from the
// step that failed, keeping the completed steps' results (admin or initiator;
// REQ-REATTEMPT-005). WaitFor and Observe on the old id lead to the new attempt.
//
//meta:operation retryIntent POST /v1/intents/{intent_id}/retry
func (c *Client) RetryIntent(ctx context.Context, intentID string, req RetryIntentRequest, opts ...RequestOption) (*RetryIntentResponse, error) {
	return postAs[RetryIntentResponse](ctx, c, intentPath(intentID, "/retry"), req, opts)
}

// CancelIntent resolves an intent as CANCELED; reason may be empty.
func (c *Client) CancelIntent(ctx context.Context, intentID, reason string, opts ...RequestOption) (*IntentWriteResponse, error) {
	return c.ResolveIntent(ctx, intentID, ResolveIntentRequest{Status: ResolveIntentRequestStatusCANCELED, Reason: optString(reason)}, opts...)
}

// AckIntent acknowledges a delivery (status ACKNOWLEDGED; the lease is held).
//
//meta:operation ackIntent POST /v1/intents/{intent_id}/ack
func (c *Client) AckIntent(ctx context.Context, intentID, deliveryID string, opts ...RequestOption) (*AckIntentResponse, error) {
	return postAs[AckIntentResponse](ctx, c, intentPath(intentID, "/ack"), AckIntentRequest{DeliveryID: deliveryID}, opts)
}

// GetIntentAudit returns one page of the intent's audit trail (who decided
// what, when): entries with seq > params.Since, at most params.Limit; the next
// page starts at Since = NextSeq - 1 (REQ-LIMIT-013). nil params: the first page.
//
//meta:operation getIntentAudit GET /v1/intents/{intent_id}/audit
func (c *Client) GetIntentAudit(ctx context.Context, intentID string, params *GetIntentAuditParams, opts ...RequestOption) (*AuditResponse, error) {
	q := url.Values{}
	if params != nil {
		setInt(q, "since", params.Since)
		setInt(q, "limit", params.Limit)
	}
	return getAs[AuditResponse](ctx, c, intentPath(intentID, "/audit"), q, opts)
}

// ListNotifications returns the intent's notifications (email, webhook, Slack)
// with their delivery status; admin or initiator keys (REQ-NOTIFY-005).
//
//meta:operation listNotifications GET /v1/intents/{intent_id}/notifications
func (c *Client) ListNotifications(ctx context.Context, intentID string, opts ...RequestOption) (*NotificationListResponse, error) {
	return getAs[NotificationListResponse](ctx, c, intentPath(intentID, "/notifications"), nil, opts)
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func setString(q url.Values, key string, v *string) {
	if v != nil {
		q.Set(key, *v)
	}
}

func setInt(q url.Values, key string, v *int) {
	if v != nil {
		q.Set(key, strconv.Itoa(*v))
	}
}
