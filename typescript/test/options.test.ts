// A misspelt option is a TypeError before any request (REQ-CLIENT-007): TypeScript
// refuses it at compile time, so these calls cast to reach the run-time check a
// JavaScript caller meets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AxmeClient } from "../src/index.js";
import { json, startStub, type StubServer } from "./stub-server.js";

describe("unknown options", () => {
  let stub: StubServer;
  before(async () => {
    stub = await startStub((_req, res) => json(res, 200, { ok: true, applied: true, intent: { intent_id: "i1", status: "COMPLETED" } }));
  });
  after(() => stub.close());
  const client = () => new AxmeClient({ apiKey: "axme_agent_k_s", baseUrl: stub.baseUrl, maxRetries: 0 });
  const loose = (o: object) => o as never;

  it("the client constructor refuses a member it does not define", () => {
    assert.throws(() => new AxmeClient(loose({ apiKey: "axme_agent_k_s", baseURL: "http://x" })), /unknown option "baseURL"/);
  });

  it("calls refuse an unknown option before sending anything", async () => {
    const c = client();
    const before = stub.requests.length;
    const intent = { intentType: "intent.demo.v1", toAgent: "agent://a/b/c", payload: {} };
    await assert.rejects(c.sendIntent(intent, loose({ ownerAgent: "agent://a/b/d" })), {
      name: "TypeError", message: /unknown option "ownerAgent"/,
    });
    await assert.rejects(c.getIntent("i1", loose({ timeoutSeconds: 5 })), TypeError);
    await assert.rejects(c.resumeIntent("i1", {}, loose({ delivery_id: "d1" })), TypeError);
    await assert.rejects(c.cancelIntent("i1", loose({ reasn: "typo" })), TypeError);
    await assert.rejects(c.approveTask("i1", loose({ coment: "typo" })), TypeError);
    await assert.rejects(c.waitFor("i1", loose({ timeoutMs: 10 })), TypeError);
    await assert.rejects(c.serve("agent", async () => ({}), loose({ max: 1 })), TypeError);
    assert.throws(() => c.observe("i1", loose({ from: 3 })), TypeError);
    assert.throws(() => c.listen("agent", loose({ ack: false })), TypeError);
    assert.equal(stub.requests.length, before);
  });

  it("every known option is still accepted", async () => {
    const c = client();
    await c.getIntent("i1", { traceId: "t", timeout: 5_000, headers: { "x-a": "1" }, signal: new AbortController().signal });
    await c.resumeIntent("i1", {}, { deliveryId: "d1", idempotencyKey: "k1" });
    await c.cancelIntent("i1", { reason: "done" });
    await c.completeTask("i1", "completed", { data: {}, comment: "ok" });
  });
});
