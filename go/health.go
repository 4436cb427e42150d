package axme

import "context"

// GetHealth checks that the server is up.
//
//meta:operation getHealth GET /health
func (c *Client) GetHealth(ctx context.Context, opts ...RequestOption) (*HealthResponse, error) {
	var out HealthResponse
	if err := c.get(ctx, "/health", nil, &out, opts); err != nil {
		return nil, err
	}
	return &out, nil
}
