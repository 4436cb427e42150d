/**
 * REQ-LISTEN-007 against the real reference server (lease 4 s): runAgent in an
 * agent process of its own (fixtures/run-agent-process.ts), signalled at the
 * points its output marks.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { AxmeClient } from "../src/index.js";
import { startServer, testing, type RunningServer } from "./server.js";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "run-agent-process.js");
const TIMEOUT_MS = 20_000;

let server: RunningServer;
let admin: AxmeClient;
let namespace: string;

before(async () => {
  server = await startServer(["--testing", "--keepalive-seconds", "1", "--lease-seconds", "4"]);
  const ns = await testing(server, "/_testing/namespaces");
  namespace = String(ns["namespace"]);
  admin = new AxmeClient({ apiKey: String(ns["admin_api_key"]), baseUrl: server.baseUrl, retryBaseDelay: 20 });
});
after(() => server?.stop());

class AgentProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private changed: () => void = () => {};

  constructor(address: string, graceMs: number, apiKey: string) {
    const env = { ...process.env, AXME_API_KEY: apiKey, AXME_BASE_URL: server.baseUrl, AXME_CONFIG_DIR: mkdtempSync(join(tmpdir(), "axme-cfg-")) };
    this.child = spawn(process.execPath, [FIXTURE, address, String(graceMs)], { env, stdio: ["pipe", "pipe", "inherit"] });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      this.lines.push(line);
      this.changed();
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Resolves once a line containing `wanted` was printed; rejects on exit or after TIMEOUT_MS. */
  async waitLine(wanted: string): Promise<void> {
    const deadline = Date.now() + TIMEOUT_MS;
    while (!this.lines.some((line) => line.includes(wanted))) {
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) throw new Error(`no "${wanted}" line:\n${this.lines.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.changed = () => (clearTimeout(timer), resolve());
      });
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  tell(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** The exit code, which must come within `withinMs`. */
  async exitCode(withinMs: number): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${withinMs} ms:\n${this.lines.join("\n")}`)), withinMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
      this.child.kill("SIGKILL"); // a no-op once it exited
    }
  }
}

async function startAgent(graceMs: number): Promise<{ agent: AgentProcess; address: string }> {
  const registered = await admin.registerAgent({ address: `run-agent-${Math.random().toString(36).slice(2, 10)}` });
  const agent = new AgentProcess(registered.agent.address, graceMs, registered.api_key);
  await agent.waitLine("serving");
  return { agent, address: registered.agent.address };
}

/** Sends the agent an intent and SIGTERM once its handler runs. */
async function sigtermMidHandler(graceMs: number): Promise<{ agent: AgentProcess; intentId: string; signalledAt: number }> {
  const { agent, address } = await startAgent(graceMs);
  const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: address, payload: {} });
  await agent.waitLine(`handling ${intentId}`);
  agent.signal("SIGTERM");
  return { agent, intentId, signalledAt: Date.now() };
}

async function eventTypes(intentId: string): Promise<string[]> {
  return (await admin.listIntentEvents(intentId)).events.map((e) => e.event_type);
}

describe("runAgent (REQ-LISTEN-007)", () => {
  it("a signal lets the handler in hand finish and send its result, then resolves; no redelivery", async () => {
    const { agent, intentId, signalledAt } = await sigtermMidHandler(10_000);
    await agent.waitLine("stopping"); // it stopped taking deliveries; the handler still runs
    agent.tell("after the signal");
    assert.equal(await agent.exitCode(10_000), 0, agent.lines.join("\n"));
    assert.ok(Date.now() - signalledAt < 10_000);
    assert.ok(agent.lines.includes("returned 1"), agent.lines.join("\n"));
    const intent = await admin.waitFor(intentId, { timeout: TIMEOUT_MS });
    assert.equal(intent.status, "COMPLETED");
    assert.deepEqual(intent.result, { finished: "after the signal" });
    const types = await eventTypes(intentId);
    assert.equal(types.filter((t) => t === "intent.delivered").length, 1, types.join(" "));
    assert.ok(!types.includes("intent.redelivered"), types.join(" "));
  });

  it("a handler past the grace is abandoned unsent: resolves promptly, the lease expires, the server redelivers", async () => {
    const { agent, intentId, signalledAt } = await sigtermMidHandler(500);
    assert.equal(await agent.exitCode(5_000), 0, agent.lines.join("\n")); // the handler never got its line
    assert.ok(Date.now() - signalledAt < 5_000);
    assert.ok(agent.lines.includes("returned 0"), agent.lines.join("\n"));
    assert.equal((await admin.getIntent(intentId)).intent.status, "ACKNOWLEDGED"); // still leased, not terminal
    const response = await fetch(`${server.baseUrl}/_testing/requests?namespace=${namespace}`);
    const { requests } = (await response.json()) as { requests: { op: string; path: string }[] };
    assert.deepEqual(requests.filter((r) => r.op === "resumeIntent" && r.path.includes(intentId)), []);
    const deadline = Date.now() + TIMEOUT_MS; // the 4 s lease runs out and the server takes the step back
    let types = await eventTypes(intentId);
    while (!types.includes("intent.redelivered")) {
      assert.ok(Date.now() < deadline, types.join(" "));
      await new Promise((resolve) => setTimeout(resolve, 200));
      types = await eventTypes(intentId);
    }
    assert.ok(!types.includes("intent.completed") && !types.includes("intent.failed"), types.join(" "));
  });

  it("a signal while idle resolves at once with 0", async () => {
    const { agent } = await startAgent(10_000);
    agent.signal("SIGINT");
    assert.equal(await agent.exitCode(5_000), 0, agent.lines.join("\n"));
    assert.ok(agent.lines.includes("returned 0"), agent.lines.join("\n"));
  });

  it("the caller's signal stops it the same way, and its listeners are removed", async () => {
    const registered = await admin.registerAgent({ address: `run-agent-${Math.random().toString(36).slice(2, 10)}` });
    const agent = new AxmeClient({ apiKey: registered.api_key, baseUrl: server.baseUrl });
    const before = process.listenerCount("SIGTERM");
    const stop = new AbortController();
    let release: (line: string) => void = () => {};
    let started: () => void = () => {};
    const handling = new Promise<void>((resolve) => (started = resolve));
    const running = agent.runAgent(
      registered.agent.address,
      async () => {
        started();
        return { finished: await new Promise<string>((resolve) => (release = resolve)) };
      },
      { signal: stop.signal },
    );
    assert.equal(process.listenerCount("SIGTERM"), before + 1);
    const intentId = await admin.sendIntent({ intentType: "intent.test.echo.v1", toAgent: registered.agent.address, payload: {} });
    await handling;
    stop.abort();
    release("after the abort");
    assert.equal(await running, 1);
    assert.equal(process.listenerCount("SIGTERM"), before);
    const intent = await admin.waitFor(intentId, { timeout: TIMEOUT_MS });
    assert.deepEqual(intent.result, { finished: "after the abort" });
  });

  it("rejects a bad graceMs and an unknown option before any request", async () => {
    const client = new AxmeClient({ apiKey: "axme_agent_x_y", baseUrl: server.baseUrl });
    await assert.rejects(client.runAgent("worker", () => ({}), { graceMs: -1 }), TypeError);
    await assert.rejects(client.runAgent("worker", () => ({}), { graceMS: 5 } as never), /unknown option "graceMS"/);
  });
});
