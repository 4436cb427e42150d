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
import { num, obj } from "./conformance-driver-args.js";
import { generatedCalls, notCalls } from "./conformance-driver-calls.js";
import { handWrittenCalls } from "./conformance-driver-hand-written.js";

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

/** A string the protocol requires (an op's field or a new_client config member). */
function requiredString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`${what} is required`);
  return value;
}

function clientFor(msg: Message): AxmeClient {
  const name = typeof msg["client"] === "string" ? (msg["client"] as string) : latestClient;
  const client = name === null ? undefined : clients.get(name);
  if (!client) throw new TypeError(`no client ${name ?? "(none created yet)"}`);
  return client;
}

/**
 * Maps a canonical operation name to the SDK call: the hand-written calls first
 * (conformance-driver-hand-written.ts), then the ones `make gen` derives from the spec
 * and AxmeClient's signatures (conformance-driver-calls.ts).
 */
async function call(client: AxmeClient, method: string, args: JsonObject, signal: AbortSignal): Promise<unknown> {
  const mapped = handWrittenCalls[method] ?? generatedCalls[method];
  if (mapped === undefined) {
    throw new UnsupportedMethod(`the TypeScript driver cannot call ${method}: ${notCalls[method] ?? "no such method"}`);
  }
  return mapped(client, args, { signal });
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
    await client.serve(requiredString(args["address"], "address"), onDelivery, options);
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
        if (config["base_url"] !== undefined) options.baseUrl = requiredString(config["base_url"], "config.base_url");
        if (config["api_key"] !== undefined) options.apiKey = requiredString(config["api_key"], "config.api_key");
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
        const result = await call(clientFor(msg), requiredString(msg["method"], "method"), obj(msg["args"]), signal);
        send({ id, ok: true, result: obj(result) });
        return;
      }
      case "observe": {
        const options: { signal: AbortSignal; since?: number; untilTerminal?: boolean } = { signal };
        if (num(args["since"]) !== undefined) options.since = num(args["since"]);
        if (typeof args["until_terminal"] === "boolean") options.untilTerminal = args["until_terminal"];
        for await (const event of clientFor(msg).observe(requiredString(args["intent_id"], "intent_id"), options)) {
          send({ id, event: event as unknown as JsonObject });
        }
        send({ id, done: true });
        return;
      }
      case "wait_for": {
        const timeout = num(args["timeout_ms"]);
        const intent = await clientFor(msg).waitFor(requiredString(args["intent_id"], "intent_id"), {
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
