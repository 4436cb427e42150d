package axme

import "context"

// ApplyScenario provisions a scenario bundle's agents (returning new keys
// once) and starts its workflow as one intent.
//
//meta:operation applyScenario POST /v1/scenarios/apply
func (c *Client) ApplyScenario(ctx context.Context, bundle ScenarioBundle, opts ...RequestOption) (*ApplyScenarioResponse, error) {
	return postAs[ApplyScenarioResponse](ctx, c, "/v1/scenarios/apply", bundle, opts)
}

// ValidateScenario reports every problem of a bundle at once without
// applying it. The bundle is any JSON object, so invalid ones can be checked.
//
//meta:operation validateScenario POST /v1/scenarios/validate
func (c *Client) ValidateScenario(ctx context.Context, bundle map[string]any, opts ...RequestOption) (*ValidateScenarioResponse, error) {
	return postAs[ValidateScenarioResponse](ctx, c, "/v1/scenarios/validate", bundle, opts)
}
