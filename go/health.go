package axme

import "context"

// GetHealth checks that the server is up.
//
//meta:operation getHealth GET /health
func (c *Client) GetHealth(ctx context.Context, opts ...RequestOption) (*HealthResponse, error) {
	return getAs[HealthResponse](ctx, c, "/health", nil, opts)
}
