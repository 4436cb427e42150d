import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { AxmeClient, AxmeConnectionError, RateLimitError, ServerError } from "../src/index.js";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs } from "../src/retry.js";
import { apiError, json, startStub, type StubServer } from "./stub-server.js";

describe("backoff policy", () => {
  it("doubles from the base delay, capped at 8 s, with jitter in [d/2, d]", () => {
    const p = DEFAULT_RETRY_POLICY;
    assert.equal(backoffDelayMs(0, p, () => 1), 500);
    assert.equal(backoffDelayMs(0, p, () => 0), 250);
    assert.equal(backoffDelayMs(1, p, () => 1), 1000);
    assert.equal(backoffDelayMs(3, p, () => 1), 4000);
    assert.equal(backoffDelayMs(4, p, () => 1), 8000);
    assert.equal(backoffDelayMs(10, p, () => 1), 8000);
    assert.equal(backoffDelayMs(10, p, () => 0), 4000);
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfterMs("2", now), 2000);
    assert.equal(parseRetryAfterMs("0.5", now), 500);
    assert.equal(parseRetryAfterMs("Thu, 01 Jan 2026 00:00:03 GMT", now), 3000);
    assert.equal(parseRetryAfterMs("Wed, 31 Dec 2025 00:00:00 GMT", now), 0);
    assert.equal(parseRetryAfterMs("soon", now), null);
    assert.equal(parseRetryAfterMs(null, now), null);
    assert.equal(parseRetryAfterMs("", now), null);
  });
});

