/** retryIntent against the real reference server (REQ-REATTEMPT-005..010). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AxmeClient, ConflictError, type IntentEvent } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

let server: RunningServer;
let admin: AxmeClient;

before(async () => {
  server = await startServer(["--testing", "--keepalive-seconds", "1"]);
  admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

describe("retryIntent", () => {
  it("starts a new attempt; waitFor and observe on the failed id lead to its outcome; a second retry is 409", async () => {
    await admin.registerAgent({ address: "retry-target" });
    const first = await admin.createIntent({ intentType: "intent.test.retry.v1", toAgent: "retry-target", payload: { n: 1 } });
    await admin.resolveIntent(first.intent_id, { status: "FAILED" });
    const retried = await admin.retryIntent(first.intent_id, { reason: "again", payloadPatch: { n: 2 } });
    assert.equal(retried.retry_of, first.intent_id);
    assert.equal(retried.attempt, 2);
    assert.equal(retried.from_step, "agent");
    await assert.rejects(admin.retryIntent(first.intent_id), (err: unknown) => err instanceof ConflictError && err.code === "invalid_transition");
    await admin.resolveIntent(retried.intent_id, { status: "COMPLETED", result: { n: 2 } });
    const final = await admin.waitFor(first.intent_id, { timeout: 10_000 });
    assert.equal(final.intent_id, retried.intent_id);
    assert.equal(final.status, "COMPLETED");
    assert.equal(final.payload["n"], 2);
    const events: IntentEvent[] = [];
    for await (const event of admin.observe(first.intent_id)) events.push(event);
    assert.deepEqual(
      events.map((e) => [e.intent_id === first.intent_id, e.event_type]),
      [[true, "intent.submitted"], [true, "intent.failed"], [false, "intent.submitted"], [false, "intent.completed"]],
    );
  });
});
