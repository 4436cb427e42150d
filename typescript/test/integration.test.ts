/** Against the real reference server over 127.0.0.1 (no mocks). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationError,
  AxmeClient,
  ConflictError,
  NotFoundError,
  ValidationError,
  WaitTimeoutError,
  type IntentEvent,
} from "../src/index.js";
import { startServer, testing, type RunningServer } from "./server.js";

let server: RunningServer;
let admin: AxmeClient;
let counter = 0;

before(async () => {
  server = await startServer(["--testing", "--keepalive-seconds", "1"]);
  admin = new AxmeClient({ apiKey: server.adminKey, baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

/** A freshly registered agent and a client holding its key. */
async function newAgent(): Promise<{ address: string; client: AxmeClient }> {
  const registered = await admin.registerAgent({ address: `worker-${++counter}`, displayName: "Worker" });
  return {
    address: registered.agent.address,
    client: new AxmeClient({ apiKey: registered.api_key, baseUrl: server.baseUrl, retryBaseDelay: 20 }),
  };
}

describe("against the reference server", () => {
  it("getHealth", async () => {
    const health = await admin.getHealth();
    assert.equal(health.ok, true);
    assert.equal(health.protocol, "axp/1");
  });

  it("send (camelCase) → serve completes → waitFor returns the COMPLETED intent; observe replays in order", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({
      intentType: "intent.test.echo.v1",
      toAgent: agent.address,
      payload: { someKey: "kept as is", nested: { camelCase: 1 } },
      maxDeliveryAttempts: 2,
    });
    const serving = agent.client.serve(agent.address, (intent) => ({ echoed: intent.payload }), { maxDeliveries: 1 });
    const intent = await admin.waitFor(intentId, { timeout: 20_000 });
    assert.equal(await serving, 1);
    assert.equal(intent.status, "COMPLETED");
    assert.deepEqual(intent.payload, { someKey: "kept as is", nested: { camelCase: 1 } });
    assert.deepEqual(intent.result, { echoed: { someKey: "kept as is", nested: { camelCase: 1 } } });
    assert.equal(intent.max_delivery_attempts, 2);
    const events: IntentEvent[] = [];
    for await (const event of admin.observe(intentId)) events.push(event);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
    assert.equal(events[0]!.event_type, "intent.submitted");
    assert.equal(events[events.length - 1]!.event_type, "intent.completed");
    assert.ok(events.some((e) => e.event_type === "intent.acknowledged"));
  });

  it("observe yields live events while the intent is still running", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intent_type: "intent.test.echo.v1", to_agent: agent.address, payload: {} });
    const seen: string[] = [];
    for await (const event of admin.observe(intentId)) {
      seen.push(event.event_type);
      if (event.seq === 1) await admin.cancelIntent(intentId, { reason: "seen the first event" });
    }
    assert.deepEqual(seen, ["intent.submitted", "intent.canceled"]);
  });

  it("human step: WAITING_FOR_HUMAN → listTasks → approveTask → COMPLETED; audit has the decision", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({
      intentType: "intent.test.approval.v1",
      toAgent: agent.address,
      payload: { change: "x" },
      humanTask: { title: "Approve the change", task_type: "approval" },
    });
    await agent.client.serve(agent.address, () => ({ validated: true }), { maxDeliveries: 1 });
    let waiting: IntentEvent | undefined;
    for await (const event of admin.observe(intentId, { untilTerminal: false })) {
      if (event.status === "WAITING") {
        waiting = event;
        break;
      }
    }
    assert.equal(waiting?.waiting_reason, "WAITING_FOR_HUMAN");
    const tasks = await admin.listTasks({ status: "pending" });
    assert.ok(tasks.tasks.some((t) => t.intent_id === intentId));
    await admin.approveTask(intentId, { comment: "looks good" });
    const done = await admin.waitFor(intentId, { timeout: 20_000 });
    assert.equal(done.status, "COMPLETED");
    const audit = await admin.getIntentAudit(intentId);
    assert.ok(audit.audit.some((entry) => entry.outcome === "approved" && entry.comment === "looks good"));
    const page = await admin.getIntentAudit(intentId, { since: 1, limit: 1 }); // REQ-LIMIT-013
    assert.deepEqual(page.audit.map((entry) => entry.seq), [2]);
    assert.equal(page.next_seq, 3);
  });

  it("rejectTask fails the intent with error code rejected (a result, not an error)", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({
      intentType: "intent.test.approval.v1",
      toAgent: agent.address,
      payload: {},
      humanTask: { title: "Approve?" },
    });
    await agent.client.serve(agent.address, () => ({}), { maxDeliveries: 1 });
    for await (const event of admin.observe(intentId, { untilTerminal: false })) if (event.status === "WAITING") break;
    await admin.rejectTask(intentId, { comment: "no" });
    const done = await admin.waitFor(intentId);
    assert.equal(done.status, "FAILED");
    assert.equal(done.error?.code, "rejected");
  });

  it("a handler error fails the intent with agent_error", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: agent.address, payload: {} });
    await agent.client.serve(agent.address, () => {
      throw new Error("cannot parse the plan");
    }, { maxDeliveries: 1 });
    const done = await admin.waitFor(intentId);
    assert.equal(done.status, "FAILED");
    assert.equal(done.error?.code, "agent_error");
    assert.equal(done.error?.message, "cannot parse the plan");
  });

  it("resumeIntentWith sends any body as given; failIntent without a code fails with agent_error", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: agent.address, payload: {} });
    const { deliveries } = await agent.client.pollAgentDeliveries(agent.address, { waitSeconds: 5 });
    const deliveryId = deliveries[0]!.delivery_id;
    const moved = await agent.client.resumeIntentWith(intentId, { kind: "progress", details: { pct: 10 }, delivery_id: deliveryId });
    assert.equal(moved.intent.status, "IN_PROGRESS");
    await assert.rejects(agent.client.resumeIntentWith(intentId, { answer: 42 }), ValidationError); // bare object: 422
    const failed = await agent.client.failIntent(intentId, { message: "no code given" }, { deliveryId });
    assert.equal(failed.intent.status, "FAILED");
    assert.deepEqual(failed.intent.error, { code: "agent_error", message: "no code given" });
  });

  it("a crashed agent leaves the lease; after expiry the intent is redelivered (attempt 2)", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: agent.address, payload: {} });
    const crash = new AbortController();
    await assert.rejects(
      agent.client.serve(agent.address, () => {
        crash.abort();
        return new Promise(() => undefined);
      }, { signal: crash.signal }),
      { name: "AbortError" },
    );
    assert.equal((await admin.getIntent(intentId)).intent.status, "ACKNOWLEDGED");
    await testing(server, "/_testing/clock", { advance_seconds: 120 });
    let attempt = 0;
    await agent.client.serve(agent.address, (_intent, ctx) => {
      attempt = ctx.delivery.attempt;
      return { second: true };
    }, { maxDeliveries: 1 });
    assert.equal(attempt, 2);
    assert.equal((await admin.waitFor(intentId)).status, "COMPLETED");
  });

  it("the same Idempotency-Key replays the original create", async () => {
    const agent = await newAgent();
    const body = { intentType: "intent.test.echo.v1", toAgent: agent.address, payload: { n: 1 } };
    const first = await admin.createIntent(body, { idempotencyKey: `key-${counter}` });
    const again = await admin.createIntent(body, { idempotencyKey: `key-${counter}` });
    assert.equal(again.intent_id, first.intent_id);
    await assert.rejects(
      admin.createIntent({ ...body, payload: { n: 2 } }, { idempotencyKey: `key-${counter}` }),
      (e: unknown) => e instanceof ConflictError && e.code === "idempotency_conflict",
    );
  });

  it("errors: unknown intent, bad key, terminal write, invalid intent type", async () => {
    await assert.rejects(admin.getIntent("00000000-0000-4000-8000-000000000000"), (e: unknown) => e instanceof NotFoundError && e.code === "intent_not_found");
    const stranger = new AxmeClient({ apiKey: "axme_admin_nope_nope", baseUrl: server.baseUrl, maxRetries: 0 });
    await assert.rejects(stranger.listIntents(), AuthenticationError);
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: agent.address, payload: {} });
    await admin.cancelIntent(intentId);
    await assert.rejects(admin.cancelIntent(intentId), (e: unknown) => e instanceof ConflictError && e.code === "intent_terminal");
    await assert.rejects(
      admin.sendIntent({ intentType: "Not A Type", toAgent: agent.address, payload: {} }),
      (e: unknown) => e instanceof ValidationError && typeof e.requestId === "string",
    );
  });

  it("waitFor's own timeout raises WaitTimeoutError and leaves the intent alone", async () => {
    const agent = await newAgent();
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: agent.address, payload: {} });
    const err = await admin.waitFor(intentId, { timeout: 300 }).catch((e: unknown) => e);
    assert.ok(err instanceof WaitTimeoutError);
    assert.equal(err.intentId, intentId);
    assert.equal(err.lastStatus, "SUBMITTED");
    assert.equal((await admin.getIntent(intentId)).intent.status, "SUBMITTED");
  });

  it("retries injected 503s with one Idempotency-Key (recorded by the server)", async () => {
    const ns = await testing(server, "/_testing/namespaces");
    const client = new AxmeClient({ apiKey: String(ns["admin_api_key"]), baseUrl: server.baseUrl, retryBaseDelay: 20 });
    const registered = await client.registerAgent({ address: "retry-worker" });
    await testing(server, "/_testing/faults", {
      namespace: ns["namespace"],
      match: { op: "createIntent" },
      action: { type: "status", status: 503, times: 2 },
    });
    const intentId = await client.sendIntent({ intentType: "intent.test.echo.v1", toAgent: registered.agent.address, payload: {} });
    const response = await fetch(`${server.baseUrl}/_testing/requests?namespace=${String(ns["namespace"])}`);
    const { requests } = (await response.json()) as { requests: { op: string; status: number; headers: Record<string, string> }[] };
    const creates = requests.filter((r) => r.op === "createIntent");
    assert.deepEqual(creates.map((r) => r.status), [503, 503, 200]);
    assert.equal(new Set(creates.map((r) => r.headers["idempotency-key"])).size, 1);
    assert.equal(new Set(creates.map((r) => r.headers["x-trace-id"])).size, 1);
    assert.ok(intentId);
  });
});
