package axme

import (
	"context"
	"net/url"
)

// ListTasks lists human tasks (by default the caller's pending ones).
//
//meta:operation listTasks GET /v1/tasks
func (c *Client) ListTasks(ctx context.Context, params *ListTasksParams, opts ...RequestOption) (*TaskListResponse, error) {
	q := url.Values{}
	if params != nil {
		setString(q, "status", (*string)(params.Status))
		setString(q, "assignee", params.Assignee)
		setInt(q, "limit", params.Limit)
		setString(q, "cursor", params.Cursor)
	}
	return getAs[TaskListResponse](ctx, c, "/v1/tasks", q, opts)
}

// ListMyTasks lists the calling human key's inbox: its pending tasks, oldest
// first (REQ-HUMAN-024).
//
//meta:operation listMyTasks GET /v1/me/tasks
func (c *Client) ListMyTasks(ctx context.Context, params *ListMyTasksParams, opts ...RequestOption) (*TaskListResponse, error) {
	q := url.Values{}
	if params != nil {
		setInt(q, "limit", params.Limit)
		setString(q, "cursor", params.Cursor)
	}
	return getAs[TaskListResponse](ctx, c, "/v1/me/tasks", q, opts)
}

// DecideTask records a human decision on the intent's current human step.
//
//meta:operation decideTask POST /v1/tasks/{intent_id}/decision
func (c *Client) DecideTask(ctx context.Context, intentID string, decision TaskDecision, opts ...RequestOption) (*IntentWriteResponse, error) {
	return postAs[IntentWriteResponse](ctx, c, "/v1/tasks/"+escapeSegment(intentID)+"/decision", decision, opts)
}

// ApproveTask decides the task with outcome "approved"; comment may be empty.
func (c *Client) ApproveTask(ctx context.Context, intentID, comment string, opts ...RequestOption) (*IntentWriteResponse, error) {
	return c.DecideTask(ctx, intentID, TaskDecision{Outcome: "approved", Comment: optString(comment)}, opts...)
}

// RejectTask decides the task with outcome "rejected" (the intent FAILS with
// error code "rejected").
func (c *Client) RejectTask(ctx context.Context, intentID, comment string, opts ...RequestOption) (*IntentWriteResponse, error) {
	return c.DecideTask(ctx, intentID, TaskDecision{Outcome: "rejected", Comment: optString(comment)}, opts...)
}

// CompleteTask decides the task with an outcome ("" means "completed"),
// optional form data (nil: none) and an optional comment ("": none).
func (c *Client) CompleteTask(ctx context.Context, intentID, outcome string, data map[string]any, comment string, opts ...RequestOption) (*IntentWriteResponse, error) {
	if outcome == "" {
		outcome = "completed"
	}
	d := TaskDecision{Outcome: outcome, Comment: optString(comment)}
	if data != nil {
		d.Data = &data
	}
	return c.DecideTask(ctx, intentID, d, opts...)
}
