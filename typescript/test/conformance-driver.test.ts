/**
 * The conformance driver (dist/esm/conformance-driver.js) over its JSON-lines protocol
 * against the real server: generated calls (path parameters, body members as arguments,
 * the rest as the body), hand-written ones, and what it cannot call.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { startServer, REPO_ROOT, type RunningServer } from "./server.js";

type Line = { id: number; ok?: boolean; result?: Record<string, unknown>; error?: Record<string, unknown> };

let server: RunningServer;
let driver: ChildProcess;
const waiting = new Map<number, (line: Line) => void>();
let nextId = 0;

function request(op: string, fields: Record<string, unknown> = {}): Promise<Line> {
  const id = ++nextId;
  const answered = new Promise<Line>((resolve) => waiting.set(id, resolve));
  driver.stdin!.write(JSON.stringify({ id, op, ...fields }) + "\n");
  return answered;
}

const call = (method: string, args: Record<string, unknown>) => request("call", { method, args });

before(async () => {
  server = await startServer();
  driver = spawn(process.execPath, [join(REPO_ROOT, "typescript", "dist", "esm", "conformance-driver.js")], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  createInterface({ input: driver.stdout! }).on("line", (text) => {
    const line = JSON.parse(text) as Line;
    waiting.get(line.id)?.(line);
  });
  const created = await request("new_client", { config: { base_url: server.baseUrl, api_key: server.adminKey, max_retries: 0 } });
  assert.deepEqual(created.result, { client: "c1" });
});

after(async () => {
  if (driver) {
    const exited = new Promise((resolve) => driver.once("exit", resolve));
    await request("shutdown");
    await exited;
  }
  await server?.stop();
});

describe("conformance driver calls", () => {
  it("maps generated and hand-written calls onto the SDK", async () => {
    const agent = await call("registerAgent", { address: "drv-ts", delivery_mode: "poll" });
    assert.match((agent.result!["agent"] as { address: string }).address, /\/drv-ts$/);
    const sent = await call("sendIntent", { intent_type: "intent.test.driver.v1", to_agent: "drv-ts", payload: {} });
    const intentId = sent.result!["intent_id"] as string;
    const notifications = await call("listNotifications", { intent_id: intentId });
    assert.deepEqual(notifications.result, { ok: true, notifications: [] });
    const events = await call("listIntentEvents", { intent_id: intentId, limit: 1 });
    assert.equal((events.result!["events"] as unknown[]).length, 1);
    const rotated = await call("rotateWebhookSecret", { overlap_seconds: 0 });
    assert.equal(rotated.ok, true);
    const done = await call("resumeIntent", { intent_id: intentId, kind: "agent_result", outcome: "complete", result: { n: 1 } });
    assert.equal(done.ok, true);
    const canceled = await call("cancelIntent", { intent_id: intentId, reason: "late" });
    assert.equal(canceled.error!["type"], "Conflict");
  });

  it("a missing argument is Validation; a stream or an unknown method is Unsupported", async () => {
    const missing = await call("createWorkspace", { org: "o" });
    assert.deepEqual([missing.error!["type"], missing.error!["message"]], ["Validation", "name is required"]);
    const stream = await call("streamIntentEvents", { intent_id: "x" });
    assert.equal(stream.error!["type"], "Unsupported");
    assert.match(String(stream.error!["message"]), /a stream/);
    assert.equal((await call("noSuchThing", {})).error!["type"], "Unsupported");
  });
});
