package axme

import (
	"context"
	"net/url"
)

// agentPath encodes the whole address as one segment
// (agent%3A%2F%2Forg%2Fws%2Fname), as REQ-API-014 pins.
func agentPath(address, suffix string) string {
	return "/v1/agents/" + escapeSegment(address) + suffix
}

// RegisterAgent registers an agent and returns its API key (shown once).
// An existing address is a 409 agent_exists.
//
//meta:operation registerAgent POST /v1/agents
func (c *Client) RegisterAgent(ctx context.Context, req RegisterAgentRequest, opts ...RequestOption) (*AgentRegisteredResponse, error) {
	return postAs[AgentRegisteredResponse](ctx, c, "/v1/agents", req, opts)
}

// ListAgents lists the workspace's agents; follow NextCursor for more.
//
//meta:operation listAgents GET /v1/agents
func (c *Client) ListAgents(ctx context.Context, params *ListAgentsParams, opts ...RequestOption) (*AgentListResponse, error) {
	q := url.Values{}
	if params != nil {
		setInt(q, "limit", params.Limit)
		setString(q, "cursor", params.Cursor)
	}
	return getAs[AgentListResponse](ctx, c, "/v1/agents", q, opts)
}

// GetAgent reads one agent by address (canonical or bare name).
//
//meta:operation getAgent GET /v1/agents/{address}
func (c *Client) GetAgent(ctx context.Context, address string, opts ...RequestOption) (*AgentResponse, error) {
	return getAs[AgentResponse](ctx, c, agentPath(address, ""), nil, opts)
}

// DeleteAgent deregisters an agent and revokes its keys (REQ-AUTH-015).
//
//meta:operation deleteAgent DELETE /v1/agents/{address}
func (c *Client) DeleteAgent(ctx context.Context, address string, opts ...RequestOption) (*AgentDeletedResponse, error) {
	return deleteAs[AgentDeletedResponse](ctx, c, agentPath(address, ""), opts)
}

// ListAgentKeys lists the keys of one agent, metadata only (REQ-AUTH-016).
//
//meta:operation listAgentKeys GET /v1/agents/{address}/keys
func (c *Client) ListAgentKeys(ctx context.Context, address string, opts ...RequestOption) (*KeyListResponse, error) {
	return getAs[KeyListResponse](ctx, c, agentPath(address, "/keys"), nil, opts)
}

// CreateAgentKey issues another API key for an agent (shown once).
//
//meta:operation createAgentKey POST /v1/agents/{address}/keys
func (c *Client) CreateAgentKey(ctx context.Context, address string, req CreateAgentKeyRequest, opts ...RequestOption) (*KeyCreatedResponse, error) {
	return postAs[KeyCreatedResponse](ctx, c, agentPath(address, "/keys"), req, opts)
}

// RotateCallbackSecret makes a new callback secret current for an http agent
// (generated when req.CallbackSecret is nil) and returns it, shown only here; the
// previous one keeps verifying until PreviousExpiresAt (REQ-SECRET-004/006).
//
//meta:operation rotateCallbackSecret POST /v1/agents/{address}/callback-secret
func (c *Client) RotateCallbackSecret(ctx context.Context, address string, req RotateCallbackSecretRequest, opts ...RequestOption) (*CallbackSecretRotatedResponse, error) {
	return postAs[CallbackSecretRotatedResponse](ctx, c, agentPath(address, "/callback-secret"), req, opts)
}

// PollAgentDeliveries long-polls for deliveries leased to the agent (the
// poll binding; Listen uses the stream binding).
//
//meta:operation pollAgentDeliveries GET /v1/agents/{address}/intents
func (c *Client) PollAgentDeliveries(ctx context.Context, address string, params *PollAgentDeliveriesParams, opts ...RequestOption) (*DeliveryPollResponse, error) {
	q := url.Values{}
	if params != nil {
		setString(q, "status", (*string)(params.Status))
		setInt(q, "wait_seconds", params.WaitSeconds)
		setInt(q, "limit", params.Limit)
	}
	return getAs[DeliveryPollResponse](ctx, c, agentPath(address, "/intents"), q, opts)
}
