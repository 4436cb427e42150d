package axme

import "context"

// CreateKey issues an API key (admin only); the secret is shown once.
//
//meta:operation createKey POST /v1/admin/keys
func (c *Client) CreateKey(ctx context.Context, req CreateKeyRequest, opts ...RequestOption) (*KeyCreatedResponse, error) {
	return postAs[KeyCreatedResponse](ctx, c, "/v1/admin/keys", req, opts)
}

// ListKeys lists the workspace's keys (never their secrets).
//
//meta:operation listKeys GET /v1/admin/keys
func (c *Client) ListKeys(ctx context.Context, opts ...RequestOption) (*KeyListResponse, error) {
	return getAs[KeyListResponse](ctx, c, "/v1/admin/keys", nil, opts)
}

// CreateWorkspace creates a workspace and its first admin key, shown once
// (operator keys, REQ-AUTH-017).
//
//meta:operation createWorkspace POST /v1/admin/workspaces
func (c *Client) CreateWorkspace(ctx context.Context, org, name string, opts ...RequestOption) (*WorkspaceCreatedResponse, error) {
	return postAs[WorkspaceCreatedResponse](ctx, c, "/v1/admin/workspaces", CreateWorkspaceRequest{Org: org, Name: name}, opts)
}

// ListWorkspaces lists every workspace of the server, oldest first (operator keys).
//
//meta:operation listWorkspaces GET /v1/admin/workspaces
func (c *Client) ListWorkspaces(ctx context.Context, opts ...RequestOption) (*WorkspaceListResponse, error) {
	return getAs[WorkspaceListResponse](ctx, c, "/v1/admin/workspaces", nil, opts)
}

// RotateWebhookSecret makes a new webhook-signing secret current for the
// workspace and returns it, shown only here (admin keys, REQ-SECRET-007).
//
//meta:operation rotateWebhookSecret POST /v1/workspace/webhook-secret
func (c *Client) RotateWebhookSecret(ctx context.Context, req RotateSecretRequest, opts ...RequestOption) (*WebhookSecretRotatedResponse, error) {
	return postAs[WebhookSecretRotatedResponse](ctx, c, "/v1/workspace/webhook-secret", req, opts)
}

// RotateLinkSecret replaces the server's decision-link secret, which is never
// returned (an admin key of the server's first workspace, REQ-SECRET-008).
//
//meta:operation rotateLinkSecret POST /v1/server/link-secret
func (c *Client) RotateLinkSecret(ctx context.Context, req RotateSecretRequest, opts ...RequestOption) (*LinkSecretRotatedResponse, error) {
	return postAs[LinkSecretRotatedResponse](ctx, c, "/v1/server/link-secret", req, opts)
}

// RevokeKey revokes a key; requests made with it then get 401.
//
//meta:operation revokeKey DELETE /v1/admin/keys/{key_id}
func (c *Client) RevokeKey(ctx context.Context, keyID string, opts ...RequestOption) (*KeyResponse, error) {
	return deleteAs[KeyResponse](ctx, c, "/v1/admin/keys/"+escapeSegment(keyID), opts)
}
