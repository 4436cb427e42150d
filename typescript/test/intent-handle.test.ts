/** The intent handle against the real reference server (REQ-CLIENT-010). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AxmeClient, IntentHandle, type IntentEvent } from "../src/index.js";
import { startServer, type RunningServer } from "./server.js";

let server: RunningServer;
let admin: AxmeClient;
let counter = 0;

before(async () => {
  server = await startServer(["--testing", "--keepalive-seconds", "1"]);
  admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

async function submit(): Promise<IntentHandle> {
  const registered = await admin.registerAgent({ address: `handled-${++counter}` });
  return admin.submitIntent({ intentType: "intent.test.handle.v1", toAgent: registered.agent.address, payload: { n: 1 } });
}

describe("the intent handle", () => {
  it("submitIntent returns a handle; complete ends it; wait and observe see it", async () => {
    const handle = await submit();
    assert.ok(handle instanceof IntentHandle);
    assert.equal(handle.created?.status, "SUBMITTED");
    assert.equal((await handle.get()).status, "SUBMITTED");
    const written = await handle.complete({ answer: 42 });
    assert.equal(written.intent.status, "COMPLETED");
    const final = await handle.wait({ timeout: 10_000 });
    assert.equal(final.status, "COMPLETED");
    assert.deepEqual(final.result, { answer: 42 });
    const events: IntentEvent[] = [];
    for await (const event of handle.observe()) events.push(event);
    assert.equal(events.at(-1)?.status, "COMPLETED");
  });

  it("fail and cancel end it; fail defaults the code to failed", async () => {
    const failing = await submit();
    await failing.fail("the plan is invalid");
    const failed = await failing.wait({ timeout: 10_000 });
    assert.equal(failed.status, "FAILED");
    assert.equal(failed.error?.code, "failed");
    assert.equal(failed.error?.message, "the plan is invalid");
    const explicit = await submit();
    await explicit.fail({ code: "plan_invalid", message: "no" });
    assert.equal((await explicit.get()).error?.code, "plan_invalid");
    const canceled = await submit();
    await canceled.cancel({ reason: "no longer needed" });
    assert.equal((await canceled.wait({ timeout: 10_000 })).status, "CANCELED");
  });

  it("client.intent(id) is the handle of an existing intent; bad input is refused", async () => {
    const submitted = await submit();
    const again = admin.intent(submitted.intentId);
    assert.equal(again.created, undefined);
    assert.equal((await again.get()).intent_id, submitted.intentId);
    assert.throws(() => admin.intent(""), TypeError);
    await assert.rejects(again.wait({ timeoutMs: 5 } as never), TypeError);
    await assert.rejects(again.fail(null as never), TypeError);
  });
});
