/**
 * The HTTP-push binding (REQ-PUSH-*). `verifyDelivery` checks a pushed delivery in
 * any framework (raw body + headers); `createPushReceiver` is a ready
 * `(req, res)` handler for `node:http` (Express accepts it) that runs the same
 * handler path as `serve`, so an agent switches between the stream and push
 * bindings by configuration alone.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleOne, type DeliveryHandler } from "./listen.js";
import type { AxmeClient } from "./client.js";
import { AxmeError, ConflictError } from "./errors.js";
import type { Delivery } from "./models.js";

/** REQ-PUSH-005: a timestamp further than this from now is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** REQ-PUSH-005: an id accepted within this window is refused. */
export const REPLAY_WINDOW_MS = 10 * 60 * 1000;
/** A receiver reads at most this much of a request body (413 beyond). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type SignatureFailure =
  | "missing_signature"
  | "malformed_signature"
  | "stale_timestamp"
  | "signature_mismatch"
  | "missing_delivery_id"
  | "malformed_body"
  | "delivery_id_mismatch"
  | "replayed_delivery";

/** A pushed delivery failed verification; a receiver answers 401 (REQ-PUSH-005). */
export class SignatureError extends AxmeError {
  override readonly type = "Signature" as const;
  constructor(
    /** The same codes in every SDK. */
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where accepted delivery ids are remembered: `add` returns false when the id was
 * already accepted within the replay window. Replace the in-memory one with a
 * shared store when several receiver processes sit behind one URL.
 */
export interface SeenDeliveries {
  add(deliveryId: string): boolean;
}

/** Ids accepted in the last `ttlMs` (default 10 minutes), in this process's memory. */
export class InMemorySeenDeliveries implements SeenDeliveries {
  private readonly seen = new Map<string, number>(); // insertion order = oldest first
  constructor(
    private readonly ttlMs: number = REPLAY_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(deliveryId: string): boolean {
    const now = this.now();
    for (const [id, at] of this.seen) {
      if (now - at < this.ttlMs) break;
      this.seen.delete(id);
    }
    if (this.seen.has(deliveryId)) return false;
    this.seen.set(deliveryId, now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

const processSeen = new InMemorySeenDeliveries();

export interface VerifyDeliveryOptions {
  /** Seconds `t` may differ from now (default 300). */
  toleranceSeconds?: number;
  /** Default: this process's memory, shared by every call without one. */
  seen?: SeenDeliveries;
  /** Unix time in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** Request headers as `node:http` (lower-case keys), a plain object, or fetch `Headers`. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** The `X-Axme-Signature` value for `body` (REQ-PUSH-004), e.g. to test a receiver. */
export function signDelivery(body: Uint8Array | string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, toBytes(body))}`;
}

/**
 * Checks a push (REQ-PUSH-005) and returns the typed Delivery, or throws
 * `SignatureError`. `rawBody` must be the exact bytes received; `secret` may be
 * several during a rotation.
 */
export function verifyDelivery(
  rawBody: Uint8Array | string,
  headers: HeaderSource,
  secret: string | readonly string[],
  options: VerifyDeliveryOptions = {},
): Delivery {
  const body = toBytes(rawBody);
  const header = headerLookup(headers);
  const { timestamp, given } = parseSignatureHeader(header("x-axme-signature"));
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = (options.now ?? Date.now)() / 1000;
  if (Math.abs(now - timestamp) > tolerance) {
    throw new SignatureError("stale_timestamp", `timestamp ${timestamp} is outside ±${tolerance} s`);
  }
  const secrets = typeof secret === "string" ? [secret] : secret;
  let matched = false;
  for (const s of secrets) {
    const expected = Buffer.from(signature(s, timestamp, body));
    for (const g of given) {
      const candidate = Buffer.from(g);
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) throw new SignatureError("signature_mismatch", "no v1 signature matches the secret");
  const deliveryId = header("x-axme-delivery-id");
  if (!deliveryId) throw new SignatureError("missing_delivery_id", "no X-Axme-Delivery-Id header");
  const delivery = parseDelivery(body);
  if (delivery.delivery_id !== deliveryId) {
    throw new SignatureError("delivery_id_mismatch", "X-Axme-Delivery-Id differs from the body");
  }
  if (!(options.seen ?? processSeen).add(deliveryId)) {
    throw new SignatureError("replayed_delivery", `delivery ${deliveryId} was already accepted`);
  }
  return delivery;
}

function toBytes(body: Uint8Array | string): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function signature(secret: string, timestamp: number, body: Buffer): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(`${timestamp}.`, "ascii").update(body).digest("hex");
}

function headerLookup(headers: HeaderSource): (name: string) => string | undefined {
  if (typeof headers.get === "function") {
    const fetchHeaders = headers as { get(name: string): string | null };
    return (name) => fetchHeaders.get(name) ?? undefined;
  }
  const byName = new Map<string, string>();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (v !== undefined) byName.set(k.toLowerCase(), Array.isArray(v) ? v.join(",") : v);
  }
  return (name) => byName.get(name);
}

function parseSignatureHeader(value: string | undefined): { timestamp: number; given: string[] } {
  if (!value) throw new SignatureError("missing_signature", "no X-Axme-Signature header");
  let timestamp: number | undefined;
  const given: string[] = [];
  for (const entry of value.split(",")) {
    const trimmed = entry.trim();
    const eq = trimmed.indexOf("=");
    const key = eq < 0 ? trimmed : trimmed.slice(0, eq);
    const item = eq < 0 ? "" : trimmed.slice(eq + 1);
    if (key === "t") {
      if (!/^[0-9]+$/.test(item)) throw new SignatureError("malformed_signature", "the t entry is not unix seconds");
      timestamp = Number(item);
    } else if (key === "v1") {
      given.push(item);
    }
  }
  if (timestamp === undefined || given.length === 0) {
    throw new SignatureError("malformed_signature", "X-Axme-Signature needs t= and v1=");
  }
  return { timestamp, given };
}

function parseDelivery(body: Buffer): Delivery {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    parsed = undefined;
  }
  const d = parsed as Partial<Delivery> | undefined;
  if (typeof d !== "object" || d === null || typeof d.delivery_id !== "string" || typeof d.intent_id !== "string") {
    throw new SignatureError("malformed_body", "the signed body is not a Delivery");
  }
  return d as Delivery;
}

// ---- the receiver ----------------------------------------------------------

export interface PushReceiverOptions extends VerifyDeliveryOptions {
  /** The signing secret (several during a rotation). */
  secret: string | readonly string[];
  /** Fixed lease renewal period; default a third of the remaining lease. */
  leaseRenewalMs?: number;
  /** Told about every failure the receiver recovers from (default: console.warn). */
  onError?: (error: unknown, delivery?: Delivery) => void;
}

/** A `(req, res)` handler for `node:http` / Express, plus `close()`. */
export interface PushReceiver {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Refuse new pushes (503) and wait for the deliveries being handled. */
  close(): Promise<void>;
}

/**
 * A push receiver: each POST is verified (401 otherwise), acked, answered 202 and
 * then handled in the background exactly as `serve` handles a delivery (lease
 * renewal, resume with the result or fail with the thrown error). A delivery no
 * longer ours (409 on ack) is answered 200; an ack that fails otherwise 503, so
 * the server redelivers (REQ-PUSH-006). With Express, mount it without a JSON body
 * parser (or behind `express.raw()`): the signature covers the raw bytes.
 */
export function createPushReceiver(client: AxmeClient, handler: DeliveryHandler, options: PushReceiverOptions): PushReceiver {
  const seen = options.seen ?? new InMemorySeenDeliveries();
  const inflight = new Set<Promise<void>>();
  const stop = new AbortController();
  let closing = false;
  const report =
    options.onError ?? ((err: unknown, d?: Delivery) => console.warn(`axme push: ${d ? `delivery ${d.delivery_id}: ` : ""}${String(err)}`));
  const ops = {
    listen: () => {
      throw new Error("not used by the push receiver");
    },
    ack: (id: string, deliveryId: string, signal: AbortSignal) => client.ackIntent(id, deliveryId, { signal }),
    progress: (id: string, deliveryId: string, details: Parameters<AxmeClient["reportProgress"]>[1], signal: AbortSignal) =>
      client.reportProgress(id, details, { deliveryId, signal }),
    complete: (id: string, deliveryId: string, result: Parameters<AxmeClient["resumeIntent"]>[1], signal: AbortSignal) =>
      client.resumeIntent(id, result, { deliveryId, signal }),
    fail: (id: string, deliveryId: string, error: Parameters<AxmeClient["failIntent"]>[1], signal: AbortSignal) =>
      client.failIntent(id, error, { deliveryId, signal }),
  };

  async function answer(req: IncomingMessage): Promise<[number, Record<string, string>]> {
    if (req.method !== "POST") return [405, { error: "method_not_allowed" }];
    if (closing) return [503, { error: "shutting_down" }];
    const body = await readBody(req);
    if (body === undefined) return [413, { error: "body_too_large" }];
    let delivery: Delivery;
    try {
      delivery = verifyDelivery(body, req.headers, options.secret, { ...options, seen });
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err;
      report(err);
      return [401, { error: err.reason }];
    }
    try {
      const acked = await ops.ack(delivery.intent_id, delivery.delivery_id, stop.signal);
      if (acked.lease_expires_at) delivery = { ...delivery, lease_expires_at: acked.lease_expires_at };
    } catch (err) {
      if (err instanceof ConflictError) return [200, { skipped: err.code ?? "conflict" }]; // stale or terminal
      if (!(err instanceof AxmeError)) throw err;
      report(err, delivery);
      return [503, { error: "ack_failed" }];
    }
    const work = handleOne(ops, delivery, handler, options.leaseRenewalMs, stop.signal, report).catch((err: unknown) =>
      report(err, delivery),
    );
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
    return [202, { accepted: delivery.delivery_id }];
  }

  const receiver = ((req: IncomingMessage, res: ServerResponse) => {
    answer(req).then(
      ([status, body]) => {
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      },
      (err: unknown) => {
        report(err);
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal_error" }));
      },
    );
  }) as PushReceiver;
  receiver.close = async () => {
    closing = true;
    while (inflight.size > 0) await Promise.all([...inflight]);
  };
  return receiver;
}

/** The raw body: Express's `express.raw()` leaves it on `req.body`, otherwise the stream. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed instanceof Uint8Array) return Buffer.from(parsed);
  if (typeof parsed === "string") return Buffer.from(parsed, "utf8");
  if (parsed !== undefined && req.readableEnded) {
    throw new AxmeError("the request body was already parsed: mount the push receiver without a JSON body parser");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
