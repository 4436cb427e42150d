package axme

import "context"

// CreateKey issues an API key (admin only); the secret is shown once.
//
//meta:operation createKey POST /v1/admin/keys
func (c *Client) CreateKey(ctx context.Context, req CreateKeyRequest, opts ...RequestOption) (*KeyCreatedResponse, error) {
	var out KeyCreatedResponse
	if err := c.post(ctx, "/v1/admin/keys", req, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListKeys lists the workspace's keys (never their secrets).
//
//meta:operation listKeys GET /v1/admin/keys
func (c *Client) ListKeys(ctx context.Context, opts ...RequestOption) (*KeyListResponse, error) {
	var out KeyListResponse
	if err := c.get(ctx, "/v1/admin/keys", nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeKey revokes a key; requests made with it then get 401.
//
//meta:operation revokeKey DELETE /v1/admin/keys/{key_id}
func (c *Client) RevokeKey(ctx context.Context, keyID string, opts ...RequestOption) (*KeyResponse, error) {
	var out KeyResponse
	if err := c.del(ctx, "/v1/admin/keys/"+escapeSegment(keyID), &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
