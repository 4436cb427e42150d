/** rotateCallbackSecret, rotateWebhookSecret, rotateLinkSecret against the real server (REQ-SECRET-002/004/006..008). */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AxmeApiError, AxmeClient, ConflictError, PermissionDeniedError, ValidationError } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

let server: RunningServer;
let operator: AxmeClient;

before(async () => {
  server = await startServer();
  operator = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

const client = (apiKey: string) => new AxmeClient({ apiKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
const GENERATED = /^whsec_[0-9A-Za-z]{32}$/;

/** A rejection of the given class whose details.reason is `reason`. */
const withReason = (cls: typeof AxmeApiError, reason: string) => (err: unknown) =>
  err instanceof cls && (err.details as { reason?: string } | null)?.reason === reason;

describe("secret rotations", () => {
  it("rotateCallbackSecret returns the new secret once", async () => {
    const registered = await operator.registerAgent({
      address: "hook",
      deliveryMode: "http",
      callbackUrl: "http://127.0.0.1:9/axme",
    });
    const address = registered.agent.address;
    const once = { idempotencyKey: randomUUID() };
    const rotated = await operator.rotateCallbackSecret(address, {}, once);
    assert.match(rotated.callback_secret, GENERATED);
    assert.equal(rotated.agent.address, address);
    assert.equal("callback_secret" in rotated.agent, false);
    assert.notEqual(rotated.previous_expires_at, null);
    assert.equal("callback_secret" in (await operator.getAgent(address)).agent, false);
    await assert.rejects(operator.rotateCallbackSecret(address, {}, once), withReason(ConflictError, "secret_not_kept"));

    const chosen = "my-own-secret-0123456789";
    const again = await operator.rotateCallbackSecret(address, { callbackSecret: chosen, overlapSeconds: 0 });
    assert.equal(again.callback_secret, chosen);
    assert.equal(again.previous_expires_at, null);
    const polling = await operator.registerAgent({ address: "polling" });
    await assert.rejects(
      operator.rotateCallbackSecret(polling.agent.address),
      (err: unknown) => err instanceof ConflictError && err.code === "invalid_transition",
    );
  });

  it("rotateWebhookSecret needs an admin key; rotateLinkSecret the first workspace's", async () => {
    const hook = await operator.rotateWebhookSecret({ overlapSeconds: 0 });
    assert.match(hook.webhook_secret, GENERATED);
    assert.equal(hook.previous_expires_at, null);
    const agent = await operator.registerAgent({ address: "not-admin" });
    await assert.rejects(client(agent.api_key).rotateWebhookSecret(), PermissionDeniedError);
    await assert.rejects(operator.rotateWebhookSecret({ overlap_seconds: 604801 }), ValidationError);

    const link = await operator.rotateLinkSecret({ overlapSeconds: 3600 });
    assert.deepEqual(Object.keys(link).sort(), ["ok", "previous_expires_at", "rotated_at"]);
    assert.notEqual(link.previous_expires_at, null);
    const other = await operator.createWorkspace(`org-${randomUUID().slice(0, 8)}`, "other");
    await assert.rejects(client(other.api_key).rotateLinkSecret(), withReason(PermissionDeniedError, "operator_required"));
  });
});
