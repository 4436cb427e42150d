package axme

import (
	"context"
	"errors"
)

// DefaultFailureCode is the code IntentHandle.Fail sends when failure has
// none (resolveIntent's own default).
const DefaultFailureCode = "failed"

// IntentHandle is one intent as seen by the client that submitted it
// (REQ-CLIENT-010): SubmitIntent returns one, Client.Intent makes one for an
// existing intent without a request. Complete and Fail are the initiator's
// writes (resolveIntent, REQ-RESOLVE-002); the handling agent resumes instead.
type IntentHandle struct {
	// ID is the intent's id.
	ID string
	// Created is the createIntent answer when the handle came from
	// SubmitIntent, else nil.
	Created *CreateIntentResponse
	client  *Client
}

// SubmitIntent submits an intent (as SendIntent does) and returns its handle.
func (c *Client) SubmitIntent(ctx context.Context, req SendIntentRequest, opts ...RequestOption) (*IntentHandle, error) {
	resp, err := c.CreateIntent(ctx, req, opts...)
	if err != nil {
		return nil, err
	}
	return &IntentHandle{ID: resp.IntentID, Created: resp, client: c}, nil
}

// Intent is the handle of an intent that already exists (no request).
func (c *Client) Intent(intentID string) *IntentHandle {
	return &IntentHandle{ID: intentID, client: c}
}

func (h *IntentHandle) check() error {
	if h == nil || h.client == nil || h.ID == "" {
		return errors.New("axme: an IntentHandle needs a client and an intent id (use SubmitIntent or Client.Intent)")
	}
	return nil
}

// Get reads the intent as it is now.
func (h *IntentHandle) Get(ctx context.Context, opts ...RequestOption) (*Intent, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	resp, err := h.client.GetIntent(ctx, h.ID, opts...)
	if err != nil {
		return nil, err
	}
	return &resp.Intent, nil
}

// Wait returns the intent once terminal (WaitFor).
func (h *IntentHandle) Wait(ctx context.Context, wait *WaitOptions, opts ...RequestOption) (*Intent, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return h.client.WaitFor(ctx, h.ID, wait, opts...)
}

// Observe streams the intent's events as they happen (Client.Observe).
func (h *IntentHandle) Observe(ctx context.Context, opts *ObserveOptions) *EventStream {
	return h.client.Observe(ctx, h.ID, opts)
}

// Complete ends the intent COMPLETED with result (nil is {}).
func (h *IntentHandle) Complete(ctx context.Context, result map[string]any, opts ...RequestOption) (*IntentWriteResponse, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if result == nil {
		result = map[string]any{}
	}
	return h.client.ResolveIntent(ctx, h.ID, ResolveIntentRequest{Status: ResolveIntentRequestStatusCOMPLETED, Result: &result}, opts...)
}

// Fail ends the intent FAILED with failure; an empty Code is sent as
// DefaultFailureCode.
func (h *IntentHandle) Fail(ctx context.Context, failure IntentError, opts ...RequestOption) (*IntentWriteResponse, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if failure.Code == "" {
		failure.Code = DefaultFailureCode
	}
	return h.client.ResolveIntent(ctx, h.ID, ResolveIntentRequest{Status: ResolveIntentRequestStatusFAILED, Error: &failure}, opts...)
}

// Cancel cancels the intent (CancelIntent); reason may be empty.
func (h *IntentHandle) Cancel(ctx context.Context, reason string, opts ...RequestOption) (*IntentWriteResponse, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return h.client.CancelIntent(ctx, h.ID, reason, opts...)
}
