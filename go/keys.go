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

// RevokeKey revokes a key; requests made with it then get 401.
//
//meta:operation revokeKey DELETE /v1/admin/keys/{key_id}
func (c *Client) RevokeKey(ctx context.Context, keyID string, opts ...RequestOption) (*KeyResponse, error) {
	return deleteAs[KeyResponse](ctx, c, "/v1/admin/keys/"+escapeSegment(keyID), opts)
}
