import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { AxmeClient, type Delivery } from "../src/index.js";
import { apiError, json, sseHeaders, startStub, type RecordedRequest, type StubServer } from "./stub-server.js";

let stub: StubServer | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const ADDRESS = "agent://org/ws/worker";

function delivery(n: number): Delivery {
  return {
    delivery_id: `d${n}`,
    intent_id: `i${n}`,
    attempt: 1,
    lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
    status: "DELIVERED",
    step_id: null,
    intent: { intent_id: `i${n}`, payload: { n } } as unknown as Delivery["intent"],
  };
}

/** An agent stream offering `count` deliveries; writes answered 200 unless `onWrite` says otherwise. */
async function agentServer(count: number, onWrite?: (req: RecordedRequest, res: import("node:http").ServerResponse) => boolean) {
  stub = await startStub((req, res) => {
    if (req.path.endsWith("/intents/stream")) {
      sseHeaders(res);
      for (let n = 1; n <= count; n++) res.write(`id: ${n}\nevent: intent.delivery\ndata: ${JSON.stringify(delivery(n))}\n\n`);
      return; // stays open
    }
    if (onWrite?.(req, res)) return;
    if (req.path.endsWith("/ack")) json(res, 200, { ok: true, intent: {}, lease_expires_at: new Date(Date.now() + 60_000).toISOString() });
    else json(res, 200, { ok: true, applied: true, intent: {} });
  });
  return new AxmeClient({ apiKey: "axme_agent_a_b", baseUrl: stub.baseUrl, maxRetries: 0, retryBaseDelay: 5 });
}

const writes = () => stub!.requests.filter((r) => r.method === "POST").map((r) => ({ path: r.path, body: JSON.parse(r.body) as Record<string, unknown> }));

