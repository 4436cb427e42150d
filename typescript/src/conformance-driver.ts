/**
 * Conformance driver (conformance/driver-protocol.md): JSON lines on stdin → SDK calls →
 * JSON lines on stdout. Uses only the public SDK API (./index.js). Ops run
 * concurrently; each response carries its request's id. Logs go to stderr.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import {
  AxmeClient,
  createPushReceiver,
  AxmeApiError,
  AxmeError,
  VERSION,
  type AxmeLogger,
  type DeliveryContext,
  type Intent,
  type JsonObject,
} from "./index.js";

type Message = { id: number | string; op: string; [key: string]: unknown };

const clients = new Map<string, AxmeClient>();
let latestClient: string | null = null;
const running = new Map<string, AbortController>();

function send(line: JsonObject): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

function describeError(err: unknown): JsonObject {
  if (err instanceof AxmeApiError) {
    return {
      type: err.type,
      status: err.status,
      code: err.code,
      retryable: err.retryable,
      message: err.message,
      retry_after: err.retryAfter,
      request_id: err.requestId,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const base = { status: null, code: null, message };
  if (err instanceof ConfigurationRefused) return { ...base, type: "Configuration", retryable: null };
  if (err instanceof AxmeError) return { ...base, type: err.type, retryable: err.type === "Connection" || err.type === "Timeout" };
  if (err instanceof Error && err.name === "AbortError") return { ...base, type: "Canceled", retryable: false };
  if (err instanceof UnsupportedMethod) return { ...base, type: "Unsupported", retryable: false };
  // The SDK rejects bad arguments with TypeError before sending anything.
  return { ...base, type: err instanceof TypeError ? "Validation" : "DriverError", retryable: false };
}

class UnsupportedMethod extends Error {}

/** The SDK refused a new_client config: protocol error type Configuration. */
class ConfigurationRefused extends Error {}

/** log_level "debug": the SDK's debug log, one line per entry on stderr. */
const stderrLogger: AxmeLogger = {
  debug(message, fields) {
    process.stderr.write(`DEBUG ${message} ${JSON.stringify(fields)}\n`);
  },
};

function obj(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : {};
}

function str(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`${what} is required`);
  return value;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** Splits path parameters and options off a call's args. */
function take(args: JsonObject, ...names: string[]): [JsonObject, JsonObject] {
  const picked: JsonObject = {};
  const rest: JsonObject = {};
  for (const [k, v] of Object.entries(args)) (names.includes(k) ? picked : rest)[k] = v;
  return [picked, rest];
}

function clientFor(msg: Message): AxmeClient {
  const name = typeof msg["client"] === "string" ? (msg["client"] as string) : latestClient;
  const client = name === null ? undefined : clients.get(name);
  if (!client) throw new TypeError(`no client ${name ?? "(none created yet)"}`);
  return client;
}

/** The wire members of the body `resumeIntent(id, result, { deliveryId })` sends. */
const HELPER_RESUME_KEYS = ["kind", "outcome", "result", "delivery_id"];

/** A plain agent result goes through resumeIntent; every other body through resumeIntentWith. */
function isHelperResume(body: JsonObject): boolean {
  const result = body["result"];
  return (
    Object.keys(body).every((k) => HELPER_RESUME_KEYS.includes(k)) &&
    body["kind"] === "agent_result" &&
    body["outcome"] === "complete" &&
    typeof result === "object" && result !== null && !Array.isArray(result) &&
    (body["delivery_id"] === undefined || typeof body["delivery_id"] === "string")
  );
}