describe("retries on the wire", () => {
  let stub: StubServer;
  let script: ((res: import("node:http").ServerResponse, n: number) => void)[] = [];
  before(async () => {
    stub = await startStub((_req, res, n) => {
      const step = script[n] ?? ((r) => json(r, 200, { ok: true }));
      step(res, n);
    });
  });
  beforeEach(() => {
    stub.requests.length = 0;
  });
  after(() => stub.close());

  const client = (maxRetries = 2) =>
    new AxmeClient({ apiKey: "axme_admin_a_b", baseUrl: stub.baseUrl, maxRetries, retryBaseDelay: 5 });
  const ok = (res: import("node:http").ServerResponse) => json(res, 200, { ok: true, intent_id: "i1", status: "SUBMITTED", created_at: "t" });
  const unavailable = (res: import("node:http").ServerResponse) => apiError(res, 503, "unavailable");

  it("503, 503, 200: three attempts, one Idempotency-Key and trace id throughout", async () => {
    script = [unavailable, unavailable, ok];
    const id = await client().sendIntent({ intentType: "intent.a.v1", toAgent: "x", payload: {} });
    assert.equal(id, "i1");
    assert.equal(stub.requests.length, 3);
    const keys = new Set(stub.requests.map((r) => r.headers["idempotency-key"]));
    const traces = new Set(stub.requests.map((r) => r.headers["x-trace-id"]));
    assert.equal(keys.size, 1);
    assert.equal(traces.size, 1);
    assert.match(String([...keys][0]), /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(stub.requests[0]!.body), { intent_type: "intent.a.v1", to_agent: "x", payload: {} });
  });

  it("logs every attempt to the logger (method, path, status, attempt, request id), never the key", async () => {
    script = [unavailable, (res) => json(res, 200, { ok: true, intent_id: "i1", status: "SUBMITTED", created_at: "t" }, { "x-request-id": "req_2" })];
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const key = "axme_admin_k1_SecretSecret";
    const logged = new AxmeClient({
      apiKey: key,
      baseUrl: stub.baseUrl,
      retryBaseDelay: 5,
      logger: { debug: (message, fields) => lines.push({ message, fields }) },
    });
    await logged.sendIntent({ intentType: "intent.a.v1", toAgent: "x", payload: { secret: "body" } });
    assert.deepEqual(
      lines.map((l) => ({ ...l.fields, trace_id: typeof l.fields["trace_id"] })),
      [
        { method: "POST", path: "/v1/intents", status: 503, attempt: 1, request_id: "req_1", trace_id: "string" },
        { method: "POST", path: "/v1/intents", status: 200, attempt: 2, request_id: "req_2", trace_id: "string" },
      ],
    );
    const text = JSON.stringify(lines);
    assert.ok(!text.includes("SecretSecret") && !text.includes("body"), text);
  });

  it("logs a failed connection attempt", async () => {
    const lines: string[] = [];
    const offline = new AxmeClient({
      apiKey: "axme_admin_k1_SecretSecret",
      baseUrl: "http://127.0.0.1:9",
      maxRetries: 0,
      logger: { debug: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`) },
    });
    await assert.rejects(offline.getIntent("i1"), AxmeConnectionError);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^axme request failed .*"path":"\/v1\/intents\/i1","attempt":1/);
    assert.ok(!lines[0]!.includes("SecretSecret"));
  });

  it("gives up after max_retries with the last error", async () => {
    script = [unavailable, unavailable, unavailable, ok];
    await assert.rejects(client().getHealth(), ServerError);
    assert.equal(stub.requests.length, 3);
  });

  it("maxRetries 0 makes exactly one attempt", async () => {
    script = [unavailable, ok];
    await assert.rejects(client(0).getHealth(), ServerError);
    assert.equal(stub.requests.length, 1);
  });

  it("does not retry a 4xx other than 408/429", async () => {
    script = [(res) => apiError(res, 409, "intent_terminal"), ok];
    await assert.rejects(client().cancelIntent("i1"));
    assert.equal(stub.requests.length, 1);
  });

  it("retries 408", async () => {
    script = [(res) => apiError(res, 408, "request_timeout"), ok];
    await client().getHealth();
    assert.equal(stub.requests.length, 2);
  });

  it("waits at least Retry-After (seconds) before retrying a 429", async () => {
    script = [(res) => apiError(res, 429, "rate_limited", { "retry-after": "1" }), ok];
    await client().getHealth();
    assert.equal(stub.requests.length, 2);
    const gap = stub.requests[1]!.at - stub.requests[0]!.at;
    assert.ok(gap >= 950, `retried after ${gap} ms, Retry-After said 1 s`);
  });

  it("honours an HTTP-date Retry-After", async () => {
    script = [(res) => apiError(res, 503, "unavailable", { "retry-after": new Date(Date.now() + 1500).toUTCString() }), ok];
    await client().getHealth();
    const gap = stub.requests[1]!.at - stub.requests[0]!.at;
    assert.ok(gap >= 400, `retried after ${gap} ms`); // HTTP dates have 1 s resolution
  });

  it("raises at once when Retry-After exceeds 60 s", async () => {
    script = [(res) => apiError(res, 429, "rate_limited", { "retry-after": "120" }), ok];
    const err = await client().getHealth().catch((e: unknown) => e);
    assert.ok(err instanceof RateLimitError);
    assert.equal((err as RateLimitError).retryAfter, 120);
    assert.equal(stub.requests.length, 1);
  });

  it("never retries after the caller cancels (abort during the backoff wait)", async () => {
    script = [unavailable, ok];
    const controller = new AbortController();
    const slow = new AxmeClient({ apiKey: "k", baseUrl: stub.baseUrl, maxRetries: 2, retryBaseDelay: 10_000 });
    const pending = slow.getHealth({ signal: controller.signal });
    await stub.waitForRequests(1);
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    assert.equal(stub.requests.length, 1);
  });

  it("an already-aborted signal sends nothing", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client().getHealth({ signal: controller.signal }), { name: "AbortError" });
    assert.equal(stub.requests.length, 0);
  });

  it("aborting an in-flight request rejects with the abort reason", async () => {
    script = [() => undefined]; // hang
    const controller = new AbortController();
    const pending = client().getHealth({ signal: controller.signal });
    await stub.waitForRequests(1);
    controller.abort(new Error("stop now"));
    await assert.rejects(pending, { message: "stop now" });
  });

  it("an explicit Idempotency-Key is sent as given", async () => {
    script = [ok];
    await client().createIntent({ intent_type: "intent.a.v1", to_agent: "x", payload: {} }, { idempotencyKey: "my-key" });
    assert.equal(stub.requests[0]!.headers["idempotency-key"], "my-key");
  });
});
