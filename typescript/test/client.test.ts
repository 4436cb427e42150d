import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AxmeClient, AxmeError, DEFAULT_BASE_URL, VERSION } from "../src/index.js";
import { json, startStub, type StubServer } from "./stub-server.js";

const packageJson = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8"),
) as { version: string };

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("client configuration", () => {
  it("VERSION matches package.json", () => assert.equal(VERSION, packageJson.version));

  it("reads AXME_API_KEY and AXME_BASE_URL when not given", () => {
    withEnv({ AXME_API_KEY: "axme_admin_a_b", AXME_BASE_URL: "http://127.0.0.1:9/" }, () => {
      assert.equal(new AxmeClient().baseUrl, "http://127.0.0.1:9");
    });
  });

  it("defaults to the public base URL", () => {
    withEnv({ AXME_BASE_URL: undefined }, () => {
      assert.equal(new AxmeClient({ apiKey: "k" }).baseUrl, DEFAULT_BASE_URL);
      assert.equal(new AxmeClient({ apiKey: "k", baseUrl: "  " }).baseUrl, DEFAULT_BASE_URL);
    });
  });

  it("a missing key is a clear error", () => {
    withEnv({ AXME_API_KEY: undefined }, () => {
      assert.throws(() => new AxmeClient(), (e: unknown) => e instanceof AxmeError && /AXME_API_KEY/.test(e.message));
      assert.throws(() => new AxmeClient({ apiKey: "   " }), AxmeError);
    });
  });

  it("rejects a base URL without a scheme and negative numbers", () => {
    assert.throws(() => new AxmeClient({ apiKey: "k", baseUrl: "localhost:8080" }), /http:\/\//);
    assert.throws(() => new AxmeClient({ apiKey: "k", maxRetries: -1 }), /maxRetries/);
    assert.throws(() => new AxmeClient({ apiKey: "k", timeout: Number.NaN }), /timeout/);
  });

  it("never shows the key when serialized", () => {
    const text = JSON.stringify(new AxmeClient({ apiKey: "axme_admin_secret_value", baseUrl: "http://x" }));
    assert.doesNotMatch(text, /secret/);
  });
});

describe("requests on the wire", () => {
  let stub: StubServer;
  before(async () => {
    stub = await startStub((req, res) => {
      if (req.path.endsWith("/resume") || req.path.endsWith("/decision") || req.path.endsWith("/resolve")) {
        json(res, 200, { ok: true, applied: true, intent: { intent_id: "i1" } });
      } else json(res, 200, { ok: true });
    });
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });
  after(() => stub.close());
  const client = () => new AxmeClient({ apiKey: "axme_agent_k_s", baseUrl: stub.baseUrl, maxRetries: 0 });
  const last = () => stub.requests[stub.requests.length - 1]!;

  it("sends the standard headers; Content-Type and Idempotency-Key only where they belong", async () => {
    await client().getIntent("i1");
    const get = last();
    assert.equal(get.headers["x-api-key"], "axme_agent_k_s");
    assert.equal(get.headers["user-agent"], `axme-typescript/${VERSION}`);
    assert.equal(get.headers["x-axme-client"], `axme-typescript/${VERSION}`);
    assert.match(String(get.headers["x-trace-id"]), /^[0-9a-f-]{36}$/);
    assert.equal(get.headers["content-type"], undefined);
    assert.equal(get.headers["idempotency-key"], undefined);
    await client().resumeIntent("i1", { ok: 1 });
    assert.equal(last().headers["content-type"], "application/json");
    assert.ok(last().headers["idempotency-key"]);
  });

  it("a given trace id is sent as is", async () => {
    await client().getHealth({ traceId: "trace-abc" });
    assert.equal(last().headers["x-trace-id"], "trace-abc");
  });

  it("percent-encodes an agent address as one path segment", async () => {
    await client().getAgent("agent://org/ws/name");
    assert.equal(last().path, "/v1/agents/agent%3A%2F%2Forg%2Fws%2Fname");
  });

  it("query parameters accept camelCase", async () => {
    await client().listIntents({ toAgent: "agent://a/b/c", limit: 10 });
    assert.equal(last().query.get("to_agent"), "agent://a/b/c");
    assert.equal(last().query.get("limit"), "10");
  });

  it("helpers build the resume, resolve and decision bodies", async () => {
    const c = client();
    await c.resumeIntent("i1", { answer: 42 }, { deliveryId: "d1" });
    assert.deepEqual(JSON.parse(last().body), { kind: "agent_result", outcome: "complete", result: { answer: 42 }, delivery_id: "d1" });
    await c.failIntent("i1", { code: "bad", message: "no" });
    assert.deepEqual(JSON.parse(last().body), { kind: "agent_result", outcome: "fail", error: { code: "bad", message: "no" } });
    await c.cancelIntent("i1", { reason: "changed my mind" });
    assert.equal(last().path, "/v1/intents/i1/resolve");
    assert.deepEqual(JSON.parse(last().body), { status: "CANCELED", reason: "changed my mind" });
    await c.approveTask("i1", { comment: "ok" });
    assert.equal(last().path, "/v1/tasks/i1/decision");
    assert.deepEqual(JSON.parse(last().body), { outcome: "approved", comment: "ok" });
    await c.rejectTask("i1");
    assert.deepEqual(JSON.parse(last().body), { outcome: "rejected" });
    await c.completeTask("i1", "confirmed", { data: { someField: 1 } });
    assert.deepEqual(JSON.parse(last().body), { outcome: "confirmed", data: { someField: 1 } });
    await c.completeTask("i1", "submitted", { data: { a: 1 }, comment: "done" });
    assert.deepEqual(JSON.parse(last().body), { outcome: "submitted", data: { a: 1 }, comment: "done" });
  });

  it("failIntent takes one error object and an optional delivery id", async () => {
    const c = client();
    await c.failIntent("i1", { message: "no code" }, { deliveryId: "d1" });
    assert.deepEqual(JSON.parse(last().body), {
      kind: "agent_result", outcome: "fail", error: { message: "no code", code: "agent_error" }, delivery_id: "d1",
    });
    await assert.rejects(c.failIntent("i1", null as never), TypeError);
    await c.resumeIntent("i1", { answer: 42 });
    assert.deepEqual(JSON.parse(last().body), { kind: "agent_result", outcome: "complete", result: { answer: 42 } });
  });

  it("resumeIntent sends a result that already is a resume form as given (REQ-RESUME-010)", async () => {
    const c = client();
    for (const form of [
      { action: "fail", reason: "disk full" },
      { kind: "progress", details: { pct: 5 } },
      { task_result: { outcome: "approved" } },
      { approve_current_step: true },
    ]) {
      await c.resumeIntent("i1", form);
      assert.deepEqual(JSON.parse(last().body), form);
    }
    await c.resumeIntent("i1", { action: "fail" }, { deliveryId: "d1" });
    assert.deepEqual(JSON.parse(last().body), { action: "fail", delivery_id: "d1" });
    await c.resumeIntent("i1", { action: "fail", delivery_id: "d0" }, { deliveryId: "d1" });
    assert.deepEqual(JSON.parse(last().body), { action: "fail", delivery_id: "d0" });
    await c.resumeIntent("i1", { status: "fail" });
    assert.deepEqual(JSON.parse(last().body), { kind: "agent_result", outcome: "complete", result: { status: "fail" } });
  });

  it("resumeIntentWith sends any resume body as given", async () => {
    const c = client();
    await c.resumeIntentWith("i1", { kind: "task_result", outcome: "approved", comment: "ok" });
    assert.equal(last().path, "/v1/intents/i1/resume");
    assert.deepEqual(JSON.parse(last().body), { kind: "task_result", outcome: "approved", comment: "ok" });
    await c.resumeIntentWith("i1", { kind: "progress", deliveryId: "d1" });
    assert.deepEqual(JSON.parse(last().body), { kind: "progress", delivery_id: "d1" });
    // legacy: the members besides `action` are the result, so their keys keep their case
    await c.resumeIntentWith("i1", { action: "complete", answerCount: 2 });
    assert.deepEqual(JSON.parse(last().body), { action: "complete", answerCount: 2 });
    await c.resumeIntentWith("i1", { task_result: { outcome: "rejected" } });
    assert.deepEqual(JSON.parse(last().body), { task_result: { outcome: "rejected" } });
  });

  it("empty ids are rejected before any request", async () => {
    const before = stub.requests.length;
    await assert.rejects(client().getIntent(""), TypeError);
    assert.equal(stub.requests.length, before);
  });
});