/** Maps a canonical operation name to the SDK call. */
async function call(client: AxmeClient, method: string, args: JsonObject, signal: AbortSignal): Promise<unknown> {
  const o = { signal };
  const [path, body] = take(args, "intent_id", "address", "key_id");
  const intentId = () => str(path["intent_id"], "intent_id");
  const address = () => str(path["address"], "address");
  switch (method) {
    case "getHealth":
      return client.getHealth(o);
    case "createIntent":
      return client.createIntent(body as never, o);
    case "sendIntent":
      return { intent_id: await client.sendIntent(body as never, o) };
    case "submitIntent":
      return { intent_id: (await client.submitIntent(body as never, o)).intentId };
    case "intentHandle": {
      // client.intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
      const handle = client.intent(intentId());
      if (body["action"] === "complete") return body["result"] === undefined ? handle.complete(undefined, o) : handle.complete(obj(body["result"]), o);
      if (body["action"] === "fail") return handle.fail(obj(body["error"]) as never, o);
      if (body["action"] === "cancel") return handle.cancel(typeof body["reason"] === "string" ? { ...o, reason: body["reason"] } : o);
      throw new TypeError(`intentHandle: unknown action ${String(body["action"])}`);
    }
    case "getIntent":
      return client.getIntent(intentId(), o);
    case "listIntents":
      return client.listIntents(body, o);
    case "listIntentEvents":
      return client.listIntentEvents(intentId(), body, o);
    case "resumeIntent": {
      if (!isHelperResume(body)) return client.resumeIntentWith(intentId(), body, o); // sent as given
      const options = typeof body["delivery_id"] === "string" ? { ...o, deliveryId: body["delivery_id"] } : o;
      return client.resumeIntent(intentId(), obj(body["result"]), options);
    }
    case "resumeIntentHelper": {
      // the helper itself, whatever the result is (REQ-RESUME-010: a resume form is sent as is)
      const options = typeof body["delivery_id"] === "string" ? { ...o, deliveryId: body["delivery_id"] } : o;
      return client.resumeIntent(intentId(), obj(body["result"]), options);
    }
    case "resolveIntent":
      return client.resolveIntent(intentId(), body as never, o);
    case "retryIntent":
      return client.retryIntent(intentId(), body as never, o);
    case "ackIntent":
      return client.ackIntent(intentId(), str(body["delivery_id"], "delivery_id"), o);
    case "getIntentAudit":
      return client.getIntentAudit(intentId(), o);
    case "registerAgent":
      return client.registerAgent(body as never, o);
    case "listAgents":
      return client.listAgents(body, o);
    case "getAgent":
      return client.getAgent(address(), o);
    case "createAgentKey":
      return client.createAgentKey(address(), body, o);
    case "pollAgentDeliveries":
      return client.pollAgentDeliveries(address(), body, o);
    case "listTasks":
      return client.listTasks(body, o);
    case "listMyTasks":
      return client.listMyTasks(body, o);
    case "deleteAgent":
      return client.deleteAgent(address(), o);
    case "listAgentKeys":
      return client.listAgentKeys(address(), o);
    case "decideTask":
      return client.decideTask(intentId(), body as never, o);
    case "applyScenario":
      return client.applyScenario(body, o);
    case "validateScenario":
      return client.validateScenario(body, o);
    case "createKey":
      return client.createKey(body as never, o);
    case "listKeys":
      return client.listKeys(o);
    case "revokeKey":
      return client.revokeKey(str(path["key_id"], "key_id"), o);
    case "failIntent": {
      const options = typeof body["delivery_id"] === "string" ? { ...o, deliveryId: body["delivery_id"] } : o;
      return client.failIntent(intentId(), obj(body["error"]) as never, options);
    }
    case "cancelIntent":
      return client.cancelIntent(intentId(), typeof body["reason"] === "string" ? { ...o, reason: body["reason"] } : o);
    case "approveTask":
    case "rejectTask": {
      const options = { ...o, ...(typeof body["comment"] === "string" ? { comment: body["comment"] } : {}) };
      return method === "approveTask" ? client.approveTask(intentId(), options) : client.rejectTask(intentId(), options);
    }
    case "completeTask": {
      const options: { signal: AbortSignal; comment?: string; data?: JsonObject } = { ...o };
      if (typeof body["comment"] === "string") options.comment = body["comment"];
      if (body["data"] !== undefined) options.data = obj(body["data"]);
      return client.completeTask(intentId(), typeof body["outcome"] === "string" ? body["outcome"] : undefined, options);
    }
    case "waitFor": {
      const timeout = num(body["timeout_ms"]);
      return client.waitFor(intentId(), timeout === undefined ? o : { ...o, timeout });
    }
    default:
      throw new UnsupportedMethod(`unknown method ${method}`);
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** The handler listen and push_receiver run: writes the delivery line, then acts; crash calls `onCrash`. */
function deliveryHandler(id: Message["id"], handler: JsonObject, onCrash: () => void) {
  return async (_intent: Intent, ctx: DeliveryContext): Promise<JsonObject> => {
    send({ id, delivery: ctx.delivery as unknown as JsonObject });
    switch (handler["action"]) {
      case "fail": {
        const error = obj(handler["error"]);
        throw Object.assign(new Error(String(error["message"] ?? "handler failed")), error);
      }
      case "crash":
        onCrash(); // stop serving without resuming: the lease will expire
        return delay(3_600_000, ctx.signal).then(() => ({}));
      case "progress_then_complete": {
        const count = num(handler["progress_count"]) ?? 1;
        for (let i = 0; i < count; i++) {
          await delay(num(handler["delay_ms"]) ?? 0, ctx.signal);
          await ctx.reportProgress({ step: i + 1 });
        }
        return obj(handler["result"]);
      }
      default:
        return obj(handler["result"]);
    }
  };
}

async function listen(client: AxmeClient, id: Message["id"], args: JsonObject, signal: AbortSignal): Promise<void> {
  const stop = new AbortController();
  signal.addEventListener("abort", () => stop.abort(signal.reason), { once: true });
  const maxDeliveries = num(args["max_deliveries"]);
  let crashed = false;
  const onDelivery = deliveryHandler(id, obj(args["handler"]), () => {
    crashed = true;
    stop.abort(new Error("simulated crash"));
  });
  try {
    const options = { signal: stop.signal, ...(maxDeliveries !== undefined ? { maxDeliveries } : {}) };
    await client.serve(str(args["address"], "address"), onDelivery, options);
  } catch (err) {
    if (!crashed || signal.aborted) throw err;
  }
}

/** push_receiver: createPushReceiver on a free 127.0.0.1 port until max_deliveries were handled or cancelled. */
async function pushReceiver(client: AxmeClient, id: Message["id"], args: JsonObject, signal: AbortSignal): Promise<void> {
  const wanted = num(args["max_deliveries"]) ?? 1;
  let handled = 0;
  let enough: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (enough = resolve));
  const inner = deliveryHandler(id, obj(args["handler"]), () => undefined);
  const counting = async (intent: Intent, ctx: DeliveryContext): Promise<JsonObject> => {
    try {
      return await inner(intent, ctx);
    } finally {
      if (wanted > 0 && ++handled >= wanted) enough();
    }
  };
  const tolerance = num(args["tolerance_s"]);
  const secrets = (args["secrets"] as string[] | undefined) ?? [];
  const receiver = createPushReceiver(client, counting, { secret: secrets, ...(tolerance !== undefined ? { toleranceSeconds: tolerance } : {}) });
  const server = createServer(receiver);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  send({ id, receiver: { url: `http://127.0.0.1:${port}/` } });
  const cancelled = new Promise<void>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  try {
    await Promise.race([finished, cancelled]);
  } finally {
    await receiver.close(); // the deliveries being resumed finish first
    const closed = new Promise<void>((resolve) => server.close(() => resolve())); // answers being written finish
    server.closeIdleConnections();
    await closed;
  }
}

async function handle(msg: Message): Promise<void> {
  const id = msg.id;
  const args = { ...obj(msg["args"]), ...msg };
  const controller = new AbortController();
  running.set(String(id), controller);
  const signal = controller.signal;
  try {
    switch (msg.op) {
      case "hello":
        send({ id, ok: true, result: { sdk: "typescript", version: VERSION, capabilities: ["retries", "observe", "wait_for", "listen", "cancel", "push"] } });
        return;
      case "new_client": {
        const config = obj(msg["config"]);
        // An absent api_key/base_url is left to the SDK: AXME_API_KEY / AXME_BASE_URL.
        const options: ConstructorParameters<typeof AxmeClient>[0] = {};
        if (config["base_url"] !== undefined) options.baseUrl = str(config["base_url"], "config.base_url");
        if (config["api_key"] !== undefined) options.apiKey = str(config["api_key"], "config.api_key");
        if (config["log_level"] === "debug") options.logger = stderrLogger;
        if (num(config["max_retries"]) !== undefined) options.maxRetries = num(config["max_retries"]);
        if (num(config["retry_base_ms"]) !== undefined) options.retryBaseDelay = num(config["retry_base_ms"]);
        if (num(config["timeout_ms"]) !== undefined) options.timeout = num(config["timeout_ms"]);
        let client: AxmeClient;
        try {
          client = new AxmeClient(options);
        } catch (err) {
          // The constructor does no I/O: its AxmeError is the configuration error (REQ-CLIENT-001).
          if (err instanceof AxmeError) throw new ConfigurationRefused(err.message);
          throw err;
        }
        const name = `c${clients.size + 1}`;
        clients.set(name, client);
        latestClient = name;
        send({ id, ok: true, result: { client: name } });
        return;
      }
      case "call": {
        const result = await call(clientFor(msg), str(msg["method"], "method"), obj(msg["args"]), signal);
        send({ id, ok: true, result: obj(result) });
        return;
      }
      case "observe": {
        const options: { signal: AbortSignal; since?: number; untilTerminal?: boolean } = { signal };
        if (num(args["since"]) !== undefined) options.since = num(args["since"]);
        if (typeof args["until_terminal"] === "boolean") options.untilTerminal = args["until_terminal"];
        for await (const event of clientFor(msg).observe(str(args["intent_id"], "intent_id"), options)) {
          send({ id, event: event as unknown as JsonObject });
        }
        send({ id, done: true });
        return;
      }
      case "wait_for": {
        const timeout = num(args["timeout_ms"]);
        const intent = await clientFor(msg).waitFor(str(args["intent_id"], "intent_id"), {
          signal,
          ...(timeout !== undefined ? { timeout } : {}),
        });
        send({ id, ok: true, result: intent as unknown as JsonObject });
        return;
      }
      case "listen":
        await listen(clientFor(msg), id, args, signal);
        send({ id, done: true });
        return;
      case "push_receiver":
        await pushReceiver(clientFor(msg), id, args, signal);
        send({ id, done: true });
        return;
      case "cancel": {
        const target = running.get(String(args["target_id"]));
        target?.abort();
        send({ id, ok: true, result: { cancelled: target !== undefined } });
        return;
      }
      case "shutdown":
        send({ id, ok: true, result: {} });
        for (const c of running.values()) c.abort();
        process.exit(0);
        return;
      default:
        throw new TypeError(`unknown op ${msg.op}`);
    }
  } catch (err) {
    send({ id, ok: false, error: describeError(err) });
  } finally {
    running.delete(String(id));
  }
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (line.trim() === "") return;
  let msg: Message;
  try {
    msg = JSON.parse(line) as Message;
  } catch {
    process.stderr.write(`driver: ignoring a line that is not JSON: ${line.slice(0, 200)}\n`);
    return;
  }
  void handle(msg);
});
input.on("close", () => {
  for (const c of running.values()) c.abort();
});
