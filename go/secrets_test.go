package axme_test

import (
	"errors"
	"regexp"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

var generatedSecret = regexp.MustCompile(`^whsec_[0-9A-Za-z]{32}$`)

func ptr[T any](v T) *T { return &v }

// RotateCallbackSecret against the reference server: the new secret is in the
// answer only (a replay is 409 secret_not_kept), a chosen one is taken as is,
// a non-http agent is 409 (REQ-SECRET-002/004/006).
func TestIntegrationRotateCallbackSecretShowsTheSecretOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 20*time.Second)
	reg, err := e.admin.RegisterAgent(ctx, axme.RegisterAgentRequest{Address: "hook",
		DeliveryMode: ptr(axme.DeliveryModeHTTP), CallbackURL: ptr("http://127.0.0.1:9/axme")})
	if err != nil {
		t.Fatal(err)
	}
	addr := reg.Agent.Address
	var raw []byte
	rotated, err := e.admin.RotateCallbackSecret(ctx, addr, axme.RotateCallbackSecretRequest{},
		axme.WithIdempotencyKey("rotate-once"), axme.WithRawResponse(&raw))
	if err != nil || !generatedSecret.MatchString(rotated.CallbackSecret) ||
		rotated.Agent.Address != addr || rotated.PreviousExpiresAt == nil {
		t.Fatalf("RotateCallbackSecret = %+v, %v", rotated, err)
	}
	if n := len(regexp.MustCompile(`callback_secret`).FindAll(raw, -1)); n != 1 {
		t.Fatalf("callback_secret appears %d times in %s (only beside the agent)", n, raw)
	}
	var api *axme.APIError
	_, err = e.admin.RotateCallbackSecret(ctx, addr, axme.RotateCallbackSecretRequest{}, axme.WithIdempotencyKey("rotate-once"))
	if !errors.As(err, &api) || api.StatusCode != 409 || api.Details["reason"] != "secret_not_kept" {
		t.Fatalf("a replay: %v", err)
	}
	chosen := "my-own-secret-0123456789"
	again, err := e.admin.RotateCallbackSecret(ctx, addr,
		axme.RotateCallbackSecretRequest{CallbackSecret: &chosen, OverlapSeconds: ptr(0)})
	if err != nil || again.CallbackSecret != chosen || again.PreviousExpiresAt != nil {
		t.Fatalf("a chosen secret without overlap = %+v, %v", again, err)
	}
	plain, _ := e.agent("plain")
	if _, err := e.admin.RotateCallbackSecret(ctx, plain, axme.RotateCallbackSecretRequest{}); !errors.As(err, &api) || api.Code != "invalid_transition" {
		t.Fatalf("a poll agent: %v", err)
	}
}

func TestIntegrationRotateWebhookAndLinkSecretsNeedTheRightKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 20*time.Second)
	hook, err := e.admin.RotateWebhookSecret(ctx, axme.RotateSecretRequest{OverlapSeconds: ptr(0)})
	if err != nil || !generatedSecret.MatchString(hook.WebhookSecret) || hook.PreviousExpiresAt != nil {
		t.Fatalf("RotateWebhookSecret = %+v, %v", hook, err)
	}
	_, agent := e.agent("not-admin")
	if _, err := agent.RotateWebhookSecret(ctx, axme.RotateSecretRequest{}); !errors.Is(err, axme.ErrPermissionDenied) {
		t.Fatalf("an agent key: %v", err)
	}
	if _, err := e.admin.RotateWebhookSecret(ctx, axme.RotateSecretRequest{OverlapSeconds: ptr(604801)}); !errors.Is(err, axme.ErrValidation) {
		t.Fatalf("overlap past the limit: %v", err)
	}
	link, err := e.client(server.AdminKey).RotateLinkSecret(ctx, axme.RotateSecretRequest{OverlapSeconds: ptr(3600)})
	if err != nil || link.RotatedAt == "" || link.PreviousExpiresAt == nil {
		t.Fatalf("RotateLinkSecret by the operator = %+v, %v", link, err)
	}
	var api *axme.APIError
	if _, err := e.admin.RotateLinkSecret(ctx, axme.RotateSecretRequest{}); !errors.As(err, &api) ||
		api.StatusCode != 403 || api.Details["reason"] != "operator_required" {
		t.Fatalf("another workspace's admin: %v", err)
	}
}