describe("serve", () => {
  it("acks, runs the handler, resumes with its result", async () => {
    const client = await agentServer(2);
    const seen: unknown[] = [];
    const handled = await client.serve(ADDRESS, (intent) => {
      seen.push(intent.payload);
      return { doubled: (intent.payload["n"] as number) * 2 };
    }, { maxDeliveries: 2 });
    assert.equal(handled, 2);
    assert.deepEqual(seen, [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(writes(), [
      { path: "/v1/intents/i1/ack", body: { delivery_id: "d1" } },
      { path: "/v1/intents/i1/resume", body: { kind: "agent_result", outcome: "complete", result: { doubled: 2 }, delivery_id: "d1" } },
      { path: "/v1/intents/i2/ack", body: { delivery_id: "d2" } },
      { path: "/v1/intents/i2/resume", body: { kind: "agent_result", outcome: "complete", result: { doubled: 4 }, delivery_id: "d2" } },
    ]);
    assert.equal(stub!.requests[0]!.path, "/v1/agents/agent%3A%2F%2Forg%2Fws%2Fworker/intents/stream");
  });

  it("a handler error fails the intent with its code and message", async () => {
    const client = await agentServer(1);
    await client.serve(ADDRESS, () => {
      throw Object.assign(new Error("disk full"), { code: "no_space" });
    }, { maxDeliveries: 1 });
    assert.deepEqual(writes()[1], {
      path: "/v1/intents/i1/resume",
      body: { kind: "agent_result", outcome: "fail", error: { code: "agent_error", message: "disk full" }, delivery_id: "d1" },
    });
  });

  it("renews the lease (re-ack) while the handler runs", async () => {
    const client = await agentServer(1);
    await client.serve(ADDRESS, async () => {
      const deadline = Date.now() + 5_000;
      while (stub!.requests.filter((r) => r.path.endsWith("/ack")).length < 3) {
        if (Date.now() > deadline) throw new Error("no lease renewal seen");
        await new Promise((r) => setTimeout(r, 5));
      }
      return {};
    }, { maxDeliveries: 1, leaseRenewalMs: 20 });
    const all = writes();
    assert.deepEqual(all.slice(0, 3).map((w) => w.path), Array(3).fill("/v1/intents/i1/ack"));
    assert.ok(all.slice(0, 3).every((w) => w.body["delivery_id"] === "d1"));
    assert.equal(all[all.length - 1]!.body["outcome"], "complete");
  });

  it("ctx.reportProgress sends details", async () => {
    const client = await agentServer(1);
    await client.serve(ADDRESS, async (_i, ctx) => {
      await ctx.reportProgress({ pct: 50 });
      return {};
    }, { maxDeliveries: 1 });
    assert.deepEqual(writes()[1]!.body, { kind: "progress", details: { pct: 50 }, delivery_id: "d1" });
  });

  it("stopping mid-handler writes nothing: the lease is left to expire", async () => {
    const client = await agentServer(1);
    const controller = new AbortController();
    const serving = client.serve(ADDRESS, (_i, ctx) => {
      controller.abort();
      return new Promise(() => void ctx); // never settles: serve must not wait for it
    }, { signal: controller.signal });
    await assert.rejects(serving, { name: "AbortError" });
    assert.deepEqual(writes().map((w) => w.path), ["/v1/intents/i1/ack"]);
  });

  it("a delivery whose ack is refused (409) is skipped, serving goes on", async () => {
    const errors: unknown[] = [];
    const client = await agentServer(2, (req, res) => {
      if (req.path === "/v1/intents/i1/ack") {
        apiError(res, 409, "stale_delivery");
        return true;
      }
      return false;
    });
    let calls = 0;
    await client.serve(ADDRESS, () => {
      calls++;
      return {};
    }, { maxDeliveries: 1, onError: (e) => errors.push(e) });
    assert.equal(calls, 1);
    assert.equal(errors.length, 0); // a stale delivery is dropped quietly
    assert.deepEqual(writes().map((w) => w.path), ["/v1/intents/i1/ack", "/v1/intents/i2/ack", "/v1/intents/i2/resume"]);
  });

  it("listen survives 503 and resumes with the delivery cursor", async () => {
    let streams = 0;
    stub = await startStub((req, res) => {
      if (req.method === "POST") {
        json(res, 200, { ok: true, intent: {}, lease_expires_at: "2030-01-01T00:00:00.000Z" });
        return;
      }
      const n = streams++;
      if (n === 0) {
        sseHeaders(res);
        res.write(`id: 7\nevent: intent.delivery\ndata: ${JSON.stringify(delivery(1))}\n\n`);
        setTimeout(() => res.destroy(), 10);
      } else if (n === 1) apiError(res, 503, "unavailable");
      else {
        sseHeaders(res);
        res.write(`id: 8\nevent: intent.delivery\ndata: ${JSON.stringify(delivery(2))}\n\n`);
      }
    });
    const client = new AxmeClient({ apiKey: "k", baseUrl: stub.baseUrl, maxRetries: 0, retryBaseDelay: 5 });
    const ids: string[] = [];
    for await (const d of client.listen(ADDRESS)) {
      ids.push(d.delivery_id);
      assert.equal(d.lease_expires_at, "2030-01-01T00:00:00.000Z"); // the acked lease
      if (ids.length === 2) break;
    }
    assert.deepEqual(ids, ["d1", "d2"]);
    const gets = stub.requests.filter((r) => r.method === "GET");
    assert.equal(gets[2]!.headers["last-event-id"], "7");
    assert.equal(gets[2]!.query.get("since"), "7");
  });

  it("listen stops on 401 instead of reconnecting", async () => {
    stub = await startStub((_req, res) => apiError(res, 401, "unauthorized"));
    const client = new AxmeClient({ apiKey: "k", baseUrl: stub.baseUrl, maxRetries: 0, retryBaseDelay: 5 });
    await assert.rejects(client.serve(ADDRESS, () => ({})), { name: "AuthenticationError" });
    assert.equal(stub.requests.length, 1);
  });
});
